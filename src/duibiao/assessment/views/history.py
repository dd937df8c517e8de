"""数据记录: one value's history (who, when, old → new, status), a page of its own that the
reporting row and the task force's review row link to."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from duibiao.assessment.selectors.history import value_history


@login_required
def value_history_page(request: HttpRequest, pk: int) -> HttpResponse:
    submission, lines = value_history(user=request.user, pk=pk)
    return render(request, "assessment/value_history.html", {"submission": submission, "lines": lines})
