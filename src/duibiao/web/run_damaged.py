"""A run whose stored arrays are damaged answers with the reason, never 500.

`assessment.selectors.traces` raises `RunDamaged` (already logged, audited, and a draft run
marked failed) when a unit's result is asked of a run whose stored bytes do not unpack. Any
page that shows a result — the unit's result, its what-if, what comes later — gets here: the
page layout with the Chinese message naming the run and a link to the run's page (which offers
重新计算), or, for an htmx request, the message swapped into the page's alert area.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from duibiao.assessment.errors import RunDamaged
from duibiao.assessment.models import ScoringRun

ALERTS = "#page-alerts"  # in web/base.html
STATUS = 409  # the run's state is at fault, not the request


class RunDamagedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RunDamaged):
            return None
        # The user reached this run through the gate before the arrays were read.
        run = ScoringRun.objects.select_related("period").filter(pk=exception.run_id).first()
        context = {"message": str(exception), "run": run}
        if request.headers.get("HX-Request"):
            response = render(request, "web/_run_damaged.html", context, status=STATUS)
            response["HX-Retarget"] = ALERTS
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "web/run_damaged.html", context, status=STATUS)
