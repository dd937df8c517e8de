"""`duibiao audit verify` and `duibiao audit purge`: the audit log's hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from duibiao.audit.services import ChainBroken, audit_purge, chain_check_record, retention_days


class Command(BaseCommand):
    help = (
        "verify：逐条校验审计日志的哈希链，完整时退出码 0，否则指出第一条断开的记录并以 1 结束；"
        "purge：清理超过保留期限的审计记录（保留锚点，链仍可校验） / verify the audit log's hash "
        "chain (exit 1 naming the first broken row); purge rows older than the retention period"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser("verify", help="校验哈希链 / verify the chain")
        verbs.add_parser("purge", help="清理超过保留期限的记录 / remove rows past retention")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "purge":
            self._purge()
        else:
            self._verify()

    def _verify(self) -> None:
        check = chain_check_record(by="duibiao audit verify")
        if not check.whole:
            self.stderr.write(self.style.ERROR(
                f"审计链断开：第 {check.broken_id} 条记录，{check.reason}（已校验 {check.rows} 条） / "
                f"the chain is broken at row {check.broken_id}"))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(
            f"审计链完整：{check.rows} 条记录，用时 {check.seconds:.2f} 秒，链尾哈希 {check.head_hash} / "
            f"the chain is whole: {check.rows} rows in {check.seconds:.2f} s"))

    def _purge(self) -> None:
        try:
            purged = audit_purge()
        except ChainBroken as error:
            self.stderr.write(self.style.ERROR(str(error)))
            raise SystemExit(1) from None
        self.stdout.write(self.style.SUCCESS(
            f"已清理 {purged.rows} 条 {purged.cutoff:%Y-%m-%d} 以前的审计记录（保留 {retention_days()} 天），"
            f"锚点为第 {purged.through_id} 条 / purged {purged.rows} rows; anchor row {purged.through_id}"))
