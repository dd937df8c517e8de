"""调度会 reads, through the gate: the meetings a user may see, a meeting's agenda (red and
yellow projects of its cadence's scope, open problems, 复盘 of the previous meeting of the
same cadence, overdue assignments escalated from the cadence below), and a unit's
assignments. The rules are `projects.dispatch_rules`; here only the mapping from rows.

An agenda is a plain dict (JSON): computed live while the meeting is planned, kept in the
meeting when it is closed, and rendered by one template either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.engine import CalendarGap, WorkCalendar
from duibiao.org.models import Unit
from duibiao.projects import dispatch_rules as rules
from duibiao.projects.models import (
    Assignment,
    CadenceRule,
    DispatchMeeting,
    Level,
    Problem,
    Project,
)
from duibiao.projects.rates import project_flag
from duibiao.projects.selectors.ledger import ledger_rows
from duibiao.workdays.selectors import work_calendar

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

    AnyUser = User | AnonymousUser


def cadence_rules() -> tuple[rules.CadenceRule, ...]:
    """The cadences in force: the defaults, each replaced by the office's row when there is one."""
    saved = {row.cadence: row for row in CadenceRule.objects.all()}
    merged = []
    for default in rules.DEFAULT_CADENCES:
        row = saved.get(default.code)
        if row is None:
            merged.append(default)
            continue
        merged.append(rules.CadenceRule(
            default.code, default.label, row.chair or default.chair, default.rank, row.every_workdays,
            frozenset(row.levels), frozenset(row.flags), assignment_workdays=row.assignment_workdays))
    return tuple(merged)


def today() -> date:
    return timezone.localdate()


def holds(*, user: AnyUser, action: str) -> bool:
    """Whether the user holds the action for some unit (whether a list page is his at all)."""
    return action in gate.actions(user)


def dispatch_actions(*, user: AnyUser) -> frozenset[str]:
    """The dispatch and lead actions the user holds (the pages' tabs)."""
    return frozenset(a for a in gate.actions(user) if a.startswith(("projects.meeting.", "projects.assignment.",
                                                                     "projects.lead.")))


def default_workdays(meeting: DispatchMeeting) -> int:
    """The deadline an assignment of this meeting's cadence gets unless the office says otherwise."""
    return rules.rule_for(cadence_rules(), meeting.cadence).assignment_workdays


# ---------------------------------------------------------------------------- meetings


def meeting_list(*, user: AnyUser) -> QuerySet[DispatchMeeting]:
    return gate.restrict(user, DispatchMeeting.objects.select_related("district"), "projects.meeting.view",
                         unit_field="district")


def meeting_get(*, user: AnyUser, pk: int) -> DispatchMeeting:
    """A meeting the user may see; 404 otherwise (another district's meeting is not leaked)."""
    meeting = meeting_list(user=user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def meeting_districts(*, user: AnyUser) -> QuerySet[Unit]:
    """The districts the user may hold meetings for (the choice on the new-meeting form)."""
    return gate.units(user, "projects.meeting.manage").filter(kind=Unit.Kind.DISTRICT)


def can_manage(*, user: AnyUser, meeting: DispatchMeeting) -> bool:
    return gate.allows(user, "projects.meeting.manage", unit=meeting.district)


def previous_meeting(meeting: DispatchMeeting) -> DispatchMeeting | None:
    """The meeting of the same cadence and district before this one (复盘 reads it): held on
    an earlier date, or the same date and arranged earlier."""
    same = DispatchMeeting.objects.filter(district=meeting.district, cadence=meeting.cadence).exclude(pk=meeting.pk)
    before = same.filter(held_on__lt=meeting.held_on) | same.filter(held_on=meeting.held_on, pk__lt=meeting.pk)
    return before.order_by("-held_on", "-id").first()


def district_projects(district: Unit) -> QuerySet[Project]:
    return Project.objects.filter(owner_unit__path__startswith=district.path)


def project_records(projects: QuerySet[Project], as_of: date) -> list[rules.ProjectRecord]:
    """Each project with its flag at `as_of` (B's ledger_rows, A's project_flag: the same
    colours as the portfolio and `duibiao project-rates`)."""
    ids = dict(projects.values_list("code", "pk"))
    records = []
    for row in ledger_rows(projects, as_of):
        flag = project_flag(row, as_of)
        records.append(rules.ProjectRecord(id=ids[row.code], code=row.code, name=row.name, unit=row.unit,
                                           level=str(row.level), flag=flag.colour, reasons=flag.reasons))
    return records


def _assignment(a: Assignment, as_of: date, calendar: WorkCalendar | None) -> dict[str, Any]:
    done = a.status == Assignment.Status.DONE
    status = rules.assignment_status(done=done, deadline=a.deadline, as_of=as_of)
    late = 0
    if status == rules.OVERDUE and calendar is not None:
        try:
            late = rules.overdue_workdays(deadline=a.deadline, as_of=as_of, calendar=calendar)
        except CalendarGap:
            late = 0  # a year missing from the holiday table: overdue still shows, uncounted
    return {
        "id": a.pk, "text": a.text, "unit": a.unit.code, "unit_name": a.unit.name,
        "project": a.project.code if a.project else "", "project_name": a.project.name if a.project else "",
        "assigned_on": a.assigned_on.isoformat(), "deadline": a.deadline.isoformat(), "workdays": a.workdays,
        "status": status, "status_label": rules.STATUS_LABELS[status], "overdue_workdays": late,
        "reply": a.reply, "replied_on": a.replied_on.isoformat() if a.replied_on else "",
        "meeting": a.meeting_id, "meeting_label": f"{a.meeting.held_on} {a.meeting.get_cadence_display()}",
    }


def _calendar() -> tuple[WorkCalendar | None, str]:
    try:
        return work_calendar(), ""
    except CalendarGap as gap:  # pragma: no cover - the table is read lazily; a gap shows below
        return None, str(gap)


def _escalated(meeting: DispatchMeeting, cadences: tuple[rules.CadenceRule, ...], as_of: date,
               calendar: WorkCalendar | None) -> tuple[list[dict[str, Any]], str]:
    """Overdue assignments of lower cadences whose climb stands at this meeting's rung on
    its date, each with its history (made where, due when, each rung reached and when)."""
    rank = rules.rule_for(cadences, meeting.cadence).rank
    top = max(r.rank for r in cadences)
    ranks = {r.code: r for r in cadences}
    lower = [r.code for r in cadences if r.rank < rank]
    candidates = (Assignment.objects.filter(meeting__district=meeting.district, meeting__cadence__in=lower,
                                            status=Assignment.Status.OPEN, deadline__lt=as_of)
                  .select_related("meeting", "unit", "project"))
    found, gap = [], ""
    for a in candidates:
        origin = ranks[a.meeting.cadence].rank
        try:
            assert calendar is not None
            at = rules.escalated_rank(origin=origin, deadline=a.deadline, as_of=as_of, top=top, calendar=calendar)
            steps = rules.escalation_steps(origin=origin, deadline=a.deadline, top=top, calendar=calendar)
        except (CalendarGap, AssertionError) as problem:
            gap = str(problem) or gap
            continue
        if at != rank:
            continue
        item = _assignment(a, as_of, calendar)
        by_rank = {r.rank: r.label for r in cadences}
        item["history"] = [
            {"date": a.assigned_on.isoformat(), "text": f"{a.meeting.get_cadence_display()}交办，"
                                                      f"限{a.workdays}个工作日"},
            {"date": a.deadline.isoformat(), "text": "办结期限"},
            *({"date": day.isoformat(), "text": f"逾期未办结，升级至{by_rank[climbed]}"}
              for day, climbed in steps if day <= as_of),
        ]
        if a.replied_on:
            item["history"].append({"date": a.replied_on.isoformat(), "text": f"单位答复：{a.reply}"})
        found.append(item)
    return found, gap


def agenda_build(meeting: DispatchMeeting, as_of: date | None = None) -> dict[str, Any]:
    """The agenda of a meeting at its date (or `as_of`): what closing the meeting keeps."""
    as_of = as_of or meeting.held_on
    cadences = cadence_rules()
    rule = rules.rule_for(cadences, meeting.cadence)
    calendar, gap = _calendar()
    projects = district_projects(meeting.district)
    records = project_records(projects, as_of)
    problems = [
        rules.ProblemRecord(id=p.pk, project_id=p.project_id, text=p.text, unit=p.asked_unit.name)
        for p in Problem.objects.filter(project__in=projects, status=Problem.Status.OPEN).select_related("asked_unit")
    ]
    by_id = {r.id: r for r in records}
    previous = previous_meeting(meeting)
    review = []
    if previous is not None:
        review = [_assignment(a, as_of, calendar)
                  for a in previous.assignments.select_related("meeting", "unit", "project")]
    escalated, escalation_gap = _escalated(meeting, cadences, as_of, calendar)
    return {
        "as_of": as_of.isoformat(), "cadence": rule.code, "cadence_label": rule.label,
        "levels": [str(label) for code, label in Level.choices if code in rule.levels],  # 省, 市, 区
        "flags": [rules.FLAG_LABELS[f] for f in (rules.RED, rules.YELLOW, rules.GREEN) if f in rule.flags],
        "projects": [_project(p) for p in rules.agenda_projects(rule, records)],
        "problems": [
            {"id": p.id, "project": by_id[p.project_id].code, "project_name": by_id[p.project_id].name,
             "text": p.text, "unit_name": p.unit}
            for p in rules.agenda_problems(rule, problems, records)
        ],
        "review": {
            "meeting": previous.pk if previous else None,
            "meeting_label": f"{previous.held_on} {previous.get_cadence_display()}" if previous else "",
            "items": review,
        },
        "escalated": escalated,
        "calendar_gap": gap or escalation_gap,
    }


def _project(p: rules.ProjectRecord) -> dict[str, Any]:
    return {"id": p.id, "code": p.code, "name": p.name, "unit_name": p.unit,
            "level": p.level, "level_label": str(Level(p.level).label) if p.level in Level.values else p.level,
            "flag": p.flag or "", "flag_label": rules.FLAG_LABELS.get(p.flag or "", "—"), "reasons": list(p.reasons)}


def meeting_agenda(meeting: DispatchMeeting) -> dict[str, Any]:
    """The agenda to show: the one kept at closing for a held meeting, else built now."""
    if meeting.status == DispatchMeeting.Status.HELD and meeting.agenda:
        return dict(meeting.agenda)
    return agenda_build(meeting)


def meeting_assignments(meeting: DispatchMeeting, as_of: date | None = None) -> list[dict[str, Any]]:
    calendar, _gap = _calendar()
    return [_assignment(a, as_of or today(), calendar)
            for a in meeting.assignments.select_related("meeting", "unit", "project")]


def meeting_units(meeting: DispatchMeeting) -> QuerySet[Unit]:
    """The units an assignment of this meeting may go to: the district's own units."""
    return Unit.objects.filter(path__startswith=meeting.district.path).exclude(pk=meeting.district_id)


# ---------------------------------------------------------------------------- assignments


@dataclass(frozen=True)
class AssignmentCounts:
    open: int  # not done yet
    overdue: int  # of which past their deadline today


def assignment_counts(*, user: AnyUser) -> AssignmentCounts | None:
    """The open and overdue assignments the user answers, for his home page (None when he
    answers none: the office and leaders follow them from the meetings instead)."""
    if not holds(user=user, action="projects.assignment.reply"):
        return None
    pending = gate.restrict(user, Assignment.objects.filter(status=Assignment.Status.OPEN),
                            "projects.assignment.reply")
    return AssignmentCounts(pending.count(), pending.filter(deadline__lt=today()).count())


def assignment_list(*, user: AnyUser, unit: Unit | None = None) -> QuerySet[Assignment]:
    qs = gate.restrict(user, Assignment.objects.select_related("meeting", "unit", "project"),
                       "projects.assignment.view")
    return qs.filter(unit=unit) if unit is not None else qs


def assignment_get(*, user: AnyUser, pk: int) -> Assignment:
    found = assignment_list(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def assignment_rows(assignments: Iterable[Assignment], as_of: date | None = None) -> list[dict[str, Any]]:
    """Assignments as rows with their status on `as_of` (today by default): overdue derived."""
    calendar, _gap = _calendar()
    return [{**_assignment(a, as_of or today(), calendar), "version": a.version} for a in assignments]


def can_reply(*, user: AnyUser, assignment: Assignment) -> bool:
    return (assignment.status == Assignment.Status.OPEN
            and gate.allows(user, "projects.assignment.reply", unit=assignment.unit))
