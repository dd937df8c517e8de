"""What differs between the two databases: taking a consistent copy, counting its rows,
reading its migration state, and putting a copy back.

SQLite: the online backup API (sqlite3.Connection.backup) copies the database page by page
under SQLite's own locking, so the copy is consistent while the server keeps writing; restore
uses the same API in the other direction, so the target file is replaced in place, triggers and
all. PostgreSQL: pg_dump in the custom format inside a REPEATABLE READ transaction whose snapshot
it shares (--snapshot), so the counts of the manifest describe exactly what was dumped; restore
through pg_restore in one transaction (a failed restore leaves the database as it was).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from duibiao.backup.archive import BackupError

# Tables `duibiao migrate` fills by itself (the audit chain's head row included): a database
# holding rows in these only is empty.
MIGRATION_TABLES = frozenset({
    "django_migrations", "django_content_type", "auth_permission", "sqlite_sequence", "audit_chainhead",
})


@dataclass(frozen=True)
class DatabaseCopy:
    """A copy of the database in a file, with what the manifest says about it."""

    vendor: str
    server_version: str
    tables: dict[str, int]
    migrations: list[tuple[str, str]]
    tool: str = ""  # pg_dump's version line


def database_copy(dest: Path) -> DatabaseCopy:
    """A consistent copy of the configured database written to `dest`."""
    if connection.vendor == "sqlite":
        return _sqlite_copy(dest)
    if connection.vendor == "postgresql":
        return _postgres_copy(dest)
    raise BackupError(f"不支持备份 {connection.vendor} 数据库（只支持 SQLite 与 PostgreSQL）")


def database_tables() -> dict[str, int]:
    """Every table of the configured database with its row count."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        return _counts(cursor, names, connection.ops.quote_name)


def _counts(cursor: object, names: list[str], quote: object) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in sorted(names):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # type: ignore[attr-defined,operator]
        counts[name] = int(cursor.fetchone()[0])  # type: ignore[attr-defined]
    return counts


def holding_data(tables: dict[str, int]) -> dict[str, int]:
    """The tables that hold data beyond what `duibiao migrate` writes by itself."""
    return {name: n for name, n in tables.items() if n and name not in MIGRATION_TABLES}


# --- SQLite ----------------------------------------------------------------------------------

def _sqlite_path() -> Path:
    return Path(str(connection.settings_dict["NAME"]))


def _sqlite_tables(db: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")]
    return _counts(db.cursor(), names, lambda name: '"' + name.replace('"', '""') + '"')


def _sqlite_migrations(db: sqlite3.Connection) -> list[tuple[str, str]]:
    try:
        rows = db.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    except sqlite3.OperationalError:
        return []
    return [(str(app), str(name)) for app, name in rows]


def _sqlite_copy(dest: Path) -> DatabaseCopy:
    source = _sqlite_path()
    if not source.exists():
        raise BackupError(f"找不到数据库文件 {source}：请先运行 duibiao migrate")
    with closing(sqlite3.connect(source, timeout=20)) as src, closing(sqlite3.connect(dest)) as dst:
        src.backup(dst)  # page by page under SQLite's locks: consistent while others write
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        tables, migrations = _sqlite_tables(dst), _sqlite_migrations(dst)
    return DatabaseCopy("sqlite", sqlite3.sqlite_version, tables, migrations)


def staged_sqlite_check(path: Path) -> None:
    """The staged copy is a whole SQLite database (its checksum matched; this is the database's
    own word on it before it replaces anything)."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份中的数据库不是完好的 SQLite 数据库（{exc}）") from exc
    if verdict != "ok":
        raise BackupError(f"备份中的数据库未通过 SQLite 完整性检查（{verdict}）")


def sqlite_restore(staged: Path) -> None:
    """Copies the staged database over the configured one, through the backup API."""
    connection.close()  # our own connection must not hold the file while it is replaced
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(f"file:{staged}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(target, timeout=20)) as dst:
        src.backup(dst)


# --- PostgreSQL ------------------------------------------------------------------------------

def _pg_env() -> dict[str, str]:
    """libpq's variables for the configured database: the password never on a command line."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, value in (("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")), ("PGUSER", db.get("USER")),
                       ("PGPASSWORD", db.get("PASSWORD")), ("PGDATABASE", db.get("NAME"))):
        if value:
            env[key] = str(value)
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def pg_tool(name: str, major: int) -> str:
    """The pg_dump / pg_restore of the server's major version, or a newer one.

    Looked for in DUIBIAO_PG_BIN, then Debian's /usr/lib/postgresql/<major>/bin (where CI's
    and the distribution's packages put them, several versions side by side), then newer
    versions there, then PATH. An older tool cannot read a newer server, so it is refused.
    """
    candidates: list[str] = []
    if settings.DUIBIAO_PG_BIN:
        candidates.append(str(Path(settings.DUIBIAO_PG_BIN) / name))
    candidates.append(f"/usr/lib/postgresql/{major}/bin/{name}")
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                       key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0, reverse=True)
    candidates.extend(str(p) for p in installed)
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    found: list[str] = []
    for candidate in dict.fromkeys(candidates):
        if not os.access(candidate, os.X_OK):
            continue
        version = _tool_major(candidate)
        found.append(f"{candidate}（{version}）")
        if version is not None and version >= major:
            return candidate
    seen = "；找到的：" + "、".join(found) if found else ""
    raise BackupError(
        f"找不到 PostgreSQL {major} 或更高版本的 {name}{seen}。请安装与数据库服务器同版本的客户端"
        f"（Debian：apt-get install postgresql-client-{major}），或以 DUIBIAO_PG_BIN 指明其所在目录")


def _server_major() -> int:
    connection.ensure_connection()
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def _run(command: list[str], what: str) -> str:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    except OSError as exc:
        raise BackupError(f"{what}无法启动（{exc}）") from exc
    if done.returncode != 0:
        raise BackupError(f"{what}失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")
    return done.stdout


@contextmanager
def _snapshot() -> Iterator[tuple[str, dict[str, int], list[tuple[str, str]]]]:
    """A read-only REPEATABLE READ transaction, held open while pg_dump shares its snapshot."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        names = connection.introspection.table_names(cursor)
        tables = _counts(cursor, names, connection.ops.quote_name)
        migrations: list[tuple[str, str]] = []
        if "django_migrations" in names:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            migrations = [(str(a), str(n)) for a, n in cursor.fetchall()]
        yield snapshot, tables, migrations


def _postgres_copy(dest: Path) -> DatabaseCopy:
    major = _server_major()
    pg_dump = pg_tool("pg_dump", major)
    version = _run([pg_dump, "--version"], "pg_dump").strip()
    with _snapshot() as (snapshot, tables, migrations):
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}"], "pg_dump 备份")
    return DatabaseCopy("postgresql", str(connection.pg_version), tables, migrations, version)  # type: ignore[attr-defined]


def postgres_restore(staged: Path, *, clean: bool) -> None:
    """pg_restore into the configured database in one transaction; `clean` drops the objects
    the backup holds first (a migrated or a --force'd database)."""
    pg_restore = pg_tool("pg_restore", _server_major())
    connection.close()  # our own session must hold no lock pg_restore's DROPs wait for
    command = [pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
               f"--dbname={connection.settings_dict['NAME']}"]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, str(staged)], "pg_restore 恢复")
