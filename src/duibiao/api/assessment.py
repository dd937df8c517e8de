"""Schemes, reporting and review over the API: the same services and selectors as the pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from duibiao.accounts.unit_selectors import unit_get
from duibiao.api.pagination import paged
from duibiao.api.scheme_edits import router as scheme_edits_router
from duibiao.assessment.models import Indicator
from duibiao.assessment.selectors.periods import period_get
from duibiao.assessment.selectors.reporting import (
    flag_problems,
    reporting_rows,
    review_indicator_get,
    review_submissions,
    submission_get,
)
from duibiao.assessment.selectors.schemes import (
    scheme_edit_get,
    scheme_get,
    scheme_latest_version,
    scheme_list,
)
from duibiao.assessment.services.schemes import scheme_version_save
from duibiao.assessment.services.submissions import (
    ValueInput,
    review_approve,
    review_bulk_approve,
    review_return,
    review_unlock,
    score_record,
    submission_save,
    submission_submit,
    unit_signoff,
)

router = Router(tags=["assessment"])


class IndicatorOut(Schema):
    code: str
    name: str
    ancestors: list[str]
    weight: float
    item_kind: str
    # The old name of item_kind, kept for the API's existing readers; "role" names what a
    # user may do everywhere else, so new readers use item_kind.
    role: str = Field(deprecated="use item_kind", description="deprecated: the same value as item_kind")
    kind: str
    method: str
    taskforce: str | None
    unit_of_measure: str
    standard: str
    applies_categories: list[str]
    applies_units: list[str]

    @staticmethod
    def resolve_taskforce(obj) -> str | None:
        return obj.taskforce.code if obj.taskforce_id else None

    @staticmethod
    def resolve_role(obj) -> str:
        return obj.item_kind


class SchemeOut(Schema):
    code: str
    name: str
    year: int
    status: str
    version: int | None


class SchemeDetailOut(SchemeOut):
    document: str
    indicators: list[IndicatorOut]


class VersionIn(Schema):
    document: str
    note: str = ""
    # Required: the version the document was edited from; another version saved meanwhile
    # answers 409 instead of being replaced unseen.
    based_on: int = Field(ge=0)


class SubmissionOut(Schema):
    id: int
    unit: str = Field(alias="unit.code")
    indicator: str = Field(alias="indicator.code")
    value: Decimal | None
    ballots: dict[str, int]
    note: str
    status: str
    return_reason: str
    version: int
    # Why the stored value would not be accepted today (None when it would): a value saved
    # before the checks existed is shown flagged, for the unit to correct, never an error.
    problem: str | None = None


class RowOut(Schema):
    indicator: IndicatorOut
    submission: SubmissionOut | None


class ValueIn(Schema):
    value: str | float | None = None
    ballots: dict[str, int] = {}
    note: str = ""
    # Required: the version read (0 for a value not saved yet). A write that does not say
    # what it read could overwrite someone else's change unseen; without it: 422.
    version: int = Field(ge=0)


class ReviewIn(Schema):
    version: int = Field(ge=0)
    reason: str = ""


class UnlockIn(Schema):
    version: int = Field(ge=0)
    reason: str


class ScoreIn(Schema):
    value: str | float | None
    justification: str
    version: int = Field(ge=0)


def _scheme_out(scheme) -> dict:
    latest = scheme_latest_version(scheme)
    return {"code": scheme.code, "name": scheme.name, "year": scheme.year, "status": scheme.status,
            "version": latest.number if latest else None}


@router.get("/schemes", response=list[SchemeOut], summary="考核方案列表")
@paged
def schemes(request):
    return [_scheme_out(s) for s in scheme_list(user=request.user)]


@router.get("/schemes/{code}", response=SchemeDetailOut, summary="考核方案（最新版本）")
def scheme(request, code: str):
    item = scheme_get(user=request.user, code=code)
    latest = scheme_latest_version(item)
    return {**_scheme_out(item), "document": latest.document if latest else "",
            "indicators": list(latest.indicators.select_related("taskforce")) if latest else []}


@router.post("/schemes/{code}/versions", response={201: SchemeOut}, summary="保存方案新版本（考核办）")
def scheme_save(request, code: str, payload: VersionIn):
    item = scheme_edit_get(user=request.user, code=code)
    scheme_version_save(actor=request.user, scheme=item, document=payload.document, note=payload.note,
                        based_on=payload.based_on)
    return Status(201, _scheme_out(item))


@router.get("/periods/{period_id}/units/{unit_code}/rows", response=list[RowOut], summary="单位本期填报表")
@paged
def rows(request, period_id: int, unit_code: str):
    period = period_get(user=request.user, pk=period_id)
    unit = unit_get(user=request.user, code=unit_code)
    return [{"indicator": r.indicator, "submission": r.submission}
            for r in reporting_rows(user=request.user, period=period, unit=unit)]


@router.put("/periods/{period_id}/units/{unit_code}/values/{code}", response=SubmissionOut,
            summary="保存填报值（草稿）；version 必填，为读取时的版本（新值为 0），过期则 409")
def value_put(request, period_id: int, unit_code: str, code: str, payload: ValueIn):
    period = period_get(user=request.user, pk=period_id)
    unit = unit_get(user=request.user, code=unit_code)
    indicator = get_object_or_404(Indicator, version=period.version, code=code)
    return submission_save(actor=request.user, period=period, unit=unit, item=ValueInput(
        indicator=indicator, value=payload.value, ballots=dict(payload.ballots), note=payload.note,
        expected_version=payload.version,
    ))


@router.post("/periods/{period_id}/units/{unit_code}/submit", summary="提交本单位草稿和退回项")
def submit(request, period_id: int, unit_code: str, confirm: bool = False):
    """While indicators are blank or lack required evidence the answer is 422 listing them;
    `?confirm=true` submits the complete ones anyway (the page's 仍然提交)."""
    period = period_get(user=request.user, pk=period_id)
    unit = unit_get(user=request.user, code=unit_code)
    return {"submitted": submission_submit(actor=request.user, period=period, unit=unit, confirm=confirm)}


class SignoffOut(Schema):
    period: int
    unit: str
    by: str
    at: datetime


@router.post("/periods/{period_id}/units/{unit_code}/signoff", response={201: SignoffOut},
             summary="单位负责人签发本单位本期数据（须全部已提交且完整；已签发则 422）")
def signoff(request, period_id: int, unit_code: str):
    period = period_get(user=request.user, pk=period_id)
    unit = unit_get(user=request.user, code=unit_code)
    done = unit_signoff(actor=request.user, period=period, unit=unit)
    return Status(201, {"period": period.pk, "unit": unit.code, "by": request.user.username, "at": done.at})


@router.get("/periods/{period_id}/review/{code}", response=list[SubmissionOut], summary="某指标各单位填报（审核用）")
@paged
def review_list(request, period_id: int, code: str):
    period = period_get(user=request.user, pk=period_id)
    indicator = review_indicator_get(user=request.user, period=period, code=code)
    return flag_problems(period, review_submissions(user=request.user, period=period, indicator=indicator))


@router.post("/submissions/{pk}/approve", response=SubmissionOut, summary="审核通过")
def approve(request, pk: int, payload: ReviewIn):
    sub = submission_get(user=request.user, pk=pk)
    return review_approve(actor=request.user, submission=sub, expected_version=payload.version)


class PickIn(Schema):
    id: int = Field(ge=1)
    version: int = Field(ge=0)


class BulkApproveIn(Schema):
    items: list[PickIn] = Field(min_length=1, max_length=1000)


class SkippedOut(Schema):
    id: int
    unit: str
    reason: str


class BulkApproveOut(Schema):
    approved: list[int]
    skipped: list[SkippedOut]


@router.post("/periods/{period_id}/review/{code}/approve", response=BulkApproveOut, summary="批量审核通过")
def bulk_approve(request, period_id: int, code: str, payload: BulkApproveIn):
    """Each item approved and audited on its own; a stale one is skipped and listed; one the
    user may not review refuses the whole request (404 / 403), nothing approved."""
    period = period_get(user=request.user, pk=period_id)
    review_indicator_get(user=request.user, period=period, code=code)
    result = review_bulk_approve(actor=request.user, picks={item.id: item.version for item in payload.items})
    return {"approved": [s.pk for s in result.approved],
            "skipped": [{"id": s.pk, "unit": s.unit.code, "reason": reason} for s, reason in result.skipped]}


@router.post("/submissions/{pk}/return", response=SubmissionOut, summary="退回（须填原因）")
def return_(request, pk: int, payload: ReviewIn):
    sub = submission_get(user=request.user, pk=pk)
    return review_return(actor=request.user, submission=sub, expected_version=payload.version,
                         reason=payload.reason)


@router.post("/submissions/{pk}/unlock", response=SubmissionOut, summary="解锁已审核数据（考核办）")
def unlock(request, pk: int, payload: UnlockIn):
    sub = submission_get(user=request.user, pk=pk)
    return review_unlock(actor=request.user, submission=sub, expected_version=payload.version,
                         reason=payload.reason)


@router.put("/periods/{period_id}/units/{unit_code}/scores/{code}", response=SubmissionOut,
            summary="专班评分或奖惩、否决事项记录")
def score_put(request, period_id: int, unit_code: str, code: str, payload: ScoreIn):
    period = period_get(user=request.user, pk=period_id)
    indicator = review_indicator_get(user=request.user, period=period, code=code)
    unit = unit_get(user=request.user, code=unit_code)
    return score_record(actor=request.user, period=period, unit=unit, justification=payload.justification,
                        item=ValueInput(indicator=indicator, value=payload.value, expected_version=payload.version))


# The scheme editor's item-by-item edits (their own module), under the same /assessment prefix.
router.add_router("", scheme_edits_router)
