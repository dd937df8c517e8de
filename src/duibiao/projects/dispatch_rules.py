"""调度会 rules, pure: which projects and problems a cadence's agenda takes, the status of an
assignment (交办事项) on a date, and the escalation of an overdue assignment up the ladder of
cadences (经济专班日调度 → 区长三日调度 → 书记周调度).

No Django here: the selectors feed plain records in and the tests check the rules on
hand-made cases. Working days come from `engine.WorkCalendar` (the caller's calendar).

    rules = DEFAULT_CADENCES
    agenda_projects(rules[0], projects)                      # red first, then yellow
    escalated_rank(origin=0, deadline=d, as_of=today, calendar=cal, top=2)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from duibiao.engine.workdays import WorkCalendar

RED, YELLOW, GREEN = "red", "yellow", "green"
FLAG_ORDER = {RED: 0, YELLOW: 1, GREEN: 2}
FLAG_LABELS = {RED: "红", YELLOW: "黄", GREEN: "绿"}
LEVELS = ("province", "city", "district")

OPEN, DONE, OVERDUE = "open", "done", "overdue"
STATUS_LABELS = {OPEN: "办理中", DONE: "已办结", OVERDUE: "已逾期"}

# An assignment overdue by more than this many working days has also passed the next
# cadence's meeting: it goes one rung higher again (daily → three-day → weekly).
ESCALATION_STEP_WORKDAYS = 3


@dataclass(frozen=True)
class CadenceRule:
    """One dispatch cadence: who chairs it, how often it meets (working days), which project
    levels and flags its agenda takes, and its rung on the escalation ladder (0 lowest)."""

    code: str
    label: str
    chair: str
    rank: int
    every_workdays: int
    levels: frozenset[str]
    flags: frozenset[str]
    assignment_workdays: int = 3  # the default deadline of an assignment made at it


# The cadences. Each is overridable by the office (a CadenceRule row, see
# selectors.dispatch.cadence_rules): these are the values when nothing is set.
DEFAULT_CADENCES: tuple[CadenceRule, ...] = (
    CadenceRule("daily", "经济专班日调度", "经济专班", 0, 1,
                frozenset(LEVELS), frozenset({RED, YELLOW}), assignment_workdays=2),
    CadenceRule("three_day", "区长三日调度", "区政府主要领导", 1, 3,
                frozenset(LEVELS), frozenset({RED}), assignment_workdays=3),
    CadenceRule("weekly", "书记周调度", "区委主要领导", 2, 5,
                frozenset({"province", "city"}), frozenset({RED}), assignment_workdays=5),
)


@dataclass(frozen=True)
class ProjectRecord:
    """What an agenda needs of a project: its flag (A's rates) and its level."""

    id: int
    code: str
    name: str
    unit: str
    level: str
    flag: str | None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProblemRecord:
    """An open 难点堵点 of a project."""

    id: int
    project_id: int
    text: str
    unit: str


def rule_for(rules: Sequence[CadenceRule], code: str) -> CadenceRule:
    """The rule of a cadence code; KeyError naming it when unknown."""
    for rule in rules:
        if rule.code == code:
            return rule
    raise KeyError(f"unknown cadence {code!r}")


def ladder(rules: Iterable[CadenceRule]) -> list[CadenceRule]:
    """The cadences from the lowest rung to the highest."""
    return sorted(rules, key=lambda r: r.rank)


def next_higher(rules: Sequence[CadenceRule], code: str) -> CadenceRule | None:
    """The cadence one rung above `code` (None at the top)."""
    above = [r for r in ladder(rules) if r.rank > rule_for(rules, code).rank]
    return above[0] if above else None


def in_scope(rule: CadenceRule, project: ProjectRecord) -> bool:
    """A project belongs to a cadence's agenda by its level and its flag."""
    return project.level in rule.levels and project.flag in rule.flags


def agenda_projects(rule: CadenceRule, projects: Iterable[ProjectRecord]) -> list[ProjectRecord]:
    """The projects on the agenda: in scope, red before yellow, then by code.

    Usage: ``agenda_projects(DEFAULT_CADENCES[0], records)``."""
    chosen = [p for p in projects if in_scope(rule, p)]
    return sorted(chosen, key=lambda p: (FLAG_ORDER.get(p.flag or GREEN, 3), p.code))


def agenda_problems(
    rule: CadenceRule, problems: Iterable[ProblemRecord], projects: Iterable[ProjectRecord],
) -> list[ProblemRecord]:
    """Open problems of the projects whose level the cadence takes (whatever their flag: a
    problem is raised to be solved before the project turns red), oldest project first."""
    levels = {p.id: p for p in projects if p.level in rule.levels}
    chosen = [pr for pr in problems if pr.project_id in levels]
    return sorted(chosen, key=lambda pr: (levels[pr.project_id].code, pr.id))


def assignment_status(*, done: bool, deadline: date, as_of: date) -> str:
    """done, open, or overdue — overdue derived from the date, never stored: an assignment
    not done is overdue from the day after its deadline."""
    if done:
        return DONE
    return OVERDUE if as_of > deadline else OPEN


def overdue_workdays(*, deadline: date, as_of: date, calendar: WorkCalendar) -> int:
    """Working days past the deadline (0 when not past; at least 1 the day after, even on a
    weekend, so an overdue assignment never reads as 0)."""
    if as_of <= deadline:
        return 0
    return max(1, calendar.workdays_between(deadline, as_of))


def escalation_steps(
    *, origin: int, deadline: date, top: int, calendar: WorkCalendar,
    step: int = ESCALATION_STEP_WORKDAYS,
) -> list[tuple[date, int]]:
    """When an assignment not done climbs each rung: (the first day it stands there, rung).
    The day after the deadline (a calendar day: overdue starts then) it goes one rung up;
    after each further `step` working days overdue, one more, up to `top`.

    Usage: ``escalation_steps(origin=0, deadline=d, top=2, calendar=cal)``."""
    steps: list[tuple[date, int]] = []
    for k in range(1, top - origin + 1):
        day = deadline + timedelta(days=1) if k == 1 else calendar.add_workdays(deadline, (k - 1) * step + 1)
        steps.append((day, origin + k))
    return steps


def escalated_rank(
    *, origin: int, deadline: date, as_of: date, top: int, calendar: WorkCalendar,
    step: int = ESCALATION_STEP_WORKDAYS,
) -> int:
    """The rung an assignment not done stands on at `as_of` (its origin when not overdue).

    Usage: ``escalated_rank(origin=0, deadline=d, as_of=today, top=2, calendar=cal)``."""
    if as_of <= deadline or origin >= top:
        return origin
    late = calendar.workdays_between(deadline, as_of)
    return min(top, origin + 1 + max(0, late - 1) // step)
