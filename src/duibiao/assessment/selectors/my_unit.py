"""本单位: a unit's own tasks (open periods, with what is blank or returned) and its past
periods (kept readable after they close: values, review history, published result)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from duibiao.accounts import gate
from duibiao.assessment.completeness import unit_gaps
from duibiao.assessment.models import Period, ScoringRun, Submission, UnitSignoff
from duibiao.assessment.selectors.periods import period_list
from duibiao.assessment.selectors.reporting import unit_indicators
from duibiao.assessment.selectors.results import run_list

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.org.models import Unit


@dataclass
class UnitTask:
    period: Period
    total: int  # indicators the unit reports in the period
    blank: int
    returned: int
    signoff: UnitSignoff | None


@dataclass
class PastPeriod:
    period: Period
    reported: int  # values the unit had saved
    run: ScoringRun | None  # the published run, when the user may read it


def _periods(user: User | AnonymousUser, unit: Unit, *statuses: str) -> list[Period]:
    """The unit's periods in these statuses: those of schemes of its own district (or above)."""
    periods = period_list(user=user).filter(status__in=statuses).select_related("version__scheme__district")
    return [p for p in periods if unit.path.startswith(p.version.scheme.district.path)]


def unit_tasks(*, user: User | AnonymousUser, unit: Unit) -> list[UnitTask]:
    """Open periods the unit reports in, nearest deadline first."""
    gate.require(user, "assessment.report.view", unit=unit)
    tasks = []
    for period in sorted(_periods(user, unit, Period.Status.OPEN), key=lambda p: p.deadline):
        returned = Submission.objects.filter(period=period, unit=unit, status=Submission.Status.RETURNED).count()
        tasks.append(UnitTask(
            period, len(unit_indicators(period, unit)), sum(g.blank for g in unit_gaps(period, unit)), returned,
            UnitSignoff.objects.filter(period=period, unit=unit).first(),
        ))
    return tasks


def unit_past_periods(*, user: User | AnonymousUser, unit: Unit) -> list[PastPeriod]:
    """Closed periods, latest first, with the run published for them if the user may read it."""
    gate.require(user, "assessment.report.view", unit=unit)
    periods = sorted(_periods(user, unit, Period.Status.CLOSED), key=lambda p: p.deadline, reverse=True)
    published = {
        run.period_id: run
        for run in run_list(user=user).filter(period__in=periods, stage=ScoringRun.Stage.PUBLISHED)
    }
    return [
        PastPeriod(p, Submission.objects.filter(period=p, unit=unit).count(), published.get(p.pk))
        for p in periods
    ]
