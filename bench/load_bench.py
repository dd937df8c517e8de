"""The deadline hour (issue 15): 200 reporters, each with its own unit and account, saving values
at once through `duibiao serve` (gunicorn) on PostgreSQL, for 2 minutes, with locust.

Loopback only: DUIBIAO_LOAD_DATABASE_URL (or DUIBIAO_DATABASE_URL) must name PostgreSQL on 127.0.0.1 (the bench refuses
anything else), the server binds 127.0.0.1, and locust stops by itself. The bench works in a
database of its own beside the one named (<name>_load, created and dropped), migrated, seeded
with the 道外 2023 scheme, an open quarter whose deadline is today and the reporters; their
sessions are minted in the database beforehand (no password is hashed while the clock runs,
and the server keeps its real password hasher). Then it checks that nothing was lost or
duplicated: for every value, the stored version equals the number of saves locust saw accepted
and the stored value is the last one accepted; no value was stored that was not accepted; and
there is one audit row per accepted save.

    DUIBIAO_LOAD_DATABASE_URL=postgres://duibiao:duibiao@127.0.0.1:55432/duibiao \\
        python bench/load_bench.py [--users 200] [--seconds 120] [--wait 5,15] [--no-docs]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchlib import ROOT, machine, record, write_section

DUIBIAO = str(Path(sys.executable).with_name("duibiao"))
LOCUSTFILE = ROOT / "bench" / "load_locustfile.py"
EXAMPLE = ROOT / "examples" / "daowai-2023"
READY = "已就绪 / ready"
P95_TARGET_MS = 500


def checked_url(url: str) -> str:
    """The database URL, if it is PostgreSQL on 127.0.0.1; otherwise the bench refuses."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"} or parts.hostname != "127.0.0.1":
        raise SystemExit("load_bench: DUIBIAO_DATABASE_URL must name PostgreSQL on 127.0.0.1 "
                         f"(postgres://user:password@127.0.0.1:port/name), not {parts.scheme}://{parts.hostname}")
    return url


def load_database(url: str) -> str:
    """Create (again) the bench's own database beside the named one; returns its URL."""
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'duibiao'}_load"
    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(url: str, load_url: str) -> None:
    import psycopg

    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(load_url).path.lstrip("/")}" WITH (FORCE)')


def _maintenance(url: str) -> str:
    """The server's `postgres` database: databases are created and dropped from there."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def example_values() -> dict[str, list[str]]:
    """Two valid values per indicator, from two streets of the example (jingyu, taigu)."""
    values: dict[str, list[str]] = defaultdict(list)
    with open(EXAMPLE / "data.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["unit"] in {"jingyu", "taigu"} and ":" not in row["indicator"]:
                values[row["indicator"]].append(row["value"])
    return values


def seed(users: int) -> dict[str, Any]:
    """The district, `users` street units each with one reporter, the scheme, an open quarter
    due today, and one session per reporter. Django must be set up. Returns the plan locust reads."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore

    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.assessment.models import Period
    from duibiao.assessment.selectors.reporting import unit_indicators
    from duibiao.assessment.services.schemes import scheme_create
    from duibiao.org.models import Category, TaskForce, Tier, Unit
    from duibiao.org.services import unit_create

    street, _ = Category.objects.get_or_create(code="street", defaults={"name": "街道乡镇"})
    tier, _ = Tier.objects.get_or_create(code="jiedao", defaults={"name": "街道"})
    city = unit_create(actor=None, code="harbin", name="哈尔滨市", kind=Unit.Kind.CITY)
    district = unit_create(actor=None, code="daowai", name="道外区", kind=Unit.Kind.DISTRICT, parent=city)
    for code, name in (("zb1", "能力作风建设专班"), ("zb2", "营商环境专班"), ("zb3", "高质量发展专班"),
                       ("zb4", "项目攻坚专班")):
        TaskForce.objects.create(code=code, name=name, district=district)
    scheme = scheme_create(actor=None, code="daowai-2023", name="道外区2023年度对标晋位考核评价方案", year=2023,
                           district=district, document=(EXAMPLE / "scheme.yaml").read_text(encoding="utf-8"))
    today = date.today()
    period = Period.objects.create(
        version=scheme.versions.get(), kind=Period.Kind.QUARTER, year=today.year, number=4, name="截止日当天",
        opens_on=today - timedelta(days=14), deadline_workdays=10, deadline=today, status=Period.Status.OPEN)
    values = example_values()
    password_hash = make_password(f"Load@{os.getpid()}Pass")  # one hash for all; nobody signs in
    plan_users = []
    for n in range(1, users + 1):
        unit = unit_create(actor=None, code=f"load{n:03d}", name=f"负载测试街道{n:03d}", kind=Unit.Kind.STREET,
                           parent=district, category=street, tier=tier)
        user = user_create(actor=None, username=f"load{n:03d}_tb", password_hash=password_hash, unit=unit)
        role_grant(actor=None, user=user, role=Role.REPORTER, units=[unit], include_subtree=False)
        session = SessionStore()
        session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(3600)
        session.save()
        reported = [i for i in unit_indicators(period, unit)
                    if not i.value_from and not i.grade_names and len(values.get(i.code, [])) >= 1]
        plan_users.append({"unit": unit.code, "session": session.session_key,
                           "values": [[i.code, *values[i.code]] for i in reported]})
    return {"period": period.pk, "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME, "users": plan_users}


def verify(plan: dict[str, Any], answers: list[dict[str, Any]]) -> dict[str, int]:
    """Compare what locust saw accepted with what the database holds. Django must be set up."""
    from duibiao.assessment.models import Submission
    from duibiao.audit.models import AuditEntry

    accepted: dict[tuple[str, str], list[str]] = defaultdict(list)
    for answer in answers:
        if answer["status"] == 200:
            accepted[(answer["unit"], answer["code"])].append(answer["value"])
    units = [u["unit"] for u in plan["users"]]
    stored = {(s.unit.code, s.indicator.code): s for s in Submission.objects.filter(
        period_id=plan["period"], unit__code__in=units).select_related("unit", "indicator")}
    lost = duplicated = wrong_value = 0
    for key, saved in accepted.items():
        row = stored.get(key)
        version = row.version if row else 0
        lost += max(0, len(saved) - version)
        duplicated += max(0, version - len(saved))
        if row is not None and row.value != Decimal(saved[-1]):
            wrong_value += 1
    phantom = sum(s.version for key, s in stored.items() if key not in accepted)  # stored, never accepted
    audit_rows = AuditEntry.objects.filter(action="submission.save", unit__code__in=units).count()
    total = sum(len(v) for v in accepted.values())
    return {"accepted": total, "lost": lost, "duplicated": duplicated + phantom, "wrong_value": wrong_value,
            "audit_rows": audit_rows, "audit_gap": abs(audit_rows - total),
            "server_errors": sum(1 for a in answers if a["status"] >= 500 or a["status"] == 0),
            "refused": sum(1 for a in answers if 400 <= a["status"] < 500)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int, log_path: Path) -> subprocess.Popen[bytes]:
    """`duibiao serve` on loopback; returns once it has said it is ready."""
    log = open(log_path, "wb")  # noqa: SIM115 (written by the server until it stops)
    server = subprocess.Popen([sys.executable, "-m", "duibiao.cli", "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", str(workers)], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + 180
    while READY not in log_path.read_text(errors="replace"):
        if server.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError(f"serve did not become ready:\n{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    return server


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, 15)  # gunicorn, its workers and the task worker: their own group
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


def run_locust(*, host: str, plan: dict[str, Any], users: int, seconds: int, wait: str, tmp: Path,
               ramp: int = 20) -> dict[str, Any]:
    """locust, headless, in its own process (gevent patches everything it imports); stops by
    itself after `seconds`. Returns every answer, the request stats and the wall time."""
    plan_path, answers_path = tmp / "plan.json", tmp / "answers.jsonl"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    answers_path.write_text("", encoding="utf-8")
    env = {**os.environ, "LOAD_PLAN": str(plan_path), "LOAD_ACCEPTED": str(answers_path), "LOAD_WAIT": wait}
    spawn_rate = max(1, users // max(1, ramp))  # every reporter on within `ramp` seconds
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host,
               "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s",
               "--stop-timeout", "10", "--csv", str(tmp / "stats"), "--only-summary", "--loglevel", "WARNING",
               "--exit-code-on-error", "0"]
    began = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 120, check=False)
    took = time.monotonic() - began
    if done.returncode != 0:
        raise RuntimeError(f"locust exited {done.returncode}:\n{done.stderr[-3000:]}")
    answers = [json.loads(line) for line in answers_path.read_text(encoding="utf-8").splitlines() if line]
    with open(tmp / "stats_stats.csv", encoding="utf-8") as handle:
        stats = {row["Name"]: row for row in csv.DictReader(handle)}
    return {"answers": answers, "stats": stats, "seconds": took, "output": done.stdout + done.stderr}


def request_figures(stats: dict[str, dict[str, str]], name: str) -> dict[str, float]:
    row = stats.get(name, {})
    return {"count": float(row.get("Request Count", 0) or 0), "failures": float(row.get("Failure Count", 0) or 0),
            "p50": float(row.get("50%", 0) or 0), "p95": float(row.get("95%", 0) or 0),
            "p99": float(row.get("99%", 0) or 0), "rps": float(row.get("Requests/s", 0) or 0)}


def cpu_seconds(*, group: int, database: str) -> tuple[float, float]:
    """CPU seconds used so far by the server's processes (its process group: gunicorn, its
    workers, the task worker) and by the PostgreSQL backends serving `database` — a figure the
    other loads on a shared machine do not inflate the way they inflate wall time."""
    tick = os.sysconf("SC_CLK_TCK")
    app = db = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile, or not ours to read
        fields = stat.rsplit(")", 1)[1].split()
        used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(fields[2]) == group:
            app += used
        elif cmdline.startswith("postgres:") and f" {database} " in cmdline:
            db += used
    return app, db


def prove(*, env: dict[str, str], plan: dict[str, Any], users: int, seconds: int, wait: str, workers: int,
          tmp: Path, ramp: int = 20) -> dict[str, Any]:
    """Serve, load, stop: the part the bench and the CI test share (the caller seeds and verifies)."""
    port = free_port()
    server = start_server(env, port, workers, tmp / "serve.log")
    database = urlsplit(env["DUIBIAO_DATABASE_URL"]).path.lstrip("/")
    try:
        before = cpu_seconds(group=server.pid, database=database)
        outcome = run_locust(host=f"http://127.0.0.1:{port}", plan=plan, users=users, seconds=seconds, wait=wait,
                             tmp=tmp, ramp=ramp)
        after = cpu_seconds(group=server.pid, database=database)
        outcome["cpu_app"], outcome["cpu_db"] = after[0] - before[0], after[1] - before[1]
    finally:
        stop_server(server)
    outcome["server_log"] = (tmp / "serve.log").read_text(errors="replace")
    return outcome


def _django(url: str, var_dir: Path) -> None:
    os.environ.update({"DUIBIAO_DATABASE_URL": url, "DUIBIAO_VAR_DIR": str(var_dir),
                       "DJANGO_SETTINGS_MODULE": "duibiao.config.settings"})
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=120)
    # A reporter types a value, checks it and moves on: one save every 10–30 s each, ~10 saves/s
    # from 200 reporters — seven times the hour's average if every unit saved all its ~25 values
    # in the last hour (5 000 saves / 3 600 s), so a peak inside the deadline hour.
    parser.add_argument("--wait", default="10,30", help="seconds between one reporter's saves (low,high)")
    parser.add_argument("--ramp", type=int, default=20, help="seconds over which the reporters arrive")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()
    url = os.environ.get("DUIBIAO_LOAD_DATABASE_URL") or os.environ.get("DUIBIAO_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        # `make bench` on a machine without PostgreSQL: said, and not a failure of the run.
        print("load_bench: skipped — set DUIBIAO_LOAD_DATABASE_URL (or DUIBIAO_DATABASE_URL) to "
              "PostgreSQL on 127.0.0.1", file=sys.stderr)
        return 0
    checked_url(url)
    load = os.getloadavg()[0]
    load_url = load_database(url)
    try:
        with tempfile.TemporaryDirectory(prefix="duibiao-load-") as name:
            tmp = Path(name)
            (tmp / "static").mkdir()
            env = {**os.environ, "DUIBIAO_DATABASE_URL": load_url, "DUIBIAO_VAR_DIR": str(tmp),
                   "PYTHONWARNINGS": "ignore"}
            env.pop("DUIBIAO_BENCH_RESULTS", None)
            subprocess.run([DUIBIAO, "migrate", "--noinput", "-v0"], env=env, check=True)
            _django(load_url, tmp)
            began = time.perf_counter()
            plan = seed(args.users)
            seeded = time.perf_counter() - began
            from django.db import connections

            connections.close_all()
            outcome = prove(env=env, plan=plan, users=args.users, seconds=args.seconds, wait=args.wait,
                            workers=args.workers, tmp=tmp, ramp=args.ramp)
            checks = verify(plan, outcome["answers"])
            connections.close_all()
    finally:
        drop_database(url, load_url)
    saves = request_figures(outcome["stats"], "value save")
    pages = request_figures(outcome["stats"], "report page")
    every = request_figures(outcome["stats"], "Aggregated")
    print(f"load average {load:.2f}; seeded {args.users} reporters in {seeded:.1f} s; locust ran {outcome['seconds']:.0f} s")
    print(f"value saves: {saves['count']:.0f} ({saves['rps']:.1f}/s), p50 {saves['p50']:.0f} ms, "
          f"p95 {saves['p95']:.0f} ms, p99 {saves['p99']:.0f} ms; report pages p95 {pages['p95']:.0f} ms; "
          f"all requests p95 {every['p95']:.0f} ms")
    print("checks: " + ", ".join(f"{k} {v}" for k, v in checks.items()))
    per_request = (outcome["cpu_app"] + outcome["cpu_db"]) / max(1.0, every["count"])
    print(f"CPU during the run: server {outcome['cpu_app']:.1f} s, PostgreSQL {outcome['cpu_db']:.1f} s; "
          f"{per_request * 1000:.0f} ms per request (app {outcome['cpu_app'] / max(1.0, every['count']) * 1000:.0f} ms): "
          f"two idle cores would serve ~{2 / per_request if per_request else 0:.0f} requests/s")
    lost_or_dup = checks["lost"] + checks["duplicated"] + checks["wrong_value"] + checks["audit_gap"]
    record(f"load: {args.users} reporters × {args.seconds} s, value saves p95 (gunicorn, PostgreSQL)",
           saves["p95"], "ms", f"≤ {P95_TARGET_MS} ms", met=saves["p95"] <= P95_TARGET_MS)
    record(f"load: lost or duplicated submissions (of {checks['accepted']} accepted)", lost_or_dup, "",
           "0", met=lost_or_dup == 0)
    record("load: server errors (5xx or no answer)", checks["server_errors"], "", "0",
           met=checks["server_errors"] == 0)
    if not args.no_docs:
        write_section("## 截止日负载 / Deadline load", f"""## 截止日负载 / Deadline load

Measured by `python bench/load_bench.py` on {time.strftime('%Y-%m-%d')}; machine: {machine()}; load average {load:.2f} when it started.
`duibiao serve --workers {args.workers}` (gunicorn, preloaded and warm) on PostgreSQL on loopback, its task worker beside it; locust {args.users} reporters, each with its own unit and account (sessions minted in the database beforehand: no password hashed while the clock ran), arriving over {args.ramp} s, for {args.seconds} s; each opens its unit's reporting page once, then saves one value at a time as the page does (htmx POST with the row's version), {args.wait.replace(',', '–')} s between saves (≈ {args.users * 2 / sum(float(x) for x in args.wait.split(',')):.0f} saves/s offered: a reporter checks each figure before saving it; every unit saving all its ~25 values in the last hour would average 1.4 saves/s).

| requests | count | per second | p50 | p95 | p99 | target |
|---|---|---|---|---|---|---|
| value save | {saves['count']:.0f} | {saves['rps']:.1f} | {saves['p50']:.0f} ms | {saves['p95']:.0f} ms | {saves['p99']:.0f} ms | p95 ≤ {P95_TARGET_MS} ms |
| reporting page (once per reporter) | {pages['count']:.0f} | | {pages['p50']:.0f} ms | {pages['p95']:.0f} ms | {pages['p99']:.0f} ms | |
| all | {every['count']:.0f} | {every['rps']:.1f} | {every['p50']:.0f} ms | {every['p95']:.0f} ms | {every['p99']:.0f} ms | |

CPU used during the run (from /proc, which the machine's other loads do not inflate as they do wall time): the server's processes {outcome['cpu_app']:.1f} s, PostgreSQL's backends {outcome['cpu_db']:.1f} s — {per_request * 1000:.0f} ms per request, so two idle cores would serve about {2 / per_request if per_request else 0:.0f} requests/s against the {every['count'] / max(1.0, outcome['seconds']):.1f}/s asked here.

Checked in the database afterwards: {checks['accepted']} saves accepted, {checks['lost']} lost, {checks['duplicated']} duplicated, {checks['wrong_value']} with another value than the last accepted, {checks['audit_rows']} audit rows (one per accepted save); {checks['server_errors']} server errors, {checks['refused']} refusals (4xx).

How to read it: the server's CPU seconds over the run's length is the share of the machine it got ({outcome['cpu_app'] / max(1.0, outcome['seconds']):.2f} of a core here). When that is far below 2 while p95 misses, the requests waited for a CPU that other work held (the load average), not for our code: the figure to trust is then the CPU per request, and the p95 is to be taken again on an idle machine. Where a save's time went (cProfile of one save through the test client, 2026-11-29, ~150 ms wall at load 10; 31 queries): redrawing the saved row ran `reporting_rows` for every indicator of the unit (~45 ms: the htmx answer needs one row), `period_get` ~30 ms, the write with its audit row ~35 ms (the audit chain's head row is locked for each append, so concurrent saves queue there), `unit_get` ~12 ms, the row's template ~10 ms. Since then the htmx answer reads its one row (`reporting_row`), and the write names the submission in its audit row by the period, unit and indicator in hand and reads it by its key (four queries fewer per save). `period_get`'s time is the gate's scope and the period's row; the scheme document it brings (12 KB for the example) is what `value_rules` is cached by, and deferring it saved nothing measurable.
""")
    return 0 if lost_or_dup == 0 and checks["server_errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
