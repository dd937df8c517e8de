"""排名表: a scoring run's ranking as offices print it, one sheet per category (moved here from
assessment so that it is written, like every workbook, through documents.excel.workbook)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment

from duibiao.documents.excel import workbook as wbk

if TYPE_CHECKING:
    from duibiao.assessment.models import ScoringRun


def ranking_workbook_build(run: ScoringRun, table: dict[str, Any]) -> bytes:
    """One sheet per category: rank, unit, score, per-dimension scores, change, grade, veto."""
    book = Workbook()
    book.remove(book.active)
    dims = table["dimensions"]
    taken: set[str] = set()
    for category, rows in table["groups"].items():
        sheet = book.create_sheet(title=wbk.sheet_title(str(category), taken))
        headers = ["名次", "单位", "得分", *[name for _, name in dims], "加分", "扣分", "名次变化", "等次", "一票否决"]
        wbk.write_row(sheet, 1, [f"{run.period.name}对标晋位考核排名（{category}）"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet["A1"].font = wbk.TITLE
        sheet["A1"].alignment = Alignment(horizontal="center")
        wbk.write_row(sheet, 2, headers)
        for r, row in enumerate(rows, start=3):
            change = row.rank_change
            wbk.write_row(sheet, r, [
                row.rank, row.unit.name, _round(row.score),
                *[_round(row.node_scores.get(code)) for code, _ in dims],
                _round(row.bonus), _round(row.penalty),
                "" if change is None else (f"↑{change:g}" if change > 0 else f"↓{-change:g}" if change < 0 else "—"),
                row.grade, "、".join(row.vetoes),
            ])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                cell.border = wbk.BORDER
                cell.font = wbk.HEADER if cell.row == 2 else wbk.BODY
                if cell.row == 2:
                    cell.fill = wbk.HEADER_FILL
                    cell.alignment = wbk.CENTER
        sheet.column_dimensions["B"].width = wbk.fit_width([r.unit.name for r in rows] + ["单位"], low=12, high=40)
        sheet.freeze_panes = "C3"
        wbk.print_setup(sheet, header_rows="2:2")
    if not book.worksheets:  # a run with no results still opens
        wbk.write_row(book.create_sheet(title="排名"), 1, ["没有符合条件的结果"])
    return wbk.save_bytes(book)


def _round(value: Any) -> float | None:
    return None if value is None else round(value, 2)


__all__ = ["ranking_workbook_build"]
