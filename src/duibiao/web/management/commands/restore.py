"""`duibiao restore FILE [--force]`: a backup put back into the configured database and media
folder (docs/backup.md).

Every checksum and the manifest are verified before anything is touched; a damaged or foreign
file, a backup of the other database kind or of a newer version is refused with the reason.
Only into an empty database and files folder, unless --force (the refusal says what would be
replaced). Exit 0 with a summary, exit 2 with the reason in Chinese.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from duibiao.backup.archive import BackupError
from duibiao.backup.operations import backup_restore


class Command(BaseCommand):
    help = "从备份文件恢复数据库和上传文件 / restore the database and the uploaded files from a backup"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--force", action="store_true",
                            help="目标数据库或上传目录中已有数据时也恢复（替换现有数据） / replace existing data")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = backup_restore(path=Path(options["file"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}", returncode=2) from exc
        manifest = plan.manifest
        files = sum(1 for m in manifest["members"] if m["name"].startswith("media/"))
        self.stdout.write(
            f"已恢复 {manifest['created_at']} 的备份：{len(manifest['tables'])} 个表 "
            f"{sum(manifest['tables'].values())} 行，上传文件 {files} 个 / restored")
        if plan.replaces_anything:
            self.stdout.write(f"已替换原有的{plan.replacing()}")
        if plan.pending_migrations:
            self.stdout.write(
                f"备份早于本程序的 {len(plan.pending_migrations)} 个迁移：请运行 duibiao migrate"
                " / run `duibiao migrate` now")
