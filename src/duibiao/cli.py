"""The `duibiao` command.

    duibiao serve [--bind 127.0.0.1:8000] [--workers N]   production server (gunicorn)
    duibiao migrate                                        create / update the database
    duibiao demo-data [--reset [--yes]]                    load the 道外区 demo (re-runnable; --reset rebuilds it)
    duibiao check-values [--period ID]                     list stored values that no longer validate (exit 1)
    duibiao createuser USERNAME --role office --unit daowai
    duibiao score SCHEME.yaml DATA.csv --units UNITS.csv --out RESULTS.csv
    duibiao project-rates LEDGER.csv --as-of 2023-06-30 [--by unit] --out RATES.csv [--projects-out FLAGS.csv]
    duibiao disposal-rates FINDINGS.csv --as-of YYYY-MM-DD [--by unit|campaign] --out RATES.csv
    duibiao bulletin (results|projects|inspections) [--period ID | --date YYYY-MM-DD] --out FILE.docx [--pdf FILE.pdf]
    duibiao backup FILE                                    database + uploaded files into one file (docs/backup.md)
    duibiao restore FILE [--force]                         verify, then restore into an empty database (--force: replace)
    duibiao crypto rotate [--seal-plain]                   re-seal TOTP keys and uploads under DUIBIAO_SM4_KEY (docs/security.md)
    duibiao <any Django management command>
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess


def _django_command(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duibiao.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["duibiao", *argv])
    return 0


GUNICORN_CONFIG = "python:duibiao.config.gunicorn"


def _serve(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="duibiao serve", description="以生产方式启动服务（gunicorn）")
    parser.add_argument("--bind", default=os.environ.get("DUIBIAO_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("DUIBIAO_WORKERS", "3")))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duibiao.config.settings")
    import atexit

    from gunicorn.app.wsgiapp import run

    # One task worker beside the web workers runs the scoring runs and the large Excel imports
    # queued from the pages, started again whenever it dies, and ended with the server.
    supervisor = WorkerSupervisor(
        [sys.executable, "-m", "duibiao.cli", "db_worker", "--interval", "0.5", "--no-startup-delay"]
    ).start()
    atexit.register(supervisor.stop)
    # The settings and warm-start hooks (preload, warm each worker, say when ready) are in
    # config/gunicorn.py; the command line's bind and workers override its defaults.
    sys.argv = [
        "gunicorn", "duibiao.config.wsgi:application", "--config", GUNICORN_CONFIG,
        "--bind", args.bind, "--workers", str(args.workers),
    ]
    run()
    return 0


class WorkerSupervisor:
    """Keeps one worker process running: starts it, and starts another whenever it exits.

    Between deaths it waits `min_delay`, doubling up to `max_delay` while the worker keeps
    dying young (one that cannot start must not spin), and back to `min_delay` once a worker
    has lived `stable_after` seconds. A thread of the serving process; `stop()` ends the loop
    and the worker (terminate, then kill after `timeout`).

        supervisor = WorkerSupervisor(["duibiao", "db_worker"]).start()
        ...
        supervisor.stop()
    """

    def __init__(self, command: list[str], *, min_delay: float = 1.0, max_delay: float = 60.0,
                 stable_after: float = 60.0, poll: float = 0.5) -> None:
        import threading

        self.command = command
        self.min_delay, self.max_delay = min_delay, max_delay
        self.stable_after, self.poll = stable_after, poll
        self.process: subprocess.Popen[bytes] | None = None  # the current worker
        self.starts = 0
        self.delays: list[float] = []  # each wait before a restart, for the log and tests
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="task-worker-supervisor", daemon=True)

    def start(self) -> WorkerSupervisor:
        self._thread.start()
        return self

    def _loop(self) -> None:
        import subprocess
        import time

        delay = self.min_delay
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                self.process = subprocess.Popen(self.command)
                self.starts += 1
            except OSError as exc:
                _say(f"任务进程无法启动：{exc}")
            else:
                while self.process.poll() is None:
                    if self._stop.wait(self.poll):
                        return  # stop() ends the process
            if time.monotonic() - began >= self.stable_after:
                delay = self.min_delay
            code = self.process.returncode if self.process else None
            _say(f"任务进程已退出（{code}），{delay:g} 秒后重新启动")
            self.delays.append(delay)
            if self._stop.wait(delay):
                return
            delay = min(delay * 2, self.max_delay)

    def stop(self, timeout: float = 10.0) -> None:
        import subprocess

        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _say(message: str) -> None:
    print(f"[duibiao serve] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    verb, rest = argv[0], argv[1:]
    if verb == "score":
        from duibiao.scoring_cli import main as score_main

        return score_main(rest)
    if verb == "project-rates":  # the four rates of a ledger file, offline like `score`
        from duibiao.projects.rates_cli import main as rates_main

        return rates_main(rest)
    if verb == "disposal-rates":
        from duibiao.inspections.rates_cli import main as disposal_rates_main

        return disposal_rates_main(rest)
    if verb == "serve":
        return _serve(rest)
    aliases = {"demo-data": "demo_data", "check-values": "check_values"}
    return _django_command([aliases.get(verb, verb), *rest])


if __name__ == "__main__":
    sys.exit(main())
