"""督导日报, 问题处置率, 一企一档一清单 and 工作量统计 over the API, under /api/inspections/: the
same selectors (so the same gate) and services as the pages. Writes name the version they read
(422 without it, 409 when stale); a value that does not fit answers 422 naming its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Router, Schema, Status

from duibiao.accounts import gate
from duibiao.api.pagination import Mapped, paged
from duibiao.documents.excel.daily_workbook import daily_workbook_build
from duibiao.documents.views import xlsx_response
from duibiao.inspections.models import Campaign, Enterprise, Finding, RiskItem, WorkLog
from duibiao.inspections.rates import fmt2
from duibiao.inspections.selectors import enterprises as files
from duibiao.inspections.selectors import stats
from duibiao.inspections.selectors import worklogs as work
from duibiao.inspections.selectors.stats import RateLine
from duibiao.inspections.services import enterprises as file_svc
from duibiao.inspections.services import worklogs as work_svc
from duibiao.inspections.validation import InvalidValue

router = Router(tags=["inspections: statistics, enterprises, work"])


class RateOut(Schema):
    group: str
    name: str
    findings: int
    due: int
    closed: int
    disposal_rate: str  # percent, two decimals half up; "" when nothing is due
    on_time_rate: str
    overdue: int
    avg_days: str


def _rate(line: RateLine) -> RateOut:
    r = line.rates
    return RateOut(group=line.key, name=line.name, findings=r.findings, due=r.due, closed=r.closed,
                   disposal_rate=fmt2(r.disposal_rate), on_time_rate=fmt2(r.on_time_rate), overdue=r.overdue,
                   avg_days=fmt2(r.avg_days))


class FindingBrief(Schema):
    id: int
    unit: str
    campaign: str
    category: str
    address: str
    found_on: date
    deadline: date
    state: str
    closed_on: date | None


def _brief(f: Finding) -> FindingBrief:
    return FindingBrief(id=f.pk, unit=f.unit.code, campaign=f.campaign.name, category=f.category, address=f.address,
                        found_on=f.found_on, deadline=f.deadline_in_force, state=f.state, closed_on=f.closed_on)


class DailyOut(Schema):
    day: date
    new: list[FindingBrief]
    closed: list[FindingBrief]
    overdue: list[FindingBrief]
    ranking: list[RateOut]


def _stats_user(request) -> None:
    if not gate.allows(request.user, stats.VIEW):
        raise PermissionDenied("您的角色不能查看问题处置率与督导检查日通报。")


@router.get("/daily", response=DailyOut)
def inspections_daily(request, day: date | None = None):
    """督导检查日通报 of a day (default today): complete lists and the units ranked by 处置率."""
    _stats_user(request)
    picture = stats.daily_picture(user=request.user, day=day or timezone.localdate(), limit=None)
    return DailyOut(day=picture.day, new=[_brief(f) for f in picture.new], closed=[_brief(f) for f in picture.closed],
                    overdue=[_brief(f) for f in picture.overdue], ranking=[_rate(x) for x in picture.ranking])


@router.get("/daily/workbook", response={200: None}, summary="下载督导检查日通报 Excel（与页面导出同一文件）")
def inspections_daily_workbook(request, day: date | None = None):
    _stats_user(request)
    day = day or timezone.localdate()
    picture = stats.daily_picture(user=request.user, day=day, limit=None)
    return xlsx_response(f"督导检查日通报-{day:%Y%m%d}.xlsx", daily_workbook_build(picture))


@router.get("/rates", response=list[RateOut])
@paged
def inspections_rates(request, as_of: date | None = None, by: Literal["unit", "campaign"] = "unit",
                      starts_on: date | None = None, campaign: int | None = None):
    """处置率 per unit or per campaign as of a date (the findings found from `starts_on`)."""
    _stats_user(request)
    chosen = stats.stats_campaigns(user=request.user).filter(pk=campaign).first() if campaign else None
    table = stats.rates_table(user=request.user, as_of=as_of or timezone.localdate(), by=by, starts_on=starts_on,
                              campaign=chosen)
    return [_rate(x) for x in table.lines]


# ------------------------------------------------------------------ 一企一档一清单

class RiskOut(Schema):
    id: int
    text: str
    level: str
    status: str
    measures: str
    identified_on: date
    due_on: date | None
    controlled_on: date | None
    closed_on: date | None
    version: int


class EnterpriseOut(Schema):
    id: int
    credit_code: str
    name: str
    unit: str | None
    kind: str
    address: str
    legal_person: str
    contact: str
    phone: str
    note: str
    version: int


class EnterpriseFileOut(EnterpriseOut):
    campaigns: list[str]
    findings: list[FindingBrief]
    risks: list[RiskOut]


def _enterprise(e: Enterprise) -> dict[str, object]:
    return {"id": e.pk, "credit_code": e.credit_code, "name": e.name, "unit": e.unit.code if e.unit else None,
            "kind": e.kind, "address": e.address, "legal_person": e.legal_person, "contact": e.contact,
            "phone": e.phone, "note": e.note, "version": e.version}


def _risk(r: RiskItem) -> RiskOut:
    return RiskOut(id=r.pk, text=r.text, level=r.level, status=r.status, measures=r.measures,
                   identified_on=r.identified_on, due_on=r.due_on, controlled_on=r.controlled_on,
                   closed_on=r.closed_on, version=r.version)


class EnterpriseIn(Schema):
    credit_code: str
    name: str
    unit: str
    kind: str = ""
    address: str = ""
    legal_person: str = ""
    contact: str = ""
    phone: str = ""
    note: str = ""


class EnterpriseUpdateIn(EnterpriseIn):
    version: int


def _enterprise_input(request, body: EnterpriseIn) -> file_svc.EnterpriseInput:
    unit = files.enterprise_units(user=request.user).filter(code=body.unit).first()
    fields = body.dict(exclude={"unit", "version"})
    return file_svc.EnterpriseInput(unit=unit, **fields)


@router.get("/enterprises", response=list[EnterpriseOut])
@paged
def enterprise_list(request, q: str = ""):
    if not gate.allows(request.user, files.VIEW):
        raise PermissionDenied("您的角色不能查看企业档案与风险清单。")
    return Mapped(files.enterprise_list(user=request.user, query=q[:60]), _enterprise)


@router.get("/enterprises/{pk}", response=EnterpriseFileOut)
def enterprise_detail(request, pk: int):
    file = files.enterprise_file(user=request.user, pk=pk)
    return {**_enterprise(file.enterprise), "campaigns": [c.name for c in file.campaigns],
            "findings": [_brief(f) for f in file.findings], "risks": [_risk(r) for r in file.risks]}


@router.post("/enterprises", response={201: EnterpriseOut})
def enterprise_create(request, body: EnterpriseIn):
    gate.require(request.user, files.EDIT)
    enterprise = file_svc.enterprise_create(actor=request.user, data=_enterprise_input(request, body))
    return Status(201, _enterprise(enterprise))


@router.put("/enterprises/{pk}", response=EnterpriseOut)
def enterprise_update(request, pk: int, body: EnterpriseUpdateIn):
    enterprise = files.enterprise_get(user=request.user, pk=pk)
    gate.require(request.user, files.EDIT, unit=enterprise.unit)
    return _enterprise(file_svc.enterprise_update(actor=request.user, enterprise=enterprise,
                                                  expected_version=body.version, data=_enterprise_input(request, body)))


class RiskIn(Schema):
    text: str
    level: str
    identified_on: date
    due_on: date | None = None
    measures: str = ""


class RiskStatusIn(Schema):
    version: int
    status: str
    measures: str = ""


@router.post("/enterprises/{pk}/risks", response={201: RiskOut})
def risk_create(request, pk: int, body: RiskIn):
    enterprise = files.enterprise_get(user=request.user, pk=pk)
    risk = file_svc.risk_add(actor=request.user, enterprise=enterprise, data=file_svc.RiskInput(**body.dict()))
    return Status(201, _risk(risk))


@router.post("/enterprises/{pk}/risks/{risk_id}/status", response=RiskOut)
def risk_status(request, pk: int, risk_id: int, body: RiskStatusIn):
    enterprise = files.enterprise_get(user=request.user, pk=pk)
    risk = enterprise.risks.filter(pk=risk_id).first()
    if risk is None:
        raise InvalidValue("risk", "该风险项不存在")
    return _risk(file_svc.risk_set_status(actor=request.user, risk=risk, expected_version=body.version,
                                          status=body.status, measures=body.measures))


# ------------------------------------------------------------------ 工作量统计

class WorkLogOut(Schema):
    id: int
    unit: str
    work_type: str
    unit_of_measure: str
    quantity: Decimal
    done_on: date
    campaign: int | None
    note: str
    version: int


def _log(log: WorkLog) -> WorkLogOut:
    return WorkLogOut(id=log.pk, unit=log.unit.code, work_type=log.work_type.name,
                      unit_of_measure=log.work_type.unit_of_measure, quantity=log.quantity, done_on=log.done_on,
                      campaign=log.campaign_id, note=log.note, version=log.version)


class TotalOut(Schema):
    work_type: str
    unit_of_measure: str
    total: Decimal
    text: str


class TotalsOut(Schema):
    sentence: str
    types: list[TotalOut]
    units: dict[str, dict[str, Decimal]]


class WorkLogIn(Schema):
    work_type: int
    quantity: str  # as typed: checked once by the service (≥ 0, two decimals)
    done_on: date
    campaign: int | None = None
    note: str = ""


class WorkLogNewIn(WorkLogIn):
    unit: str


class WorkLogUpdateIn(WorkLogIn):
    version: int


def _work_user(request) -> None:
    if not gate.allows(request.user, work.VIEW):
        raise PermissionDenied("您的角色不能查看工作量统计。")


def _filters(request, starts_on: date | None, ends_on: date | None, unit: str) -> work.WorkFilters:
    chosen = work.view_units(user=request.user).filter(code=unit).first() if unit else None
    return work.WorkFilters(starts_on=starts_on, ends_on=ends_on, unit=chosen)


@router.get("/work/totals", response=TotalsOut)
def worklog_totals(request, starts_on: date | None = None, ends_on: date | None = None, unit: str = ""):
    _work_user(request)
    totals = work.worklog_totals(user=request.user, filters=_filters(request, starts_on, ends_on, unit))
    names = [t.work_type.name for t in totals.types]
    return TotalsOut(
        sentence=totals.sentence,
        types=[TotalOut(work_type=t.work_type.name, unit_of_measure=t.work_type.unit_of_measure, total=t.total,
                        text=t.text) for t in totals.types],
        units={line.unit.code: {n: c for n, c in zip(names, line.cells, strict=True) if c is not None}
               for line in totals.units})


@router.get("/work/logs", response=list[WorkLogOut])
@paged
def worklog_list(request, starts_on: date | None = None, ends_on: date | None = None, unit: str = ""):
    _work_user(request)
    return Mapped(work.worklogs(user=request.user, filters=_filters(request, starts_on, ends_on, unit)), _log)


def _work_input(request, body: WorkLogIn, unit) -> work_svc.WorkLogInput:
    return work_svc.WorkLogInput(
        work_type=work.active_types(user=request.user, unit=unit).filter(pk=body.work_type).first(),
        quantity=body.quantity,
        done_on=body.done_on, note=body.note,
        campaign=Campaign.objects.filter(pk=body.campaign).first() if body.campaign else None)


@router.post("/work/logs", response={201: WorkLogOut})
def worklog_create(request, body: WorkLogNewIn):
    gate.require(request.user, work.RECORD)
    unit = work.record_units(user=request.user).filter(code=body.unit).first()
    if unit is None:
        raise InvalidValue("unit", "请选择单位")
    log = work_svc.worklog_record(actor=request.user, unit=unit, data=_work_input(request, body, unit))
    return Status(201, _log(log))


@router.put("/work/logs/{pk}", response=WorkLogOut)
def worklog_update(request, pk: int, body: WorkLogUpdateIn):
    log = work.worklog_get(user=request.user, pk=pk, action=work.RECORD)
    return _log(work_svc.worklog_update(actor=request.user, log=log, expected_version=body.version,
                                        data=_work_input(request, body, log.unit)))

