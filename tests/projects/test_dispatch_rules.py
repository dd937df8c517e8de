"""The pure 调度会 rules: agenda composition, assignment status, escalation up the cadences,
and working-day deadlines across a holiday with a make-up workday."""

from __future__ import annotations

from datetime import date

import pytest

from duibiao.engine import WorkCalendar
from duibiao.projects.dispatch_rules import (
    DEFAULT_CADENCES,
    DONE,
    OPEN,
    OVERDUE,
    ProblemRecord,
    ProjectRecord,
    agenda_problems,
    agenda_projects,
    assignment_status,
    escalated_rank,
    escalation_steps,
    ladder,
    next_higher,
    overdue_workdays,
    rule_for,
)

# 2026's National Day week as published: 10-01..10-07 off (weekday holidays 1, 2, 5, 6, 7),
# Saturday 10-10 a make-up workday (调休上班).
CAL = WorkCalendar(
    holidays={date(2026, 10, d) for d in (1, 2, 5, 6, 7)} | {date(2026, 9, 25)},
    workdays={date(2026, 9, 20), date(2026, 10, 10)},
    covered_years={2026},
)
DAILY, THREE_DAY, WEEKLY = (rule_for(DEFAULT_CADENCES, c) for c in ("daily", "three_day", "weekly"))


def project(pk: int, code: str, level: str, flag: str | None) -> ProjectRecord:
    return ProjectRecord(id=pk, code=code, name=f"项目{code}", unit="jingyu", level=level, flag=flag)


PROJECTS = [
    project(1, "XM-03", "district", "yellow"),
    project(2, "XM-01", "city", "red"),
    project(3, "XM-02", "province", "green"),
    project(4, "XM-04", "district", "red"),
    project(5, "XM-05", "province", None),  # 竣工投产: no flag
    project(6, "XM-06", "city", "yellow"),
]


def test_the_ladder_of_cadences_is_daily_three_day_weekly():
    assert [r.code for r in ladder(DEFAULT_CADENCES)] == ["daily", "three_day", "weekly"]
    assert next_higher(DEFAULT_CADENCES, "daily") == THREE_DAY
    assert next_higher(DEFAULT_CADENCES, "three_day") == WEEKLY
    assert next_higher(DEFAULT_CADENCES, "weekly") is None
    with pytest.raises(KeyError, match="monthly"):
        rule_for(DEFAULT_CADENCES, "monthly")


def test_daily_agenda_takes_red_then_yellow_of_every_level():
    codes = [p.code for p in agenda_projects(DAILY, PROJECTS)]
    assert codes == ["XM-01", "XM-04", "XM-03", "XM-06"]  # red by code, then yellow by code


def test_three_day_takes_red_only_and_weekly_red_of_province_and_city_only():
    assert [p.code for p in agenda_projects(THREE_DAY, PROJECTS)] == ["XM-01", "XM-04"]
    assert [p.code for p in agenda_projects(WEEKLY, PROJECTS)] == ["XM-01"]  # XM-04 is 区重点


def test_green_and_unflagged_projects_are_never_on_an_agenda():
    for rule in DEFAULT_CADENCES:
        codes = {p.code for p in agenda_projects(rule, PROJECTS)}
        assert not codes & {"XM-02", "XM-05"}


def test_open_problems_of_the_projects_the_cadence_takes_by_level():
    problems = [
        ProblemRecord(id=10, project_id=3, text="用地指标未落实", unit="fagai"),  # province, green
        ProblemRecord(id=11, project_id=4, text="施工许可待办", unit="jingyu"),  # district
        ProblemRecord(id=12, project_id=2, text="电力接入", unit="fagai"),  # city
    ]
    # A problem counts whatever its project's flag: it is raised to be solved before red.
    assert [p.id for p in agenda_problems(DAILY, problems, PROJECTS)] == [12, 10, 11]
    assert [p.id for p in agenda_problems(WEEKLY, problems, PROJECTS)] == [12, 10]


def test_assignment_status_is_derived_from_the_date():
    deadline = date(2026, 10, 9)
    assert assignment_status(done=False, deadline=deadline, as_of=date(2026, 10, 9)) == OPEN
    assert assignment_status(done=False, deadline=deadline, as_of=date(2026, 10, 10)) == OVERDUE
    assert assignment_status(done=True, deadline=deadline, as_of=date(2026, 12, 1)) == DONE


def test_deadline_in_working_days_across_national_day_and_a_makeup_saturday():
    # Made on 9-30 with 3 working days: 10-01..10-07 are off, 10-08 Thu, 10-09 Fri, 10-10 Sat (调休).
    assert CAL.add_workdays(date(2026, 9, 30), DAILY.assignment_workdays) == date(2026, 10, 9)
    assert CAL.add_workdays(date(2026, 9, 30), THREE_DAY.assignment_workdays) == date(2026, 10, 10)
    assert CAL.add_workdays(date(2026, 9, 30), WEEKLY.assignment_workdays) == date(2026, 10, 13)


def test_overdue_counts_working_days_and_is_at_least_one_the_day_after():
    deadline = date(2026, 10, 9)  # a Friday
    assert overdue_workdays(deadline=deadline, as_of=deadline, calendar=CAL) == 0
    assert overdue_workdays(deadline=deadline, as_of=date(2026, 10, 10), calendar=CAL) == 1  # 调休 Saturday
    assert overdue_workdays(deadline=deadline, as_of=date(2026, 10, 11), calendar=CAL) == 1  # Sunday
    assert overdue_workdays(deadline=deadline, as_of=date(2026, 10, 13), calendar=CAL) == 3


def test_an_overdue_daily_assignment_climbs_to_three_day_then_weekly():
    deadline = date(2026, 9, 30)
    rank = lambda day: escalated_rank(origin=0, deadline=deadline, as_of=day, top=2, calendar=CAL)  # noqa: E731
    assert rank(date(2026, 9, 30)) == 0  # the deadline day itself: not overdue
    assert rank(date(2026, 10, 1)) == 1  # the day after (a holiday): overdue, on the 区长 agenda
    assert rank(date(2026, 10, 9)) == 1  # 10-08, 10-09: two working days late
    assert rank(date(2026, 10, 10)) == 1  # the 调休 Saturday: the third working day late
    assert rank(date(2026, 10, 12)) == 2  # the fourth: past the 区长 meeting too, on the 书记's agenda
    assert rank(date(2026, 12, 31)) == 2  # capped at the top rung


def test_escalation_steps_give_the_dates_each_rung_is_reached():
    steps = escalation_steps(origin=0, deadline=date(2026, 9, 30), top=2, calendar=CAL, step=3)
    # One rung the day after the deadline; the next after 3 more working days late
    # (10-08, 10-09, 10-10 调休): the 4th working day past the deadline, 10-12.
    assert steps == [(date(2026, 10, 1), 1), (date(2026, 10, 12), 2)]
    # The top cadence's own assignments have nowhere to climb.
    assert escalation_steps(origin=2, deadline=date(2026, 9, 30), top=2, calendar=CAL) == []


def test_rank_and_steps_agree_on_every_day():
    deadline = date(2026, 9, 28)
    steps = escalation_steps(origin=0, deadline=deadline, top=2, calendar=CAL)
    for offset in range(0, 40):
        day = date.fromordinal(deadline.toordinal() + offset)
        expected = max([rank for start, rank in steps if start <= day], default=0)
        assert escalated_rank(origin=0, deadline=deadline, as_of=day, top=2, calendar=CAL) == expected, day


def test_done_or_top_assignment_does_not_climb():
    assert escalated_rank(origin=2, deadline=date(2026, 9, 1), as_of=date(2026, 12, 1), top=2, calendar=CAL) == 2
    assert escalated_rank(origin=1, deadline=date(2026, 9, 1), as_of=date(2026, 12, 1), top=2, calendar=CAL) == 2
