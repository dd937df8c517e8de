"""The workbooks the documents app builds, each read through the selectors (so through the
gate) and laid out by documents/excel: (file name, xlsx bytes) for a view or the API to send.
Views and the API call these; selectors only read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from duibiao.assessment.models import Period, Scheme
from duibiao.assessment.selectors.progress import (
    ProgressFilters,
    progress_matrix,
    progress_period_get,
)
from duibiao.assessment.selectors.results import ranking, run_get
from duibiao.cadres.selectors import LISTS, cadre_derived_list, cadre_units
from duibiao.documents.excel.cadre_list_workbook import cadre_list_workbook_build
from duibiao.documents.excel.progress_workbook import progress_workbook_build
from duibiao.documents.excel.ranking_workbook import ranking_workbook_build
from duibiao.documents.excel.reporting_workbook import reporting_workbook_build
from duibiao.documents.excel.scheme_workbook import scheme_workbook_build
from duibiao.documents.selectors import scheme_version_get, template_sheets
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

__all__ = ["cadre_list_workbook", "progress_workbook", "ranking_workbook", "reporting_template", "scheme_workbook"]


def scheme_workbook(*, user: User | AnonymousUser, scheme: Scheme, number: int | None = None) -> tuple[str, bytes]:
    """(file name, xlsx bytes) of a scheme version's 考核细则."""
    version = scheme_version_get(user=user, scheme=scheme, number=number)
    note = f" · {version.note}" if version.note else ""
    data = scheme_workbook_build(
        document=version.document, title=f"{scheme.name}考核细则",
        subtitle=f"第 {version.number} 版{note} · 保存于 {version.created_at:%Y-%m-%d %H:%M}",
    )
    return f"{scheme.name}-考核细则-第{version.number}版.xlsx", data


def reporting_template(*, user: User | AnonymousUser, period: Period, unit: Unit | None = None) -> tuple[str, bytes]:
    """(file name, xlsx bytes) of the 填报模板 of one unit or of every unit in scope."""
    sheets = template_sheets(user=user, period=period, unit=unit)
    if not sheets:
        raise Http404("没有可下载的填报模板")
    label = unit.name if unit is not None else ("全部单位" if len(sheets) > 1 else sheets[0].unit.name)
    return f"{period.name}-{label}-填报模板.xlsx", reporting_workbook_build(period=period, sheets=sheets)


def progress_workbook(*, user: User | AnonymousUser, period_id: int, query: Mapping[str, str]) -> tuple[str, bytes]:
    """(file name, xlsx bytes) of a period's 填报进度 as the page shows it with the same
    filters; refused (403 / 404) exactly as the page is."""
    period, _periods = progress_period_get(user=user, pk=period_id)
    matrix = progress_matrix(user=user, period=period, filters=ProgressFilters.from_query(query))
    return f"{period.name}填报进度.xlsx", progress_workbook_build(matrix)


def ranking_workbook(*, user: User | AnonymousUser, run_id: int, query: Mapping[str, str]) -> tuple[str, bytes]:
    """(file name, xlsx bytes) of a run's 排名表 with the ranking page's filters (category,
    grade, sort); refused (404) exactly as the page is."""
    run = run_get(user=user, pk=run_id)
    table = ranking(user=user, run=run, category=query.get("category", ""), grade=query.get("grade", ""),
                    sort=query.get("sort", "rank"))
    return f"{run.period.name}-排名-第{run.number}批.xlsx", ranking_workbook_build(run, table)


def cadre_list_workbook(*, user: User | AnonymousUser, kind: str, year: int) -> tuple[str, bytes]:
    """(file name, xlsx bytes) of a 名单 (选拔任用 / 评先评优 / 墩苗培养) of the cadres the user
    may see; 403 for a user who sees no cadres, 404 for an unknown list."""
    if not cadre_units(user=user).exists():
        raise PermissionDenied
    entries = cadre_derived_list(user=user, kind=kind, year=year)
    title = f"{year}年度{LISTS[kind]}名单"
    return f"{title}.xlsx", cadre_list_workbook_build(entries, title=title, sheet=LISTS[kind])
