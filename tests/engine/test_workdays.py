"""The pure working-day calendar: holidays, 调休 make-up workdays, uncovered years."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duibiao.engine import CalendarGap, WorkCalendar

# 2026 as published by the State Council (国办发明电〔2025〕7号), weekday holidays and
# weekend make-up workdays only, as WorkCalendar expects them.
HOLIDAYS_2026 = {
    date(2026, 1, 1), date(2026, 1, 2),
    *(date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)),
    date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5), date(2026, 6, 19),
    date(2026, 9, 25), *(date(2026, 10, d) for d in (1, 2, 5, 6, 7)),
}
MAKEUP_2026 = {
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
    date(2026, 10, 10),
}
CAL = WorkCalendar(holidays=HOLIDAYS_2026, workdays=MAKEUP_2026, covered_years={2026})


def test_national_day_week_is_skipped_and_makeup_saturday_counts():
    # 9-30 (Wed) opens; 10-01..10-07 are off; 10-08 Thu, 10-09 Fri, 10-10 Sat (调休上班),
    # 10-12 Mon, 10-13 Tue → the fifth working day.
    assert CAL.add_workdays(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert CAL.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_makeup_workdays_are_workdays_and_holidays_are_not():
    for day in MAKEUP_2026:
        assert day.weekday() >= 5 and CAL.is_workday(day)
    for day in HOLIDAYS_2026:
        assert not CAL.is_workday(day)
    assert not CAL.is_workday(date(2026, 10, 11))  # an ordinary Sunday
    assert CAL.is_workday(date(2026, 10, 12))


def test_spring_festival_with_two_makeup_saturdays():
    # 2-13 Fri; 2-14 Sat 班; 2-15 Sun..2-23 Mon off; 2-24 Tue.
    assert CAL.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CAL.add_workdays(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert CAL.workdays_between(date(2026, 2, 13), date(2026, 2, 28)) == 6  # 14, 24–27, 28


def test_zero_days_is_the_start_and_negative_is_refused():
    assert CAL.add_workdays(date(2026, 10, 1), 0) == date(2026, 10, 1)
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2026, 10, 1), -1)


def test_uncovered_year_raises_calendar_gap_instead_of_guessing():
    with pytest.raises(CalendarGap) as info:
        CAL.add_workdays(date(2026, 12, 28), 5)  # runs into 2027
    assert info.value.year == 2027
    assert "2027" in str(info.value)
    assert CAL.covers(2026) and not CAL.covers(2027)


def test_workdays_between_is_antisymmetric():
    a, b = date(2026, 9, 1), date(2026, 10, 31)
    assert CAL.workdays_between(a, b) == -CAL.workdays_between(b, a)
    assert CAL.workdays_between(a, a) == 0


def test_countdown_is_zero_on_the_day_and_negative_after():
    deadline = date(2026, 10, 13)
    assert CAL.countdown(date(2026, 10, 9), deadline) == 3  # 10-10, 10-12, 10-13
    assert CAL.countdown(deadline, deadline) == 0
    assert CAL.countdown(date(2026, 10, 14), deadline) == -1
    # Past a Friday deadline on the weekend: overdue, never 0.
    assert CAL.countdown(date(2026, 10, 17), date(2026, 10, 16)) == -1
    assert CAL.countdown(date(2026, 10, 19), date(2026, 10, 16)) == -1
    assert CAL.countdown(date(2026, 10, 20), date(2026, 10, 16)) == -2


starts = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 11, 30))


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=20))
def test_add_workdays_lands_on_a_workday_n_workdays_later(start, n):
    result = CAL.add_workdays(start, n)
    assert CAL.is_workday(result)
    assert CAL.workdays_between(start, result) == n
    # Nothing earlier would do: the day before has one working day fewer.
    assert CAL.workdays_between(start, result - timedelta(days=1)) == n - 1


@settings(max_examples=100, deadline=None)
@given(a=starts, b=starts)
def test_countdown_sign_follows_the_dates(a, b):
    left = CAL.countdown(a, b)
    assert (left < 0) == (a > b)
