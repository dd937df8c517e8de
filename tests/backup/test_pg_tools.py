"""pg_dump / pg_restore of the server's major version or newer: DUIBIAO_PG_BIN first, then
Debian's /usr/lib/postgresql/<major>/bin and PATH; an older one is never used, and when none
fits the operator is told in Chinese what to install."""

from __future__ import annotations

import pytest

from duibiao.backup.archive import BackupError
from duibiao.backup.databases import pg_tool


def fake_tool(folder, name: str, version: str):
    folder.mkdir(exist_ok=True)
    tool = folder / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    tool.chmod(0o755)
    return tool


def test_the_configured_folder_comes_first(settings, tmp_path):
    settings.DUIBIAO_PG_BIN = str(tmp_path / "bin")
    tool = fake_tool(tmp_path / "bin", "pg_dump", "99.2")
    assert pg_tool("pg_dump", 99) == str(tool)


def test_an_older_tool_is_refused_with_what_to_install(settings, tmp_path):
    settings.DUIBIAO_PG_BIN = str(tmp_path / "bin")
    fake_tool(tmp_path / "bin", "pg_restore", "98.0")
    with pytest.raises(BackupError) as caught:
        pg_tool("pg_restore", 99)
    reason = str(caught.value)
    assert "找不到 PostgreSQL 99 或更高版本的 pg_restore" in reason
    assert f"{tmp_path / 'bin' / 'pg_restore'}（98）" in reason  # what was found, and why not
    assert "postgresql-client-99" in reason and "DUIBIAO_PG_BIN" in reason
