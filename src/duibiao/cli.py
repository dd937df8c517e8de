"""The `duibiao` command.

    duibiao serve [--bind 127.0.0.1:8000] [--workers N]   production server (gunicorn)
    duibiao migrate                                        create / update the database
    duibiao demo-data                                      load the 道外区 demo (re-runnable)
    duibiao check-values [--period ID]                     list stored values that no longer validate (exit 1)
    duibiao createuser USERNAME --role office --unit daowai
    duibiao score SCHEME.yaml DATA.csv --units UNITS.csv --out RESULTS.csv
    duibiao <any Django management command>
"""

from __future__ import annotations

import os
import sys


def _django_command(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duibiao.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["duibiao", *argv])
    return 0


def _serve(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="duibiao serve", description="以生产方式启动服务（gunicorn）")
    parser.add_argument("--bind", default=os.environ.get("DUIBIAO_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("DUIBIAO_WORKERS", "3")))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duibiao.config.settings")
    import atexit
    import subprocess

    from gunicorn.app.wsgiapp import run

    # One task worker beside the web workers runs the scoring runs queued from the pages.
    worker = subprocess.Popen(
        [sys.executable, "-m", "duibiao.cli", "db_worker", "--interval", "0.5", "--no-startup-delay"]
    )
    atexit.register(worker.terminate)
    sys.argv = [
        "gunicorn", "duibiao.config.wsgi:application", "--bind", args.bind,
        "--workers", str(args.workers), "--access-logfile", "-", "--timeout", "120",
    ]
    run()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    verb, rest = argv[0], argv[1:]
    if verb == "score":
        from duibiao.scoring_cli import main as score_main

        return score_main(rest)
    if verb == "serve":
        return _serve(rest)
    aliases = {"demo-data": "demo_data", "check-values": "check_values"}
    return _django_command([aliases.get(verb, verb), *rest])


if __name__ == "__main__":
    sys.exit(main())
