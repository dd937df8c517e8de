"""Running `duibiao backup / restore` as the operator does (a process of its own, on a database
given by URL), and reading every table of a database for comparison."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection


def database_url(name: str | None = None) -> str:
    """The test database (or another database `name` of the same server) as a URL."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{name or db['NAME']}"
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    host, port = db["HOST"] or "localhost", db["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{name or db['NAME']}"


def duibiao(*args: str, url: str, media: Path, var: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DUIBIAO_")}
    env.update(DUIBIAO_DATABASE_URL=url, DUIBIAO_MEDIA_ROOT=str(media), DUIBIAO_VAR_DIR=str(var),
               DUIBIAO_SECRET_KEY="backup-test-key-" + "x" * 40)
    return subprocess.run([sys.executable, "-m", "duibiao.cli", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def _sortable(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(repr(value) for value in row)


Table = tuple[list[str], list[tuple[Any, ...]]]  # column names, rows sorted


def tables_of(url: str) -> dict[str, Table]:
    """Every row of every table of the database at `url`, with its columns (PostgreSQL or SQLite)."""
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            names = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            return {name: _table(db.execute(f'SELECT * FROM "{name}"')) for name in names}
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        names = [r[0] for r in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
        return {name: _table(db.execute(f'SELECT * FROM "{name}"')) for name in names}


def _table(cursor: Any) -> Table:
    return [d[0] for d in cursor.description], sorted(cursor.fetchall(), key=_sortable)


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def triggers_of(url: str) -> list[str]:
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            return sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        return sorted(r[0] for r in db.execute(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").fetchall())
