"""Excel exports of results (排名表), laid out as offices print them."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="F2F2F2")
FONT = "宋体"


def ranking_workbook(run, table: dict) -> bytes:
    """One sheet per category: rank, unit, score, per-dimension scores, change, grade, veto."""
    book = Workbook()
    book.remove(book.active)
    dims = table["dimensions"]
    for category, rows in table["groups"].items():
        sheet = book.create_sheet(title=category[:31])
        title = f"{run.period.name}对标晋位考核排名（{category}）"
        headers = ["名次", "单位", "得分", *[name for _, name in dims], "加分", "扣分", "名次变化", "等次", "一票否决"]
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet["A1"].font = Font(name=FONT, size=14, bold=True)
        sheet["A1"].alignment = Alignment(horizontal="center")
        sheet.append(headers)
        for row in rows:
            change = row.rank_change
            sheet.append([
                row.rank, row.unit.name, _round(row.score),
                *[_round(row.node_scores.get(code)) for code, _ in dims],
                _round(row.bonus), _round(row.penalty),
                "" if change is None else (f"↑{change:g}" if change > 0 else f"↓{-change:g}" if change < 0 else "—"),
                row.grade, "、".join(row.vetoes),
            ])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                cell.border = BORDER
                cell.font = Font(name=FONT, size=11, bold=cell.row == 2)
                if cell.row == 2:
                    cell.fill = HEAD
                    cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.column_dimensions["B"].width = 24
        sheet.freeze_panes = "C3"
        sheet.print_title_rows = "2:2"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _round(value) -> float | None:
    return None if value is None else round(value, 2)
