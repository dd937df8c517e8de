"""Database triggers that make the audit table append-only, for the application too.

UPDATE is refused always; DELETE only for rows at or below the purge anchor (the chain head's
`anchor_id`), which `audit_purge` moves forward, audited, before it removes them. On PostgreSQL
TRUNCATE (which row triggers do not see) is refused by a statement trigger (SQLite has no
TRUNCATE: its "DELETE FROM" without WHERE goes row by row through the DELETE trigger). Someone with
the database owner's rights can still drop the trigger: the hash chain is what finds that.

Installed by migration audit/0003 and again after every migrate or flush (post_migrate, in
apps.py), so a database built without migrations (or flushed by a test) has them too.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditentry"
MESSAGE = "审计日志只能追加，不能修改或删除 / the audit log is append-only"

_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON {TABLE}
        WHEN OLD.id > coalesce((SELECT anchor_id FROM audit_chainhead WHERE id = 1), 0)
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_append_only_update",
    "DROP TRIGGER IF EXISTS audit_append_only_delete",
]

_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND OLD.id <= coalesce(
            (SELECT anchor_id FROM audit_chainhead WHERE id = 1), 0) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    f"""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
]
_POSTGRES_TRUNCATE = [
    f"""CREATE OR REPLACE FUNCTION audit_no_truncate() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate()""",
]
_POSTGRES += _POSTGRES_TRUNCATE
_POSTGRES_TRUNCATE_DROP = [f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}"]
_POSTGRES_DROP = [f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}", *_POSTGRES_TRUNCATE_DROP]


def install(connection: Any) -> None:
    """Create the triggers (idempotent) on `connection` (a Django connection or schema editor's)."""
    statements = _POSTGRES if connection.vendor == "postgresql" else _SQLITE
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop(connection: Any) -> None:
    statements = _POSTGRES_DROP if connection.vendor == "postgresql" else _SQLITE_DROP
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_no_truncate(connection: Any) -> None:
    """The TRUNCATE trigger alone (PostgreSQL; nothing elsewhere): migration audit/0004."""
    _run(connection, _POSTGRES_TRUNCATE if connection.vendor == "postgresql" else [])


def drop_no_truncate(connection: Any) -> None:
    _run(connection, _POSTGRES_TRUNCATE_DROP if connection.vendor == "postgresql" else [])


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
