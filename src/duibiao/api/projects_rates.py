"""四率 over the API, under /api/projects/rates: the 四率 page's table (grouped as the page and
`duibiao project-rates` group it, with last year's rates at the same date) and its CSV, read by
the page's selector (`projects.selectors.rates`), so the same gate: the projects the caller
may see, a token's units only."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema

from duibiao.projects.errors import ProjectInvalid
from duibiao.projects.selectors.rates import RatesPage, RatesRow, by_error, rates_csv, rates_page

router = Router(tags=["projects"])


class CountsOut(Schema):
    projects: int
    red: int
    yellow: int
    green: int


class RatesRowOut(Schema):
    group: str  # the group's name ("全部" on the total row)
    total: bool
    # Percentages with two decimals, half up, as text ("" when the denominator is empty):
    # start_rate, investment_rate, funds_rate, completion_rate, schedule, schedule_gap.
    rates: dict[str, str]
    last_year: dict[str, str]  # the four rates a year earlier at the same date
    changes: dict[str, str]  # each rate minus last year's, in points
    counts: CountsOut


class RatesOut(Schema):
    as_of: date
    last_year: date
    by: str
    rows: list[RatesRowOut]  # the groups, then the total row
    charts: dict[str, Any]


def rates_row(row: RatesRow) -> RatesRowOut:
    g = row.now
    return RatesRowOut(group=g.group, total=row.is_total, rates=row.cells(), last_year=row.previous(),
                       changes=row.changes(),
                       counts=CountsOut(projects=g.projects, red=g.red, yellow=g.yellow, green=g.green))


def _page(request: Any, as_of: date | None, by: str, unit: str) -> RatesPage:
    wrong = by_error(by)
    if wrong:
        raise ProjectInvalid({"by": wrong})
    return rates_page(user=request.user, as_of=as_of or timezone.localdate(), by=by, unit=unit[:40])


@router.get("/rates", response=RatesOut, summary="项目四率（开复工率、投资完成率、资金到位率、按期竣工率），与上年同期比较")
def rates(request, as_of: date | None = None, by: str = "unit", unit: str = ""):
    page = _page(request, as_of, by, unit)
    return RatesOut(as_of=page.as_of, last_year=page.last_year, by=page.by,
                    rows=[rates_row(row) for row in page.rows], charts=page.charts)


@router.get("/rates/export", response={200: None}, summary="下载项目四率 CSV（与四率页的导出相同）")
def rates_export(request, as_of: date | None = None, by: str = "unit", unit: str = ""):
    text, name = rates_csv(_page(request, as_of, by, unit))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
