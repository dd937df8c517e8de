"""Settings come from the environment; SQLite runs in WAL mode with waiting writers."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from duibiao.config.env import database_config, env_bool, env_int, env_list, secret_key


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "7")
    monkeypatch.setenv("X_LIST", "a.example, b.example ,")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 1) == 7
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    assert env_bool("X_MISSING", True) is True
    monkeypatch.setenv("X_BOOL", "perhaps")
    with pytest.raises(ValueError, match="X_BOOL"):
        env_bool("X_BOOL", False)


def test_secret_key_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("DUIBIAO_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) > 40 and secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("DUIBIAO_SECRET_KEY", "from-env")
    assert secret_key(tmp_path) == "from-env"


def test_sqlite_file_database_uses_wal(tmp_path):
    env = {
        **os.environ,
        "DUIBIAO_VAR_DIR": str(tmp_path),
        "DUIBIAO_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    subprocess.run(
        [sys.executable, "-m", "duibiao.cli", "migrate", "-v0"], env=env, check=True, timeout=120
    )
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert {"org_unit", "accounts_user", "audit_auditentry"} <= tables


def test_database_config_from_url(tmp_path):
    sqlite = database_config(f"sqlite:///{tmp_path / 'sub' / 'db.sqlite3'}")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert sqlite["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    assert (tmp_path / "sub").is_dir()
    assert sqlite["TEST"]["NAME"] == str(tmp_path / "sub" / "test_db.sqlite3")
    pg = database_config("postgres://u:p@127.0.0.1:5432/duibiao", conn_max_age=30)
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["HOST"], pg["PORT"], pg["NAME"], pg["CONN_MAX_AGE"]) == ("127.0.0.1", 5432, "duibiao", 30)


@pytest.mark.django_db
def test_database_is_the_one_asked_for():
    from django.db import connection

    url = os.environ.get("DUIBIAO_DATABASE_URL", "sqlite")
    expected = "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"
    assert connection.vendor == expected
