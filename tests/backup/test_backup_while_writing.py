"""A backup taken while the system keeps writing is consistent: its database copy holds exactly
the rows its manifest counts (restore checks every table's count against the manifest), and
every row written before the backup began is in it. SQLite copies in one step of its online
backup API, PostgreSQL dumps from the snapshot the counts were read in."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from duibiao.org.models import Category
from tests.backup.helpers import database_url, duibiao, tables_of
from tests.backup.test_round_trip import target  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_while_rows_are_written_is_consistent(world, settings, tmp_path, target):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    stop, written = threading.Event(), []

    def writer() -> None:
        try:
            while not stop.is_set():
                n = len(written)
                Category.objects.create(code=f"w{n}", name=f"写入中{n}")
                written.append(n)
                time.sleep(0.005)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        before = len(written)
        archive = tmp_path / "while.tar.gz"
        done = duibiao("backup", str(archive), url=database_url(), media=settings.MEDIA_ROOT, var=tmp_path / "var")
        during = len(written) - before
    finally:
        stop.set()
        thread.join(timeout=30)
    assert done.returncode == 0, done.stderr
    assert during > 0, "nothing was written while the backup ran: the test proves nothing"

    restored = duibiao("restore", str(archive), url=target, media=tmp_path / "restored-media", var=tmp_path / "var")
    assert restored.returncode == 0, restored.stderr  # every table's rows equal the manifest's count
    columns, rows = tables_of(target)["org_category"]
    codes = {row[columns.index("code")] for row in rows}
    assert {f"w{n}" for n in range(before)} <= codes  # everything written before it began
