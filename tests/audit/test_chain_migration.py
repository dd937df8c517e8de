"""Migration audit/0003 chains the rows written before the chain existed, in id order, and
puts the append-only triggers in place; migrating back takes the triggers away again."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from duibiao.audit.chain import GENESIS, chain_verify
from duibiao.audit.models import AuditEntry, ChainHead

ROWS = [
    ("2026-01-01 10:00:00.123456+00:00", "khb", "login", True, "10.0.0.1", None, '{"x": 1.0, "b": [1, 2]}'),
    ("2026-01-02 10:00:00+00:00", "tb_a", "submission.save", False, "::1", '{"value": "中"}', None),
    ("2026-01-01 09:00:00+00:00", "auditor", "logout", True, None, None, None),  # id order, not time
]


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_chained_in_id_order_and_then_protected():
    call_command("migrate", "audit", "0001", verbosity=0)
    try:
        with connection.cursor() as cursor:
            for at, username, action, success, ip, before, after in ROWS:
                cursor.execute(
                    "INSERT INTO audit_auditentry (at, username, action, success, object_type, object_id,"
                    " object_repr, ip, before, after, detail) VALUES (%s, %s, %s, %s, '', '', '', %s, %s, %s, '')",
                    [at, username, action, success, ip, before, after])
            # Unprotected before the chain: an old row can still be changed (0002/0003 not applied).
            cursor.execute("UPDATE audit_auditentry SET detail = 'old' WHERE username = 'auditor'")
    finally:
        call_command("migrate", "audit", verbosity=0)
    rows = list(AuditEntry.objects.order_by("id"))
    assert [r.username for r in rows] == ["khb", "tb_a", "auditor"]
    assert rows[0].prev_hash == GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    head = ChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash) == (rows[-1].id, rows[-1].hash)
    verdict = chain_verify()
    assert verdict.whole and verdict.rows == 3
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=rows[0].pk).update(detail="changed")
