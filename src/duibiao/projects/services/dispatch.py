"""调度会 writes: arrange a meeting, save its minutes, assign a task to a unit with a
working-day deadline, close the meeting (its agenda kept as it stood), and the unit's reply.

Each: keyword-only arguments, the gate first, one transaction, one audit row; every write
of an existing row names the version it read (`UPDATE … WHERE version = n`, else
ConflictError, nothing written).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.audit.services import audit_record
from duibiao.engine import CalendarGap
from duibiao.org.models import Unit
from duibiao.projects import dispatch_rules as rules
from duibiao.projects.errors import ConflictError, ProjectError, ProjectInvalid
from duibiao.projects.models import Assignment, Cadence, DispatchMeeting, Project
from duibiao.projects.selectors.dispatch import agenda_build, cadence_rules
from duibiao.workdays.selectors import work_calendar

if TYPE_CHECKING:
    from duibiao.accounts.models import User

MAX_WORKDAYS = 60  # an assignment is a short task; a longer one is a project milestone


def clean_text(value: str, *, field: str, max_length: int, required: str = "") -> str:
    """The one check of a free text: trimmed, required when `required` says why, and within
    its column's length (named in the message)."""
    text = (value or "").strip()
    if required and not text:
        raise ProjectInvalid({field: required})
    if len(text) > max_length:
        raise ProjectInvalid({field: f"不能超过 {max_length} 个字（现有 {len(text)} 个）"})
    return text


def bump(model: type[Model], pk: int, version: int, **changes: Any) -> None:
    """Write `changes` if the row is still at `version`, raising the version; else ConflictError."""
    if not model._default_manager.filter(pk=pk, version=version).update(version=F("version") + 1, **changes):
        raise ConflictError("该记录已被他人修改，请刷新页面查看最新内容后再操作。")


def _planned(meeting: DispatchMeeting) -> None:
    if meeting.status != DispatchMeeting.Status.PLANNED:
        raise ProjectError("会议已结束，议程、纪要和交办事项已存档，不能再修改。")


@transaction.atomic
def meeting_create(*, actor: User, district: Unit, cadence: str, held_on: date, chair: str = "") -> DispatchMeeting:
    gate.require(actor, "projects.meeting.manage", unit=district)
    if district.kind != Unit.Kind.DISTRICT:
        raise ProjectInvalid({"district": "调度会按区县召开，请选择区县。"})
    if cadence not in Cadence.values:
        raise ProjectInvalid({"cadence": "请选择调度层级。"})
    rule = rules.rule_for(cadence_rules(), cadence)
    chair = clean_text(chair, field="chair", max_length=50) or rule.chair
    meeting = DispatchMeeting.objects.create(district=district, cadence=cadence, held_on=held_on, chair=chair,
                                             created_by=actor)
    audit_record(actor=actor, action="dispatch.meeting.create", obj=meeting, unit=district,
                 after={"cadence": cadence, "held_on": held_on.isoformat(), "chair": chair})
    return meeting


@transaction.atomic
def meeting_minutes_save(*, actor: User, meeting: DispatchMeeting, version: int, minutes: str) -> DispatchMeeting:
    gate.require(actor, "projects.meeting.manage", unit=meeting.district)
    _planned(meeting)
    text = clean_text(minutes, field="minutes", max_length=5000)
    bump(DispatchMeeting, meeting.pk, version, minutes=text)
    audit_record(actor=actor, action="dispatch.meeting.minutes", obj=meeting, unit=meeting.district,
                 before={"minutes": meeting.minutes}, after={"minutes": text})
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def assignment_create(
    *, actor: User, meeting: DispatchMeeting, version: int, text: str, unit: Unit, workdays: int,
    project: Project | None = None,
) -> Assignment:
    """Assign a task at a planned meeting; the deadline is `workdays` working days after the
    meeting's date in the district's calendar (holidays and 调休 make-up days counted)."""
    gate.require(actor, "projects.meeting.manage", unit=meeting.district)
    _planned(meeting)
    body = clean_text(text, field="text", max_length=500, required="请填写交办内容。")
    if unit.pk == meeting.district_id or not unit.path.startswith(meeting.district.path):
        raise ProjectInvalid({"unit": "责任单位须是本区县的单位。"})
    if project is not None and not project.owner_unit.path.startswith(meeting.district.path):
        raise ProjectInvalid({"project": "只能关联本区县的项目。"})
    if not 1 <= workdays <= MAX_WORKDAYS:
        raise ProjectInvalid({"workdays": f"办理期限应为 1 到 {MAX_WORKDAYS} 个工作日。"})
    try:
        deadline = work_calendar().add_workdays(meeting.held_on, workdays)
    except CalendarGap as gap:
        raise ProjectInvalid({"workdays": str(gap)}) from None
    bump(DispatchMeeting, meeting.pk, version)  # a meeting closed meanwhile refuses the assignment
    assignment = Assignment.objects.create(
        meeting=meeting, project=project, text=body, unit=unit, assigned_on=meeting.held_on, workdays=workdays,
        deadline=deadline, created_by=actor)
    audit_record(actor=actor, action="dispatch.assignment.create", obj=assignment, unit=unit,
                 after={"meeting": meeting.pk, "text": body, "deadline": deadline.isoformat(),
                        "workdays": workdays, "project": project.code if project else ""})
    return assignment


@transaction.atomic
def meeting_close(*, actor: User, meeting: DispatchMeeting, version: int) -> DispatchMeeting:
    """结束会议 (irreversible): only a planned meeting whose date has come, with its minutes;
    the agenda is kept as it stands so the record does not move with later flags."""
    gate.require(actor, "projects.meeting.manage", unit=meeting.district)
    _planned(meeting)
    if meeting.held_on > timezone.localdate():
        raise ProjectError(f"会议定于 {meeting.held_on} 召开，召开后才能结束。")
    if not meeting.minutes.strip():
        raise ProjectInvalid({"minutes": "请先保存会议纪要，再结束会议。"})
    agenda = agenda_build(meeting)
    bump(DispatchMeeting, meeting.pk, version, status=DispatchMeeting.Status.HELD, agenda=agenda,
         closed_by=actor, closed_at=timezone.now())
    audit_record(actor=actor, action="dispatch.meeting.close", obj=meeting, unit=meeting.district,
                 before={"status": meeting.status}, after={
                     "status": DispatchMeeting.Status.HELD, "projects": len(agenda["projects"]),
                     "escalated": len(agenda["escalated"]), "assignments": meeting.assignments.count()})
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def assignment_reply(
    *, actor: User, assignment: Assignment, version: int, reply: str, done: bool, on: date | None = None,
) -> Assignment:
    """The unit answers how the task stands; `done` closes it (已办结) for good."""
    gate.require(actor, "projects.assignment.reply", unit=assignment.unit)
    if assignment.status == Assignment.Status.DONE:
        raise ProjectError("该交办事项已办结，不能再修改答复。")
    text = clean_text(reply, field="reply", max_length=1000, required="请填写办理情况。")
    status = Assignment.Status.DONE if done else Assignment.Status.OPEN
    replied_on = on or timezone.localdate()
    bump(Assignment, assignment.pk, version, reply=text, replied_on=replied_on, replied_by=actor, status=status)
    audit_record(actor=actor, action="dispatch.assignment.reply", obj=assignment, unit=assignment.unit,
                 before={"reply": assignment.reply, "status": assignment.status},
                 after={"reply": text, "status": status, "replied_on": replied_on.isoformat()})
    assignment.refresh_from_db()
    return assignment
