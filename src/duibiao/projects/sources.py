"""重点项目的指标数据源: the four rates, overdue assignments and late 入库 as values of the
assessment (DESIGN §5, 最多报一次).

Registered in ``ProjectsConfig.ready`` through ``assessment.sources.register_source``; a scheme
indicator names one with ``value_from: projects.investment_completion_rate`` and units no
longer type the number. Each function answers, per unit code, the unit's value at the period's
as-of date with the projects it was computed from. The numbers come from the same code as the
四率 page and ``duibiao project-rates``: B's ``ledger_rows`` (the one mapping of the database to
ledger rows) and the pure ``rates.group_rates`` — never a second formula.

The projects read here are all of the unit's projects, not a user's view of them: a scoring
run is the district's computation, like the approved values it reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from duibiao.assessment.models import Period
    from duibiao.assessment.sources import SourceValue
    from duibiao.org.models import Unit
    from duibiao.projects.rates import GroupRates, LedgerRow

__all__ = ["SOURCES", "money", "register_sources"]


def money(value: Decimal | None) -> str:
    """万元 as people write it in a ledger: thousands spaced, no needless decimals
    (1234.50 → "1 234.5", 2000.00 → "2 000")."""
    if value is None:
        return "—"
    text = f"{value.quantize(Decimal('0.01')):,.2f}".replace(",", " ")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _label(row: LedgerRow, names: Mapping[str, str]) -> str:
    return f"项目 {row.code} {names.get(row.code, row.name)}"


def _unit_rows(period: Period, units: Sequence[Unit]) -> tuple[date, dict[str, list[LedgerRow]]]:
    """The as-of date and each unit's ledger rows at that date (by the project's owner unit)."""
    from duibiao.assessment.sources import period_as_of
    from duibiao.projects.models import Project
    from duibiao.projects.selectors.ledger import ledger_rows

    as_of = period_as_of(period)
    by_pk = {u.pk: u.code for u in units}
    projects = Project.objects.filter(owner_unit__in=list(by_pk)).select_related("owner_unit")
    owner = {code: by_pk[unit_id] for code, unit_id in projects.values_list("code", "owner_unit_id")}
    grouped: dict[str, list[LedgerRow]] = defaultdict(list)
    for row in ledger_rows(projects, as_of):
        grouped[owner[row.code]].append(row)
    return as_of, grouped


def _totals(rows: list[LedgerRow], as_of: date) -> GroupRates:
    """The 全部 row of the rates of these rows: the unit's own figures."""
    from duibiao.projects.rates import group_rates

    return group_rates(rows, as_of, None)[-1]


def _rate_source(
    pick: Callable[[GroupRates], Decimal | None],
    counts: Callable[[LedgerRow, date], bool],
    describe: Callable[[LedgerRow, date], str],
) -> Callable[[Period, Sequence[Unit]], dict[str, SourceValue]]:
    """A source of one of the four rates: the unit's rate, and as provenance every project
    that is in the rate's denominator, with its own figures."""

    def source(period: Period, units: Sequence[Unit]) -> dict[str, SourceValue]:
        from duibiao.assessment.sources import SourceValue

        as_of, grouped = _unit_rows(period, units)
        out: dict[str, SourceValue] = {}
        for unit in units:
            rows = grouped.get(unit.code, [])
            value = _percent(pick(_totals(rows, as_of))) if rows else None
            out[unit.code] = SourceValue(
                value, tuple(f"项目 {r.code} {r.name} {describe(r, as_of)}" for r in rows if counts(r, as_of)))
        return out

    return source


# --- what each rate counts (the denominators of the definitions) and how a project
# is named in the trace

def _start_counts(row: LedgerRow, as_of: date) -> bool:
    return row.planned_start is not None and row.planned_start <= as_of


def _start_text(row: LedgerRow, as_of: date) -> str:
    started = row.actual_start is not None and row.actual_start <= as_of
    return f"计划 {row.planned_start} 开工，" + (f"{row.actual_start} 已开工" if started else "未开工")


def _investment_counts(row: LedgerRow, as_of: date) -> bool:
    return row.planned_annual is not None


def _investment_text(row: LedgerRow, as_of: date) -> str:
    return f"投资完成 {money(row.completed_ytd or Decimal(0))} / {money(row.planned_annual)} 万元"


def _funds_counts(row: LedgerRow, as_of: date) -> bool:
    return row.funds_planned is not None


def _funds_text(row: LedgerRow, as_of: date) -> str:
    return f"资金到位 {money(row.funds_in_place or Decimal(0))} / {money(row.funds_planned)} 万元"


def _completion_counts(row: LedgerRow, as_of: date) -> bool:
    due = row.planned_completion
    return due is not None and due.year == as_of.year and due <= as_of


def _completion_text(row: LedgerRow, as_of: date) -> str:
    done = row.actual_completion
    on_time = done is not None and row.planned_completion is not None and done <= row.planned_completion
    if on_time:
        return f"计划 {row.planned_completion} 竣工，{done} 按期竣工"
    if done is not None and done <= as_of:
        return f"计划 {row.planned_completion} 竣工，{done} 逾期竣工"
    return f"计划 {row.planned_completion} 竣工，未竣工"


start_rate = _rate_source(lambda g: g.start_rate, _start_counts, _start_text)
investment_completion_rate = _rate_source(lambda g: g.investment_rate, _investment_counts, _investment_text)
funds_rate = _rate_source(lambda g: g.funds_rate, _funds_counts, _funds_text)
completion_rate = _rate_source(lambda g: g.completion_rate, _completion_counts, _completion_text)


def late_stats(period: Period, units: Sequence[Unit]) -> dict[str, SourceValue]:
    """应入库未入库: how many of the unit's projects the statistics rule flags at the as-of date
    (started, planned total ≥ 500 万元, not 入库 more than a month after the start). Blank for a
    unit without a project that belongs in the statistics (planned total ≥ 500 万元)."""
    from duibiao.assessment.sources import SourceValue
    from duibiao.projects.rates import stats_flag

    as_of, grouped = _unit_rows(period, units)
    out: dict[str, SourceValue] = {}
    for unit in units:
        rows = grouped.get(unit.code, [])
        judged = [r for r in rows if r.planned_total is not None and r.planned_total >= 500]
        late = [(r, flag) for r in judged if (flag := stats_flag(r, as_of)) is not None]
        out[unit.code] = SourceValue(
            float(len(late)) if judged else None,
            tuple(f"项目 {r.code} {r.name} {'；'.join(f.reasons)}" for r, f in late))
    return out


def overdue_assignments(period: Period, units: Sequence[Unit]) -> dict[str, SourceValue]:
    """逾期交办事项: how many of the unit's assignments (交办事项) were past their working-day
    deadline and not done at the as-of date. Blank for a unit given no assignment by then."""
    from duibiao.assessment.sources import SourceValue, period_as_of
    from duibiao.projects.dispatch_rules import OVERDUE, assignment_status
    from duibiao.projects.models import Assignment

    as_of = period_as_of(period)
    codes = {u.pk: u.code for u in units}
    given: dict[str, int] = defaultdict(int)
    late: dict[str, list[str]] = defaultdict(list)
    rows = (Assignment.objects.filter(unit__in=list(codes), assigned_on__lte=as_of)
            .select_related("project").order_by("deadline", "id"))
    for a in rows:
        code = codes[a.unit_id]
        given[code] += 1
        # Done counts from the day the unit said so; done later, it was still open at D.
        done = a.status == Assignment.Status.DONE and (a.replied_on is None or a.replied_on <= as_of)
        if assignment_status(done=done, deadline=a.deadline, as_of=as_of) == OVERDUE:
            about = f"（项目 {a.project.code}）" if a.project else ""
            late[code].append(f"交办事项 {a.text[:60]}{about} {a.assigned_on} 交办，{a.deadline} 到期未办结")
    return {
        u.code: SourceValue(float(len(late[u.code])) if given[u.code] else None, tuple(late[u.code]))
        for u in units
    }


# name, function, label, unit of measure
SOURCES: tuple[tuple[str, Callable[..., dict[str, SourceValue]], str, str], ...] = (
    ("projects.start_rate", start_rate, "开复工率", "%"),
    ("projects.investment_completion_rate", investment_completion_rate, "投资完成率", "%"),
    ("projects.funds_rate", funds_rate, "资金到位率", "%"),
    ("projects.completion_rate", completion_rate, "按期竣工率", "%"),
    ("projects.overdue_assignments", overdue_assignments, "逾期交办事项", "件"),
    ("projects.late_stats", late_stats, "应入库未入库", "个"),
)


def register_sources() -> None:
    """Called from ``ProjectsConfig.ready``; registering twice is harmless."""
    from duibiao.assessment.sources import register_source

    for name, fn, label, unit_of_measure in SOURCES:
        register_source(name, fn, label=label, unit_of_measure=unit_of_measure)
