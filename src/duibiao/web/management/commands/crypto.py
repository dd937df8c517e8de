"""`duibiao crypto rotate [--seal-plain]`: after DUIBIAO_SM4_KEY changed (the old key moved to
DUIBIAO_SM4_OLD_KEYS), seal the TOTP keys and the uploaded files again under the new key;
`--seal-plain` also seals files stored plain (written while DUIBIAO_ENCRYPT_UPLOADS was off).
Audited. Exit 2 with the reason in Chinese when something does not open (docs/security.md)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from duibiao.audit.services import audit_record
from duibiao.crypto.keys import keyring
from duibiao.crypto.rotate import rotate
from duibiao.crypto.sm4 import SealError


class Command(BaseCommand):
    help = "商用密码：用当前 SM4 密钥重新加密动态口令密钥和上传文件 / re-seal under the current SM4 key"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rotate"])
        parser.add_argument("--seal-plain", action="store_true",
                            help="同时加密未加密存放的上传文件 / also seal files stored plain")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = rotate(default_storage, seal_plain=options["seal_plain"])
        except SealError as exc:
            raise CommandError(f"重新加密失败：{exc}（旧密钥须留在 DUIBIAO_SM4_OLD_KEYS 中）", returncode=2) from exc
        after = {"key_id": keyring().current_id.hex(), "totp_keys": done.keys, "files": done.files,
                 "plain_files_sealed": done.sealed_plain}
        audit_record(actor=None, action="crypto.rotate", username="duibiao crypto", after=after)
        self.stdout.write(
            f"已用密钥 {after['key_id']} 重新加密：动态口令密钥 {done.keys} 个，上传文件 {done.files} 个，"
            f"新加密未加密文件 {done.sealed_plain} 个 / re-sealed {done.keys} TOTP keys, {done.files} files, "
            f"sealed {done.sealed_plain} plain files")
