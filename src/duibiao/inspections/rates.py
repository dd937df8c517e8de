"""问题处置率 and its companions, as of a date — the one implementation for the pages, the
indicator sources and ``duibiao disposal-rates``. Pure Python: no Django, no database.

For the as-of date D (issue 12, "The rates"), over the findings found on or before D:

- deadline in force = ``extended_to`` when given, else ``deadline`` (none: never due);
- 应整改 ``due`` = deadline in force ≤ D, plus findings closed (either outcome) by D whose
  deadline is later — a finding fixed early counts for the unit, not against it;
- 已销号 ``closed`` = ``outcome = closed`` and ``closed_on`` ≤ D (closed-not-fixed is due,
  never closed);
- 按期 ``on_time`` = closed by D and ``closed_on`` ≤ the deadline in force;
- 逾期 ``overdue`` = deadline in force < D (strictly: the deadline day itself is not late)
  and not closed (either outcome) by D;
- 平均整改天数 = mean calendar days ``found_on`` → ``closed_on`` over the closed ones.

A closure dated after D has not happened yet at D. Rates are percentages (0–100) as
unrounded ``Decimal``; ``None`` when the denominator is empty. Files are rounded half up to
two decimals by :func:`fmt2`.

    rows = read_findings("findings.csv")            # or FindingsError(problems)
    table = group_rates(rows, date(2026, 6, 30), by="unit")
    write_rates_csv("rates.csv", table)
"""

from __future__ import annotations

import csv
import gc
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Literal, NoReturn

__all__ = [
    "ALL",
    "COLUMNS",
    "FindingRow",
    "FindingsError",
    "GroupRates",
    "Outcome",
    "Problem",
    "closed_by",
    "deadline_in_force",
    "fmt2",
    "group_rates",
    "is_overdue",
    "rates_rows",
    "read_findings",
    "write_rates_csv",
]

ALL = "全部"
COLUMNS = ("group", "findings", "due", "closed", "disposal_rate", "on_time_rate", "overdue",
           "avg_days")
GroupBy = Literal["unit", "campaign"] | None


class Outcome(StrEnum):
    """How a finding was closed; an open finding has none."""

    CLOSED = "closed"  # 销号: fixed and verified
    CLOSED_NOT_FIXED = "closed_not_fixed"  # 未整改销号: closed with a reason, not fixed


@dataclass(frozen=True, slots=True)
class FindingRow:
    """One finding as the rates see it. ``row`` is the file row, for messages (None from the
    database). F and G map their Finding models to this."""

    id: str
    unit: str
    campaign: str
    found_on: date
    deadline: date | None
    extended_to: date | None = None
    closed_on: date | None = None
    outcome: Outcome | None = None
    row: int | None = None


def deadline_in_force(deadline: date | None, extended_to: date | None) -> date | None:
    """The approved extension when there is one, else the original deadline."""
    return extended_to if extended_to is not None else deadline


def closed_by(f: FindingRow, as_of: date) -> bool:
    """Closed (either outcome) on or before ``as_of``."""
    return f.outcome is not None and f.closed_on is not None and f.closed_on <= as_of


def is_overdue(f: FindingRow, as_of: date) -> bool:
    """逾期 at ``as_of``: the deadline in force has passed (strictly) and it is not closed."""
    d = deadline_in_force(f.deadline, f.extended_to)
    return d is not None and d < as_of and not closed_by(f, as_of)


@dataclass(slots=True)
class GroupRates:
    """The counts and rates of one group (a unit, a campaign, or 全部)."""

    group: str
    findings: int = 0
    due: int = 0
    closed: int = 0
    on_time: int = 0
    overdue: int = 0
    closed_days: int = 0  # sum of days found → closed over the closed ones
    ids: list[str] = field(default_factory=list, repr=False)  # provenance: the findings counted

    @property
    def disposal_rate(self) -> Decimal | None:
        """问题处置率 in percent: 已销号 ÷ 应整改."""
        return _pct(self.closed, self.due)

    @property
    def on_time_rate(self) -> Decimal | None:
        """按期整改率 in percent: closed by the deadline in force ÷ 应整改."""
        return _pct(self.on_time, self.due)

    @property
    def avg_days(self) -> Decimal | None:
        """平均整改天数 over the closed ones."""
        return Decimal(self.closed_days) / Decimal(self.closed) if self.closed else None

    def add(self, other: GroupRates) -> None:
        self.findings += other.findings
        self.due += other.due
        self.closed += other.closed
        self.on_time += other.on_time
        self.overdue += other.overdue
        self.closed_days += other.closed_days
        self.ids.extend(other.ids)


def _pct(num: int, den: int) -> Decimal | None:
    return Decimal(num * 100) / Decimal(den) if den else None


def fmt2(value: Decimal | None) -> str:
    """Two decimals, half up (四舍五入); blank for None. ``fmt2(Decimal("12.345"))`` → 12.35."""
    if value is None:
        return ""
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def group_rates(rows: Iterable[FindingRow], as_of: date, by: GroupBy = None) -> list[GroupRates]:
    """One entry per group (sorted by name) that has a finding found by ``as_of``, then 全部.

    Usage: ``group_rates(rows, date(2026, 6, 30), by="unit")[-1].disposal_rate``.
    """
    groups: dict[str, GroupRates] = {}
    total = GroupRates(ALL)
    for f in rows:
        if f.found_on > as_of:
            continue  # not found yet at D: it does not exist
        key = "" if by is None else (f.unit if by == "unit" else f.campaign)
        g = groups.get(key)
        if g is None:
            g = groups[key] = GroupRates(key)
        g.findings += 1
        g.ids.append(f.id)
        limit = f.extended_to if f.extended_to is not None else f.deadline
        done = f.outcome is not None and f.closed_on is not None and f.closed_on <= as_of
        if (limit is not None and limit <= as_of) or done:
            g.due += 1
        if done and f.outcome == Outcome.CLOSED:  # == : a model's plain "closed" counts too
            assert f.closed_on is not None  # done says so
            g.closed += 1
            g.closed_days += (f.closed_on - f.found_on).days
            if limit is None or f.closed_on <= limit:
                g.on_time += 1
        elif not done and limit is not None and limit < as_of:
            g.overdue += 1
    out = [] if by is None else [groups[k] for k in sorted(groups)]
    for g in groups.values():
        total.add(g)
    out.append(total)
    return out


def rates_rows(table: Sequence[GroupRates]) -> list[list[str]]:
    """The table as the file's text cells (header first), rounded half up to two decimals."""
    lines = [list(COLUMNS)]
    for g in table:
        lines.append([g.group, str(g.findings), str(g.due), str(g.closed), fmt2(g.disposal_rate),
                      fmt2(g.on_time_rate), str(g.overdue), fmt2(g.avg_days)])
    return lines


def write_rates_csv(path: str | Path, table: Sequence[GroupRates]) -> None:
    """Write RATES (UTF-8, no BOM). Usage: ``write_rates_csv("rates.csv", table)``."""
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rates_rows(table))


# ---------------------------------------------------------------------------------------------
# Reading FINDINGS.csv / .xlsx


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault in the file, located by file row (the header is row 1) and column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row <= 0:  # the file as a whole (missing, unreadable): no row to name
            return self.message
        where = f"行 {self.row}" + (f"，列 {self.column}" if self.column else "")
        return f"{where}：{self.message}"


class FindingsError(ValueError):
    """The file cannot be read as findings; nothing of it is used. ``problems`` lists them all."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


REQUIRED = ("id", "unit", "campaign", "found_on", "deadline", "closed_on", "outcome")
NAMES = ("id", "unit", "campaign", "found_on", "deadline", "extended_to", "closed_on", "outcome")
DATE_COLUMNS = ("found_on", "deadline", "extended_to", "closed_on")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
# A findings workbook is a few MB; these caps refuse a zip bomb before openpyxl inflates it.
_ZIP_MEMBERS, _ZIP_TOTAL, _ZIP_RATIO = 1000, 200 * 1024 * 1024, 200
_MAX_LISTED = 200


def read_findings(path: str | Path) -> list[FindingRow]:
    """Read FINDINGS (CSV in UTF-8, with or without BOM, or GB18030; or XLSX), all or nothing.

    Usage: ``rows = read_findings("findings.xlsx")`` — raises FindingsError listing every
    problem (row and column) when any row is wrong.
    """
    p = Path(path)
    if not p.is_file():
        raise FindingsError([Problem(0, "", f"文件不存在：{p}")])
    # Tens of thousands of rows of lists and tuples make the cyclic garbage collector walk the
    # growing heap again and again (most of the read's time at 50 000 findings); nothing made
    # here forms a cycle, so it rests while the file is read.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            return _parse(_xlsx_cells(p))
        return _parse(_csv_cells(p), text_only=True)
    finally:
        if collecting:
            gc.enable()


Cell = str | int | float | date | datetime | None


def _csv_cells(p: Path) -> list[tuple[int, list[Cell]]]:
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # WPS and older Excel save CSV in the local code page
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise FindingsError([Problem(0, "", "文件编码无法识别，请另存为 UTF-8 的 CSV")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    return [(r, list(cells)) for r, cells in enumerate(reader, start=1)]


def _xlsx_cells(p: Path) -> list[tuple[int, list[Cell]]]:
    try:
        with zipfile.ZipFile(p) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            bomb = any(i.file_size > 1024 * 1024 and i.file_size > _ZIP_RATIO * max(i.compress_size, 1)
                       for i in infos)
            if len(infos) > _ZIP_MEMBERS or total > _ZIP_TOTAL or bomb:
                raise FindingsError([Problem(0, "", "Excel 文件解压后过大或成员过多，疑似压缩炸弹，已拒绝")])
            for info in infos:  # declared sizes can lie: count what each member really inflates to
                if not _inflates_as_declared(archive, info):
                    raise FindingsError([Problem(0, "", f"Excel 文件已损坏（{info.filename} 的大小与声明不符）")])
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        raise FindingsError([Problem(0, "", "不是有效的 Excel（.xlsx）文件")]) from None
    import openpyxl  # only for workbooks: the CSV path needs nothing outside the standard library

    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise FindingsError([Problem(0, "", f"无法读取 Excel 文件：{exc}")]) from None
    try:
        ws = wb.worksheets[0]
        return [(r, list(vals)) for r, vals in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        wb.close()


def _inflates_as_declared(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    count = 0
    with archive.open(info) as member:
        while chunk := member.read(64 * 1024):
            count += len(chunk)
            if count > info.file_size:
                return False
    return count == info.file_size


def _text(v: Cell) -> str:
    if type(v) is str:  # every CSV cell: the fast way first
        return v.strip()
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # an id typed as a number in Excel: 1001, not 1001.0
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


def _date(v: Cell) -> date | None | str:
    """A date, None for blank, or the message saying why it is not a date."""
    if type(v) is str:
        text = v.strip()
        return _iso(text) if text else None
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    text = _text(v)
    return _iso(text) if text else None


@lru_cache(maxsize=4096)
def _iso(text: str) -> date | str:
    # A findings file repeats a few hundred dates thousands of times: parse each text once.
    if not _ISO.fullmatch(text):
        return f"“{text}”不是日期（应为 YYYY-MM-DD，如 2026-03-15）"
    try:
        return date.fromisoformat(text)
    except ValueError:
        return f"“{text}”不是有效日期"


def _parse(table: list[tuple[int, list[Cell]]], *, text_only: bool = False) -> list[FindingRow]:
    rows = [(r, cells) for r, cells in table if any(cells) and any(_text(c) for c in cells)]
    if not rows:
        raise FindingsError([Problem(1, "", "文件为空，缺少表头")])
    hr, header_cells = rows[0]
    header = [_text(c).lower() for c in header_cells]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        _raise([Problem(hr, c, "缺少此列") for c in missing])
    at = [header.index(name) if name in header else -1 for name in NAMES]
    checked = _Checked()
    if text_only:
        _check_text_rows(rows[1:], at, checked)
    else:
        for r, cells in rows[1:]:
            n = len(cells)
            vals = [cells[i] if 0 <= i < n else None for i in at]
            # Most rows are clean: take them the quick way; any doubt goes through the full check.
            checked.take(_quick(r, vals), r, vals)
    if checked.problems:
        _raise(checked.problems)
    return checked.out


@dataclass(slots=True)
class _Checked:
    """The rows read so far: the findings, the problems, and where each id first appeared."""

    out: list[FindingRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    first_row: dict[str, int] = field(default_factory=dict)

    def take(self, finding: FindingRow | None, r: int, vals: list[Cell]) -> None:
        """Keep a quickly checked finding, or check the row in full and word its problems."""
        if finding is not None and finding.id not in self.first_row:
            self.first_row[finding.id] = r
            self.out.append(finding)
            return
        faults: list[Problem] = []
        if finding is None:
            finding, faults = _row(r, dict(zip(NAMES, vals, strict=True)))
        fid = _text(vals[0])
        if fid in self.first_row:
            faults.insert(0, Problem(r, "id", f"问题编号 {fid} 重复（与行 {self.first_row[fid]} 相同）"))
        elif fid:
            self.first_row[fid] = r
        if faults:
            self.problems.extend(faults)
        elif finding is not None:
            self.out.append(finding)


class _DateTexts(dict[str, "date | str | None"]):
    """Date text → date (or the message why not), each distinct text parsed once."""

    def __missing__(self, text: str) -> date | str | None:
        got = self[text] = _iso(text) if text else None
        return got


def _check_text_rows(rows: list[tuple[int, list[Cell]]], at: list[int], checked: _Checked) -> None:
    """The CSV way: every cell is text, so each column is stripped and its dates looked up in
    one pass (C loops), and only the row checks run per row in Python. A row in any doubt goes
    through :meth:`_Checked.take` and the full check, as in a workbook."""
    width = max(at) + 1
    rows = [(r, c if len(c) >= width else [*c, *[""] * (width - len(c))]) for r, c in rows]
    present = [i for i in at if i >= 0]
    picked = list(zip(*map(itemgetter(*present), (c for _, c in rows)), strict=True))
    columns = iter(picked or [() for _ in present])
    blank = [""] * len(rows)
    ids, units, camps, t_found, t_dl, t_ext, t_closed, t_out = (
        list(map(str.strip, next(columns))) if i >= 0 else blank for i in at)
    memo = _DateTexts()
    found, dls, exts, closeds = (list(map(memo.__getitem__, col)) for col in (t_found, t_dl, t_ext, t_closed))
    bad = object()
    outcomes = [_OUTCOMES.get(t, bad) for t in t_out]
    first_row, out = checked.first_row, checked.out
    for (r, cells), fid, unit, camp, fo, dl, ex, co, oc in zip(
            rows, ids, units, camps, found, dls, exts, closeds, outcomes, strict=True):
        if (fid and type(fo) is date and type(dl) is not str and type(ex) is not str
                and type(co) is not str and oc is not bad and (co is None) == (oc is None)
                and (co is None or co >= fo) and (dl is None or dl >= fo) and (ex is None or ex >= fo)
                and fid not in first_row):
            first_row[fid] = r
            out.append(FindingRow(fid, unit, camp, fo, dl, ex, co, oc, r))
        else:
            checked.take(None, r, [cells[i] if i >= 0 else None for i in at])


_OUTCOMES: dict[str, Outcome | None] = {"": None, **{o.value: o for o in Outcome}}


def _quick(r: int, vals: list[Cell]) -> FindingRow | None:
    """The finding of a row that passes every check of :func:`_row`, or None to check it there."""
    fid, unit, campaign = _text(vals[0]), _text(vals[1]), _text(vals[2])
    found, deadline, extended, closed = _date(vals[3]), _date(vals[4]), _date(vals[5]), _date(vals[6])
    raw_outcome = _text(vals[7])
    if (not fid or type(found) is not date or isinstance(deadline, str) or isinstance(extended, str)
            or isinstance(closed, str) or raw_outcome not in _OUTCOMES):
        return None
    outcome = _OUTCOMES[raw_outcome]
    if (closed is None) != (outcome is None) or (closed is not None and closed < found):
        return None
    if (deadline is not None and deadline < found) or (extended is not None and extended < found):
        return None
    return FindingRow(id=fid, unit=unit, campaign=campaign, found_on=found, deadline=deadline,
                      extended_to=extended, closed_on=closed, outcome=outcome, row=r)


def _row(r: int, cell: dict[str, Cell]) -> tuple[FindingRow | None, list[Problem]]:
    """One data row: the finding (None when it cannot be built) and every fault found in it."""
    problems: list[Problem] = []
    fid = _text(cell.get("id"))
    if not fid:
        problems.append(Problem(r, "id", "缺少问题编号"))
    dates: dict[str, date | None] = {}
    for name in DATE_COLUMNS:
        got = _date(cell.get(name))
        if isinstance(got, str):
            problems.append(Problem(r, name, got))
        else:
            dates[name] = got
    raw_outcome = _text(cell.get("outcome"))
    outcome: Outcome | None = None
    if raw_outcome:
        try:
            outcome = Outcome(raw_outcome)
        except ValueError:
            problems.append(Problem(
                r, "outcome", f"未知的办结结果“{raw_outcome}”（应为空、closed 或 closed_not_fixed）"))
    found, closed_on = dates.get("found_on"), dates.get("closed_on")
    if "found_on" in dates and found is None:
        problems.append(Problem(r, "found_on", "缺少发现日期"))
    if "closed_on" in dates:
        if closed_on is not None and not raw_outcome:
            problems.append(Problem(r, "outcome", "有销号日期（closed_on）但缺少办结结果"))
        if closed_on is None and raw_outcome:
            problems.append(Problem(r, "closed_on", "有办结结果但缺少销号日期"))
    if found is not None:
        if closed_on is not None and closed_on < found:
            problems.append(Problem(r, "closed_on", f"销号日期 {closed_on} 早于发现日期 {found}"))
        for name, label in (("deadline", "整改期限"), ("extended_to", "延期后期限")):
            d = dates.get(name)
            if d is not None and d < found:
                problems.append(Problem(r, name, f"{label} {d} 早于发现日期 {found}"))
    if not fid or found is None:
        return None, problems
    return FindingRow(
        id=fid, unit=_text(cell.get("unit")), campaign=_text(cell.get("campaign")), found_on=found,
        deadline=dates.get("deadline"), extended_to=dates.get("extended_to"),
        closed_on=closed_on, outcome=outcome, row=r,
    ), problems


def _raise(problems: list[Problem]) -> NoReturn:
    if len(problems) > _MAX_LISTED:
        extra = len(problems) - _MAX_LISTED
        problems = [*problems[:_MAX_LISTED], Problem(problems[_MAX_LISTED].row, "",
                                                     f"另有 {extra} 处问题未列出")]
    raise FindingsError(problems)
