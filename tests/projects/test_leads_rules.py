"""The pure 三及时三迅速 rules: stages in order, time limits in working days, the funnel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from duibiao.engine import WorkCalendar
from duibiao.projects.lead_rules import (
    DEFAULT_STAGE_LIMITS,
    STAGE_CODES,
    can_convert,
    funnel,
    next_stage,
    stage_deadline,
    stage_overdue,
)

CAL = WorkCalendar(holidays={date(2026, 10, d) for d in (1, 2, 5, 6, 7)}, workdays={date(2026, 10, 10)},
                   covered_years={2026})


def test_stages_run_from_found_to_counted():
    assert [next_stage(s) for s in STAGE_CODES] == [*STAGE_CODES[1:], None]
    with pytest.raises(ValueError, match="bogus"):
        next_stage("bogus")


def test_conversion_is_allowed_from_complete_evidence_on():
    assert [can_convert(s) for s in STAGE_CODES] == [False, False, False, True, True, True]


def test_stage_time_limit_in_working_days_across_a_holiday():
    # Found on 9-30, 3 working days to contact the legal person: 10-08, 10-09, 10-10 (调休).
    deadline = stage_deadline(entered_on=date(2026, 9, 30), stage="found", limits=DEFAULT_STAGE_LIMITS,
                              calendar=CAL)
    assert deadline == date(2026, 10, 10)
    over = lambda day: stage_overdue(entered_on=date(2026, 9, 30), stage="found", as_of=day,  # noqa: E731
                                     limits=DEFAULT_STAGE_LIMITS, calendar=CAL)
    assert not over(date(2026, 10, 10))
    assert over(date(2026, 10, 11))


def test_configured_limits_override_and_the_last_stage_has_none():
    limits = {**DEFAULT_STAGE_LIMITS, "found": 1}
    assert stage_deadline(entered_on=date(2026, 9, 30), stage="found", limits=limits, calendar=CAL) == date(2026, 10, 8)
    assert stage_deadline(entered_on=date(2026, 9, 30), stage="counted", limits=limits, calendar=CAL) is None
    assert not stage_overdue(entered_on=date(2026, 1, 5), stage="counted", as_of=date(2026, 12, 31), limits=limits,
                             calendar=CAL)


def test_funnel_counts_and_amounts_now_and_reached():
    steps = funnel([("found", Decimal(100)), ("found", None), ("evidence", Decimal("2500.5")),
                    ("counted", Decimal(3000))])
    assert [s.stage for s in steps] == list(STAGE_CODES)
    assert [s.now for s in steps] == [2, 0, 0, 1, 0, 1]
    assert [s.reached for s in steps] == [4, 2, 2, 2, 1, 1]
    assert steps[0].amount_reached == Decimal("5600.5")
    assert steps[3].amount_now == Decimal("2500.5")
    assert steps[4].amount_reached == Decimal(3000)


def test_funnel_refuses_an_unknown_stage():
    with pytest.raises(ValueError):
        funnel([("lost", Decimal(1))])
