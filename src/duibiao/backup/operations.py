"""`backup_create` and `backup_restore`: what `duibiao backup` and `duibiao restore` do."""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from duibiao.audit.services import audit_record
from duibiao.backup import databases
from duibiao.backup.archive import (
    DATABASE_MEMBERS,
    FORMAT,
    FORMAT_VERSION,
    MEDIA_PREFIX,
    STAGING_PREFIX,
    BackupError,
    archive_read,
    archive_write,
)

# The most members a backup may hold: far above any district's uploads, far below what would
# exhaust the inodes of the restore folder.
MAX_MEMBERS = 2_000_000


def backup_key() -> bytes:
    """The key backups are signed with: DUIBIAO_BACKUP_KEY, else one derived from SECRET_KEY
    (domain-separated, so the signing key is no other use's key)."""
    if settings.DUIBIAO_BACKUP_KEY:
        return settings.DUIBIAO_BACKUP_KEY.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"duibiao backup signing key", hashlib.sha256).digest()


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("duibiao")
    except PackageNotFoundError:
        return "unknown"


@dataclass
class BackupDone:
    path: Path
    manifest: dict[str, Any]

    @property
    def files(self) -> int:
        return sum(1 for m in self.manifest["members"] if m["name"].startswith(MEDIA_PREFIX))

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def backup_create(*, path: Path) -> BackupDone:
    """Writes the database and every uploaded file to one backup file at `path`, and records
    it in the audit log. The database copy is consistent while the server runs."""
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"不支持备份 {vendor} 数据库（只支持 SQLite 与 PostgreSQL）")
    if path.is_dir():
        raise BackupError(f"{path} 是一个目录：请给出备份文件的名字，如 {path / 'duibiao-backup.tar.gz'}")
    if not path.parent.is_dir():
        raise BackupError(f"目录 {path.parent} 不存在")
    _leftovers_remove(path)
    # Beside the backup: the database copy needs as much room as the backup will.
    with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=path.parent) as work:
        copy = databases.database_copy(Path(work) / DATABASE_MEMBERS[vendor])
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "duibiao_version": _version(),
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "database": {"vendor": copy.vendor, "server_version": copy.server_version, "tool": copy.tool},
            "migrations": [list(m) for m in copy.migrations],
            "tables": copy.tables,
        }
        manifest = archive_write(path, database_file=Path(work) / DATABASE_MEMBERS[vendor],
                                 database_member=DATABASE_MEMBERS[vendor], media_root=_media_root(),
                                 manifest=manifest, key=backup_key())
    done = BackupDone(path.resolve(), manifest)
    # Written after the copy was taken, so it is in the live log and not in the file it names.
    audit_record(actor=None, action="backup.create", username="duibiao backup",
                 detail=f"{done.path}（{done.size} 字节）",
                 after={"file": str(done.path), "bytes": done.size, "tables": len(copy.tables),
                        "rows": sum(copy.tables.values()), "files": done.files,
                        "created_at": manifest["created_at"]})
    return done


WORK_PREFIX = ".duibiao-backup-"


def _leftovers_remove(path: Path) -> None:
    """What a backup killed before it finished left beside `path` (its partial file and its work
    folder, named after its process): removed once that process is gone. A backup never leaves a
    file under the name it was given unless it finished."""
    for leftover in [*path.parent.glob(f".{path.name}.partial-*"), *path.parent.glob(f"{WORK_PREFIX}*")]:
        pid = leftover.name.removeprefix(f".{path.name}.partial-").removeprefix(WORK_PREFIX).split("-")[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@dataclass
class RestorePlan:
    """What a restore found before it touched anything: what it will replace, what to do after."""

    manifest: dict[str, Any]
    replaced_tables: dict[str, int] = field(default_factory=dict)
    replaced_files: int = 0
    pending_migrations: list[str] = field(default_factory=list)
    foreign_tables: list[str] = field(default_factory=list)  # in the target, not in the backup

    @property
    def replaces_anything(self) -> bool:
        return bool(self.replaced_tables or self.replaced_files)

    def replacing(self) -> str:
        """In Chinese: what a --force restore replaces."""
        parts = []
        if self.replaced_tables:
            rows = sum(self.replaced_tables.values())
            names = "、".join(f"{name}（{n} 行）" for name, n in list(self.replaced_tables.items())[:8])
            more = " 等" if len(self.replaced_tables) > 8 else ""
            parts.append(f"数据库中 {len(self.replaced_tables)} 个表的 {rows} 行数据：{names}{more}")
        if self.replaced_files:
            parts.append(f"上传文件目录 {_media_root()} 中的 {self.replaced_files} 个文件")
        return "；".join(parts)


def _check_migrations(manifest: dict[str, Any]) -> list[str]:
    """Refuses a backup made by a newer version; returns the migrations to apply after."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    held = {(str(app), str(name)) for app, name in manifest["migrations"]}
    unknown = sorted(held - known)
    if unknown:
        app, name = unknown[0]
        raise BackupError(
            f"备份来自较新的版本：其数据库已应用本程序没有的迁移 {app}.{name} 等 {len(unknown)} 个。"
            "请先把程序升级到不低于备份时的版本再恢复")
    return [f"{app}.{name}" for app, name in sorted(known - held)]


def _existing_files(media_root: Path) -> int:
    from duibiao.backup.archive import media_files

    return len(media_files(media_root))


def _plan(manifest: dict[str, Any]) -> RestorePlan:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"这是 {names.get(vendor, vendor)} 数据库的备份，当前配置的是 {names.get(connection.vendor, connection.vendor)}："
            "不能跨数据库类型恢复")
    pending = _check_migrations(manifest)
    tables = databases.database_tables()
    return RestorePlan(manifest, databases.holding_data(tables), _existing_files(_media_root()), pending,
                       sorted(set(tables) - set(manifest["tables"]) - databases.MIGRATION_TABLES))


def backup_restore(*, path: Path, force: bool = False) -> RestorePlan:
    """Restores the backup at `path` into the configured database and media root.

    Every checksum and the manifest are verified, and the target checked, before anything is
    touched: a damaged or foreign file is refused with the reason; a database or files folder
    that holds data is refused unless `force` (the refusal says what would be replaced).
    """
    media_root = _media_root()
    media_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=media_root))
    try:
        free = shutil.disk_usage(staging).free
        cap = min(settings.DUIBIAO_BACKUP_MAX_MB * 1024 * 1024, int(free * 0.9))
        manifest = archive_read(path, staging, max_bytes=cap, max_members=MAX_MEMBERS, key=backup_key())
        plan = _plan(manifest)
        if plan.replaces_anything and not force:
            raise BackupError(
                f"目标不是空的，未做任何改动。恢复将替换{plan.replacing()}。"
                "确需用备份替换现有数据，请加 --force")
        if plan.foreign_tables and connection.vendor == "postgresql":
            # pg_restore --clean drops only what the backup holds: these would stay, and the
            # next `migrate` would stumble on them.
            raise BackupError(f"目标数据库中有备份里没有的表（{'、'.join(plan.foreign_tables[:5])}）："
                              "未做任何改动，请新建一个空数据库再恢复")
        vendor = manifest["database"]["vendor"]
        database = staging / DATABASE_MEMBERS[vendor]
        if vendor == "sqlite":
            databases.staged_sqlite_check(database)
            databases.sqlite_restore(database)
        else:
            databases.postgres_restore(database, clean=bool(databases.database_tables()))
        _media_swap(staging / MEDIA_PREFIX.rstrip("/"), media_root, staging)
        _verify_counts(manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    audit_record(actor=None, action="backup.restore", username="duibiao restore",
                 detail=f"{path.resolve()}（{manifest['created_at']} 的备份）",
                 after={"file": str(path.resolve()), "created_at": manifest["created_at"],
                        "replaced_rows": sum(plan.replaced_tables.values()),
                        "replaced_files": plan.replaced_files, "forced": force})
    return plan


def _media_swap(new: Path, media_root: Path, staging: Path) -> None:
    """Puts the restored files in place of what the media root held (same file system: moves).
    The old files are first moved aside into the staging folder, not deleted, so that a move
    that fails half-way puts them all back; they go when the staging folder is removed."""
    aside = staging / "replaced"
    aside.mkdir()
    moved: list[str] = []
    placed: list[str] = []
    try:
        for entry in sorted(media_root.iterdir()):
            if entry == staging or entry.name.startswith(STAGING_PREFIX):
                continue
            entry.rename(aside / entry.name)
            moved.append(entry.name)
        if new.is_dir():
            for entry in sorted(new.iterdir()):
                entry.rename(media_root / entry.name)
                placed.append(entry.name)
    except OSError as exc:
        for name in placed:
            target = media_root / name
            shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
        for name in moved:
            (aside / name).rename(media_root / name)
        raise BackupError(f"数据库已恢复，但上传文件未能放回原处（{exc}）：原有文件已保留不变。"
                          "请检查文件目录的权限和空间后重新恢复（加 --force）") from exc


def _verify_counts(manifest: dict[str, Any]) -> None:
    restored = databases.database_tables()
    wrong = [name for name, n in manifest["tables"].items() if restored.get(name) != n]
    if wrong:
        raise BackupError(
            f"恢复后的行数与清单不符（{'、'.join(wrong[:5])}）：数据库和上传文件已按备份替换，但内容不完整。"
            "请检查数据库日志后重新恢复（加 --force）")
