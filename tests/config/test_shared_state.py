"""What several app servers must share lives in the database, as production configures it
(docs/deployment.md §1): sessions, the task queue, login-failure counters; and nothing that
changes is kept in a process's cache. Read from the settings a server starts with (a process of
its own with production's environment: the tests override the task backend)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbStore
from django.contrib.sessions.backends.base import SessionBase
from django.utils.module_loading import import_string
from axes.handlers.database import AxesDatabaseHandler
store = import_string(settings.SESSION_ENGINE + ".SessionStore")
print(json.dumps({
    "sessions_in_db": issubclass(store, DbStore),
    "tasks": settings.TASKS["default"]["BACKEND"],
    "axes_in_db": issubclass(import_string(settings.AXES_HANDLER), AxesDatabaseHandler),
    "caches": sorted(c["BACKEND"] for c in settings.CACHES.values()),
    "media": str(settings.MEDIA_ROOT),
}))
"""


def test_sessions_the_task_queue_and_lockouts_are_in_the_database(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DUIBIAO_")}
    env.update(DJANGO_SETTINGS_MODULE="duibiao.config.settings", DUIBIAO_VAR_DIR=str(tmp_path),
               DUIBIAO_MEDIA_ROOT="/srv/duibiao-media")
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["sessions_in_db"], "sessions must be in the database for several servers"
    assert found["tasks"] == "django_tasks_db.DatabaseBackend"
    assert found["axes_in_db"]
    # The only cache is each process's own memory, and nothing that changes is kept there.
    assert found["caches"] == ["django.core.cache.backends.locmem.LocMemCache"]
    assert found["media"] == "/srv/duibiao-media"  # the shared volume is one setting


def test_no_code_keeps_changing_data_in_a_process_cache():
    """A value cached in one server's memory is not seen by the others: no code uses Django's
    cache for data a page shows, so no server can serve another's stale copy. Two uses are
    known and harmless with several servers: the warm-up creates the cache, and the refusal
    counter of API tokens is a per-server rate limit (with N servers a key id gets at most
    N × 10 refusals a minute: still bounded, and nothing shown depends on it)."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "duibiao"
    users = sorted(str(p.relative_to(src)) for p in src.rglob("*.py")
                   if "django.core.cache" in p.read_text(encoding="utf-8"))
    assert users == ["accounts/tokens.py", "config/warmup.py"], \
        f"Django's cache used in {users}: is it shared by every server?"
