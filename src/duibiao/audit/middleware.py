"""The audit log's view of each request: the source address of every row written while it
is served, refused requests, and files that leave the system (downloads and exports)."""

from __future__ import annotations

from collections.abc import Callable
from email.message import Message

from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase

from duibiao.audit.context import (
    bind_api_token_holder,
    bind_client_ip,
    bind_user_agent,
    client_ip,
    unbind_api_token_holder,
    unbind_client_ip,
    unbind_user_agent,
)
from duibiao.audit.services import audit_record


def _filename(disposition: str) -> str:
    message = Message()
    message["content-disposition"] = disposition
    return message.get_filename() or ""


class AuditMiddleware:
    """After AuthenticationMiddleware (it reads request.user).

    Logged here rather than in each view, so that no view can forget:
    - a 403, and a 404 raised by a page for a signed-in user (the gate answers 404 for another
      unit's objects): ``access.denied`` with the method and path. Unknown URLs (no view) are
      not logged: browsers ask for /favicon.ico and the like on their own.
    - a successful response that carries a file (Content-Disposition, or a FileResponse):
      ``download`` with the file name, its type and the page that served it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = bind_client_ip(client_ip(request))
        agent = bind_user_agent(request.META.get("HTTP_USER_AGENT", ""))
        api_token = bind_api_token_holder()
        try:
            response = self.get_response(request)
            self._record(request, response)
            return response
        finally:
            unbind_api_token_holder(api_token)
            unbind_user_agent(agent)
            unbind_client_ip(token)

    def _record(self, request: HttpRequest, response: HttpResponseBase) -> None:
        user = getattr(request, "user", None)
        signed_in = bool(getattr(user, "is_authenticated", False))
        where = f"{request.method} {request.get_full_path()}"
        view = getattr(getattr(request, "resolver_match", None), "view_name", None)
        status = response.status_code
        if status == 403 or (status == 404 and signed_in and view is not None):
            audit_record(actor=user, action="access.denied", success=False, detail=where,
                         after={"status": status, "view": view})
        elif 200 <= status < 300 and (response.has_header("Content-Disposition")
                                      or isinstance(response, FileResponse)):
            audit_record(actor=user, action="download", detail=where, after={
                "file": _filename(response.get("Content-Disposition", "")),
                "type": response.get("Content-Type", ""), "view": view,
            })
