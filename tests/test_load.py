"""The deadline hour in its short form (issue 15; bench/load_bench.py runs the full one): 20
reporters, each with its own unit and a session minted beforehand, save values through
`duibiao serve` on PostgreSQL for 15 s under locust; nothing accepted is lost or stored twice,
every accepted save has its audit row, and the server answers no request with an error.
Runs where the tests run on PostgreSQL (marked `postgres`; tests/conftest.py leaves it out of
an SQLite run)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import load_bench  # noqa: E402

from tests.conftest import skip_or_fail  # noqa: E402
from tests.test_worker import database_url  # noqa: E402


@pytest.mark.parametrize("url", [
    "sqlite:///tmp/x.sqlite3",
    "postgres://u:p@10.0.0.5:5432/duibiao",
    "postgres://u:p@localhost:5432/duibiao",
    "postgres://u:p@db.example.org/duibiao",
])
def test_the_load_bench_refuses_anything_but_postgresql_on_127_0_0_1(url):
    with pytest.raises(SystemExit, match="127.0.0.1"):
        load_bench.checked_url(url)
    assert load_bench.checked_url("postgres://u:p@127.0.0.1:55432/duibiao").endswith("/duibiao")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the server's processes must see the seeded rows
def test_twenty_reporters_at_the_deadline_lose_nothing(settings, tmp_path):
    from django.db import connection

    assert connection.vendor == "postgresql"
    if importlib.util.find_spec("locust") is None:  # found, not imported: gevent would patch this process
        skip_or_fail("locust is not installed (pip install -e '.[test]')")
    plan = load_bench.seed(20)
    assert len(plan["users"]) == 20 and all(u["values"] for u in plan["users"])
    env = {**os.environ, "DUIBIAO_DATABASE_URL": database_url(), "DUIBIAO_VAR_DIR": str(settings.VAR_DIR),
           "PYTHONWARNINGS": "ignore", "DUIBIAO_TASKS_BACKEND": "database"}
    outcome = load_bench.prove(env=env, plan=plan, users=20, seconds=15, wait="1,3", workers=2, tmp=tmp_path)
    checks = load_bench.verify(plan, outcome["answers"])
    context = f"{checks}\n{outcome['output'][-2000:]}\n{outcome['server_log'][-2000:]}"
    assert checks["accepted"] >= 20, context  # every reporter saved something
    assert checks["lost"] == checks["duplicated"] == checks["wrong_value"] == 0, context
    assert checks["audit_rows"] == checks["accepted"], context
    assert checks["server_errors"] == 0 and checks["refused"] == 0, context
    # No reporter signed in while the clock ran: their sessions were minted beforehand.
    assert "POST /login/" not in outcome["server_log"]
