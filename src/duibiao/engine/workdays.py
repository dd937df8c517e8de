"""Working days (工作日) under the Chinese holiday arrangement, given as data.

The calendar is pure: the caller supplies the holidays on weekdays, the make-up workdays
(调休上班) on weekends, and the years those lists are complete for. A date in a year that
is not covered raises `CalendarGap` instead of guessing, because a deadline computed from
a missing holiday table is silently wrong.

Usage::

    cal = WorkCalendar(holidays={date(2026, 10, 1)}, workdays={date(2026, 10, 10)},
                       covered_years={2026})
    cal.add_workdays(date(2026, 9, 30), 5)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta


class CalendarGap(ValueError):
    """A date falls in a year whose holiday arrangement is not known."""

    def __init__(self, year: int) -> None:
        super().__init__(f"{year} 年的节假日安排尚未录入，无法计算工作日 (no holiday table for {year})")
        self.year = year


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    covered_years: frozenset[int] = field(default_factory=frozenset)

    def __init__(
        self,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        covered_years: Iterable[int] = (),
    ) -> None:
        object.__setattr__(self, "holidays", frozenset(holidays))
        object.__setattr__(self, "workdays", frozenset(workdays))
        object.__setattr__(self, "covered_years", frozenset(covered_years))

    def covers(self, year: int) -> bool:
        """True when the year's holiday arrangement is known."""
        return year in self.covered_years

    def is_workday(self, day: date) -> bool:
        """True for a working day. Usage: ``cal.is_workday(date(2026, 10, 10))``."""
        if day.year not in self.covered_years:
            raise CalendarGap(day.year)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_workdays(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (start itself not counted).

        Usage: ``cal.add_workdays(date(2026, 9, 30), 5)`` → the fifth working day after.
        """
        if count < 0:
            raise ValueError("count must be >= 0")
        day, left = start, count
        while left:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(
            self.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
        )

    def countdown(self, today: date, deadline: date) -> int:
        """Working days left until `deadline`: 0 on the deadline day itself, negative once it
        has passed (-1 on the first day after it, even a weekend, so overdue is never 0).

        Usage: ``cal.countdown(date(2026, 10, 9), date(2026, 10, 12))`` → 2 (10-10 is 调休上班).
        """
        if today <= deadline:
            return self.workdays_between(today, deadline)
        return -max(1, self.workdays_between(deadline, today))
