"""本单位: the unit's open tasks and its past periods, from the menu of its reporter and head."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from duibiao.assessment.selectors.my_unit import unit_past_periods, unit_tasks
from duibiao.assessment.selectors.reporting import own_report_unit


@login_required
def my_unit_tasks(request: HttpRequest) -> HttpResponse:
    unit = own_report_unit(user=request.user)
    if unit is None:  # only a unit's own people have a 本单位 (others choose among units)
        raise Http404
    return render(request, "assessment/my_unit.html", {
        "unit": unit,
        "tasks": unit_tasks(user=request.user, unit=unit),
        "past": unit_past_periods(user=request.user, unit=unit),
    })
