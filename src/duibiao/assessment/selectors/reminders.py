"""The reminders on the home page: open periods with their deadline, per unit for reporters
and unit heads, per period for the office. Built from the progress matrix's own rows, so
the counts are those of the 填报进度 page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from duibiao.accounts import gate
from duibiao.assessment.models import Period, ScoringRun, UnitSignoff
from duibiao.assessment.selectors.periods import period_list
from duibiao.assessment.selectors.progress import (
    build_row,
    reportable_indicators,
    scope_units,
    status_table,
)
from duibiao.assessment.selectors.results import run_list
from duibiao.engine import CalendarGap, WorkCalendar
from duibiao.org.models import Unit
from duibiao.workdays.selectors import work_calendar

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


@dataclass
class UnitReminder:
    period: Period
    unit: Unit
    days_left: int | None  # working days; None when the calendar cannot say
    pending: int  # the unit's indicators not yet submitted (empty, draft, returned)
    total: int
    overdue: bool
    # The unit head's sign-off, voided by a value returned after it: he is told here.
    void_signoff: UnitSignoff | None = None


@dataclass
class OfficeReminder:
    period: Period
    days_left: int | None
    units_pending: int
    units_total: int
    overdue: bool


@dataclass
class Reminders:
    units: list[UnitReminder] = field(default_factory=list)
    office: list[OfficeReminder] = field(default_factory=list)
    # Publications withdrawn lately that the user had been able to read: everyone who saw
    # the ranking is told on his home page, not only if he opens the ranking again.
    withdrawn: list[ScoringRun] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.units or self.office or self.withdrawn)


WITHDRAWN_NOTICE_DAYS = 30  # how long the home page keeps saying a publication was withdrawn


def withdrawn_runs(*, user: User | AnonymousUser, now: datetime | None = None) -> list[ScoringRun]:
    """Runs whose publication was withdrawn in the last WITHDRAWN_NOTICE_DAYS days, among
    those the user may read (the results selector decides who may)."""
    since = (now or timezone.now()) - timedelta(days=WITHDRAWN_NOTICE_DAYS)
    return list(
        run_list(user=user).filter(stage=ScoringRun.Stage.WITHDRAWN, withdrawn_at__gte=since)
        .select_related("period").order_by("-withdrawn_at")[:5]
    )


def _days_left(cal: WorkCalendar, today: date, deadline: date) -> int | None:
    try:
        return cal.countdown(today, deadline)
    except CalendarGap:
        return None


def home_reminders(*, user: User | AnonymousUser, today: date | None = None) -> Reminders:
    """Open periods with their deadline: per unit for reporters and unit heads (how many of
    their indicators are still to submit), per period for the office (units not done)."""
    reminders = Reminders(withdrawn=withdrawn_runs(user=user))
    unit_user = gate.allows(user, "assessment.reminder.unit")
    office = gate.allows(user, "assessment.reminder.office")
    if not (unit_user or office):
        return reminders
    periods = list(
        period_list(user=user).filter(status=Period.Status.OPEN)
        .select_related("version__scheme__district").order_by("deadline")
    )
    if not periods:
        return reminders
    today = today or timezone.localdate()
    cal = work_calendar()
    own_units = (
        list(gate.units(user, "assessment.reminder.unit").filter(category__isnull=False)
             .select_related("category"))
        if unit_user else []
    )
    for period in periods:
        left = _days_left(cal, today, period.deadline)
        passed = today > period.deadline
        columns = reportable_indicators(period)
        mine = [u for u in own_units if u.path.startswith(period.version.scheme.district.path)]
        if mine:
            table = status_table(period, [u.pk for u in mine])
            voids = {s.unit_id: s for s in UnitSignoff.objects.filter(
                period=period, unit__in=mine, voided_at__isnull=False)}
            for unit in mine:
                row = build_row(unit, columns, table, deadline_passed=passed)
                reminders.units.append(UnitReminder(
                    period, unit, left, row.applicable - row.done, row.applicable, row.overdue,
                    voids.get(unit.pk)))
        if office:
            units = list(scope_units(user, period, action="assessment.reminder.office"))
            table = status_table(period, [u.pk for u in units])
            rows = [build_row(u, columns, table, deadline_passed=passed) for u in units]
            pending = sum(not r.complete for r in rows)
            reminders.office.append(OfficeReminder(period, left, pending, len(rows), passed and pending > 0))
    return reminders


__all__ = ["OfficeReminder", "Reminders", "UnitReminder", "home_reminders", "withdrawn_runs"]
