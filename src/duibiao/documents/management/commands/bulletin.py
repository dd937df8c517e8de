"""`duibiao bulletin (results|projects|inspections) [--period ID|NAME | --date YYYY-MM-DD]
--out FILE.docx [--pdf FILE.pdf] [--user USERNAME]`: a bulletin's draft written to a file by
the same code as the pages (documents.bulletins.kinds), with no 发文字号 taken.

Exit 0 with the path written; exit 2 with the reason in Chinese (no published period, a bad
date, no such user). When --pdf is asked for and LibreOffice is missing (or fails), the DOCX
is still written and the command exits 0 with a warning line naming the reason: the Word
document is the bulletin, the PDF a convenience.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from duibiao.accounts.models import User
from duibiao.accounts.roles import Role
from duibiao.assessment.models import ScoringRun
from duibiao.documents.bulletin_selectors import published_runs
from duibiao.documents.bulletin_services import actor_district
from duibiao.documents.bulletins.kinds import KINDS, draft_parts, layout
from duibiao.documents.word.pdf import docx_to_pdf_even


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = ("写出通报草稿（不取发文字号） / write a bulletin's draft (no document number taken): "
            "results 考核结果通报, projects 重点项目周通报, inspections 督导检查日通报")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--period", metavar="ID|NAME",
                            help="考核周期（编号或名称；默认最近公布结果的周期） / period id or name (results)")
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="统计日期（默认今天） / as-of date")
        parser.add_argument("--out", required=True, metavar="FILE.docx")
        parser.add_argument("--pdf", metavar="FILE.pdf", help="同时写出 PDF（需 LibreOffice） / also a PDF")
        parser.add_argument("--user", metavar="USERNAME",
                            help="按该考核办账号的范围取数（只有一个考核办账号时可省略） / whose scope")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        user = self._user(options["user"])
        try:
            district = actor_district(user)
        except PermissionDenied as exc:
            raise _fail(f"账号 {user.username} 不能起草通报：{exc}") from exc
        day = self._day(options["date"])
        run = self._run(user, options["period"]) if kind == "results" else None
        if run is not None:
            district = run.period.version.scheme.district
            day = timezone.localtime(run.published_at).date() if run.published_at else day
        _, figures, texts = draft_parts(kind, user=user, district=district, run=run, day=day)
        docx = layout(kind, user=user, district=district, run=run, figures=figures, texts=texts,
                      date=timezone.localdate()).save()
        # The 版记 on an even last page (GB/T 9704 §7.5): measured by laying the document out
        # where LibreOffice is installed (word/sheets.py).
        docx, pdf, reason = docx_to_pdf_even(docx)
        out = Path(options["out"])
        out.write_bytes(docx)
        self.stdout.write(str(out))
        if options["pdf"]:
            if pdf is None:
                self.stderr.write(f"警告：未生成 PDF（{reason}） / warning: no PDF written")
                return
            Path(options["pdf"]).write_bytes(pdf)
            self.stdout.write(options["pdf"])

    def _user(self, username: str | None) -> User:
        if username:
            found = User.objects.filter(username=username, is_active=True).first()
            if found is None:
                raise _fail(f"没有启用的账号 {username}")
            return found
        offices = list(User.objects.filter(is_active=True, grants__role=Role.OFFICE).distinct()[:2])
        if len(offices) != 1:
            raise _fail("请用 --user 指定按哪个考核办账号的范围取数" if offices else "系统中没有考核办账号，请用 --user 指定账号")
        return offices[0]

    def _day(self, text: str | None) -> dt.date:
        if not text:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise _fail(f"日期 {text} 不是 YYYY-MM-DD 格式") from exc

    def _run(self, user: User, period: str | None) -> ScoringRun:
        runs = published_runs(user=user)
        if period:
            runs = runs.filter(period__pk=int(period)) if period.isdigit() else runs.filter(period__name=period)
        run = runs.first()
        if run is None:
            raise _fail(f"考核周期 {period} 没有已公布的考核结果" if period else "还没有公布考核结果的考核周期")
        return run
