"""One error body for every error of every operation:

    {"code": "invalid", "detail": "请求数据有误：value", "errors": {"value": ["须为数字"]}}

`code` is stable for programs, `detail` is the sentence a person reads (Chinese first), and
`errors` maps each field at fault to its reasons (empty when no one field is). An import's
report keeps its row-by-row `problems` beside them. Routes and exception handlers may return
any of the older shapes (`{"detail": …}`, field → message, pydantic's list); the renderer
brings every body of a 4xx/5xx response to this one, so no route can answer differently.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.renderers import JSONRenderer

logger = logging.getLogger("duibiao.api")

# The statuses every operation may answer with; each is documented on every operation.
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429, 500)
CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 422: "invalid", 429: "throttled", 500: "server_error"}


class FieldErrors(Exception):
    """A request whose fields are wrong, each with its reason: 422 `invalid`, the reasons under
    `errors` (for a route that checks a value itself, as the page does)."""

    def __init__(self, errors: dict[str, str] | dict[str, list[str]]) -> None:
        super().__init__("；".join("；".join(v) if isinstance(v, list) else str(v) for v in errors.values()))
        self.errors = errors


class ErrorOut(Schema):
    code: str
    detail: str
    errors: dict[str, list[str]]
    problems: list[dict[str, Any]] | None = None


def _field(loc: Any) -> str:
    """pydantic's location → the field's name: ("body", "payload", "value") → "value"."""
    parts = [str(p) for p in (loc or ())]
    if parts and parts[0] in ("body", "form", "file", "files") and len(parts) > 2:
        parts = parts[2:]
    elif parts and parts[0] in ("query", "path", "header", "cookie", "body", "form", "file", "files"):
        parts = parts[1:]
    return ".".join(parts) or "__all__"


# pydantic's error types in the words of the pages.
_TYPE_MESSAGES = {
    "missing": "缺少此项", "int_parsing": "须为整数", "int_type": "须为整数", "float_parsing": "须为数字",
    "float_type": "须为数字", "decimal_parsing": "须为数字", "decimal_type": "须为数字",
    "bool_parsing": "须为 true 或 false", "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）",
    "date_parsing": "须为日期（YYYY-MM-DD）", "date_type": "须为日期（YYYY-MM-DD）",
    "datetime_parsing": "须为时间（ISO 8601）", "string_type": "须为文字", "string_too_long": "过长",
    "string_too_short": "过短", "list_type": "须为列表", "dict_type": "须为对象", "model_type": "须为对象",
    "greater_than_equal": "过小", "greater_than": "过小", "less_than_equal": "过大", "less_than": "过大",
    "enum": "不是可选的值", "literal_error": "不是可选的值", "json_invalid": "不是有效的 JSON",
    "uuid_parsing": "格式不正确", "value_error": "格式不正确",
}


def field_errors(errors: Any) -> dict[str, list[str]]:
    """Any of the shapes routes give (field → message, field → messages, pydantic's list,
    a scheme's [{path, reason}]) as field → list of messages."""
    found: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for name, value in errors.items():
            messages = value if isinstance(value, list | tuple) else [value]
            found[str(name)] = [str(m) for m in messages]
    elif isinstance(errors, list | tuple):
        for item in errors:
            if isinstance(item, dict) and "loc" in item:
                kind = str(item.get("type", ""))
                said = _TYPE_MESSAGES.get(kind)
                message = _(said) if said else f"{_('格式不正确')}（{item.get('msg', '')}）"
                found.setdefault(_field(item["loc"]), []).append(message)
            elif isinstance(item, dict) and "path" in item:
                found.setdefault(str(item["path"]) or "__all__", []).append(str(item.get("reason", "")))
            elif isinstance(item, str):
                found.setdefault("__all__", []).append(item)
    return found


def error_body(status: int, data: Any) -> dict[str, Any]:
    """Any error body as the one format."""
    body = dict(data) if isinstance(data, dict) else {"detail": str(data)}
    detail = body.pop("detail", None) or body.pop("message", None) or _("请求未能完成")
    out: dict[str, Any] = {
        "code": str(body.pop("code", None) or CODES.get(status, f"http_{status}")),
        "detail": str(detail) if not isinstance(detail, list) else _("请求数据有误"),
        "errors": field_errors(body.pop("errors", None) or (detail if isinstance(detail, list) else None)),
    }
    out.update(body)  # what else the route said (an import's problems)
    return out


class Renderer(JSONRenderer):
    """Every 4xx and 5xx body through `error_body`."""

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        if response_status >= 400:
            data = error_body(response_status, data)
        return super().render(request, data, response_status=response_status)


def install(api: Any) -> None:
    """The exception handlers of the errors ninja itself raises, in Chinese."""

    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, {
            "code": "unauthenticated",
            "detail": _("未登录，或接口令牌无效、已过期、已撤销：请登录后再试，或在 Authorization 头中提供有效的令牌。")},
            status=401)

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403 and "CSRF" in str(exc):
            return api.create_response(request, {"code": "csrf_failed", "detail": _(
                "CSRF 校验失败：以登录会话调用写入接口须带 X-CSRFToken 头（接口令牌调用不需要）。")}, status=403)
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        wait = getattr(exc, "wait", None)
        response = api.create_response(request, {"code": "throttled", "detail": _(
            "请求过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": int(wait or 1)}}, status=429)
        if wait:
            response["Retry-After"] = str(int(wait))
        return response

    def crashed(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged as Django logs an unhandled error, and signalled so that the test client
        # still raises it: a bug must fail its test, not hide behind a polite body.
        logger.exception("API error at %s", request.path)
        got_request_exception.send(sender=None, request=request)
        return api.create_response(request, {"code": "server_error", "detail": _(
            "服务器内部错误，已记录。请稍后再试；仍然出错请联系系统管理员。")}, status=500)

    def fields(request: HttpRequest, exc: FieldErrors) -> HttpResponse:
        return api.create_response(request, {"code": "invalid", "detail": str(exc), "errors": exc.errors}, status=422)

    api.add_exception_handler(FieldErrors, fields)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(Exception, crashed)


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation of the schema answers every error status with ErrorOut."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for status in ERROR_STATUSES:
                responses[str(status)] = {
                    "description": CODES[status], "content": {"application/json": {"schema": ref}}}
    return schema
