"""领导驾驶舱 over the API: the cockpit page's figures, read by the page's own function
(`cockpit.selectors.cockpit_page`), so the API and the page (and its 大屏) cannot disagree.

The same gate: the office and district leaders get it (403 to everyone else, units included);
each part only to whoever may read its source page; a leader (or a token) held to one street
sees that street's figures only. A summary of fixed size (the top rows of each table; the
source operations have them all), so it is not paged."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from ninja import Router, Schema

from duibiao.api.inspections_stats import RateOut, _rate
from duibiao.api.projects_rates import RatesRowOut, rates_row
from duibiao.cockpit.selectors import Cockpit, cockpit_page

router = Router(tags=["cockpit"])


class RankRowOut(Schema):
    unit: str
    name: str
    rank: float | None
    score: float | None
    rank_change: float | None  # places moved up (positive) or down since the previous period
    grade: str


class RankGroupOut(Schema):
    category: str
    count: int  # units in the category (rows: at most the first 10)
    rows: list[RankRowOut]


class TrendSeriesOut(Schema):
    name: str
    values: list[float | None]


class TrendOut(Schema):
    periods: list[str]
    series: list[TrendSeriesOut]


class RankingOut(Schema):
    run: int
    period: str
    published: bool  # False: the office's latest finished run, not yet published
    groups: list[RankGroupOut]
    movers: list[RankRowOut]  # units that moved up, most places first
    trend: TrendOut  # each category's average score over the published runs


class LaggingOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    reasons: list[str]


class ProjectsOut(Schema):
    total: RatesRowOut  # the 四率 page's 全部 row
    lagging: list[LaggingOut]  # red projects, at most 10
    lagging_count: int


class FindingsOut(Schema):
    total: RateOut  # the daily page's 全部 row
    units: list[RateOut]  # the lowest 问题处置率 first, at most 10
    overdue: int
    new: int
    closed: int


class CockpitOut(Schema):
    as_of: date
    at: str
    ranking: RankingOut | None  # None: no result the caller may read yet
    projects: ProjectsOut | None  # None: the caller may not read the projects
    findings: FindingsOut | None  # None: the caller may not read the inspections' statistics
    figures: dict[str, str]  # what the 大屏 shows, by name (as /cockpit/data.json)
    charts: dict[str, Any]


def _rank_row(row: Any) -> RankRowOut:
    return RankRowOut(unit=row.unit.code, name=row.unit.name, rank=row.rank, score=row.score,
                      rank_change=row.rank_change, grade=row.grade)


def _out(page: Cockpit) -> CockpitOut:
    r, p, f = page.ranking, page.projects, page.findings
    ranking = None if r is None else RankingOut(
        run=r.run.pk, period=r.run.period.name, published=r.published,
        groups=[RankGroupOut(category=name, count=count, rows=[_rank_row(x) for x in rows])
                for name, rows, count in r.groups],
        movers=[_rank_row(x) for x in r.movers], trend=TrendOut(**r.trend))
    projects = None if p is None else ProjectsOut(
        total=rates_row(p.total), lagging_count=p.lagging_count,
        lagging=[LaggingOut(id=x.project.pk, code=x.project.code, name=x.project.name,
                            unit=x.project.owner_unit.code, reasons=list(x.flag.reasons)) for x in p.lagging])
    findings = None if f is None else FindingsOut(
        total=_rate(f.total), units=[_rate(line) for line in f.units], overdue=f.overdue_count,
        new=f.new_count, closed=f.closed_count)
    return CockpitOut(as_of=page.as_of, at=page.data()["at"], ranking=ranking, projects=projects,
                      findings=findings, figures=page.figures, charts=page.charts)


@router.get("", response=CockpitOut, summary="领导驾驶舱：排名、四率、问题处置率（区领导与考核办）")
def cockpit(request, as_of: date | None = None):
    return _out(cockpit_page(user=request.user, as_of=as_of or timezone.localdate()))
