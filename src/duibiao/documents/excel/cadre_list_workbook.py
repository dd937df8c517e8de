"""选拔任用 / 评先评优 / 墩苗培养 名单 as a workbook (moved here from cadres so that it is
written, like every workbook, through documents.excel.workbook)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl import Workbook

from duibiao.documents.excel import workbook as wbk

if TYPE_CHECKING:
    from duibiao.cadres.selectors import ListEntry

HEADER = ["序号", "姓名", "单位", "职务", "职级", "性别", "年龄", "年度考核等次", "列入理由"]
WIDTHS = (6, 10, 22, 12, 10, 6, 6, 12, 40)


def cadre_list_workbook_build(entries: list[ListEntry], *, title: str, sheet: str) -> bytes:
    """One sheet: a title row, a header row, one row a cadre."""
    wb = Workbook()
    ws = wb.active
    ws.title = wbk.sheet_title(sheet, set())
    wbk.write_row(ws, 1, [title])
    ws["A1"].font = wbk.TITLE
    wbk.write_row(ws, 2, HEADER)
    for cell in ws[2]:
        cell.font, cell.fill, cell.border, cell.alignment = wbk.HEADER, wbk.HEADER_FILL, wbk.BORDER, wbk.CENTER
    for i, e in enumerate(entries, start=1):
        c = e.cadre
        for cell in wbk.write_row(ws, i + 2, [i, c.name, c.unit.name, c.position, c.rank, c.gender, e.age,
                                               e.final, e.reason]):
            cell.font, cell.border = wbk.BODY, wbk.BORDER
    wbk.set_widths(ws, dict(enumerate(WIDTHS, start=1)))
    ws.freeze_panes = "C3"
    wbk.print_setup(ws, header_rows="2:2")
    return wbk.save_bytes(wb)
