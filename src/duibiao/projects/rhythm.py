"""Reporting rhythm (填报频次): when a project's next progress report is due.

Weekly: each ISO week (Monday to Sunday), due on its Sunday. Twice a month (半月): the 1st to
the 15th and the 16th to the month's end, due on the last day. Monthly: due on the month's
last day. A project is due this week when it has no report in its current period and that
period ends by this Sunday — what a service secretary must still do before the week is out.

    period_of("weekly", date(2026, 3, 11))  # (date(2026, 3, 9), date(2026, 3, 15))
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

WEEKLY, HALF_MONTHLY, MONTHLY = "weekly", "half_monthly", "monthly"


def period_of(rhythm: str, day: date) -> tuple[date, date]:
    """The first and last day of the reporting period that holds `day`."""
    if rhythm == WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    last = calendar.monthrange(day.year, day.month)[1]
    if rhythm == HALF_MONTHLY:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), day.replace(day=last)
    if rhythm == MONTHLY:
        return day.replace(day=1), day.replace(day=last)
    raise ValueError(f"unknown rhythm {rhythm!r}")


def due_on(rhythm: str, last_reported: date | None, today: date) -> date | None:
    """The day the current period's report is due, or None when it is already in."""
    start, end = period_of(rhythm, today)
    if last_reported is not None and start <= last_reported <= end:
        return None
    return end


def due_this_week(rhythm: str, last_reported: date | None, today: date) -> bool:
    due = due_on(rhythm, last_reported, today)
    sunday = today + timedelta(days=6 - today.weekday())
    return due is not None and due <= sunday
