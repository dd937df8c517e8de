"""A restore verifies the whole file before it touches anything, and refuses with the reason:
a damaged file, a foreign one, a changed member, a manifest that lies, members that would land
outside the restore folder (`..`, an absolute path, a symbolic or hard link — the archive
attacks), a file over the size cap, a backup of the other database kind or of a newer version,
and a database that holds data (without --force). Each refusal leaves the database and the
files folder as they were.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from duibiao.backup.archive import (
    DATABASE_MEMBERS,
    FORMAT,
    FORMAT_VERSION,
    BackupError,
    archive_read,
    manifest_signature,
)
from duibiao.backup.databases import database_tables
from duibiao.backup.operations import backup_key, backup_restore

pytestmark = pytest.mark.django_db


def manifest_for(members: dict[str, bytes], **overrides) -> dict:
    applied = sorted(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "duibiao_version": "test",
        "created_at": "2026-11-29T08:00:00+00:00",
        "database": {"vendor": connection.vendor, "server_version": "", "tool": ""},
        "migrations": [list(m) for m in applied], "tables": {"accounts_user": 0},
        "members": [{"name": n, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                    for n, b in members.items()],
        **overrides,
    }


def write(path: Path, members: dict[str, bytes], *, manifest: dict | None = None, extra=(),
          key: bytes | None = None) -> Path:
    """A backup file with these regular members, a manifest listing them (or `manifest`), and
    `extra` raw tar members (TarInfo, bytes) the manifest does not vouch for. Signed with `key`
    (default: this system's backup key, as `duibiao backup` signs), unsigned with key=b""."""
    data = json.dumps(manifest or manifest_for(members)).encode()
    key = backup_key() if key is None else key
    signature = {"manifest.hmac": manifest_signature(key, data).encode()} if key else {}
    with tarfile.open(path, "w:gz") as tar:
        for info, content in extra:
            tar.addfile(info, io.BytesIO(content) if content else None)
        for name, content in {**members, "manifest.json": data,
                              "manifest.sha256": hashlib.sha256(data).hexdigest().encode(),
                              **signature}.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def good_members() -> dict[str, bytes]:
    return {DATABASE_MEMBERS[connection.vendor]: b"not really a database", "media/evidence/a.pdf": b"%PDF-1.4"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "kept.pdf").write_bytes(b"kept")
    return settings.MEDIA_ROOT


def refused(path: Path, media: Path, *, force: bool = False) -> str:
    """Restores `path`, expecting a refusal; checks nothing changed; returns the reason."""
    tables = database_tables()
    with pytest.raises(BackupError) as caught:
        backup_restore(path=path, force=force)
    assert database_tables() == tables
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*")) == ["evidence", "evidence/kept.pdf"]
    return str(caught.value)


def link(name: str, target: str, *, hard: bool = False) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = (tarfile.LNKTYPE if hard else tarfile.SYMTYPE), target
    return info, b""


def regular(name: str, content: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    return info, content


@pytest.mark.parametrize("member, why", [
    (link("media/evidence/passwd", "/etc/passwd"), "符号链接，指向 /etc/passwd"),
    (link("media/evidence/secret", "/work/main/var/secret_key", hard=True), "硬链接"),
    (regular("media/../../escaped.txt", b"owned"), "“..”"),
    (regular("media/evidence/../../../escaped.txt", b"owned"), "“..”"),
    (regular("/tmp/escaped.txt", b"owned"), "不是备份文件应有的成员"),
    (regular("../escaped.txt", b"owned"), "不是备份文件应有的成员"),
    (regular("settings.py", b"owned"), "不是备份文件应有的成员"),
])
def test_a_member_outside_the_restore_folder_or_a_link_is_refused(world, media, tmp_path, member, why):
    path = write(tmp_path / "attack.tar.gz", good_members(), extra=[member])
    reason = refused(path, media)
    assert "拒绝恢复" in reason and why in reason
    assert not (tmp_path / "escaped.txt").exists() and not Path("/tmp/escaped.txt").exists()
    assert not (media.parent / "escaped.txt").exists()


def test_a_link_member_is_refused_even_when_the_manifest_lists_it(world, media, tmp_path):
    # The attacker builds a consistent manifest: the type check, not the checksum, stops it.
    members = good_members()
    manifest = manifest_for({**members, "media/evidence/passwd": b""})
    path = write(tmp_path / "attack.tar.gz", members, manifest=manifest,
                 extra=[link("media/evidence/passwd", "/etc/passwd")])
    assert "是符号链接" in refused(path, media)


def test_a_damaged_file_is_refused(world, media, tmp_path):
    path = write(tmp_path / "b.tar.gz", good_members())
    good = path.read_bytes()
    # One byte changed anywhere past the gzip header (whose file-name field nothing checks, and
    # which holds none of the data): whatever it breaks (the compressed stream, a tar header, a
    # name, a member, the manifest), the file is refused as damaged.
    header = good.index(b"\0", 10) + 1 if good[3] & 0x08 else 10
    for at in range(header, len(good), max(1, len(good) // 40)):
        data = bytearray(good)
        data[at] ^= 0xFF
        path.write_bytes(bytes(data))
        assert "损坏" in refused(path, media), at
    data = bytearray(good)
    path.write_bytes(bytes(data[: len(data) // 2]))  # cut short, as a copy that did not finish
    assert "损坏" in refused(path, media)


def test_a_changed_member_is_found_by_its_checksum(world, media, tmp_path):
    members = good_members()
    manifest = manifest_for(members)
    changed = {**members, "media/evidence/a.pdf": b"%PDF-1.4 changed"}
    path = write(tmp_path / "b.tar.gz", changed, manifest=manifest)
    reason = refused(path, media)
    assert "media/evidence/a.pdf 的 SHA-256 校验值或大小与清单不符" in reason


def test_a_changed_manifest_is_found_by_its_checksum(world, media, tmp_path):
    path = write(tmp_path / "b.tar.gz", good_members())
    # Rewrite the manifest's counts inside the file, keeping manifest.sha256 as it was.
    with tarfile.open(path, "r:gz") as tar:
        contents = {m.name: tar.extractfile(m).read() for m in tar}
    contents["manifest.json"] = contents["manifest.json"].replace(b'"accounts_user": 0', b'"accounts_user": 9')
    with tarfile.open(path, "w:gz") as tar:
        for name, content in contents.items():
            tar.addfile(regular(name, content)[0], io.BytesIO(content))
    assert "清单 manifest.json 的 SHA-256 校验值不符" in refused(path, media)


def test_a_missing_or_unlisted_member_is_refused(world, media, tmp_path):
    members = good_members()
    path = write(tmp_path / "missing.tar.gz", {k: v for k, v in members.items() if k.startswith("media/")},
                 manifest=manifest_for(members))
    assert "缺少清单中列出的" in refused(path, media)
    path = write(tmp_path / "extra.tar.gz", members, extra=[regular("media/evidence/planted.pdf", b"x")])
    assert "清单未列出的成员 media/evidence/planted.pdf" in refused(path, media)


@pytest.mark.parametrize("content, why", [
    (b"duibiao backup? no, a text file\n", "不是 duibiao 备份文件"),
    (gzip.compress(b"not a tar", mtime=0), "不是 duibiao 备份文件"),
], ids=["text", "gzip-not-tar"])  # fixed ids: gzip's header time would differ between xdist workers
def test_a_foreign_file_is_refused(world, media, tmp_path, content, why):
    path = tmp_path / "foreign.tar.gz"
    path.write_bytes(content)
    assert why in refused(path, media)


def test_a_tar_without_a_manifest_or_of_another_format_is_refused(world, media, tmp_path):
    path = tmp_path / "other.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(regular("database.sqlite3", b"x")[0], io.BytesIO(b"x"))
    assert "没有清单" in refused(path, media)
    path = write(tmp_path / "other2.tar.gz", good_members(), manifest={**manifest_for(good_members()),
                                                                         "format": "someone-elses-backup"})
    assert "不是本系统的备份文件" in refused(path, media)


def test_a_file_over_the_size_cap_is_refused(world, media, tmp_path, settings):
    settings.DUIBIAO_BACKUP_MAX_MB = 1
    members = {**good_members(), "media/evidence/big.bin": b"\0" * (2 * 1024 * 1024)}
    assert "超过 1 MB" in refused(write(tmp_path / "big.tar.gz", members), media)


def test_a_backup_of_the_other_database_kind_is_refused(world, media, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    members = {DATABASE_MEMBERS[other]: b"x"}
    manifest = manifest_for(members, database={"vendor": other, "server_version": "", "tool": ""})
    assert "不能跨数据库类型恢复" in refused(write(tmp_path / "b.tar.gz", members, manifest=manifest), media)


def test_a_backup_of_a_newer_version_is_refused(world, media, tmp_path):
    members = good_members()
    manifest = manifest_for(members)
    manifest["migrations"].append(["assessment", "9999_from_the_future"])
    reason = refused(write(tmp_path / "b.tar.gz", members, manifest=manifest), media)
    assert "备份来自较新的版本" in reason and "assessment.9999_from_the_future" in reason


def test_a_database_with_data_is_not_replaced_without_force(world, media, tmp_path):
    reason = refused(write(tmp_path / "b.tar.gz", good_members()), media)
    assert "目标不是空的，未做任何改动" in reason and "accounts_user（" in reason
    assert "1 个文件" in reason and "--force" in reason


def test_the_command_says_why_in_chinese_and_exits_2(world, media, tmp_path):
    path = tmp_path / "foreign.tar.gz"
    path.write_text("hello")
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path))
    assert caught.value.returncode == 2 and str(caught.value).startswith("恢复失败：")
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(tmp_path / "nowhere.tar.gz"))
    assert "找不到备份文件" in str(caught.value)


def test_reading_a_good_file_gives_its_manifest(tmp_path):
    members = good_members()
    staging = tmp_path / "staging"
    staging.mkdir()
    manifest = archive_read(write(tmp_path / "b.tar.gz", members), staging, max_bytes=10**6, max_members=10,
                            key=backup_key())
    assert {m["name"] for m in manifest["members"]} == set(members)
    assert (staging / "media" / "evidence" / "a.pdf").read_bytes() == b"%PDF-1.4"
