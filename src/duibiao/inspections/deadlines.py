"""Rectification deadlines in working days (工作日), on the assessment's calendar.

A finding is given N working days: the deadline is the N-th working day after the day it was
found, skipping weekends and holidays and counting the make-up workdays (调休上班) of the
published arrangement. The functions are pure and take the calendar as an argument; the
pages pass ``duibiao.workdays.selectors.work_calendar()``. A year the calendar does not cover
raises ``CalendarGap`` (a guessed deadline would be silently wrong), except in
:func:`deadline_state`, which pages call to show a row and which says "unknown" instead.

    cal = work_calendar()
    due = deadline_for(date(2026, 9, 30), 5, cal)   # 2026-10-13: 10-8, 10-9, 10-10 (调休上班), 10-12, 10-13
    workdays_left(date(2026, 10, 9), due, cal)       # 3
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from duibiao.engine import CalendarGap, WorkCalendar

from .rates import deadline_in_force

__all__ = [
    "DeadlineState",
    "deadline_for",
    "deadline_in_force",
    "deadline_state",
    "is_overdue",
    "overdue_days",
    "workdays_left",
]

MAX_WORKDAYS = 366  # a deadline a year and more away is a typing mistake, not a plan


def deadline_for(found_on: date, workdays: int, calendar: WorkCalendar) -> date:
    """The ``workdays``-th working day after ``found_on`` (the day found is not counted; 0 is
    the same day). Usage: ``deadline_for(date(2026, 9, 30), 5, cal)`` → 2026-10-13."""
    if not 0 <= workdays <= MAX_WORKDAYS:
        raise ValueError(f"整改期限应为 0–{MAX_WORKDAYS} 个工作日")
    return calendar.add_workdays(found_on, workdays)


def is_overdue(deadline: date | None, today: date, closed_on: date | None = None) -> bool:
    """逾期: the deadline has passed (the deadline day itself is still in time) and the
    finding was not closed by ``today``. The same rule as the rates' 逾期."""
    closed = closed_on is not None and closed_on <= today
    return deadline is not None and deadline < today and not closed


def workdays_left(today: date, deadline: date, calendar: WorkCalendar) -> int:
    """Working days left: 0 on the deadline day, negative once passed (-1 the day after, even
    a weekend). Usage: ``workdays_left(date(2026, 10, 9), date(2026, 10, 12), cal)`` → 2."""
    return calendar.countdown(today, deadline)


def overdue_days(today: date, deadline: date) -> int:
    """Calendar days past the deadline (0 until it has passed), for 逾期 N 天."""
    return max(0, (today - deadline).days)


@dataclass(frozen=True, slots=True)
class DeadlineState:
    """What a page shows beside a finding's deadline (the template words it, translated):
    已办结 / 未设期限 / 今日到期 / 剩余 N 个工作日 / 逾期 N 天."""

    state: Literal["closed", "open", "due_today", "overdue", "none"]
    deadline: date | None  # the deadline in force
    workdays_left: int | None  # None when closed, without deadline, or the calendar has a gap
    overdue_days: int  # calendar days past the deadline, 0 unless overdue


def deadline_state(
    *,
    deadline: date | None,
    extended_to: date | None,
    closed_on: date | None,
    today: date,
    calendar: WorkCalendar,
) -> DeadlineState:
    """The state of one finding's deadline at ``today`` (extension in force when granted).

    Usage: ``deadline_state(deadline=d, extended_to=None, closed_on=None, today=t, calendar=cal)``.
    """
    limit = deadline_in_force(deadline, extended_to)
    if closed_on is not None and closed_on <= today:
        return DeadlineState("closed", limit, None, 0)
    if limit is None:
        return DeadlineState("none", None, None, 0)
    if is_overdue(limit, today):
        return DeadlineState("overdue", limit, _left(today, limit, calendar), overdue_days(today, limit))
    if limit == today:
        return DeadlineState("due_today", limit, 0, 0)
    return DeadlineState("open", limit, _left(today, limit, calendar), 0)


def _left(today: date, limit: date, calendar: WorkCalendar) -> int | None:
    try:
        return calendar.countdown(today, limit)
    except CalendarGap:
        return None
