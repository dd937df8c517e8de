"""`duibiao backup` then `duibiao restore` into an empty database and files folder gives back
every table, row for row, and every uploaded file, byte for byte (issue 15), on SQLite and on
PostgreSQL; the audit table's triggers come back with it. A second restore into the now full
database is refused with what it would replace and changes nothing; --force replaces it.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from duibiao.assessment.models import RunResult, Submission
from duibiao.assessment.services.runs import run_start
from duibiao.assessment.services.submissions import evidence_attach
from duibiao.audit.models import AuditEntry
from tests.backup.helpers import database_url, duibiao, files_of, tables_of, triggers_of
from tests.files.samples import PDF, image

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def target(tmp_path):
    """An empty database to restore into: a new SQLite file, or a new PostgreSQL database."""
    if connection.vendor == "sqlite":
        yield database_url(str(tmp_path / "restored" / "duibiao.sqlite3"))
        return
    import psycopg

    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(database_url().replace("postgres://", "postgresql://", 1), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield database_url(name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def filled(approved, settings, tmp_path):
    """The example district with a computed run and two uploaded files (one with a Chinese name)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    run = run_start(actor=approved["office"], period=approved["period"], note="备份前的试算")
    assert RunResult.objects.filter(run=run).count() == 3
    submission = Submission.objects.get(unit=approved["a"], indicator__code="nl02")
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RETURNED)
    submission.refresh_from_db()
    for name, content in (("现场照片.png", image("PNG")), ("说明.pdf", PDF)):
        evidence_attach(actor=approved["reporter_a"], submission=submission,
                        upload=SimpleUploadedFile(name, content))
    assert len(files_of(settings.MEDIA_ROOT)) == 2
    return approved


def without_restore_row(tables: dict) -> dict:
    """The tables as they were before the restore wrote its own audit row: that row, and the
    chain head it moved on, are the restore's (everything else must be equal)."""
    columns, rows = tables["audit_auditentry"]
    action = columns.index("action")
    kept = {**tables, "audit_auditentry": (columns, [r for r in rows if r[action] != "backup.restore"])}
    kept.pop("audit_chainhead", None)
    return kept


def test_backup_restores_every_table_and_file_into_an_empty_database(filled, settings, tmp_path, target):
    source, media = database_url(), settings.MEDIA_ROOT
    var = tmp_path / "var"
    before, files = tables_of(source), files_of(media)
    assert sum(len(rows) for _, rows in before.values()) > 500  # a real database, not a fixture of three rows

    archive = tmp_path / "备份" / "duibiao.tar.gz"
    archive.parent.mkdir()
    done = duibiao("backup", str(archive), url=source, media=media, var=var)
    assert done.returncode == 0, done.stderr
    assert "已备份到" in done.stdout and "上传文件 2 个" in done.stdout
    # The backup is in the audit log, after the copy it names.
    entry = AuditEntry.objects.get(action="backup.create")
    assert entry.after["files"] == 2 and entry.after["file"] == str(archive.resolve())

    restored_media = tmp_path / "restored-media"
    done = duibiao("restore", str(archive), url=target, media=restored_media, var=var)
    assert done.returncode == 0, done.stderr
    assert "已恢复" in done.stdout

    after = tables_of(target)
    assert set(after) == set(before)
    assert without_restore_row(after) == without_restore_row(before)
    assert len(after["audit_auditentry"][1]) == len(before["audit_auditentry"][1]) + 1  # the restore's row
    assert files_of(restored_media) == files  # every uploaded file, byte for byte
    # Triggers come back with their tables: the audit log's append-only ones among them.
    assert triggers_of(target) == triggers_of(source) != []

    # Again, into what is now a full database: refused, with what it would replace, nothing changed.
    again = duibiao("restore", str(archive), url=target, media=restored_media, var=var)
    assert again.returncode == 2
    assert "目标不是空的，未做任何改动" in again.stderr and "accounts_user" in again.stderr
    assert "上传文件目录" in again.stderr and "--force" in again.stderr
    assert tables_of(target) == after and files_of(restored_media) == files

    # --force replaces the database and the files folder, and says what it replaced.
    (restored_media / "不在备份中.txt").write_text("旧文件")
    forced = duibiao("restore", "--force", str(archive), url=target, media=restored_media, var=var)
    assert forced.returncode == 0, forced.stderr
    assert "已替换原有的" in forced.stdout
    assert without_restore_row(tables_of(target)) == without_restore_row(before)
    assert files_of(restored_media) == files

    # The audit log's hash chain came back whole, the restore's own row linked onto it.
    verified = duibiao("audit", "verify", url=target, media=restored_media, var=var)
    assert verified.returncode == 0, verified.stderr
    assert "审计链完整" in verified.stdout
