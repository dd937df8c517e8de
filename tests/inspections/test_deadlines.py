"""Rectification deadlines in working days across the 2026 National Day week (with its make-up
Sunday 9-20 and Saturday 10-10, and Mid-Autumn on 9-25) and the 2026 Spring Festival (make-up
Saturdays 2-14 and 2-28), on a calendar written out here from the published arrangement; then
the same answers from the system's own calendar (duibiao.workdays)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from duibiao.engine import CalendarGap, WorkCalendar
from duibiao.inspections.deadlines import (
    MAX_WORKDAYS,
    deadline_for,
    deadline_state,
    is_overdue,
    overdue_days,
    workdays_left,
)


def _days(first: str, last: str) -> set[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


# 国务院办公厅关于2026年部分节假日安排的通知 (the days off on weekdays, and the make-up workdays).
HOLIDAYS_2026 = (
    _days("2026-01-01", "2026-01-02") | _days("2026-02-16", "2026-02-20") | {date(2026, 2, 23)}
    | {date(2026, 4, 6)} | _days("2026-05-01", "2026-05-01") | _days("2026-05-04", "2026-05-05")
    | {date(2026, 6, 19)} | {date(2026, 9, 25)} | _days("2026-10-01", "2026-10-02")
    | _days("2026-10-05", "2026-10-07")
)
MAKE_UP_2026 = {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                date(2026, 9, 20), date(2026, 10, 10)}
CAL = WorkCalendar(holidays=HOLIDAYS_2026, workdays=MAKE_UP_2026, covered_years={2026})


def d(text: str) -> date:
    return date.fromisoformat(f"2026-{text}")


@pytest.mark.parametrize(("found", "n", "due"), [
    ("09-30", 5, "10-13"),  # 10-8, 10-9, 10-10 (make-up Saturday), 10-12, 10-13
    ("09-30", 3, "10-10"),  # the make-up Saturday is a deadline like any workday
    ("09-18", 1, "09-20"),  # Friday → the make-up Sunday
    ("09-24", 1, "09-28"),  # Mid-Autumn Friday and the weekend skipped
    ("09-29", 2, "10-08"),  # 9-30, then the whole holiday week skipped
    ("10-01", 1, "10-08"),  # found during the holiday
    ("02-13", 1, "02-14"),  # Friday → the Spring Festival make-up Saturday
    ("02-14", 1, "02-24"),  # 2-15 … 2-23 off
    ("02-13", 10, "03-05"),  # 2-14, 2-24…2-27, 2-28 (make-up), 3-2…3-5
    ("06-01", 0, "06-01"),  # 0 working days: the same day
    ("06-05", 5, "06-12"),  # an ordinary week: Friday + 5 → next Friday
])
def test_deadline_in_working_days(found: str, n: int, due: str) -> None:
    assert deadline_for(d(found), n, CAL) == d(due)


def test_a_plain_weekend_calendar_would_be_wrong_here() -> None:
    # The same question on a calendar that knows no holidays: the assessment's calendar matters.
    plain = WorkCalendar(covered_years={2026})
    assert deadline_for(d("09-30"), 5, plain) == d("10-07") != deadline_for(d("09-30"), 5, CAL)


@pytest.mark.parametrize("n", [-1, MAX_WORKDAYS + 1])
def test_a_nonsense_number_of_days_is_refused(n: int) -> None:
    with pytest.raises(ValueError, match="整改期限应为 0–366 个工作日"):
        deadline_for(d("06-01"), n, CAL)


def test_a_year_without_a_holiday_table_is_refused_not_guessed() -> None:
    with pytest.raises(CalendarGap):
        deadline_for(d("12-30"), 5, CAL)  # runs into 2027


def test_overdue_only_after_the_deadline_day_and_only_while_not_closed() -> None:
    deadline = d("10-09")
    assert not is_overdue(deadline, d("10-09"))  # the deadline day is still in time
    assert is_overdue(deadline, d("10-10"))
    assert not is_overdue(deadline, d("10-12"), closed_on=d("10-11"))
    assert not is_overdue(deadline, d("10-12"), closed_on=d("10-12"))
    assert is_overdue(deadline, d("10-12"), closed_on=d("10-13"))  # a closure still to come
    assert not is_overdue(None, d("12-31"))
    assert overdue_days(d("10-12"), deadline) == 3 and overdue_days(d("10-09"), deadline) == 0


@pytest.mark.parametrize(("today", "deadline", "left"), [
    ("09-30", "10-13", 5),  # across the holiday week
    ("10-09", "10-12", 2),  # 10-10 (make-up) and 10-12
    ("10-13", "10-13", 0),  # the day itself
    ("10-14", "10-13", -1),
    ("10-10", "10-09", -1),  # the make-up Saturday after a Friday deadline
    ("10-11", "10-09", -1),  # a Sunday after it: overdue is never 0
    ("10-12", "10-09", -2),
    ("02-13", "02-24", 2),  # 2-14 (make-up) and 2-24 across Spring Festival
])
def test_working_days_left(today: str, deadline: str, left: int) -> None:
    assert workdays_left(d(today), d(deadline), CAL) == left


def test_deadline_state_for_a_page() -> None:
    def state(**kw: object) -> tuple[object, ...]:
        args: dict[str, object] = {"deadline": d("10-09"), "extended_to": None, "closed_on": None,
                                   "today": d("10-08"), "calendar": CAL} | kw
        s = deadline_state(**args)  # type: ignore[arg-type]
        return s.state, s.deadline, s.workdays_left, s.overdue_days

    assert state() == ("open", d("10-09"), 1, 0)
    assert state(today=d("10-09")) == ("due_today", d("10-09"), 0, 0)
    assert state(today=d("10-12")) == ("overdue", d("10-09"), -2, 3)
    assert state(extended_to=d("10-13"), today=d("10-12")) == ("open", d("10-13"), 1, 0)
    assert state(closed_on=d("10-10"), today=d("10-12")) == ("closed", d("10-09"), None, 0)
    assert state(closed_on=d("10-13"), today=d("10-12"))[0] == "overdue"  # closed later, not yet
    assert state(deadline=None) == ("none", None, None, 0)
    # A page still renders when the calendar lacks a year: the count is unknown, not an error.
    gap = deadline_state(deadline=date(2027, 1, 8), extended_to=None, closed_on=None,
                         today=d("12-30"), calendar=CAL)
    assert (gap.state, gap.workdays_left) == ("open", None)


@pytest.mark.django_db
def test_the_systems_calendar_gives_the_same_deadlines() -> None:
    from duibiao.workdays.selectors import work_calendar

    cal = work_calendar()
    for found, n, due in [("09-30", 5, "10-13"), ("09-18", 1, "09-20"), ("02-13", 10, "03-05"),
                          ("09-24", 1, "09-28")]:
        assert deadline_for(d(found), n, cal) == d(due)
    for day in _days("2026-01-01", "2026-12-31"):
        assert cal.is_workday(day) == CAL.is_workday(day), day
