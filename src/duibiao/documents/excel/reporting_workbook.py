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
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import xlsxwriter
from openpyxl.utils import get_column_letter

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


def _excel_number(value: Decimal) -> str:
    return format(value.normalize(), "f")


Spec = tuple[tuple[object, ...], dict[str, Any]]  # (the rule's key, XlsxWriter's validation options)


class _Checks:
    """The sheet's data validations, one per distinct rule. A cell's validation says the same
    range as the import's check (`assessment.limits`: the kind's default, the scheme's min, max
    and integer), so Excel stops the slip the import would refuse, with the same words.

    Each indicator's rule is worked out once per workbook (`specs`, shared by the sheets: 60
    units ask the same 150 indicators), and each validation is written once with all its cells."""

    def __init__(self, ws: Any, rules: ValueRules, specs: dict[int, Spec]) -> None:
        self.ws, self.rules, self.specs = ws, rules, specs
        self.options: dict[tuple[object, ...], dict[str, Any]] = {}
        self.rows: dict[tuple[object, ...], list[int]] = {}

    def add(self, ind: Indicator, row: int) -> None:
        """`row` is 1-based, as the sheet shows it."""
        spec = self.specs.get(ind.pk)
        if spec is None:
            spec = self.specs[ind.pk] = self._spec(ind)
        key, options = spec
        if key not in self.options:
            self.options[key] = options
            self.rows[key] = []
        self.rows[key].append(row)

    def finish(self) -> None:
        col = C_VALUE - 1
        for key, rows in self.rows.items():
            options = {**self.options[key], "multi_range": " ".join(f"{VALUE_LETTER}{r}" for r in rows)}
            # XlsxWriter skips (with a warning) a validation whose prompt or message is over
            # Excel's limits; a template whose cells went unchecked must not be sent.
            if self.ws.data_validation(rows[0] - 1, col, rows[0] - 1, col, options) != 0:
                raise ValueError(f"data validation refused by the writer: {options['error_message']}")

    def _spec(self, ind: Indicator) -> Spec:
        common = {"ignore_blank": True, "show_error": True, "show_input": True, "error_title": "填报值无效"}
        if ind.kind == Indicator.Kind.YES_NO:
            return ("yes_no",), {**common, "input_title": "是/否", "input_message": "从下拉列表选择“是”或“否”",
                                 "error_message": "只能填“是”或“否”", "validate": "list", "source": '"是,否"'}
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
        # The limits go as text so that they are written digit for digit (a number would be
        # printed through a float); XlsxWriter writes a numeric text as the number it says.
        return key, {**common, "input_title": kind, "input_message": f"{prompt}（{error}）" if ranges else prompt,
                     "error_message": error, "validate": "integer" if whole else "decimal",
                     "criteria": "between", "minimum": _excel_number(lower), "maximum": _excel_number(upper)}


def _shown(indicator: Indicator, value: Decimal | None) -> object:
    if value is None:
        return None
    if indicator.kind == Indicator.Kind.YES_NO:
        return "是" if value else "否"
    # A Decimal, not a float: XlsxWriter prints numbers with 16 significant digits, which
    # would write the float of 99.99 as 99.98999999999999; the Decimal prints as stored.
    return int(value) if value == value.to_integral_value() else value.normalize()


def _status(sub: Submission | None) -> str:
    if sub is None:
        return "未填报"
    text = sub.get_status_display()
    if sub.status == Submission.Status.RETURNED and sub.return_reason:
        text = f"{text}：{sub.return_reason}"
    # A stored value that no longer validates (flagged by the reporting selector) is said
    # here, so that the unit corrects it in the sheet rather than meets it at import.
    return f"{text}（数值有误：{sub.problem}）" if sub.problem else text


def _colour(fill: Any) -> str:
    return "#" + str(fill.fgColor.rgb)[-6:]


class _Formats:
    """The template's cell formats, in the house styles of `workbook` (fonts, fills, the thin
    grey border), each made once per workbook with a quote-prefixed twin for text that starts
    like a formula. Every format gets its style index when it is made, in this fixed order, so
    a unit's sheet carries the same style numbers in its own template as in the all-units one
    (XlsxWriter would otherwise number formats in the order the cells first use them)."""

    def __init__(self, wb: Any) -> None:
        border = {"border": 1, "border_color": "#808080"}
        center = {"align": "center", "valign": "vcenter", "text_wrap": True}
        wrap = {"valign": "vcenter", "text_wrap": True}
        body = {"font_name": wbk.BODY_FONT, "font_size": 11, **border}
        specs: dict[str, dict[str, Any]] = {
            "title": {"font_name": wbk.HEAD_FONT, "font_size": 16, "bold": True, **center},
            "note": {"font_name": wbk.BODY_FONT, "font_size": 10, "font_color": "#595959", **wrap},
            "header": {"font_name": wbk.HEAD_FONT, "font_size": 11, "bold": True, "pattern": 1,
                       "bg_color": _colour(wbk.HEADER_FILL), **center, **border},
            "example": {"font_name": wbk.BODY_FONT, "font_size": 11, "italic": True, "font_color": "#808080",
                        "pattern": 1, "bg_color": _colour(wbk.EXAMPLE_FILL), **border},
            "center": {**body, **center},
            "wrap": {**body, **wrap},
        }
        for editable in (True, False):
            fill = {"pattern": 1, "bg_color": _colour(wbk.INPUT_FILL if editable else wbk.LOCKED_FILL),
                    "locked": not editable}
            specs[f"value{editable}"] = {**body, **center, **fill}
            specs[f"note{editable}"] = {**body, **wrap, **fill}
        self.plain: dict[str, Any] = {}
        self.quoted: dict[str, Any] = {}
        self.carriage_return = False  # some text holds a CR (see _carriage_returns)
        for name, spec in specs.items():
            for table, extra in ((self.plain, {}), (self.quoted, {"quote_prefix": True})):
                fmt = table[name] = wb.add_format({**spec, **extra})
                fmt._get_xf_index()  # the fixed style number (see the class's note)


def _put(ws: Any, formats: _Formats, row: int, col: int, value: object, style: str) -> None:
    """One cell, 1-based as the sheet shows it. Text is always written as a string, and text
    that starts like a formula (= + - @, a tab) carries the quote prefix, as `workbook.safe`
    does for openpyxl: no text a unit typed is ever a formula in the office's Excel."""
    if isinstance(value, str) and value:
        fmt = (formats.quoted if wbk.formula_like(value) else formats.plain)[style]
        formats.carriage_return = formats.carriage_return or "\r" in value
        ws.write_string(row - 1, col - 1, value, fmt)
    elif isinstance(value, bool):
        raise TypeError("the template writes no booleans")
    elif isinstance(value, int | float | Decimal):
        ws.write_number(row - 1, col - 1, value, formats.plain[style])
    else:
        ws.write_blank(row - 1, col - 1, None, formats.plain[style])


def _write_sheet(ws: Any, *, formats: _Formats, period: Period, sheet: TemplateSheet, title: str,
                 rules: ValueRules, specs: dict[int, Spec]) -> None:
    # The merged title and instructions: merged empty, then the text written as a string
    # (merge_range would read a title starting with "=" as a formula).
    ws.merge_range(0, 0, 0, 7, "", formats.plain["title"])
    _put(ws, formats, 1, 1, title, "title")
    ws.merge_range(1, 0, 1, 7, "", formats.plain["note"])
    _put(ws, formats, 2, 1, INSTRUCTIONS, "note")
    ws.write_string(0, C_VERSION - 1, f"{UNIT_TAG}{sheet.unit.code}")
    ws.write_string(1, C_VERSION - 1, f"{PERIOD_TAG}{period_key(period)}")
    ws.set_row(0, 28)
    ws.set_row(1, 48)
    for c, head in enumerate(HEADERS, 1):
        _put(ws, formats, HEADER_ROW, c, head, "header")
    example = (EXAMPLE, "（示例）深化能力作风建设", "示例：督查问题整改率", "%", "百分比", 95, "示例行，导入时忽略", "", None)
    for c, value in enumerate(example, 1):
        _put(ws, formats, 4, c, value, "example")

    checks = _Checks(ws, rules, specs)
    r = 4  # the example row
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
        status = _status(sub)
        for n, (code, name, uom, kind_text, value) in enumerate(lines):
            note = (sub.note if sub else "") if n == 0 else None
            r += 1
            row = (code, top, name, uom, kind_text, value, note, status, sub.version if sub else 0)
            for c, cell in enumerate(row, 1):
                style = ("wrap" if c in (2, 3, 8) else "center") if c not in (C_VALUE, C_NOTE) else (
                    f"{'value' if c == C_VALUE else 'note'}{editable}")
                _put(ws, formats, r, c, cell, style)
            if editable:
                checks.add(ind, r)
    checks.finish()

    for col, width in {1: 12, 2: 22, 3: 34, 4: 9, 5: 11, 6: 14, 7: 30, 8: 12}.items():
        ws.set_column(col - 1, col - 1, width)
    ws.set_column(C_VERSION - 1, C_VERSION - 1, 8, None, {"hidden": True})
    ws.freeze_panes(FIRST_ROW - 1, 3)  # D5: codes and names stay in view
    # As workbook.print_setup: A4 landscape, one page wide, the header row on every page.
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW - 1)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.print_area(0, 0, r - 1, 7)
    # No password: the lock stops slips (typing over a code), not a determined user; the
    # import checks every cell anyway. Resizing rows and columns stays allowed.
    ws.protect("", {"format_columns": True, "format_rows": True})


def reporting_workbook_build(*, period: Period, sheets: list[TemplateSheet]) -> bytes:
    """The template as xlsx bytes. Written with XlsxWriter, which writes each cell as it is
    given (openpyxl built and styled ~83 000 cell objects for 60 units); read back with
    openpyxl like any upload. Strings are never read as formulas, numbers or links."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_numbers": False, "strings_to_urls": False})
    formats = _Formats(wb)
    taken: set[str] = set()
    rules = value_rules(period.version)
    specs: dict[int, Spec] = {}
    for sheet in sheets:
        ws = wb.add_worksheet(wbk.sheet_title(sheet.unit.name, taken))
        _write_sheet(ws, formats=formats, period=period, sheet=sheet, rules=rules, specs=specs,
                     title=f"{period.name} {sheet.unit.name} 考核数据填报表")
    wb.close()
    return _carriage_returns(out.getvalue()) if formats.carriage_return else out.getvalue()


# XlsxWriter writes a carriage return in text as Excel does, "_x000D_"; openpyxl (the system's
# reader, and many others) does not decode that escape, so a note or name holding "\r" would
# come back as the letters "_x000D_" (a changed note at import, a hidden "\r=…" formula sign
# turned into letters). The shared strings then say it as the XML character reference, which
# every reader decodes. A user's own text "_x000D_" is written "_x005F_x000D_" and left alone.
_CR = re.compile(rb"(?<!_x005F)_x000D_")


def _carriage_returns(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info, _CR.sub(b"&#13;", body) if info.filename == "xl/sharedStrings.xml" else body)
    return out.getvalue()


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
