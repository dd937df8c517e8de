"""A malformed request parameter answers 400 with its message, never 500.

Views parse numbers, dates and versions with `duibiao.params`, which raises `BadParameter`.
This middleware turns it into the answer a person can act on: the page layout with the
message, or, for an htmx request, the message swapped into the page's alert area (the row
that asked stays as it was, so nothing the user typed is lost).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from duibiao.params import BadParameter

ALERTS = "#page-alerts"  # in web/base.html


class BadParameterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A NUL in the address or a query parameter is refused here, once for every page and
        # operation: no column stores it, and PostgreSQL refuses it in any query (a 500).
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                        for key, values in request.GET.lists()):
            message = _("请求地址或查询参数中含有不允许的字符（NUL），请检查后重试。")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "bad_request", "detail": message, "errors": {}}, status=400)
            return render(request, "web/bad_request.html", {"message": message, "field": ""}, status=400)
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
