"""填报进度 pages: the units × indicators status matrix of a period (its Excel export is built
in documents: documents:progress_download)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from duibiao.assessment.selectors.progress import (
    ProgressFilters,
    progress_matrix,
    progress_period_get,
    progress_periods,
)


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
