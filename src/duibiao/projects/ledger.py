"""Reading a project ledger (台账) file into ledger rows — pure Python, all or nothing.

The ledger of ``duibiao project-rates`` has one row per project with the columns of
:data:`COLUMNS` (money in 万元, dates ISO, blank = not yet). A file with any problem yields no
rows: :class:`LedgerError` carries every problem found, each located by row and column, so
the person fixing the file sees them all at once.

    rows = read_ledger("ledger.xlsx")     # .csv (UTF-8 with or without BOM, or GB18030) or .xlsx
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from duibiao.projects.rates import Funding, Kind, LedgerRow, Level, Stage

__all__ = ["COLUMNS", "LedgerError", "Problem", "parse_rows", "read_ledger", "write_ledger_csv"]

COLUMNS = ("code", "name", "unit", "level", "type", "stage", "source", "planned_total",
           "planned_annual", "planned_start", "planned_completion", "actual_start",
           "actual_completion", "completed_ytd", "funds_planned", "funds_in_place", "in_stats_on")
MONEY = ("planned_total", "planned_annual", "completed_ytd", "funds_planned", "funds_in_place")
DATES = ("planned_start", "planned_completion", "actual_start", "actual_completion", "in_stats_on")
V = TypeVar("V", Stage, Level, Kind, Funding)
Fail = Callable[[str, str], None]  # records a problem: column, message
# A workbook is a zip: caps checked on the declared sizes before openpyxl unpacks anything
# (the same figures as the upload guard of duibiao.files, which needs Django and so is not
# usable from this offline reader).
MAX_MONEY = Decimal("999999999999.99")  # 万元, as the project library stores it
MB = 1024 * 1024
ZIP_MEMBERS, ZIP_TOTAL_BYTES, ZIP_RATIO, ZIP_RATIO_FROM = 2000, 100 * MB, 100, 1 * MB
DATE_TEXT = re.compile(
    r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


@dataclass(frozen=True)
class Problem:
    """One problem of a ledger file: row (1 = the header; 0 = the file itself) and column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        return f"行 {self.row}，列 {self.column}：{self.message}" if self.column else \
            f"行 {self.row}：{self.message}"


class LedgerError(Exception):
    """The ledger cannot be used; `problems` lists every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


Cell = object  # what a file gives: str (CSV), or str / int / float / date / datetime / None (xlsx)


def read_ledger(path: str | Path) -> list[LedgerRow]:
    """The rows of a .csv or .xlsx ledger, or LedgerError with every problem found."""
    p = Path(path)
    if not p.is_file():
        raise LedgerError([Problem(0, "", f"找不到台账文件：{p}")])
    suffix = p.suffix.lower()
    if suffix == ".csv":
        table = _csv_table(p)
    elif suffix in (".xlsx", ".xlsm"):
        table = _xlsx_table(p)
    else:
        raise LedgerError([Problem(0, "", f"台账须为 .csv 或 .xlsx 文件，而不是“{p.suffix or p.name}”")])
    if not table:
        raise LedgerError([Problem(0, "", "台账是空的：第一行应为列名 " + ", ".join(COLUMNS))])
    (header_row, header), body = table[0], table[1:]
    return parse_rows([_text(h) for h in header], body, header_row=header_row)


def _csv_table(path: Path) -> list[tuple[int, list[Cell]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # WPS and Excel on Chinese Windows save CSV in GBK / GB18030
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise LedgerError([Problem(0, "", "无法识别台账文件的编码，请另存为 UTF-8 的 CSV")]) from None
    return [(n, list(cells)) for n, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
            if any(c.strip() for c in cells)]


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise LedgerError([Problem(0, "", "文件不是有效的 Excel（.xlsx）工作簿")]) from None
    total = sum(i.file_size for i in infos)
    bomb = any(i.file_size > ZIP_RATIO_FROM and i.file_size > ZIP_RATIO * max(i.compress_size, 1)
               for i in infos)
    if len(infos) > ZIP_MEMBERS or total > ZIP_TOTAL_BYTES or bomb:
        raise LedgerError([Problem(0, "", "Excel 工作簿解压后过大，疑似压缩炸弹，未读取")])


def _xlsx_table(path: Path) -> list[tuple[int, list[Cell]]]:
    _check_zip(path)
    import openpyxl  # only the .xlsx path needs it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a broken workbook
        raise LedgerError([Problem(0, "", "无法读取 Excel 工作簿，文件可能已损坏")]) from None
    try:
        sheet = workbook.worksheets[0]
        return [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
                if any(_text(c) for c in cells)]
    finally:
        workbook.close()


def parse_rows(header: Sequence[str], rows: Iterable[tuple[int, Sequence[Cell]]], *,
               header_row: int = 1) -> list[LedgerRow]:
    """Ledger rows from a header and (row number, cells) pairs; LedgerError on any problem."""
    names = [h.strip().lower() for h in header]
    problems = [Problem(header_row, c, f"缺少列 {c}") for c in COLUMNS if c not in names]
    problems += [Problem(header_row, c, f"列 {c} 出现了两次") for c in COLUMNS if names.count(c) > 1]
    if problems:
        raise LedgerError(problems)
    index = {c: names.index(c) for c in COLUMNS}
    out: list[LedgerRow] = []
    first_row: dict[str, int] = {}
    for number, cells in rows:
        row_problems: list[Problem] = []
        ledger_row = _parse_row(number, {c: cells[i] if i < len(cells) else None for c, i in index.items()},
                                row_problems)
        if ledger_row is not None:
            if ledger_row.code in first_row:
                row_problems.append(Problem(number, "code", f"项目代码“{ledger_row.code}”重复（第 {first_row[ledger_row.code]} 行已有）"))
            else:
                first_row[ledger_row.code] = number
                out.append(ledger_row)
        problems += row_problems
    if problems:
        raise LedgerError(problems)
    return out


def _parse_row(number: int, cells: dict[str, Cell], problems: list[Problem]) -> LedgerRow | None:
    before = len(problems)

    def fail(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    code = _text(cells["code"])
    if not code:
        fail("code", "项目代码不能为空")
    level = _vocabulary(cells["level"], "level", Level, fail)
    kind = _vocabulary(cells["type"], "type", Kind, fail)
    stage = _vocabulary(cells["stage"], "stage", Stage, fail)
    source = _vocabulary(cells["source"], "source", Funding, fail)
    money = {c: _money(cells[c], c, fail) for c in MONEY}
    dates = {c: _date(cells[c], c, fail) for c in DATES}
    for done, began, what in (("actual_completion", "actual_start", "实际"),
                              ("planned_completion", "planned_start", "计划")):
        end, start = dates[done], dates[began]
        if end is not None and start is not None and end < start:
            fail(done, f"{what}竣工日期 {end.isoformat()} 早于{what}开工日期 {start.isoformat()}")
    if len(problems) > before or level is None or kind is None or stage is None or source is None:
        return None
    return LedgerRow(
        code=code, name=_text(cells["name"]), unit=_text(cells["unit"]),
        level=level, type=kind, stage=stage, source=source, row=number,
        planned_total=money["planned_total"], planned_annual=money["planned_annual"],
        completed_ytd=money["completed_ytd"], funds_planned=money["funds_planned"],
        funds_in_place=money["funds_in_place"],
        planned_start=dates["planned_start"], planned_completion=dates["planned_completion"],
        actual_start=dates["actual_start"], actual_completion=dates["actual_completion"],
        in_stats_on=dates["in_stats_on"],
        as_written=tuple((c, _text(cells[c])) for c in ("level", "type", "stage", "source")),
    )


def _vocabulary(value: Cell, column: str, vocabulary: type[V], fail: Fail) -> V | None:
    text = _text(value)
    member = vocabulary.parse(text)
    if member is None:
        said = f"“{text}”不是允许的值" if text else "不能为空"
        fail(column, f"{said}，允许：{vocabulary.allowed()}")
    return member


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed into Excel as a number comes back as 1001.0
    return str(value).strip()


def _money(value: Cell, column: str, fail: Fail) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    amount: Decimal | None = None
    if isinstance(value, bool):
        amount = None
    elif isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = None if math.isnan(value) or math.isinf(value) else Decimal(repr(value))
    elif isinstance(value, str):
        try:  # "1,234.5" as people write it; full-width commas from a Chinese input method
            amount = Decimal(re.sub(r"[,，\s]", "", value))
        except InvalidOperation:
            amount = None
    if amount is None or not amount.is_finite():
        fail(column, f"“{_text(value)}”不是数字（金额以万元计）")
        return None
    if amount < 0:
        fail(column, f"金额不能为负数（{_text(value)}）")
        return None
    if amount > MAX_MONEY:
        fail(column, f"金额过大（{_text(value)} 万元），请检查单位是否为万元")
        return None
    return amount


def _date(value: Cell, column: str, fail: Fail) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_TEXT.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is not None:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    fail(column, f"“{_text(value)}”不是日期，应为 YYYY-MM-DD")
    return None


def write_ledger_csv(rows: Iterable[LedgerRow], path: str | Path) -> None:
    """A ledger file that read_ledger (and so ``duibiao project-rates``) reads back as `rows`:
    UTF-8 with a BOM, codes for the vocabularies, ISO dates, blank for None."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            values = (getattr(row, column) for column in COLUMNS)
            writer.writerow("" if v is None else v.isoformat() if isinstance(v, date) else str(v)
                            for v in values)
