"""A backup killed (SIGKILL) while it writes leaves no file under the name it was given and no
audit row, and the next backup removes what it left and succeeds (issue 15, faults)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from duibiao.audit.models import AuditEntry
from tests.backup.helpers import database_url, duibiao

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_killed_backup_leaves_no_file_under_its_name(world, settings, tmp_path):
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    # Incompressible, so that writing the backup takes long enough to be caught at it.
    (media / "evidence" / "big.bin").write_bytes(os.urandom(32 * 1024 * 1024))
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "duibiao.tar.gz"
    env = {key: value for key, value in os.environ.items() if not key.startswith("DUIBIAO_")}
    env.update(DUIBIAO_DATABASE_URL=database_url(), DUIBIAO_MEDIA_ROOT=str(media),
               DUIBIAO_VAR_DIR=str(tmp_path / "var"), DUIBIAO_SECRET_KEY="k" * 50)
    backup = subprocess.Popen([sys.executable, "-m", "duibiao.cli", "backup", str(target)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not list(folder.glob(".duibiao.tar.gz.partial-*")):
            assert backup.poll() is None, f"the backup ended before it was caught: {backup.stdout.read()!r}"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        backup.send_signal(signal.SIGKILL)
    finally:
        backup.wait(timeout=30)
    assert backup.returncode == -signal.SIGKILL
    assert not target.exists()
    assert list(folder.iterdir())  # what it left: its partial file and work folder
    assert not AuditEntry.objects.filter(action="backup.create").exists()

    done = duibiao("backup", str(target), url=database_url(), media=media, var=tmp_path / "var")
    assert done.returncode == 0, done.stderr
    assert [p.name for p in folder.iterdir()] == ["duibiao.tar.gz"]
    assert AuditEntry.objects.filter(action="backup.create").count() == 1
