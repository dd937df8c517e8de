"""PostgreSQL crash-restarted under load (issue 15, faults): no accepted write is lost.

The reporters of bench/load_bench.py save values through `duibiao serve` on a PostgreSQL
cluster of the bench's own (initdb in a temporary directory, loopback only, the durability
settings PostgreSQL ships with: fsync and synchronous_commit on — as production must run). Half
way through, the cluster is stopped in `immediate` mode (no checkpoint, as a crash or a power cut
leaves it) and started again. Afterwards every save the server answered 200 must be in the
database with its value; saves caught by the outage get an error (or are stored without their
answer reaching the reporter — said, not counted as lost); and the server must accept saves
again once PostgreSQL is back, without being restarted itself.

    python bench/pg_restart_bench.py [--users 40] [--seconds 60] [--no-docs]

Needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin, as CI installs them); run as root
it initialises the cluster as the `postgres` user. Bounded: locust stops by itself, the cluster
and its directory are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchlib import machine, record, write_section
from load_bench import (
    _django,
    free_port,
    request_figures,
    run_locust,
    seed,
    start_server,
    stop_server,
)

DUIBIAO = str(Path(sys.executable).with_name("duibiao"))


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return found[-1] if found else None


class Cluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1 with the shipped durability settings."""

    def __init__(self, binaries: Path, root: Path) -> None:
        self.bin, self.data, self.port = binaries, root / "pgdata", free_port()
        self.data.mkdir()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(root, "postgres", "postgres")
            shutil.chown(self.data, "postgres", "postgres")
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, str(self.bin / tool), *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"), "-w", "-o",
                 f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data} -c max_connections=100", "start")

    def crash_restart(self) -> float:
        """Stop without a checkpoint (what a crash leaves), start again; returns the outage in s."""
        began = time.monotonic()
        self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.start()
        return time.monotonic() - began

    def stop(self) -> None:
        subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                        "stop"], capture_output=True, check=False)

    def url(self) -> str:
        return f"postgres://duibiao:duibiao@127.0.0.1:{self.port}/duibiao"

    def create_database(self) -> None:
        subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q",
                        "-c", "CREATE ROLE duibiao LOGIN SUPERUSER PASSWORD 'duibiao'",
                        "-c", "CREATE DATABASE duibiao OWNER duibiao"], check=True, capture_output=True)

    def setting(self, name: str) -> str:
        done = subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                               "-tAc", f"SHOW {name}"], check=True, capture_output=True, text=True)
        return done.stdout.strip()


def check(plan: dict[str, Any], answers: list[dict[str, Any]], crash_at: float) -> dict[str, int]:
    """Accepted saves against the database (Django set up on the cluster)."""
    from duibiao.assessment.models import Submission

    accepted: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for answer in answers:
        if answer["status"] == 200:
            accepted[(answer["unit"], answer["code"])].append(answer)
    stored = {(s.unit.code, s.indicator.code): s for s in Submission.objects.filter(
        period_id=plan["period"], unit__code__in=[u["unit"] for u in plan["users"]]).select_related("unit", "indicator")}
    lost = unanswered = 0
    for key, saves in accepted.items():
        row = stored.get(key)
        # Each accepted save answered the version it wrote: the row must hold that version or a
        # later one, and the value of the highest accepted version if nothing else was stored.
        highest = max(s.get("version") or 0 for s in saves)
        if row is None or row.version < highest:
            lost += 1
            continue
        if row.version == highest and row.value != Decimal(saves[-1]["value"]):
            lost += 1
        unanswered += row.version - len(saves)  # stored, but the answer never reached the reporter
    unanswered += sum(s.version for key, s in stored.items() if key not in accepted)
    after = sum(1 for a in answers if a["status"] == 200 and a.get("at", 0) > crash_at)
    return {"accepted": sum(len(v) for v in accepted.values()), "lost": lost, "unanswered_but_stored": unanswered,
            "errors": sum(1 for a in answers if a["status"] >= 500 or a["status"] == 0),
            "accepted_after_restart": after}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--wait", default="1,3", help="seconds between one reporter's saves (low,high)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    binaries = pg_bin()
    if binaries is None:
        print("pg_restart_bench: skipped — PostgreSQL's server binaries are not installed", file=sys.stderr)
        return 0
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="duibiao-pgrestart-") as name:
        tmp = Path(name)
        cluster = Cluster(binaries, tmp)
        cluster.start()
        try:
            cluster.create_database()
            durability = {s: cluster.setting(s) for s in ("fsync", "synchronous_commit", "full_page_writes")}
            (tmp / "static").mkdir()
            env = {**os.environ, "DUIBIAO_DATABASE_URL": cluster.url(), "DUIBIAO_VAR_DIR": str(tmp),
                   "PYTHONWARNINGS": "ignore"}
            env.pop("DUIBIAO_BENCH_RESULTS", None)
            subprocess.run([DUIBIAO, "migrate", "--noinput", "-v0"], env=env, check=True)
            _django(cluster.url(), tmp)
            plan = seed(args.users)
            from django.db import connections

            connections.close_all()
            port = free_port()
            server = start_server(env, port, args.workers, tmp / "serve.log")
            outage: dict[str, float] = {}

            def crash() -> None:
                time.sleep(args.seconds / 2)
                outage["at"] = time.time()
                outage["seconds"] = cluster.crash_restart()

            crasher = threading.Thread(target=crash, daemon=True)
            try:
                crasher.start()
                outcome = run_locust(host=f"http://127.0.0.1:{port}", plan=plan, users=args.users,
                                     seconds=args.seconds, wait=args.wait, tmp=tmp, ramp=5)
                crasher.join(60)
            finally:
                stop_server(server)
            connections.close_all()
            figures = check(plan, outcome["answers"], outage.get("at", float("inf")) + outage.get("seconds", 0))
            connections.close_all()
        finally:
            cluster.stop()
    saves = request_figures(outcome["stats"], "value save")
    print(f"load average {load:.2f}; PostgreSQL {durability}; crash-restarted after {args.seconds / 2:.0f} s, "
          f"down {outage.get('seconds', 0):.1f} s")
    print("checks: " + ", ".join(f"{k} {v}" for k, v in figures.items()) + f"; saves p95 {saves['p95']:.0f} ms")
    record("PostgreSQL crash-restarted under load: accepted saves lost", figures["lost"], "", "0",
           met=figures["lost"] == 0)
    record("PostgreSQL crash-restarted under load: saves accepted after the restart (server not restarted)",
           figures["accepted_after_restart"], "", "> 0", met=figures["accepted_after_restart"] > 0)
    if not args.no_docs:
        write_section("## PostgreSQL 崩溃重启 / PostgreSQL crash-restarted under load", f"""## PostgreSQL 崩溃重启 / PostgreSQL crash-restarted under load

Measured by `python bench/pg_restart_bench.py` on {time.strftime('%Y-%m-%d')}; machine: {machine()}; load average {load:.2f} when it started.
A PostgreSQL cluster of the bench's own with the settings it ships with ({', '.join(f'{k}={v}' for k, v in durability.items())} — production must keep them; the CI's throwaway cluster turns them off for speed and is not what this proves); `duibiao serve --workers {args.workers}`; {args.users} reporters of bench/load_bench.py saving one value every {args.wait.replace(',', '–')} s for {args.seconds} s. After {args.seconds / 2:.0f} s the cluster is stopped in `immediate` mode (no checkpoint: what a crash or a power cut leaves) and started again; it was down {outage.get('seconds', 0):.1f} s.

| measured | figure | target |
|---|---|---|
| saves answered 200 | {figures['accepted']} | |
| … of which lost (not in the database with their value) | {figures['lost']} | 0 |
| saves stored whose answer never reached the reporter (in flight at the crash) | {figures['unanswered_but_stored']} | |
| errors answered during the outage (5xx or no answer) | {figures['errors']} | |
| saves accepted after PostgreSQL came back (the app server not restarted) | {figures['accepted_after_restart']} | > 0 |
| value saves p95 over the whole run | {saves['p95']:.0f} ms | |

A reporter whose save was caught by the outage sees the error beside the value and saves again; a save stored without its answer makes the row's next save from that stale page a version conflict (409), shown as such — nothing is overwritten unseen.
""")
    return 0 if figures["lost"] == 0 and figures["accepted_after_restart"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
