"""Scoring runs, rankings, explanations, appeals and publication over the API."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from duibiao.accounts.unit_selectors import unit_get
from duibiao.api.pagination import paged
from duibiao.assessment.models import Indicator
from duibiao.assessment.selectors.combinations import (
    combination_get,
    combination_list,
    combination_results,
)
from duibiao.assessment.selectors.periods import period_get
from duibiao.assessment.selectors.results import (
    appeal_get,
    appeal_list,
    ranking,
    run_analysed_get,
    run_diff,
    run_get,
    run_list,
    sensitivity_rows,
    unit_above,
    unit_radar,
    unit_result,
    unit_trend,
    what_if,
)
from duibiao.assessment.selectors.runs import publish_review, run_inputs_archive
from duibiao.assessment.selectors.schemes import scheme_list
from duibiao.assessment.services.appeals import appeal_decide, appeal_file
from duibiao.assessment.services.combinations import combination_save
from duibiao.assessment.services.runs import run_publish, run_release, run_start
from duibiao.documents import exports
from duibiao.documents.views import xlsx_response

router = Router(tags=["results"])


class RunOut(Schema):
    id: int
    period: str = Field(alias="period.name")
    number: int
    status: str
    progress: int
    stage: str
    scheme_version: int
    engine_version: str
    appeal_deadline: str | None


    @staticmethod
    def resolve_appeal_deadline(obj) -> str | None:
        return obj.appeal_deadline.isoformat() if obj.appeal_deadline else None


class ResultOut(Schema):
    unit: str = Field(alias="unit.code")
    name: str = Field(alias="unit.name")
    category: str  # the category's code (its name can change; the code does not)
    category_name: str
    score: float | None
    rank: float | None
    rank_change: float | None
    grade: str
    vetoes: list[str]
    node_scores: dict[str, float | None]


class ExplainedOut(ResultOut):
    trace: dict


class StartIn(Schema):
    note: str = ""


class ReleaseIn(Schema):
    appeal_workdays: int = 5


class PublishIn(Schema):
    stage: str  # the stage the caller last read (the run's version): a stale caller is refused
    override_reason: str = ""  # required before the deadlines pass or with work still open


class AppealIn(Schema):
    indicator: str
    reason: str


class WhatIfIn(Schema):
    values: dict[str, float]  # indicator code → the raw value to try


class DecideIn(Schema):
    accept: bool
    decision: str


class AppealOut(Schema):
    id: int
    unit: str = Field(alias="unit.code")
    indicator: str = Field(alias="indicator.code")
    reason: str
    status: str
    decision: str


@router.get("/runs", response=list[RunOut], summary="可查看的计分批次")
@paged
def runs(request):
    return run_list(user=request.user)


@router.post("/periods/{period_id}/runs", response={201: RunOut}, summary="开始计分（考核办）")
def start(request, period_id: int, payload: StartIn):
    return Status(201, run_start(actor=request.user, period=period_get(user=request.user, pk=period_id),
                                 note=payload.note))


@router.get("/runs/{pk}", response=RunOut, summary="计分批次状态与进度")
def run(request, pk: int):
    return run_get(user=request.user, pk=pk)


@router.get("/runs/{pk}/ranking", response=list[ResultOut], summary="分类排名（可按分类、等次筛选与排序，同排名页）")
@paged
def run_ranking(request, pk: int, category: str = "", grade: str = "",
                sort: Literal["rank", "score", "change"] = "rank"):
    table = ranking(user=request.user, run=run_get(user=request.user, pk=pk), category=category, grade=grade,
                    sort=sort)
    return [row for rows in table["groups"].values() for row in rows]


@router.get("/runs/{pk}/results/{unit_code}", response=ExplainedOut, summary="单位结果与计分说明")
def result(request, pk: int, unit_code: str):
    return unit_result(user=request.user, run=run_get(user=request.user, pk=pk), unit_code=unit_code)


@router.post("/runs/{pk}/results/{unit_code}/what-if", summary="模拟测算（不保存）")
def simulate(request, pk: int, unit_code: str, payload: WhatIfIn):
    return what_if(user=request.user, run=run_get(user=request.user, pk=pk), unit_code=unit_code,
                   values=payload.values)


@router.get("/runs/{pk}/sensitivity", summary="敏感性分析：各单位名次区间")
def sensitivity(request, pk: int):
    return sensitivity_rows(user=request.user, run=run_analysed_get(user=request.user, pk=pk))


@router.get("/runs/{pk}/ranking/workbook", response={200: None},
            summary="下载排名表（Excel，与计分批次页的“导出”同一文件；可按分类、等次筛选与排序）")
def ranking_workbook(request, pk: int, category: str = "", grade: str = "",
                     sort: Literal["rank", "score", "change"] = "rank"):
    return xlsx_response(*exports.ranking_workbook(user=request.user, run_id=pk,
                                                   query={"category": category, "grade": grade, "sort": sort}))


@router.get("/runs/{pk}/inputs", response={200: None},
            summary="下载计分批次的全部输入（zip，`duibiao score` 可读，重算结果相同）")
def inputs(request, pk: int):
    name, data = run_inputs_archive(user=request.user, pk=pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


class FiguresOut(Schema):
    score: float | None
    rank: float | None
    grade: str


class InputChangeOut(Schema):
    indicator: str
    before: Any  # the approved value in the earlier run (a number, a ballot tally, or null)
    after: Any


class DiffOut(Schema):
    unit: str
    name: str
    before: FiguresOut | None  # null: the unit was not in the earlier run
    after: FiguresOut
    changes: list[InputChangeOut]  # empty: its own inputs did not change (its peers' did)

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj["unit"].code

    @staticmethod
    def resolve_name(obj) -> str:
        return obj["unit"].name


@router.get("/runs/{pk}/compare/{other}", response=list[DiffOut],
            summary="批次对比：从批次 other 到批次 pk 得分或名次变化的单位，以及变化的输入")
@paged
def compare(request, pk: int, other: int):
    run, before = run_get(user=request.user, pk=pk), run_get(user=request.user, pk=other)
    return run_diff(user=request.user, a=before, b=run)


class GapOut(Schema):
    code: str  # the indicator ("" for 奖惩事项 and 一票否决, named in `name`)
    name: str
    upper: float | None  # the unit above's contribution to its total (null unless the user may see it)
    lower: float | None
    difference: float


class AboveOut(Schema):
    distance: float  # its score minus this unit's: the differences add up to it
    name: str | None  # null (with its score and contributions) unless the user may see that unit
    score: float | None
    gap: list[GapOut]  # largest first


class TrendOut(Schema):
    periods: list[str]
    scores: list[float]
    ranks: list[float | None]


class RadarOut(Schema):
    dimensions: list[str]
    unit: list[float]
    best: list[float]  # the best of the unit's category
    median: list[float]


class AnalysisOut(Schema):
    above: AboveOut | None  # null for the first of its category
    trend: TrendOut
    radar: RadarOut


@router.get("/runs/{pk}/results/{unit_code}/analysis", response=AnalysisOut,
            summary="单位结果分析：与前一名的差距（逐项）、历次公布的得分与名次、各维度对比同类最优与中位")
def analysis(request, pk: int, unit_code: str):
    run = run_get(user=request.user, pk=pk)
    result = unit_result(user=request.user, run=run, unit_code=unit_code)
    above = unit_above(user=request.user, run=run, result=result)
    return {"above": above and {"distance": above.distance, "name": above.name, "score": above.score,
                                "gap": above.gap},
            "trend": unit_trend(user=request.user, run=run, unit_code=unit_code),
            "radar": unit_radar(result, run.benchmarks)}


class PublishReviewOut(Schema):
    units: int
    grades: list[tuple[str, int]]
    unapproved: int  # values of the period not approved
    open_appeals: int
    deadline: date
    days_to_deadline: int
    appeal_deadline: date | None
    days_to_appeal_deadline: int | None
    blockers: list[str]  # what no reason can waive
    waivable: list[str]  # what publishing with override_reason waives
    stage: str  # the run's stage: the `stage` to send to publish


@router.get("/runs/{pk}/publish-review", response=PublishReviewOut,
            summary="公布前核对（考核办）：将冻结的单位与等次分布、未审核数据、未结申诉、不能公布的原因")
def publish_check(request, pk: int):
    review = publish_review(user=request.user, run=run_get(user=request.user, pk=pk))
    return {**{name: getattr(review, name) for name in PublishReviewOut.model_fields if name != "stage"},
            "stage": review.run.stage}


@router.post("/runs/{pk}/release", response=RunOut, summary="发布反馈，开放申诉（考核办）")
def release(request, pk: int, payload: ReleaseIn):
    return run_release(actor=request.user, run=run_get(user=request.user, pk=pk),
                       appeal_workdays=payload.appeal_workdays)


@router.post("/runs/{pk}/publish", response=RunOut, summary="公布结果（考核办）")
def publish(request, pk: int, payload: PublishIn):
    return run_publish(actor=request.user, run=run_get(user=request.user, pk=pk), stage=payload.stage,
                       override_reason=payload.override_reason)


@router.get("/runs/{pk}/appeals", response=list[AppealOut], summary="申诉列表")
@paged
def appeals(request, pk: int):
    return list(appeal_list(user=request.user, run=run_get(user=request.user, pk=pk)))


@router.post("/runs/{pk}/units/{unit_code}/appeals", response={201: AppealOut}, summary="提交申诉")
def appeal(request, pk: int, unit_code: str, payload: AppealIn):
    item = run_get(user=request.user, pk=pk)
    indicator = get_object_or_404(Indicator, version__scheme=item.period.version.scheme,
                                  version__number=item.scheme_version, code=payload.indicator)
    return Status(201, appeal_file(actor=request.user, run=item, unit=unit_get(user=request.user, code=unit_code),
                                   indicator=indicator, reason=payload.reason))


@router.post("/appeals/{appeal_id}/decide", response=AppealOut, summary="复核申诉")
def decide(request, appeal_id: int, payload: DecideIn):
    return appeal_decide(actor=request.user, appeal=appeal_get(user=request.user, pk=appeal_id),
                         accept=payload.accept, decision=payload.decision)


class CombinationPartIn(Schema):
    name: str
    weight: float  # percent
    runs: list[int]


class CombinationIn(Schema):
    code: str
    name: str
    year: int
    parts: list[CombinationPartIn]


class CombinedPartOut(Schema):
    name: str
    weight: float
    average: float | None
    scores: list[tuple[str, float | None]]


class CombinedOut(Schema):
    unit: str = Field(alias="unit.code")
    name: str = Field(alias="unit.name")
    category: str  # the category's code
    category_name: str
    total: float | None
    rank: float | None
    parts: list[CombinedPartOut]


@router.get("/combinations", response=list[dict], summary="多考合一列表")
@paged
def combinations(request):
    return [
        {"code": c.code, "name": c.name, "year": c.year,
         "parts": [{"name": p.name, "weight": p.weight, "runs": [r.pk for r in p.runs.all()]} for p in c.parts.all()]}
        for c in combination_list(user=request.user)
    ]


@router.get("/combinations/{code}", response=list[CombinedOut], summary="多考合一年度结果")
@paged
def combination(request, code: str):
    return combination_results(user=request.user, combination=combination_get(user=request.user, code=code))


@router.post("/combinations", response={201: dict}, summary="定义多考合一（考核办）")
def combination_create(request, payload: CombinationIn):
    runs = {run.pk: run for run in run_list(user=request.user)}
    parts = [(p.name, p.weight, [runs[pk] for pk in p.runs if pk in runs]) for p in payload.parts]
    scheme = scheme_list(user=request.user).first()
    if scheme is None:
        raise Http404
    saved = combination_save(actor=request.user, code=payload.code, name=payload.name, year=payload.year,
                             district=scheme.district, parts=parts)
    return Status(201, {"code": saved.code})
