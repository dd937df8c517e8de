"""A malformed request parameter answers 400 with its message, never 500.

Views parse numbers, dates and versions with `duibiao.params`, which raises `BadParameter`.
This middleware turns it into the answer a person can act on: the page layout with the
message, or, for an htmx request, the message swapped into the page's alert area (the row
that asked stays as it was, so nothing the user typed is lost).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from duibiao.params import BadParameter

ALERTS = "#page-alerts"  # in web/base.html


class BadParameterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadParameter):
            return None
        context = {"message": exception.message, "field": exception.name}
        if request.headers.get("HX-Request"):
            response = render(request, "web/_bad_request.html", context, status=400)
            response["HX-Retarget"] = ALERTS
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "web/bad_request.html", context, status=400)
