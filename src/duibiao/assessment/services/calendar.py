"""The working-day calendar the system uses: chinese-calendar's published arrangement for
the years it covers (2004–2026), plus the office's table (HolidayYear / HolidayDate) for
later years and for corrections."""

from __future__ import annotations

from datetime import date

from chinese_calendar import constants as published
from django.db import transaction

from duibiao.assessment.models import HolidayDate, HolidayYear
from duibiao.assessment.permissions import require_office
from duibiao.audit.services import audit_record
from duibiao.engine import WorkCalendar

PUBLISHED_YEARS = frozenset(range(min(published.holidays).year, max(published.holidays).year + 1))


def work_calendar() -> WorkCalendar:
    """The calendar now in force; a year neither published nor entered raises CalendarGap."""
    holidays = {d for d in published.holidays if d.weekday() < 5}
    workdays = set(published.workdays)
    for entry in HolidayDate.objects.all():
        (workdays if entry.is_workday else holidays).add(entry.date)
        (holidays if entry.is_workday else workdays).discard(entry.date)
    covered = PUBLISHED_YEARS | set(HolidayYear.objects.values_list("year", flat=True))
    return WorkCalendar(holidays=holidays, workdays=workdays, covered_years=covered)


@transaction.atomic
def holiday_year_save(
    *, actor, year: int, days: list[tuple[date, bool, str]], note: str = ""
) -> HolidayYear:
    """Enter a year's whole arrangement: (date, is make-up workday, name) for every day that
    breaks the Monday–Friday rule. The year then counts as covered."""
    require_office(actor)
    wrong = [d for d, _, _ in days if d.year != year]
    if wrong:
        raise ValueError(f"日期 {wrong[0]} 不在 {year} 年")
    entry, _ = HolidayYear.objects.update_or_create(year=year, defaults={"note": note})
    before = list(
        HolidayDate.objects.filter(date__year=year).values_list("date", "is_workday", "name")
    )
    HolidayDate.objects.filter(date__year=year).delete()
    HolidayDate.objects.bulk_create(HolidayDate(date=d, is_workday=w, name=n) for d, w, n in days)
    audit_record(
        actor=actor, action="calendar.year", obj=entry,
        before=[[str(d), w, n] for d, w, n in before], after=[[str(d), w, n] for d, w, n in days],
    )
    return entry
