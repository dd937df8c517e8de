"""督导检查日通报 as a workbook: the daily picture (inspections.selectors.stats) on four sheets —
the units ranked by 问题处置率, the day's new findings, the day's closures, the overdue ones.

Every text cell is written as text: a description typed as "=HYPERLINK(…)" or "+86 …" must
reach the reader as those characters, never as a formula Excel or WPS would run (CSV/formula
injection), so a value starting with = + - @ is typed as a string explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from duibiao.documents.excel.workbook import (
    CENTER,
    HEADER,
    HEADER_FILL,
    TITLE,
    fit_width,
    save_bytes,
)

if TYPE_CHECKING:
    from duibiao.inspections.models import Finding
    from duibiao.inspections.selectors.stats import DailyPicture

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(ws: Worksheet, value: object) -> WriteOnlyCell:
    """A cell whose text is stored as text whatever it starts with."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would take "=…" for a formula; a string cell is never run
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True  # and Excel shows it with the leading apostrophe, as typed text
    return cell


def _rate(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _sheet(wb: Workbook, title: str, head: Sequence[str], rows: Iterable[Sequence[object]],
           caption: str) -> None:
    ws = wb.create_sheet(title)
    rows = [list(r) for r in rows]
    for i, column in enumerate(zip(head, *rows, strict=False)):
        ws.column_dimensions[get_column_letter(i + 1)].width = fit_width(list(column), high=50)
    ws.freeze_panes = "A3"
    first = safe_cell(ws, caption)
    first.font = TITLE
    ws.append([first])
    header = []
    for text in head:
        cell = safe_cell(ws, text)
        cell.font, cell.fill, cell.alignment = HEADER, HEADER_FILL, CENTER
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append([safe_cell(ws, v) for v in row])


def _finding_row(f: Finding) -> list[object]:
    return [f.pk, f.unit.name, f.category, f.description, f.address, f.enterprise.name if f.enterprise else "",
            f.campaign.name, f.found_on, f.deadline_in_force, f.get_state_display(), f.closed_on]


def daily_workbook_build(picture: DailyPicture) -> bytes:
    """The day's picture as an .xlsx (lists complete: build it from ``daily_picture(limit=None)``).
    Usage: ``data = daily_workbook_build(daily_picture(user=u, day=d, limit=None))``."""
    wb = Workbook(write_only=True)
    day = f"{picture.day:%Y年%m月%d日}"
    _sheet(wb, _("处置率排名"), [
        _("名次"), _("单位"), _("问题数"), _("应整改"), _("已销号"), _("问题处置率(%)"), _("按期整改率(%)"),
        _("逾期"), _("平均整改天数"),
    ], [
        ["" if line.is_total else n, line.name, line.rates.findings, line.rates.due, line.rates.closed,
         _rate(line.rates.disposal_rate), _rate(line.rates.on_time_rate), line.rates.overdue,
         _rate(line.rates.avg_days)]
        for n, line in enumerate(picture.ranking, start=1)
    ], _("督导检查日通报（%(day)s）：当日新发现 %(new)d 个，当日销号 %(closed)d 个，逾期未整改 %(overdue)d 个") % {
        "day": day, "new": picture.new_count, "closed": picture.closed_count, "overdue": picture.overdue_count})
    head = [_("编号"), _("责任单位"), _("问题类别"), _("问题描述"), _("地点"), _("企业"), _("检查活动"),
            _("发现日期"), _("整改期限"), _("状态"), _("销号日期")]
    for title, findings in ((_("当日新发现"), picture.new), (_("当日销号"), picture.closed),
                            (_("逾期未整改"), picture.overdue)):
        _sheet(wb, title, head, (_finding_row(f) for f in findings), f"{title}（{day}）")
    return save_bytes(wb)
