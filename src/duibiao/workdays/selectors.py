"""The working-day calendar the system uses: chinese-calendar's published arrangement for
the years it covers (2004–2026), plus the office's table (HolidayYear / HolidayDate) for
later years and for corrections. Reads only; the table is written by `assessment.services.calendar`."""

from __future__ import annotations

from chinese_calendar import constants as published

from duibiao.engine import WorkCalendar
from duibiao.workdays.models import HolidayDate, HolidayYear

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


def holiday_text(year: int) -> str:
    """The table's entries for a year, in the form parse_holiday_text reads (for editing)."""
    return "\n".join(
        f"{e.date.isoformat()} {e.name} {'班' if e.is_workday else '休'}".replace("  ", " ")
        for e in HolidayDate.objects.filter(date__year=year)
    )
