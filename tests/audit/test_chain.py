"""The audit log's hash chain, attacked as someone with database rights would: drop the
append-only trigger, then change one field of one row, delete a row or slip one in; `duibiao
audit verify` must then exit non-zero naming the row, and 0 while nothing was touched. Runs on
SQLite and (with DUIBIAO_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from duibiao.audit import triggers
from duibiao.audit.chain import GENESIS, canonical_json, chain_verify, row_hash
from duibiao.audit.models import AuditEntry, ChainCheck, ChainHead
from duibiao.audit.services import audit_entry, audit_record, audit_record_many

pytestmark = pytest.mark.django_db


def _rows(world) -> list[AuditEntry]:
    """Five rows of every kind of content: JSON with floats, Chinese, an address, a unit."""
    office = world["office"]
    audit_record(actor=office, action="login", ip="10.0.0.7", detail="登录")
    audit_record(actor=office, action="scheme.indicator.update", obj=world["a"], unit=world["a"],
                 before={"weight": 1.0, "name": "招商引资", "items": [1, 2.5, None]},
                 after={"weight": 0.1, "name": "招商引资（新）", "big": 1e300, "neg": -0.0})
    audit_record(actor=None, action="access.denied", success=False, ip="::ffff:1.2.3.4",
                 detail="GET /x")
    audit_record_many([audit_entry(actor=office, action="submission.save", unit=world["b"],
                                   after={"value": n}) for n in (1, 2)])
    return list(AuditEntry.objects.order_by("id"))


def _verify() -> int:
    try:
        call_command("audit", "verify")
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def _attacker(sql: str, params: list) -> None:
    """What someone with database rights does: the trigger out of the way, then the change."""
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_rows_are_linked_and_the_untouched_chain_verifies(world):
    rows = _rows(world)
    base = AuditEntry.objects.filter(id__lt=rows[0].id).count()
    # world's own rows (unit and user creation) came first, through the same chain.
    assert rows[0].prev_hash != "" and all(r.hash for r in rows)
    for earlier, later in zip(rows, rows[1:], strict=False):
        assert later.prev_hash == earlier.hash and later.id > earlier.id
    assert AuditEntry.objects.order_by("id").first().prev_hash == GENESIS
    head = ChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash) == (rows[-1].id, rows[-1].hash)
    verdict = chain_verify()
    assert verdict.whole and verdict.rows == base + len(rows) and verdict.head_hash == rows[-1].hash
    assert _verify() == 0
    assert ChainCheck.objects.latest("id").whole


def test_the_hash_is_over_what_the_database_gives_back(world):
    # Read back, every row hashes to what was computed before it was written (jsonb turns
    # 1e300 into 1000…0 and -0.0 into 0.0; inet has its own spelling of addresses).
    for row in _rows(world):
        fresh = AuditEntry.objects.get(pk=row.pk)
        values = {name: getattr(fresh, name) for name in (
            "id", "at", "user_id", "username", "action", "success", "object_type", "object_id",
            "object_repr", "unit_id", "ip", "user_agent", "before", "after", "detail", "prev_hash")}
        assert row_hash(values) == fresh.hash


def test_the_canonical_form_is_one_text_per_value():
    assert canonical_json({"b": 1, "a": [1.0, 1e300, -0.0, "中"]}) == '{"a":[1,1E+300,0,"中"],"b":1}'
    assert canonical_json(0.1) == "0.1" and canonical_json(1e-7) == "1E-7"
    assert canonical_json("1") != canonical_json(1)  # a number is not the text of it
    with pytest.raises(TypeError):
        canonical_json({1, 2})


def test_the_application_cannot_change_or_delete_a_row(world):
    row = _rows(world)[1]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=row.pk).update(detail="改过")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        row.detail = "改过"
        row.save()
    assert AuditEntry.objects.get(pk=row.pk).detail == ""
    assert _verify() == 0


def test_deleting_an_account_or_a_unit_leaves_its_rows_as_written(world):
    _rows(world)
    mine = audit_record(actor=world["reporter_b"], action="login", unit=world["b"])
    world["reporter_b"].delete()  # the audit row keeps the id and the name; nothing updated
    assert _verify() == 0
    kept = AuditEntry.objects.get(pk=mine.pk)
    assert (kept.user_id, kept.username) == (mine.user_id, "tb_b")


# Each column with a different value of its type (SQL, so the ORM's cleaning is bypassed).
CHANGES = {
    "at": lambda row: row.at + timedelta(seconds=1),
    "user_id": lambda row: (row.user_id or 0) + 1,
    "username": lambda row: row.username + "x",
    "action": lambda row: "logout",
    "success": lambda row: not row.success,
    "object_type": lambda row: "org.Unit2",
    "object_id": lambda row: "999",
    "object_repr": lambda row: "别的单位",
    "unit_id": lambda row: (row.unit_id or 0) + 1,
    "ip": lambda row: "10.0.0.8",
    "user_agent": lambda row: "curl/8",
    "before": lambda row: json.dumps({"weight": 2.0, "name": "招商引资", "items": [1, 2.5, None]}),
    "after": lambda row: json.dumps({"weight": 0.2}),
    "detail": lambda row: "改过",
    "prev_hash": lambda row: "f" * 64,
    "hash": lambda row: "e" * 64,
    "id": lambda row: row.id + 100000,
}


@pytest.mark.parametrize("column", sorted(CHANGES))
def test_changing_any_column_of_a_row_breaks_the_chain_there(world, column):
    row = _rows(world)[1]
    assert _verify() == 0
    cast = "::jsonb" if connection.vendor == "postgresql" and column in {"before", "after"} else ""
    _attacker(f"UPDATE audit_auditentry SET {column} = %s{cast} WHERE id = %s",
              [CHANGES[column](row), row.id])
    assert _verify() == 1
    verdict = chain_verify()
    # A changed id moves the row away: the one after it no longer links to its predecessor.
    assert verdict.broken_id == (row.id + 1 if column == "id" else row.id), verdict.reason
    assert not ChainCheck.objects.latest("id").whole


@pytest.mark.parametrize("which", [0, 2, -1])
def test_deleting_any_row_breaks_the_chain(world, which):
    rows = _rows(world)
    _attacker("DELETE FROM audit_auditentry WHERE id = %s", [rows[which].id])
    assert _verify() == 1
    verdict = chain_verify()
    assert verdict.broken_id == (rows[which + 1].id if which != -1 else rows[-1].id)


def test_a_row_slipped_in_breaks_the_chain_even_with_a_correct_hash(world):
    rows = _rows(world)
    # Between two rows, linked to the one before it and hashed correctly: the next one no
    # longer links to its predecessor.
    forged = {
        "id": rows[1].id, "at": rows[1].at, "user_id": None, "username": "khb", "action": "login",
        "success": True, "object_type": "", "object_id": "", "object_repr": "", "unit_id": None,
        "ip": None, "user_agent": "", "before": None, "after": None, "detail": "",
        "prev_hash": rows[0].hash,
    }
    _attacker("DELETE FROM audit_auditentry WHERE id = %s", [rows[1].id])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (id, at, username, action, success, object_type, object_id,"
            " object_repr, user_agent, detail, prev_hash, hash) VALUES"
            " (%s, %s, 'khb', 'login', %s, '', '', '', '', '', %s, %s)",
            [rows[1].id, rows[1].at, True, rows[0].hash, row_hash(forged)])
    assert chain_verify().broken_id == rows[2].id
    assert _verify() == 1


def test_a_row_added_at_the_end_behind_the_heads_back_is_found(world):
    rows = _rows(world)
    forged = {
        "id": rows[-1].id + 1, "at": timezone.now(), "user_id": None, "username": "", "action": "login",
        "success": True, "object_type": "", "object_id": "", "object_repr": "", "unit_id": None,
        "ip": None, "user_agent": "", "before": None, "after": None, "detail": "",
        "prev_hash": rows[-1].hash,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (id, at, username, action, success, object_type, object_id,"
            " object_repr, user_agent, detail, prev_hash, hash) VALUES"
            " (%s, %s, '', 'login', %s, '', '', '', '', '', %s, %s)",
            [forged["id"], forged["at"], True, rows[-1].hash, row_hash(forged)])
    assert _verify() == 1


def test_purge_keeps_the_young_rows_and_a_verifiable_chain(world, settings):
    rows = _rows(world)
    now = timezone.now()
    settings.DUIBIAO_AUDIT_RETENTION_DAYS = 180
    from duibiao.audit.services import audit_purge

    nothing = audit_purge(now=now)
    assert nothing.rows == 0 and AuditEntry.objects.filter(pk=rows[0].pk).exists()
    # A year on, all of today's rows are past retention; the purge row itself stays.
    later = audit_purge(now=now + timedelta(days=365))
    assert later.rows >= len(rows) and later.through_id == rows[-1].id
    remaining = list(AuditEntry.objects.order_by("id"))
    assert [r.action for r in remaining] == ["audit.purge"]
    assert remaining[0].prev_hash == rows[-1].hash
    assert remaining[0].after["through_id"] == rows[-1].id
    head = ChainHead.objects.get(pk=1)
    assert (head.anchor_id, head.anchor_hash) == (rows[-1].id, rows[-1].hash)
    assert _verify() == 0
    # Moving the anchor by hand (to hide rows deleted after it) is found.
    ChainHead.objects.filter(pk=1).update(anchor_id=head.anchor_id - 1)
    assert _verify() == 1


def test_retention_below_180_days_is_refused(world, settings):
    from django.core.exceptions import ImproperlyConfigured

    from duibiao.audit.services import audit_purge

    _rows(world)
    settings.DUIBIAO_AUDIT_RETENTION_DAYS = 30
    with pytest.raises(ImproperlyConfigured, match="180"):
        audit_purge(now=timezone.now() + timedelta(days=365))
    assert AuditEntry.objects.count() > 5


def test_purge_refuses_a_broken_chain_and_removes_nothing(world):
    from duibiao.audit.services import ChainBroken, audit_purge

    rows = _rows(world)
    _attacker("UPDATE audit_auditentry SET detail = 'x' WHERE id = %s", [rows[1].id])
    triggers.install(connection)
    count = AuditEntry.objects.count()
    with pytest.raises(ChainBroken):
        audit_purge(now=timezone.now() + timedelta(days=365))
    assert AuditEntry.objects.count() == count


WRITERS = 8
EACH = 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    """Eight threads, each with its own connection, appending at once: one chain, no row lost.
    Without the head row's lock two of them would link to the same previous row."""
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    audit_record(actor=None, action="login", detail=f"{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    rows = list(AuditEntry.objects.order_by("id").values_list("prev_hash", "hash"))
    assert len(rows) == WRITERS * EACH
    assert len({prev for prev, _ in rows}) == len(rows)  # no two rows share a predecessor
    verdict = chain_verify()
    assert verdict.whole and verdict.rows == WRITERS * EACH


def test_nothing_writes_audit_rows_around_the_chain():
    """Rows are saved only by audit.chain.chain_append (through audit_record and
    audit_record_many): a bulk_create, create() or save() of AuditEntry anywhere else would
    write an unchained row that verify reports as tampering."""
    import re
    from pathlib import Path

    import duibiao

    root = Path(duibiao.__file__).parent
    pattern = re.compile(r"AuditEntry\.objects\.(bulk_create|create|get_or_create|update_or_create)\b"
                         r"|(?<!class )AuditEntry\(")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py") if path.parts[-2:] != ("audit", "chain.py")
        and "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line) and not (path.parts[-2:] == ("audit", "services.py") and "return AuditEntry(" in line)
    ]
    assert not offenders, offenders


def test_the_purge_command_says_what_it_did_and_refuses_a_broken_chain(world, capsys):
    rows = _rows(world)
    call_command("audit", "purge")
    assert "已清理 0 条" in capsys.readouterr().out
    assert AuditEntry.objects.filter(pk=rows[0].pk).exists()
    _attacker("UPDATE audit_auditentry SET detail = 'x' WHERE id = %s", [rows[2].id])
    triggers.install(connection)
    with pytest.raises(SystemExit) as exit_:
        call_command("audit", "purge")
    assert exit_.value.code == 1
    assert f"第 {rows[2].id} 条" in capsys.readouterr().err
