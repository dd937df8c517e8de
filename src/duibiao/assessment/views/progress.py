"""填报进度 pages: the units × indicators status matrix of a period, and its Excel export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from duibiao.assessment.selectors.progress import (
    ProgressFilters,
    progress_matrix,
    progress_period_get,
    progress_periods,
    progress_workbook,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def progress_index(request):
    """The menu's way in: the current open period's matrix, or a list to choose from."""
    periods = progress_periods(user=request.user)
    if periods:
        return redirect("assessment:progress", period_id=periods[0].pk)
    return render(request, "assessment/progress_empty.html")


@login_required
def progress_view(request, period_id: int):
    period, periods = progress_period_get(user=request.user, pk=period_id)
    matrix = progress_matrix(user=request.user, period=period,
                             filters=ProgressFilters.from_query(request.GET))
    return render(request, "assessment/progress.html", {
        "matrix": matrix, "periods": periods,
        "query": request.GET.urlencode(),
    })


@login_required
def progress_export(request, period_id: int):
    period, _ = progress_period_get(user=request.user, pk=period_id)
    matrix = progress_matrix(user=request.user, period=period,
                             filters=ProgressFilters.from_query(request.GET))
    response = HttpResponse(progress_workbook(matrix), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{period.name}填报进度.xlsx")
    return response
