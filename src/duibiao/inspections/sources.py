"""The inspections' indicator sources (DESIGN §5, 最多报一次): 问题处置率, 按期整改率 and
逾期问题数 of each unit, as of the period's end, computed by `rates.group_rates` over the
unit's findings (`selectors.stats.unit_rates`), with the findings named as provenance.

`register()` (called by `apps.py`) puts them in the assessment's registry: this module is
the only one of the app that imports assessment, and only `assessment.sources` (the
import-linter contracts name that one exception).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from duibiao.assessment.sources import SourceValue, period_as_of, register_source
from duibiao.inspections.models import Finding
from duibiao.inspections.rates import GroupRates, is_overdue
from duibiao.inspections.selectors.stats import finding_rows, unit_rates

if TYPE_CHECKING:
    from duibiao.assessment.models import Period
    from duibiao.org.models import Unit

Answer = dict[str, SourceValue]


def _state(finding: Finding, as_of: date) -> str:
    if finding.outcome and finding.closed_on is not None and finding.closed_on <= as_of:
        label = "已销号" if finding.outcome == Finding.Outcome.CLOSED else "未整改销号"
        return f"{label} {finding.closed_on:%Y-%m-%d}"
    return f"未销号，期限 {finding.deadline_in_force:%Y-%m-%d}"


def _name(finding: Finding, as_of: date) -> str:
    return f"问题 #{finding.pk} {finding.category}（{finding.campaign.name}，{finding.address}）{_state(finding, as_of)}"


def _due(finding: Finding, as_of: date) -> bool:
    closed = bool(finding.outcome) and finding.closed_on is not None and finding.closed_on <= as_of
    return finding.deadline_in_force <= as_of or closed


def _rate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


Pick = Callable[[GroupRates, list[Finding], date], tuple[float | None, tuple[str, ...]]]


def _answer(period: Period, units: Sequence[Unit], pick: Pick) -> Answer:
    as_of = period_as_of(period)
    rates = unit_rates(units, as_of)
    out: Answer = {}
    for unit in units:
        group, findings = rates.get(unit.code, (GroupRates(unit.code), []))
        out[unit.code] = SourceValue(*pick(group, findings, as_of))
    return out


def disposal_rate(period: Period, units: Sequence[Unit]) -> Answer:
    """问题处置率 = 已销号 ÷ 应整改 (blank when nothing is due), naming the findings due."""
    return _answer(period, units, lambda g, fs, d: (
        _rate(g.disposal_rate), tuple(_name(f, d) for f in fs if _due(f, d))))


def on_time_rate(period: Period, units: Sequence[Unit]) -> Answer:
    """按期整改率 = closed by the deadline in force ÷ 应整改, naming the findings due."""
    return _answer(period, units, lambda g, fs, d: (
        _rate(g.on_time_rate), tuple(_name(f, d) for f in fs if _due(f, d))))


def overdue_findings(period: Period, units: Sequence[Unit]) -> Answer:
    """逾期问题数 (0 for a unit with none), naming each overdue finding."""
    def pick(g: GroupRates, fs: list[Finding], d: date) -> tuple[float | None, tuple[str, ...]]:
        late = {row.id for row in finding_rows(Finding.objects.filter(pk__in=[f.pk for f in fs]), d)
                if is_overdue(row, d)}
        return float(g.overdue), tuple(_name(f, d) for f in fs if str(f.pk) in late)
    return _answer(period, units, pick)


# (name, function, label, unit of measure)
SOURCES = (
    ("inspections.disposal_rate", disposal_rate, "问题处置率", "%"),
    ("inspections.on_time_rate", on_time_rate, "按期整改率", "%"),
    ("inspections.overdue_findings", overdue_findings, "逾期问题数", "个"),
)


def register() -> None:
    """Register the sources (from ``InspectionsConfig.ready``; harmless when run twice)."""
    for name, fn, label, unit_of_measure in SOURCES:
        register_source(name, fn, label=label, unit_of_measure=unit_of_measure)
