"""工作量统计's types of work and the writes that only the pages did, under /api/inspections/work:
the list of types (everyone who reads the statistics, their district's), removing a mistaken entry,
and the office keeping its district's types. The pages' services (the same gate, versions and
checks); a stale version answers 409, a value that does not fit 422 naming its field."""

from __future__ import annotations

from ninja import Field, Router, Schema, Status

from duibiao.api.inspections_stats import _work_user
from duibiao.api.pagination import paged
from duibiao.inspections.selectors import worklogs as work
from duibiao.inspections.services import worklogs as work_svc

router = Router(tags=["inspections: statistics, enterprises, work"])


class VersionIn(Schema):
    version: int = Field(ge=0)


class WorkTypeIn(Schema):
    name: str
    unit_of_measure: str
    order: int = Field(0, ge=0, le=9999)
    active: bool = True


class WorkTypeUpdateIn(WorkTypeIn):
    version: int = Field(ge=0)


class WorkTypeOut(Schema):
    id: int
    name: str
    unit_of_measure: str
    order: int
    active: bool
    version: int


class DoneOut(Schema):
    detail: str


@router.get("/work/types", response=list[WorkTypeOut], summary="工作类型与计量单位（本区县的）")
@paged
def worktype_list(request):
    _work_user(request)
    return list(work.all_types(user=request.user))


@router.post("/work/logs/{pk}/delete", response={200: DoneOut},
             summary="删除一条登记错的工作量（本单位）；version 必填，过期则 409")
def worklog_delete(request, pk: int, body: VersionIn):
    log = work.worklog_get(user=request.user, pk=pk, action=work.RECORD)
    work_svc.worklog_delete(actor=request.user, log=log, expected_version=body.version)
    return {"detail": "已删除该条工作量记录"}


@router.post("/work/types", response={201: WorkTypeOut}, summary="新增工作类型（考核办）")
def worktype_create(request, body: WorkTypeIn):
    return Status(201, work_svc.worktype_save(actor=request.user, name=body.name, unit_of_measure=body.unit_of_measure,
                                              order=body.order, active=body.active))


@router.put("/work/types/{pk}", response=WorkTypeOut,
            summary="修改工作类型（考核办；停用后不能再登记）；version 必填，过期则 409")
def worktype_update(request, pk: int, body: WorkTypeUpdateIn):
    # Only the office's own district's types: another district's answers 404, as a missing one does.
    worktype = work.worktype_get(user=request.user, pk=pk)
    return work_svc.worktype_save(actor=request.user, worktype=worktype, expected_version=body.version,
                                  name=body.name, unit_of_measure=body.unit_of_measure, order=body.order,
                                  active=body.active)
