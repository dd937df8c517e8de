"""考核周期, the working-day calendar and the progress matrix over the API. Reads go through
the same selectors as the pages (so the same gate); writes through the same services."""

from __future__ import annotations

from datetime import date

from ninja import Field, Router, Schema, Status

from duibiao.accounts import gate
from duibiao.api.pagination import paged
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Period
from duibiao.assessment.selectors.periods import (
    calendar_years,
    deadline_preview,
    office_schemes,
    period_get,
    period_list,
)
from duibiao.assessment.selectors.progress import ProgressFilters, matrix_as_dict, progress_matrix
from duibiao.assessment.selectors.schemes import scheme_latest_version
from duibiao.assessment.services.calendar import HolidayTextError, holiday_year_import
from duibiao.assessment.services.periods import period_create, period_set_status

router = Router(tags=["periods"])


class PeriodOut(Schema):
    id: int
    scheme: str = Field(alias="version.scheme.code")
    version: int = Field(alias="version.number")
    kind: str
    year: int
    number: int
    name: str
    opens_on: date
    deadline_workdays: int
    deadline: date
    status: str


class PeriodIn(Schema):
    scheme: str
    kind: str
    year: int
    number: int = 1
    opens_on: date
    deadline_workdays: int = 10
    name: str = ""


class Error(Schema):
    detail: str
    problems: list[str] = []


class DeadlineOut(Schema):
    deadline: date | None
    error: str
    skipped: list[date]
    makeup: list[date]


class CalendarYearOut(Schema):
    year: int
    published: bool
    entered: bool
    note: str


class CalendarYearIn(Schema):
    text: str
    note: str = ""


@router.get("", response=list[PeriodOut], summary="可查看的考核周期")
@paged
def periods(request, status: str | None = None, scheme: str | None = None):
    rows = period_list(user=request.user).select_related("version__scheme")
    if status:
        rows = rows.filter(status=status)
    if scheme:
        rows = rows.filter(version__scheme__code=scheme)
    return list(rows)


@router.post("", response={201: PeriodOut, 422: Error}, summary="新建考核周期（考核办）")
def create(request, payload: PeriodIn):
    gate.require(request.user, "assessment.period.open")  # and over the scheme's unit, in the service
    found = office_schemes(user=request.user).filter(code=payload.scheme).first()
    if found is None:
        return Status(422, {"detail": f"没有可用的考核方案：{payload.scheme}"})
    try:
        period = period_create(
            actor=request.user, version=scheme_latest_version(found), kind=payload.kind,
            year=payload.year, number=payload.number, opens_on=payload.opens_on,
            deadline_workdays=payload.deadline_workdays, name=payload.name,
        )
    except AssessmentError as error:
        return Status(422, {"detail": str(error)})
    return Status(201, period)


@router.get("/deadline", response=DeadlineOut, summary="按工作日计算截止日期（预览）")
def deadline(request, opens_on: date, workdays: int):
    gate.require(request.user, "assessment.period.open")
    preview = deadline_preview(opens_on=opens_on, workdays=workdays)
    return {"deadline": preview.deadline, "error": preview.error,
            "skipped": [d for d, _ in preview.skipped], "makeup": [d for d, _ in preview.makeup]}


@router.get("/calendar/years", response=list[CalendarYearOut], summary="已覆盖的节假日年度")
@paged
def calendar(request):
    gate.require(request.user, "assessment.calendar.edit")
    return calendar_years()


@router.put("/calendar/years/{year}", response={200: CalendarYearOut, 422: Error},
            summary="录入一个年度的放假和调休安排（考核办）")
def calendar_year_put(request, year: int, payload: CalendarYearIn):
    try:
        holiday_year_import(actor=request.user, year=year, text=payload.text, note=payload.note)
    except HolidayTextError as error:
        return Status(422, {"detail": "节假日安排有误", "problems": error.problems})
    except AssessmentError as error:
        return Status(422, {"detail": str(error)})
    return Status(200, next(y for y in calendar_years() if y["year"] == year))


@router.get("/{int:period_id}", response=PeriodOut, summary="考核周期详情")
def period(request, period_id: int):
    return period_get(user=request.user, pk=period_id)


def _set_status(request, period_id: int, status: str, reason: str = ""):
    found = period_get(user=request.user, pk=period_id)
    try:
        return Status(200, period_set_status(actor=request.user, period=found, status=status, reason=reason))
    except AssessmentError as error:
        return Status(422, {"detail": str(error)})


@router.post("/{int:period_id}/open", response={200: PeriodOut, 422: Error}, summary="开始填报（考核办）")
def open_period(request, period_id: int):
    return _set_status(request, period_id, Period.Status.OPEN)


@router.post("/{int:period_id}/close", response={200: PeriodOut, 422: Error}, summary="关闭（考核办）")
def close_period(request, period_id: int, reason: str = ""):
    """Before the reporting deadline has passed, `reason` (why it closes early) is required."""
    return _set_status(request, period_id, Period.Status.CLOSED, reason)


@router.get("/{int:period_id}/progress", summary="填报进度矩阵（考核办、区领导、专班）")
def progress(request, period_id: int, category: str = "", status: str = "", taskforce: str = "",
             q: str = "", overdue: bool = False):
    found = period_get(user=request.user, pk=period_id)
    filters = ProgressFilters.from_query({
        "category": category, "status": status, "taskforce": taskforce, "q": q,
        "overdue": "1" if overdue else "",
    })
    return matrix_as_dict(progress_matrix(user=request.user, period=found, filters=filters))
