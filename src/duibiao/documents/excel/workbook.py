"""Helpers shared by the scheme and reporting workbooks: styles in the house fonts, column
widths that fit Chinese text, checking an upload really is an xlsx, and reading cells the
same way whether Excel, WPS or LibreOffice saved the file."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from duibiao.documents.excel.problems import ImportReport
from duibiao.files.cells import FORMULA_START as FORMULA_START  # re-exported with the helpers
from duibiao.files.cells import formula_like as formula_like
from duibiao.files.uploads import UploadRejected, ZipLimits, check_zip

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Government forms are set in 仿宋 with 宋体 headings; both ship with Windows, WPS and the
# common Linux CJK font packages, so the sheet looks the same on every office machine.
BODY_FONT = "仿宋"
HEAD_FONT = "宋体"

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE = Font(name=HEAD_FONT, size=16, bold=True)
HEADER = Font(name=HEAD_FONT, size=11, bold=True)
BODY = Font(name=BODY_FONT, size=11)
NOTE = Font(name=BODY_FONT, size=10, color="595959")
EXAMPLE = Font(name=BODY_FONT, size=11, italic=True, color="808080")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="EDEDED")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells a reporter types in
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
EXAMPLE_FILL = PatternFill("solid", fgColor="E7E6E6")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

# Excel refuses these in sheet names, and names longer than 31 characters.
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def display_width(text: object) -> int:
    """Width in Excel's character units: a CJK character takes two."""
    s = "" if text is None else str(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def set_widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def fit_width(values: list[object], *, low: int = 6, high: int = 60) -> float:
    return float(min(high, max([low, *(display_width(v) + 2 for v in values)])))


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name for a unit name."""
    base = _SHEET_BAD.sub("_", name).strip("'") or "Sheet"
    title, n = base[:31], 2
    while title.lower() in taken:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def print_setup(ws: Worksheet, *, header_rows: str) -> None:
    """A4 landscape, fit to one page wide, header rows repeated on every printed page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = header_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


# ---------------------------------------------------------------------------------------
# Formula injection (CSV/formula injection, OWASP): a unit name, a note or a reason typed as
# "=HYPERLINK(…)", "+1+1", "-2+3" or "@SUM(A1)" must reach the reader as those characters.
# openpyxl writes a str starting with "=" as a formula, and Excel and WPS re-read a text cell
# starting with any of these as a formula the moment it is edited; a leading tab or carriage
# return hides the sign from a check and is trimmed by the spreadsheet. The rule itself
# (FORMULA_START, formula_like) is files.cells', shared with the CSV writers.


def safe(cell: Cell, value: object) -> Cell:
    """Put a value in a cell so that no text is ever a formula: the text is kept intact as a
    string cell, and a risky one also gets the quote prefix (Excel's leading apostrophe, not
    part of the value), so editing the cell in Excel or WPS does not turn it into one."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if formula_like(value):
            cell.quotePrefix = True
    return cell


def write_row(ws: Worksheet, row: int, values: Sequence[object], *, col: int = 1) -> list[Cell]:
    """Write values left to right from (row, col), each through safe()."""
    return [safe(ws.cell(row=row, column=col + i), value) for i, value in enumerate(values)]


def neutralise(wb: Workbook) -> None:
    """Every cell of every sheet through safe() — run by save_bytes, so a workbook that set a
    cell directly (cell.value = name, ws.append) is still written with no formula in it. The
    system writes no formulas of its own (checks and lists are data validations, not cells).
    A write-only workbook streams its rows and cannot be read back: it builds each cell
    through safe() instead (progress_workbook)."""
    if wb.write_only:
        return
    for ws in wb.worksheets:
        # The cells that exist, not iter_rows: that builds (and creates) every cell of the
        # bounding rectangle, a third of the time of the 60-sheet reporting template.
        for cell in list(ws._cells.values()):
            if isinstance(cell.value, str) and (cell.data_type == "f" or formula_like(cell.value)):
                safe(cell, cell.value)


def save_bytes(wb: Workbook) -> bytes:
    """The workbook as bytes, neutralised: the one way the system's workbooks are written."""
    neutralise(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------
# Reading


def check_upload(handle: IO[bytes], size: int, *, max_mb: int, report: ImportReport,
                 unzipped_max_mb: int = 100) -> bool:
    """Refuse, before parsing, a file that is too large or is not an xlsx by content (a
    renamed .xls, .csv or .docx is caught here, whatever its name says), and a zip bomb: the
    members' declared sizes, their total and their compression ratio are capped, and every
    member is read through a counter (in chunks) before openpyxl ever opens the file."""
    if size > max_mb * 1024 * 1024:
        report.file_problem(f"文件大小 {size / 1024 / 1024:.1f} MB，超过 {max_mb} MB 上限")
        return False
    head = handle.read(4)
    handle.seek(0)
    if head != b"PK\x03\x04":
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            report.file_problem("这是旧版 .xls/.et 文件，请在 Excel 或 WPS 中另存为 .xlsx 后再上传")
        else:
            report.file_problem("文件不是 Excel 工作簿（.xlsx）")
        return False
    limit = unzipped_max_mb * 1024 * 1024
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                report.file_problem("文件不是 Excel 工作簿（.xlsx）")
                return False
            check_zip(archive, ZipLimits(member_bytes=limit, total_bytes=limit))
    except zipfile.BadZipFile:
        report.file_problem("文件已损坏，无法作为 Excel 工作簿（.xlsx）读取")
        return False
    except UploadRejected as exc:
        report.file_problem(str(exc))
        return False
    finally:
        handle.seek(0)
    return True


def open_workbook(handle: IO[bytes], *, read_only: bool, report: ImportReport) -> Workbook | None:
    # data_only: a formula cell counts for the value Excel/WPS/LibreOffice last computed.
    try:
        return load_workbook(handle, read_only=read_only, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken package
        report.file_problem(f"无法读取该工作簿：{type(exc).__name__}")
        return None


@dataclass(frozen=True)
class CellValue:
    """A cell as the importers see it: where it is and a plain Python value."""

    row: int
    col: int
    value: object  # str (NFKC, stripped), int/float, datetime, bool or None
    percent: bool = False  # shown as a percentage, so 0.95 means 95


def plain(value: object) -> object:
    """Strings stripped; a cell holding only spaces counts as empty."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def narrow(value: object) -> object:
    """Full-width digits, letters and signs (“９５％”, typed with a Chinese IME) as ASCII.
    Only for numbers, codes and headers: prose keeps its full-width punctuation."""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip()
    return value


def read_rows(ws) -> list[list[CellValue]]:
    """All non-empty rows of a sheet, in either openpyxl mode. Empty trailing rows (which
    WPS and LibreOffice often leave in the sheet's dimension) are dropped."""
    rows: list[list[CellValue]] = []
    if hasattr(ws, "reset_dimensions"):
        # Read-only mode trusts the sheet's <dimension>; some generators write "A1" there
        # whatever the size, which would silently cut the sheet to one cell.
        ws.reset_dimensions()
    for cells in ws.iter_rows():
        out = []
        for cell in cells:
            value = plain(getattr(cell, "value", None))
            if value is None or not hasattr(cell, "column"):
                continue
            fmt = getattr(cell, "number_format", "") or ""
            out.append(CellValue(cell.row, cell.column, value, "%" in fmt and isinstance(value, int | float)))
        if out:
            rows.append(out)
    return rows


def fill_merged(ws: Worksheet, grid: dict[tuple[int, int], CellValue]) -> None:
    """Give every cell under a vertically merged range the value of the range's top row, as
    a reader sees it on screen. Cells to the right in a horizontal merge stay empty, so a
    title or a section heading still reads as one cell."""
    for rng in ws.merged_cells.ranges:
        for c in range(rng.min_col, rng.max_col + 1):
            top = grid.get((rng.min_row, c))
            if top is None:
                continue
            for r in range(rng.min_row + 1, rng.max_row + 1):
                grid[(r, c)] = CellValue(r, c, top.value, top.percent)


def as_text(value: object) -> str:
    """A cell as text for names and notes (dates as ISO, 3.0 as 3)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def header_map(row: list[CellValue]) -> dict[str, int]:
    """Header text → column, ignoring spaces, line breaks and a trailing note like
    “分值（分）”, so a header a user retyped still matches."""
    out: dict[str, int] = {}
    for cell in row:
        key = re.sub(r"\s+", "", str(narrow(as_text(cell.value))))
        key = re.sub(r"[（(].*[)）]$", "", key)
        if key and key not in out:
            out[key] = cell.col
    return out
