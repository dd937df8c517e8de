"""`duibiao backup FILE`: the database and every uploaded file in one file, with a manifest and
the SHA-256 of every member (docs/backup.md). Safe while the server runs.

Exit 0 with a summary; exit 2 with the reason in Chinese (no pg_dump of the server's version,
a folder that does not exist, …), leaving no file under the name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from duibiao.backup.archive import BackupError
from duibiao.backup.operations import backup_create


class Command(BaseCommand):
    help = "备份数据库和全部上传文件到一个文件 / back up the database and the uploaded files into one file"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="备份文件，如 duibiao-2026-11-29.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup_create(path=Path(options["file"]))
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}", returncode=2) from exc
        manifest = done.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"已备份到 {done.path}（{done.size} 字节）：{manifest['database']['vendor']} 数据库 "
            f"{len(manifest['tables'])} 个表 {rows} 行，上传文件 {done.files} 个，{manifest['created_at']}"
            f" / backed up: {len(manifest['tables'])} tables, {rows} rows, {done.files} files")
