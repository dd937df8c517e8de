"""Request bodies within bounds, refused before they are read.

A body whose declared length (Content-Length) is over DUIBIAO_REQUEST_MAX_MB is answered 413
at once, before the CSRF check or a view reads it, so a 200 MB POST costs nothing but its
headers. A body sent without a length (chunked) is counted while it is read and refused as
soon as it passes the same cap. The reverse proxy's own limit (nginx `client_max_body_size`)
stops such bodies even earlier; see docs/install.md.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

MB = 1024 * 1024


class BodyTooLarge(RequestDataTooBig):
    """Raised by the counting stream; answered 413 by `RequestBodyLimit`."""


class CountingStream(io.RawIOBase):
    """A request body read through a counter that refuses to pass `limit` bytes."""

    def __init__(self, stream: IO[bytes], limit: int, request: HttpRequest) -> None:
        self.stream, self.limit, self.request, self.count = stream, limit, request, 0

    def readable(self) -> bool:
        return True

    def _counted(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.count > self.limit:
            self.request._body_too_large = True  # type: ignore[attr-defined]
            raise BodyTooLarge("request body over the limit")
        return data

    def read(self, size: int = -1) -> bytes:
        return self._counted(self.stream.read(size))

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self.stream.readline(-1 if size is None else size))

    def close(self) -> None:
        self.stream.close()


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META["CONTENT_LENGTH"])
    except (KeyError, ValueError, TypeError):
        return None


def too_large_response(request: HttpRequest, limit_mb: float) -> HttpResponse:
    """413 in Chinese: JSON for the API, a small page for people."""
    # LocaleMiddleware has not run yet: pick the request's language here (Chinese by default).
    with translation.override(translation.get_language_from_request(request)):
        message = _("提交的内容过大（上限 %(max)s MB），请压缩或拆分文件后重试。") % {"max": f"{limit_mb:g}"}
        html = render_to_string("web/request_too_large.html", {"message": message}, request=None)
    wants_json = request.path.startswith("/api/") or "application/json" in request.META.get("HTTP_ACCEPT", "")
    if wants_json:
        response: HttpResponse = JsonResponse({"code": "too_large", "detail": message, "errors": {}}, status=413)
    else:
        response = HttpResponse(html, status=413)
    # Said here because CommonMiddleware, which would add it, has not run: without it a
    # client could only find the end of the answer when the connection closes, and the
    # server keeps it open to discard the unread rest of the body (never storing it). The
    # reverse proxy's own limit keeps such a body off the wire altogether.
    response["Content-Length"] = str(len(response.content))
    return response


class RequestBodyLimit:
    """First middleware of the stack (see settings.MIDDLEWARE): nothing before it reads a body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DUIBIAO_REQUEST_MAX_MB * MB
        declared = _declared_length(request)
        if declared is not None:
            if declared > limit:
                return too_large_response(request, settings.DUIBIAO_REQUEST_MAX_MB)
            # Forms and JSON carry no files: their smaller cap is answered the same way
            # (Django's own check would only give a bare 400 page).
            form_cap = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            is_multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
            if form_cap is not None and declared > form_cap and not is_multipart:
                return too_large_response(request, form_cap / MB)
        elif hasattr(request, "_stream"):
            request._stream = CountingStream(request._stream, limit, request)  # type: ignore[assignment]
        response = self.get_response(request)
        if getattr(request, "_body_too_large", False):
            return too_large_response(request, settings.DUIBIAO_REQUEST_MAX_MB)
        return response
