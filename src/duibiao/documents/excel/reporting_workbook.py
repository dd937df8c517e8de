"""数据填报模板: one sheet per unit for a period, and reading it back filled in.

Sheet layout (row numbers are what users and the import report see):

1  title (merged)                                           | I1 hidden: unit:<code>
2  how to fill in (merged)                                  | I2 hidden: period:<key>
3  指标代码 | 一级指标 | 指标名称 | 计量单位 | 数据类型 | 填报值 | 填报说明 | 状态 | 数据版本 (hidden)
4  示例 … (grey, never imported)
5… one row per indicator; a ballot indicator has one row per grade, coded “nl05:优秀”.

A ballot gets one row per grade rather than one column per grade: every row then has exactly
one input cell with one kind of validation, and a sheet without ballots has no empty columns.
The hidden 数据版本 column carries each value's optimistic-lock version at download time, so
an import never overwrites a value someone changed in the meantime.
"""

from __future__ import annotations

import datetime as dt
import math
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

from duibiao.assessment.limits import COLUMN_LIMIT, DECIMALS, PERCENT_LIMIT, ValueRules, value_rules
from duibiao.assessment.models import Indicator, Period, Submission
from duibiao.documents.excel import workbook as wbk
from duibiao.documents.excel.problems import ImportReport

if TYPE_CHECKING:
    from duibiao.assessment.selectors.reporting import ReportRow
    from duibiao.org.models import Unit

HEADERS = ("指标代码", "一级指标", "指标名称", "计量单位", "数据类型", "填报值", "填报说明", "状态", "数据版本")
REQUIRED = ("指标代码", "填报值")
C_CODE, C_VALUE, C_NOTE, C_VERSION = 1, 6, 7, 9
VALUE_LETTER = get_column_letter(C_VALUE)
HEADER_ROW, FIRST_ROW = 3, 5
EXAMPLE = "示例"
UNIT_TAG, PERIOD_TAG = "unit:", "period:"
GRADE_SEP = ":"  # "nl05:优秀"; codes may not contain ':' so the split is unambiguous
LOCKED = (Submission.Status.SUBMITTED, Submission.Status.APPROVED)
INSTRUCTIONS = (
    "填写说明：只填黄色单元格（填报值、填报说明）；灰色行已提交或已审核，不能修改。百分比填数值，"
    "如 95 表示 95%；是/否 从下拉列表选择；测评票数按等次逐行填写。第 4 行为示例，导入时忽略。"
    "留空的填报值不导入（保留系统中原有数据）。导入时整份文件逐格校验，有任何错误则全部不导入。"
)


def period_key(period: Period) -> str:
    """Identifies the period across databases (a primary key would not survive a restore)."""
    return f"{period.version.scheme.code}/{period.kind}/{period.year}/{period.number}"


@dataclass
class TemplateSheet:
    unit: Unit
    rows: list[ReportRow]


def _dv(ws, kind: str, prompt: str, error: str, **kw) -> DataValidation:
    v = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=True,
                       errorTitle="填报值无效", error=error, promptTitle=kind, prompt=prompt, **kw)
    ws.add_data_validation(v)
    return v


def _excel_number(value: Decimal) -> str:
    return format(value.normalize(), "f")


Spec = tuple[tuple[object, ...], dict[str, Any]]  # (the rule's key, _dv's arguments)


class _Checks:
    """The sheet's data validations, one per distinct rule. A cell's validation says the same
    range as the import's check (`assessment.limits`: the kind's default, the scheme's min, max
    and integer), so Excel stops the slip the import would refuse, with the same words.

    Each indicator's rule is worked out once per workbook (`specs`, shared by the sheets: 60
    units ask the same 150 indicators), and each validation's cells are given to it once at the
    end: openpyxl's `add` checks a new cell against every cell already there (9 000 cells)."""

    def __init__(self, ws, rules: ValueRules, specs: dict[int, Spec]) -> None:
        self.ws, self.rules, self.specs = ws, rules, specs
        self.made: dict[tuple[object, ...], DataValidation] = {}
        self.cells: dict[tuple[object, ...], list[str]] = {}

    def add(self, ind: Indicator, coordinate: str) -> None:
        spec = self.specs.get(ind.pk)
        if spec is None:
            spec = self.specs[ind.pk] = self._spec(ind)
        key, arguments = spec
        if key not in self.made:
            self.made[key] = _dv(self.ws, **arguments)
            self.cells[key] = []
        self.cells[key].append(coordinate)

    def finish(self) -> None:
        for key, cells in self.cells.items():
            self.made[key].sqref = MultiCellRange(" ".join(cells))

    def _spec(self, ind: Indicator) -> Spec:
        if ind.kind == Indicator.Kind.YES_NO:
            return ("yes_no",), {"kind": "是/否", "prompt": "从下拉列表选择“是”或“否”",
                                 "error": "只能填“是”或“否”", "type": "list", "formula1": '"是,否"'}
        ranges = self.rules.ranges(ind)
        lower = max((r.lower for r in ranges if r.lower is not None), default=None)
        upper = min((r.upper for r in ranges if r.upper is not None), default=None)
        if ind.kind == Indicator.Kind.PERCENT:
            lower = -PERCENT_LIMIT if lower is None else max(lower, -PERCENT_LIMIT)
            upper = PERCENT_LIMIT if upper is None else min(upper, PERCENT_LIMIT)
        whole = ind.kind == Indicator.Kind.BALLOT or any(r.integer for r in ranges)
        if ind.kind == Indicator.Kind.BALLOT:
            lower = Decimal(0) if lower is None else lower
        lower = -COLUMN_LIMIT if lower is None else lower
        upper = COLUMN_LIMIT if upper is None else upper
        error = "；".join(r.text() for r in ranges) or (
            f"应在 {_excel_number(lower)} 到 {_excel_number(upper)} 之间"
            if ind.kind == Indicator.Kind.PERCENT or lower > -COLUMN_LIMIT else "请填写数字")
        if whole and "整数" not in error:
            error = f"请填写整数；{error}"
        kinds: dict[str, str] = {Indicator.Kind.PERCENT: "百分比", Indicator.Kind.COUNT: "次数/件数",
                                 Indicator.Kind.BALLOT: "测评票数"}
        kind = kinds.get(ind.kind, "数值")
        prompt = "填写百分数的数值，如 95 表示 95%" if ind.kind == Indicator.Kind.PERCENT else (
            "填写该等次的票数" if ind.kind == Indicator.Kind.BALLOT else "填写数字")
        key = (kind, lower, upper, whole, error)
        return key, {"kind": kind, "prompt": f"{prompt}（{error}）" if ranges else prompt, "error": error,
                     "type": "whole" if whole else "decimal", "operator": "between",
                     "formula1": _excel_number(lower), "formula2": _excel_number(upper)}


def _shown(indicator: Indicator, value: Decimal | None) -> object:
    if value is None:
        return None
    if indicator.kind == Indicator.Kind.YES_NO:
        return "是" if value else "否"
    return int(value) if value == value.to_integral_value() else float(value)


def _status(sub: Submission | None) -> str:
    if sub is None:
        return "未填报"
    text = sub.get_status_display()
    if sub.status == Submission.Status.RETURNED and sub.return_reason:
        text = f"{text}：{sub.return_reason}"
    # A stored value that no longer validates (flagged by the reporting selector) is said
    # here, so that the unit corrects it in the sheet rather than meets it at import.
    return f"{text}（数值有误：{sub.problem}）" if sub.problem else text


def _write_sheet(ws, *, period: Period, sheet: TemplateSheet, title: str, rules: ValueRules,
                 specs: dict[int, Spec]) -> None:
    ws.append([title, *([None] * 7), f"{UNIT_TAG}{sheet.unit.code}"])
    ws.append([INSTRUCTIONS, *([None] * 7), f"{PERIOD_TAG}{period_key(period)}"])
    ws.append(list(HEADERS))
    ws.merge_cells("A1:H1")
    ws.merge_cells("A2:H2")
    ws["A1"].font, ws["A1"].alignment = wbk.TITLE, wbk.CENTER
    ws["A2"].font, ws["A2"].alignment = wbk.NOTE, wbk.WRAP
    ws.row_dimensions[1].height = 28
    ws.row_dimensions[2].height = 48
    for cell in ws[HEADER_ROW]:
        cell.font, cell.fill, cell.alignment, cell.border = wbk.HEADER, wbk.HEADER_FILL, wbk.CENTER, wbk.BORDER
    ws.append([EXAMPLE, "（示例）深化能力作风建设", "示例：督查问题整改率", "%", "百分比", 95,
               "示例行，导入时忽略", "", None])
    for cell in ws[4]:
        cell.font, cell.fill, cell.border = wbk.EXAMPLE, wbk.EXAMPLE_FILL, wbk.BORDER

    checks = _Checks(ws, rules, specs)
    r = 4  # the example row; counted here, as ws.max_row looks at every cell each time
    # Assigning a font or fill hashes the style on every cell, which dominated the time of a
    # 60-sheet template; each (column, editable) style is built once and its index copied.
    styles: dict[tuple[int, bool], object] = {}
    kind_names = {k: str(label) for k, label in Indicator.Kind.choices}
    for report_row in sheet.rows:
        ind, sub = report_row.indicator, report_row.submission
        editable = sub is None or sub.status not in LOCKED
        top = ind.ancestors[0] if ind.ancestors else ""
        kind = kind_names.get(ind.kind, ind.kind)
        lines = []
        if ind.kind == Indicator.Kind.BALLOT:
            ballots = (sub.ballots if sub else {}) or {}
            for grade in ind.grade_names:
                lines.append((f"{ind.code}{GRADE_SEP}{grade}", f"{ind.name}（{grade}）", "票", kind,
                              ballots.get(grade)))
        else:
            lines.append((ind.code, ind.name, ind.unit_of_measure, kind, _shown(ind, sub.value if sub else None)))
        for n, (code, name, uom, kind_text, value) in enumerate(lines):
            note = (sub.note if sub else "") if n == 0 else None
            ws.append([code, top, name, uom, kind_text, value, note, _status(sub), sub.version if sub else 0])
            r += 1
            for c in range(1, len(HEADERS) + 1):
                cell = ws.cell(r, c)
                key = (c, editable and c in (C_VALUE, C_NOTE))
                if key in styles:
                    cell._style = copy(styles[key])
                    continue
                cell.font, cell.border = wbk.BODY, wbk.BORDER
                cell.alignment = wbk.WRAP if c in (2, 3, C_NOTE, 8) else wbk.CENTER
                if c in (C_VALUE, C_NOTE):
                    cell.fill = wbk.INPUT_FILL if editable else wbk.LOCKED_FILL
                    cell.protection = Protection(locked=not editable)
                styles[key] = copy(cell._style)
            if editable:
                checks.add(ind, f"{VALUE_LETTER}{r}")
    checks.finish()

    wbk.set_widths(ws, {1: 12, 2: 22, 3: 34, 4: 9, 5: 11, 6: 14, 7: 30, 8: 12, 9: 8})
    ws.column_dimensions["I"].hidden = True
    ws.freeze_panes = f"D{FIRST_ROW}"
    wbk.print_setup(ws, header_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.print_area = f"A1:H{ws.max_row}"
    # No password: the lock stops slips (typing over a code), not a determined user; the
    # import checks every cell anyway. Resizing rows and columns stays allowed.
    ws.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False, selectLockedCells=False)


def reporting_workbook_build(*, period: Period, sheets: list[TemplateSheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    rules = value_rules(period.version)
    specs: dict[int, Spec] = {}
    for sheet in sheets:
        ws = wb.create_sheet(wbk.sheet_title(sheet.unit.name, taken))
        _write_sheet(ws, period=period, sheet=sheet, title=f"{period.name} {sheet.unit.name} 考核数据填报表",
                     rules=rules, specs=specs)
    return wbk.save_bytes(wb)


# ---------------------------------------------------------------------------------------
# Reading a filled-in template


@dataclass
class RowIn:
    row: int
    code: str
    grade: str | None
    value: wbk.CellValue | None
    note: str
    version: int | None  # 数据版本 at download, None when the column is absent or blank


@dataclass
class SheetIn:
    title: str
    unit_code: str | None
    period_key: str | None
    header_row: int | None
    heads: dict[str, int] = field(default_factory=dict)
    rows: list[RowIn] = field(default_factory=list)


def _int(value: object) -> int | None:
    try:
        return int(str(wbk.narrow(wbk.as_text(value))))
    except ValueError:
        return None


def parse_reporting_workbook(wb, report: ImportReport) -> list[SheetIn]:
    """Each sheet's rows; column-level problems (a missing column) go to the report."""
    sheets = []
    for ws in wb.worksheets:
        if getattr(ws, "sheet_state", "visible") != "visible":
            continue  # a hidden helper sheet a user's macro or WPS added
        rows = wbk.read_rows(ws)
        if not rows:
            continue
        meta: dict[str, str] = {}
        header = None
        for row in rows[:15]:
            for cell in row:
                text = str(wbk.narrow(wbk.as_text(cell.value)))
                for tag in (UNIT_TAG, PERIOD_TAG):
                    if text.startswith(tag):
                        meta[tag] = text[len(tag):]
            heads = wbk.header_map(row)
            if header is None and ("指标代码" in heads or "填报值" in heads):
                header = (row[0].row, heads)
        sheet = SheetIn(ws.title, meta.get(UNIT_TAG), meta.get(PERIOD_TAG), header[0] if header else None)
        sheets.append(sheet)
        if header is None:
            report.add(ws.title, None, "未找到表头（应包含“指标代码”“填报值”列），该工作表不是填报模板")
            continue
        sheet.heads = header[1]
        missing = [h for h in REQUIRED if h not in sheet.heads]
        for h in missing:
            report.add(ws.title, sheet.header_row, f"缺少必需的列“{h}”", header=h)
        if missing:
            continue
        c_code, c_value = sheet.heads["指标代码"], sheet.heads["填报值"]
        c_note, c_version = sheet.heads.get("填报说明"), sheet.heads.get("数据版本")
        for row in rows:
            if row[0].row <= header[0]:  # (the header row)
                continue
            cells = {c.col: c for c in row}
            code = str(wbk.narrow(wbk.as_text(cells[c_code].value))) if c_code in cells else ""
            if code.startswith(EXAMPLE):
                continue
            value = cells.get(c_value)
            note = wbk.as_text(cells[c_note].value) if c_note in cells else ""
            if not code:
                if value is not None:
                    report.add(ws.title, row[0].row, "有填报值但缺少指标代码", col=c_code, header="指标代码")
                continue
            base, _, grade = code.partition(GRADE_SEP)
            version = _int(cells[c_version].value) if c_version in cells else None
            sheet.rows.append(RowIn(row[0].row, base, grade or None, value, note, version))
    return sheets


def cell_raw(indicator: Indicator, cell: wbk.CellValue) -> tuple[object, str | None]:
    """The cell as clean_value wants it, or a reason the cell cannot be a value at all."""
    value = cell.value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return None, (f"单元格是日期/时间（{wbk.as_text(value)}），应填数字；"
                      "请把单元格格式改为“常规”或“数值”后重新填写")
    binary = isinstance(value, float) and math.isfinite(value)
    if binary:
        # Binary floats as Excel shows them (0.1, not 0.1000000000000000055…).
        value = Decimal(repr(value))
    if cell.percent and indicator.kind == Indicator.Kind.PERCENT and isinstance(value, int | Decimal):
        value = Decimal(value) * 100  # a cell formatted 0% that shows 95% holds 0.95
    if binary and isinstance(value, Decimal) and abs(value) < COLUMN_LIMIT:
        # A formula's 33.333333333333336 at the six decimals the system keeps; digits typed
        # as text are checked as typed. (The exponent is a number: the value is finite.)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -DECIMALS:
            value = value.quantize(Decimal(1).scaleb(-DECIMALS)).normalize()
    if isinstance(value, str):
        value = str(wbk.narrow(value))
    return value, None
