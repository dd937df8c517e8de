"""PostgreSQL's TRUNCATE empties a table without firing row triggers: the audit table refuses it
with a statement trigger (migration audit/0004). The attack is run as the application's own
database user (which owns the table); flush, which must empty every table, still works."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from duibiao.audit.models import AuditEntry
from duibiao.audit.services import audit_record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _trigger_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_no_truncate'"
                       " AND tgrelid = 'audit_auditentry'::regclass")
        return cursor.fetchone()[0] == 1


@pytest.mark.parametrize("statement", [
    "TRUNCATE audit_auditentry",
    "TRUNCATE TABLE audit_auditentry RESTART IDENTITY CASCADE",
    "TRUNCATE audit_chaincheck, audit_auditentry",
])
def test_truncating_the_audit_table_is_refused(statement):
    for n in range(3):
        audit_record(actor=None, action="test.row", detail=str(n))
    with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.filter(action="test.row").count() == 3


def test_the_migration_installs_it_and_flush_puts_it_back():
    assert _trigger_exists()
    audit_record(actor=None, action="test.row")
    call_command("flush", interactive=False, verbosity=0)  # what the test runner does between tests
    assert AuditEntry.objects.count() == 0
    assert _trigger_exists()
