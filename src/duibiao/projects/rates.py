"""The four rates (四率) of key projects and their red / yellow / green flags — pure Python.

The web app, the indicator sources and the offline ``duibiao project-rates`` command all call
these functions, so a rate means the same thing wherever it is shown (issue 11, "The rates").
No Django here: the command works without a database.

    rows = read_ledger("ledger.xlsx")              # duibiao.projects.ledger
    groups = group_rates(rows, date(2023, 6, 30), by="unit")
    groups[-1].investment_rate                     # the 全部 row, a Decimal percent or None
"""

from __future__ import annotations

import calendar
import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from functools import lru_cache
from pathlib import Path

from duibiao.projects.vocabularies import Funding, Kind, Level, Stage, Vocabulary

__all__ = [
    "ALL", "BY_COLUMNS", "FLAGS_HEADER", "GREEN", "RATES_HEADER", "RED", "YELLOW",
    "Flag", "Funding", "GroupRates", "Kind", "LedgerRow", "Level", "Stage", "Vocabulary",
    "completed_months", "fmt", "group_rates", "group_rates_by", "months_before", "progress_flag", "project_flag",
    "schedule_share", "start_flag", "stats_flag",
    "write_flags_csv", "write_rates_csv",
]

ALL = "全部"
RED, YELLOW, GREEN = "red", "yellow", "green"
BY_COLUMNS = ("unit", "level", "type", "stage", "source")
RATES_HEADER = ("group", "projects", "start_rate", "investment_rate", "schedule", "schedule_gap",
                "funds_rate", "completion_rate", "red", "yellow", "green")
FLAGS_HEADER = ("code", "flag", "reasons")
STATS_THRESHOLD = Decimal(500)  # 万元: projects this large belong in the statistics (入库入统)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# Enough digits that products of ledger amounts are exact (the progress rule compares them).
EXACT = Context(prec=100)
DOZEN_HUNDREDS, TEN_POINTS, THIRTY_POINTS = Decimal(1200), Decimal(120), Decimal(360)  # × 12


# Completed and suspended projects are out of the dispatch: no flag, not in red/yellow/green.
UNFLAGGED = frozenset({Stage.COMPLETED, Stage.SUSPENDED})


@dataclass(frozen=True)
class LedgerRow:
    """One project as of a date: the ledger's columns (money in 万元; None = blank, not yet)."""

    code: str
    name: str = ""
    unit: str = ""
    level: Level = Level.DISTRICT
    type: Kind = Kind.INDUSTRY
    stage: Stage = Stage.CONTINUING
    source: Funding = Funding.GOVERNMENT
    planned_total: Decimal | None = None
    planned_annual: Decimal | None = None
    planned_start: date | None = None
    planned_completion: date | None = None
    actual_start: date | None = None
    actual_completion: date | None = None
    completed_ytd: Decimal | None = None
    funds_planned: Decimal | None = None
    funds_in_place: Decimal | None = None
    in_stats_on: date | None = None
    row: int = 0  # the ledger's row, for messages; 0 when the row comes from the database
    # How the ledger spelt level, type, stage and source ("省" for 省重点, or a code): a file's
    # groups keep its own words, as whoever reads RATES beside the ledger expects. Empty for
    # rows from the database, which group by the Chinese label.
    as_written: tuple[tuple[str, str], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Flag:
    """A project's colour (red / yellow / green, None for 竣工投产 and 停缓建) and why."""

    colour: str | None
    reasons: tuple[str, ...] = ()


@lru_cache(maxsize=4096)  # called per project with the same few dates: a page of 5 000 projects
def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the month's end
    (2023-05-31, 3 → 2023-02-28). Usage: ``months_before(date(2023, 5, 31), 3)``."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=1024)
def completed_months(as_of: date) -> int:
    """Months of the year completed by `as_of`; a month is completed on its last day."""
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month if as_of.day == last_day else as_of.month - 1


def schedule_share(as_of: date) -> Decimal:
    """序时进度 as a fraction: completed months / 12 (2023-03-31 and 2023-04-15 → 0.25)."""
    return Decimal(completed_months(as_of)) / 12


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    # An empty denominator gives a blank rate, never 0 or 100.
    return None if denominator == 0 else numerator * HUNDRED / denominator


def fmt(value: Decimal | None) -> str:
    """Two decimals, rounded half-up; blank for None. Usage: ``fmt(Decimal("12.345"))`` → 12.35."""
    if value is None:
        return ""
    with localcontext() as context:
        context.prec = 60  # quantize fails when the digits exceed the context's precision
        rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return str(abs(rounded) if rounded.is_zero() else rounded)  # never "-0.00"


def _started(row: LedgerRow, as_of: date) -> bool:
    return row.actual_start is not None and row.actual_start <= as_of


def project_flag(row: LedgerRow, as_of: date) -> Flag:
    """The worst of the start, progress and statistics rules on `as_of` (issue 11).

    Usage: ``project_flag(row, date(2023, 6, 30)).colour`` → "red" / "yellow" / "green" / None.
    """
    if row.stage in UNFLAGGED:
        return Flag(None, (f"{row.stage.label}项目不亮灯",))
    if _started(row, as_of):
        found = [f for f in (progress_flag(row, as_of), stats_flag(row, as_of)) if f is not None]
    else:
        # A project not yet started is judged by the start rule only.
        found = [f for f in (start_flag(row, as_of),) if f is not None]
    if not found:
        return Flag(GREEN)
    colour = RED if any(f.colour == RED for f in found) else YELLOW
    return Flag(colour, tuple(reason for f in found for reason in f.reasons))


def start_flag(row: LedgerRow, as_of: date) -> Flag | None:
    """The start rule alone: not started and planned to start in D's month or up to three
    months before D → yellow; before the same day three months earlier → red; else None."""
    start = row.planned_start
    if _started(row, as_of) or start is None:
        return None
    if start < months_before(as_of, 3):
        return Flag(RED, (f"计划{start.isoformat()}开工，逾期3个月以上未开工",))
    if start <= as_of or (start.year, start.month) == (as_of.year, as_of.month):
        return Flag(YELLOW, (f"计划{start.isoformat()}开工，尚未开工",))
    return None


def progress_flag(row: LedgerRow, as_of: date) -> Flag | None:
    """The progress rule alone: the project's completed_ytd ÷ planned_annual behind 序时进度 by
    10 to 30 points → yellow, by more than 30 → red; None without an annual plan."""
    plan = row.planned_annual
    if plan is None or plan <= 0:  # no annual plan: nothing to be behind
        return None
    done_ytd = row.completed_ytd or Decimal(0)
    # behind = 100·n/12 − 100·done/plan points; compared exactly, multiplied out by 12·plan, so
    # a project exactly 10 or 30 points behind is never tipped over by a rounded division.
    lead = EXACT.subtract(EXACT.multiply(HUNDRED * completed_months(as_of), plan),
                          EXACT.multiply(DOZEN_HUNDREDS, done_ytd))
    if lead > EXACT.multiply(THIRTY_POINTS, plan):
        colour = RED
    elif lead >= EXACT.multiply(TEN_POINTS, plan):
        colour = YELLOW
    else:
        return None
    done = done_ytd * HUNDRED / plan
    behind = schedule_share(as_of) * HUNDRED - done
    return Flag(colour, (f"投资完成{fmt(done)}%，落后序时进度{fmt(behind)}个百分点",))


def stats_flag(row: LedgerRow, as_of: date) -> Flag | None:
    """The statistics rule alone (any stage): started, planned_total ≥ 500 万元 and not 入库 by
    D — more than a month after actual_start → yellow, more than two months → red."""
    start = row.actual_start
    if (start is None or start > as_of or row.planned_total is None
            or row.planned_total < STATS_THRESHOLD
            or (row.in_stats_on is not None and row.in_stats_on <= as_of)):
        return None
    if start < months_before(as_of, 2):
        return Flag(RED, (f"{start.isoformat()}开工，2个月以上未入库入统",))
    if start < months_before(as_of, 1):
        return Flag(YELLOW, (f"{start.isoformat()}开工，1个月以上未入库入统",))
    return None


@dataclass(frozen=True)
class GroupRates:
    """The rates of one group of projects: numerators and denominators, the rates as
    unrounded percentages (0–100; funds may exceed 100) or None when the denominator is empty."""

    group: str
    as_of: date
    projects: int = 0
    started: int = 0  # actual_start ≤ D, among the due
    due_to_start: int = 0  # planned_start ≤ D
    completed_ytd: Decimal = Decimal(0)
    planned_annual: Decimal = Decimal(0)
    funds_in_place: Decimal = Decimal(0)
    funds_planned: Decimal = Decimal(0)
    on_time: int = 0  # actual_completion ≤ planned_completion, among the due
    due_to_complete: int = 0  # planned_completion in Y and ≤ D
    red: int = 0
    yellow: int = 0
    green: int = 0
    codes: tuple[str, ...] = field(default=(), repr=False)  # provenance: the projects counted

    @property
    def start_rate(self) -> Decimal | None:
        return _percent(Decimal(self.started), Decimal(self.due_to_start))

    @property
    def investment_rate(self) -> Decimal | None:
        return _percent(self.completed_ytd, self.planned_annual)

    @property
    def schedule(self) -> Decimal:
        return schedule_share(self.as_of) * HUNDRED

    @property
    def schedule_gap(self) -> Decimal | None:
        """投资完成率 − 序时进度 in points (positive: ahead of schedule)."""
        rate = self.investment_rate
        return None if rate is None else rate - self.schedule

    @property
    def funds_rate(self) -> Decimal | None:
        return _percent(self.funds_in_place, self.funds_planned)

    @property
    def completion_rate(self) -> Decimal | None:
        return _percent(Decimal(self.on_time), Decimal(self.due_to_complete))

    def csv_row(self) -> list[str]:
        """The RATES.csv row: percentages with two decimals, half-up; blank when undefined."""
        return [self.group, str(self.projects), fmt(self.start_rate), fmt(self.investment_rate),
                fmt(self.schedule), fmt(self.schedule_gap), fmt(self.funds_rate),
                fmt(self.completion_rate), str(self.red), str(self.yellow), str(self.green)]


def _group_key(row: LedgerRow, by: str) -> str:
    if by == "unit":
        return row.unit
    value: Vocabulary = getattr(row, by)
    return value.label


def _group_names(rows: list[LedgerRow], by: str, keys: Iterable[str]) -> dict[str, str]:
    """Each group's name: a ledger that spells a value one way throughout ("省", or a code) has
    its groups named as it wrote them, so RATES lines up with the file it came from; values
    spelt several ways, and rows from the database, are named by the Chinese label."""
    spellings: dict[str, set[str]] = {}
    for row in rows:
        written = dict(row.as_written).get(by)
        if written:
            spellings.setdefault(_group_key(row, by), set()).add(written)
    names = {}
    for key in keys:
        seen = spellings.get(key, set())
        names[key] = next(iter(seen)) if len(seen) == 1 else key
    return names


def _accumulate(group: str, rows: Sequence[LedgerRow], flags: Sequence[Flag], as_of: date) -> GroupRates:
    # One pass with local accumulators: a page sums 5 000 projects for every group it shows.
    completed = planned = in_place = funds = Decimal(0)
    started = due_start = on_time = due_done = red = yellow = green = 0
    for row, flag in zip(rows, flags, strict=True):
        if row.planned_start is not None and row.planned_start <= as_of:
            due_start += 1
            if row.actual_start is not None and row.actual_start <= as_of:
                started += 1
        done_by = row.planned_completion
        if done_by is not None and done_by.year == as_of.year and done_by <= as_of:
            due_done += 1
            if row.actual_completion is not None and row.actual_completion <= done_by:
                on_time += 1
        if row.completed_ytd is not None:
            completed += row.completed_ytd
        if row.planned_annual is not None:
            planned += row.planned_annual
        if row.funds_in_place is not None:
            in_place += row.funds_in_place
        if row.funds_planned is not None:
            funds += row.funds_planned
        colour = flag.colour
        if colour == RED:
            red += 1
        elif colour == YELLOW:
            yellow += 1
        elif colour == GREEN:
            green += 1
    return GroupRates(
        group=group, as_of=as_of, projects=len(rows), started=started, due_to_start=due_start,
        completed_ytd=completed, planned_annual=planned, funds_in_place=in_place, funds_planned=funds,
        on_time=on_time, due_to_complete=due_done, red=red, yellow=yellow, green=green,
        codes=tuple(r.code for r in rows),
    )


def group_rates(rows: Iterable[LedgerRow], as_of: date, by: str | None = None, *,
                flags: Sequence[Flag] | None = None) -> list[GroupRates]:
    """One GroupRates per group (sorted by group name), then the 全部 row of all projects.

    `by` is None (only 全部) or one of BY_COLUMNS; unit groups by the unit's text, the others
    by the Chinese label. `flags` (project_flag of each row at `as_of`) saves computing them
    again. Usage: ``group_rates(rows, date(2023, 6, 30), by="stage")``.
    """
    rows = list(rows)
    flags = [project_flag(r, as_of) for r in rows] if flags is None else list(flags)
    if len(flags) != len(rows):
        raise ValueError("one flag per row")
    return _groups(rows, flags, as_of, by, _accumulate(ALL, rows, flags, as_of))


def _groups(rows: list[LedgerRow], flags: list[Flag], as_of: date, by: str | None,
            everything: GroupRates) -> list[GroupRates]:
    if by is not None and by not in BY_COLUMNS:
        raise ValueError(f"by must be one of {', '.join(BY_COLUMNS)}, not {by!r}")
    out: list[GroupRates] = []
    if by is not None:
        members: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            members.setdefault(_group_key(row, by), []).append(i)
        names = _group_names(rows, by, members) if by != "unit" else {k: k for k in members}
        for key in sorted(members, key=lambda k: names[k]):
            idx = members[key]
            out.append(_accumulate(names[key], [rows[i] for i in idx], [flags[i] for i in idx], as_of))
    out.append(everything)
    return out


def group_rates_by(rows: Iterable[LedgerRow], as_of: date,
                   bys: Iterable[str | None] = (None, *BY_COLUMNS)) -> dict[str | None, list[GroupRates]]:
    """group_rates for several groupings at once, the flags and the 全部 row computed once (a
    portfolio page's breakdowns). Usage: ``group_rates_by(rows, d, ("stage", "type"))["stage"]``."""
    rows = list(rows)
    flags = [project_flag(r, as_of) for r in rows]
    everything = _accumulate(ALL, rows, flags, as_of)
    return {by: _groups(rows, flags, as_of, by, everything) for by in bys}


def write_rates_csv(groups: Iterable[GroupRates], path: str | Path) -> None:
    """RATES.csv in UTF-8 without a BOM, header as the contract: a file for programs to read
    (a BOM would become part of the first column's name for most CSV readers); people get
    the 四率 page's export, which Excel opens."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RATES_HEADER)
        writer.writerows(g.csv_row() for g in groups)


def write_flags_csv(rows: Iterable[LedgerRow], flags: Iterable[Flag], path: str | Path) -> None:
    """FLAGS.csv (code, flag, reasons) in UTF-8 without a BOM; reasons joined by "；"."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FLAGS_HEADER)
        for row, flag in zip(rows, flags, strict=True):
            writer.writerow([row.code, flag.colour or "", "；".join(flag.reasons)])
