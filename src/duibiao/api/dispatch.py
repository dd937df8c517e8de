"""调度会, 交办事项 and 项目线索 over the API, under /api/projects/: the same selectors (so the
same gate) and services as the pages. Writes name the version they read (422 without it,
409 when stale); units and projects are named by their codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema, Status

from duibiao.api.pagination import Mapped, paged
from duibiao.org.models import Unit
from duibiao.projects.errors import ProjectInvalid
from duibiao.projects.models import Assignment, DispatchMeeting, Lead
from duibiao.projects.selectors import dispatch as sel
from duibiao.projects.selectors import leads as lead_sel
from duibiao.projects.services import dispatch as svc
from duibiao.projects.services import leads as lead_svc

router = Router(tags=["projects: dispatch and leads"])


class MeetingOut(Schema):
    id: int
    district: str
    cadence: str
    cadence_label: str
    held_on: date
    chair: str
    status: str
    minutes: str
    version: int


class MeetingDetailOut(MeetingOut):
    agenda: dict[str, Any]
    assignments: list[dict[str, Any]]


class MeetingIn(Schema):
    district: str
    cadence: str
    held_on: date
    chair: str = ""


class MinutesIn(Schema):
    version: int
    minutes: str


class VersionIn(Schema):
    version: int


class AssignmentIn(Schema):
    version: int
    text: str
    unit: str
    workdays: int
    project: str = ""


class AssignmentOut(Schema):
    id: int
    meeting: int
    text: str
    unit: str
    project: str
    assigned_on: date
    deadline: date
    workdays: int
    status: str  # open / done / overdue (overdue derived from today's date)
    overdue_workdays: int
    reply: str
    replied_on: date | None
    version: int


class ReplyIn(Schema):
    version: int
    reply: str
    done: bool = False


class LeadOut(Schema):
    id: int
    unit: str
    name: str
    expected_investment: Decimal
    legal_person: str
    contact: str
    stage: str
    stage_label: str
    stage_entered_on: date
    stage_deadline: date | None
    overdue: bool
    project: str
    version: int


class LeadIn(Schema):
    unit: str
    name: str
    expected_investment: Decimal
    legal_person: str = ""
    contact: str = ""
    note: str = ""


class AdvanceIn(Schema):
    version: int
    note: str = ""


class ConvertIn(Schema):
    version: int
    code: str
    level: str
    type: str
    source: str


class FunnelStepOut(Schema):
    stage: str
    label: str
    now: int
    reached: int
    amount_now: Decimal
    amount_reached: Decimal


def _meeting(m: DispatchMeeting) -> dict[str, Any]:
    return {"id": m.pk, "district": m.district.code, "cadence": m.cadence, "cadence_label": m.get_cadence_display(),
            "held_on": m.held_on, "chair": m.chair, "status": m.status, "minutes": m.minutes, "version": m.version}


def _assignment(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "replied_on": row["replied_on"] or None}


def _assignments(items: list[Assignment]) -> list[dict[str, Any]]:
    return [_assignment(row) for row in sel.assignment_rows(items)]


def _leads(leads: Any) -> list[dict[str, Any]]:
    rows, _gap = lead_sel.lead_rows(leads)
    return [{
        "id": r.lead.pk, "unit": r.lead.unit.code, "name": r.lead.name,
        "expected_investment": r.lead.expected_investment, "legal_person": r.lead.legal_person,
        "contact": r.lead.contact, "stage": r.lead.stage, "stage_label": r.lead.get_stage_display(),
        "stage_entered_on": r.lead.stage_entered_on, "stage_deadline": r.deadline, "overdue": r.overdue,
        "project": r.lead.project.code if r.lead.project else "", "version": r.lead.version,
    } for r in rows]


def _unit(units: Any, code: str, field: str) -> Unit:
    if not units.exists():  # no unit at all to act for: the action is not the user's
        raise PermissionDenied("您的角色不能在这里新建记录。")
    unit = units.filter(code=code).first()
    if unit is None:
        raise ProjectInvalid({field: f"没有可选的单位“{code[:40]}”。"})
    return unit


# ---------------------------------------------------------------------------- meetings


@router.get("/meetings", response=list[MeetingOut], summary="调度会列表")
@paged
def meetings(request):
    return Mapped(sel.meeting_list(user=request.user), _meeting)


@router.post("/meetings", response={201: MeetingOut}, summary="安排调度会")
def meeting_new(request, payload: MeetingIn):
    district = _unit(sel.meeting_districts(user=request.user), payload.district, "district")
    meeting = svc.meeting_create(actor=request.user, district=district, cadence=payload.cadence,
                                 held_on=payload.held_on, chair=payload.chair)
    return Status(201, _meeting(meeting))


@router.get("/meetings/{pk}", response=MeetingDetailOut, summary="调度会：议程、复盘、升级事项、交办事项")
def meeting(request, pk: int):
    m = sel.meeting_get(user=request.user, pk=pk)
    return {**_meeting(m), "agenda": sel.meeting_agenda(m), "assignments": sel.meeting_assignments(m)}


def _managed(request, pk: int) -> DispatchMeeting:
    m = sel.meeting_get(user=request.user, pk=pk)
    if not sel.can_manage(user=request.user, meeting=m):
        raise PermissionDenied("您的角色不能安排调度会、记录纪要、交办事项、结束会议。")
    return m


@router.put("/meetings/{pk}/minutes", response=MeetingOut, summary="保存会议纪要")
def meeting_minutes(request, pk: int, payload: MinutesIn):
    m = svc.meeting_minutes_save(actor=request.user, meeting=_managed(request, pk), version=payload.version,
                                 minutes=payload.minutes)
    return _meeting(m)


@router.post("/meetings/{pk}/assignments", response={201: AssignmentOut}, summary="交办事项（期限按工作日）")
def assignment_new(request, pk: int, payload: AssignmentIn):
    m = _managed(request, pk)
    unit = _unit(sel.meeting_units(m), payload.unit, "unit")
    project = None
    if payload.project:
        project = sel.district_projects(m.district).filter(code=payload.project).first()
        if project is None:
            raise ProjectInvalid({"project": f"本区县没有项目“{payload.project[:40]}”。"})
    a = svc.assignment_create(actor=request.user, meeting=m, version=payload.version, text=payload.text, unit=unit,
                              workdays=payload.workdays, project=project)
    return Status(201, _assignments([a])[0])


@router.post("/meetings/{pk}/close", response=MeetingOut, summary="结束会议（议程存档，不可撤回）")
def meeting_close(request, pk: int, payload: VersionIn):
    return _meeting(svc.meeting_close(actor=request.user, meeting=_managed(request, pk), version=payload.version))


# ---------------------------------------------------------------------------- assignments


@router.get("/assignments", response=list[AssignmentOut], summary="交办事项（本人可见范围）")
@paged
def assignments(request):
    return _assignments(list(sel.assignment_list(user=request.user)[:1000]))


@router.get("/assignments/{pk}", response=AssignmentOut, summary="交办事项")
def assignment(request, pk: int):
    return _assignments([sel.assignment_get(user=request.user, pk=pk)])[0]


@router.post("/assignments/{pk}/reply", response=AssignmentOut, summary="单位答复办理情况")
def assignment_reply(request, pk: int, payload: ReplyIn):
    a = svc.assignment_reply(actor=request.user, assignment=sel.assignment_get(user=request.user, pk=pk),
                             version=payload.version, reply=payload.reply, done=payload.done)
    return _assignments([a])[0]


# ---------------------------------------------------------------------------- leads


@router.get("/leads", response=list[LeadOut], summary="项目线索")
@paged
def leads(request, stage: str = ""):
    return _leads(lead_sel.lead_list(user=request.user, stage=stage)[:1000])


@router.post("/leads", response={201: LeadOut}, summary="推送项目线索")
def lead_new(request, payload: LeadIn):
    unit = _unit(lead_sel.lead_units(user=request.user), payload.unit, "unit")
    lead = lead_svc.lead_create(actor=request.user, unit=unit, name=payload.name,
                                expected_investment=payload.expected_investment, legal_person=payload.legal_person,
                                contact=payload.contact, note=payload.note)
    return Status(201, _leads(Lead.objects.filter(pk=lead.pk))[0])


@router.get("/leads/funnel", response=list[FunnelStepOut], summary="线索漏斗")
def lead_funnel(request):
    return lead_sel.lead_funnel(user=request.user)


@router.get("/leads/{pk}", response=LeadOut, summary="项目线索")
def lead(request, pk: int):
    return _leads(Lead.objects.filter(pk=lead_sel.lead_get(user=request.user, pk=pk).pk))[0]


@router.post("/leads/{pk}/advance", response=LeadOut, summary="推进到下一阶段")
def lead_advance(request, pk: int, payload: AdvanceIn):
    found = lead_sel.lead_get(user=request.user, pk=pk)
    lead_svc.lead_advance(actor=request.user, lead=found, version=payload.version, note=payload.note)
    return _leads(Lead.objects.filter(pk=pk))[0]


@router.post("/leads/{pk}/convert", response=LeadOut, summary="线索转为项目（不可撤回）")
def lead_convert(request, pk: int, payload: ConvertIn):
    found = lead_sel.lead_get(user=request.user, pk=pk)
    lead_svc.lead_convert(actor=request.user, lead=found, version=payload.version, code=payload.code,
                          level=payload.level, type=payload.type, source=payload.source)
    return _leads(Lead.objects.filter(pk=pk))[0]
