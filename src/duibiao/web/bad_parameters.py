"""A malformed request parameter answers 400 with its message, never 500.

Views parse numbers, dates and versions with `duibiao.params`, which raises `BadParameter`.
This middleware turns it into the answer a person can act on: the page layout with the
message, or, for an htmx request, the message swapped into the page's alert area (the row
that asked stays as it was, so nothing the user typed is lost).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

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
        if request.path.startswith("/api/") and request.method in ("POST", "PUT", "PATCH"):
            # The API's bodies are not checked by Django's form fields (which refuse a NUL):
            # a NUL in any value is refused beside its field, before a service stores it.
            field = _nul_field(request)
            if field is not None:
                message = _("内容中含有不允许的字符（NUL），请删除后重试。")
                return JsonResponse({"code": "invalid", "detail": message, "errors": {field: [message]}}, status=422)
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


def _nul_field(request: HttpRequest) -> str | None:
    """The first field of a JSON or form body holding a NUL (dotted for nested JSON), or None."""
    if request.content_type == "application/json":
        # JSON carries a NUL only as the escape \u0000 (or, invalid, raw): most bodies have
        # neither and are not parsed twice.
        if b"\\u0000" not in request.body and b"\x00" not in request.body:
            return None
        try:
            return _nul_in(json.loads(request.body or b"null"), "")
        except ValueError:  # not JSON: the API's parser says so
            return None
    for key, values in request.POST.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return key.replace("\x00", "")
    return None


def _nul_in(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return inner.replace("\x00", "")
            found = _nul_in(item, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_in(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None
