"""The 403, 404 and 500 pages: in the site layout, in Chinese, with the reason and a way back.

- 403 shows the PermissionDenied's message: the gate writes it in Chinese for the person
  ("您的角色不能审核填报值。"), so it is the reason, not a detail to hide.
- 404 says the same thing whether the object does not exist or belongs to another unit: the
  gate answers both with 404 (`get_object_or_404` over a gated queryset), and the page must
  not tell them apart either, so it shows neither the exception's text (English, and it names
  the model) nor anything else that depends on what was looked up.
- 500 renders from a template that needs no database, no request and no context processor
  (the navigation asks the gate, which reads the database that may be what failed); if even
  that fails, a fixed Chinese page is answered.

Each page offers 返回首页 and, when the visitor came from a page of this site, 返回上一页
(the Referer, only if it is on this host: the link must not lead elsewhere).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

_FALLBACK_500 = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>系统出错</title></head>'
    '<body><h1>系统出错</h1><p>服务器处理请求时出错，已记录。请稍后重试；如果问题持续，请联系系统管理员。</p>'
    '<p><a href="/">返回首页</a></p></body></html>'
)


def back_url(request: HttpRequest) -> str:
    """The page the visitor came from, if it is on this site and not this very page."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    if referer.endswith(request.get_full_path()):
        return ""
    return referer


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if isinstance(exception, PermissionDenied) and exception.args else ""
    return render(request, "403.html", {"exception": reason, "back": back_url(request)}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's reason is English and technical ("CSRF token missing"); the
    person needs to know the page went stale and what to do."""
    message = _("页面已过期或表单来源无法验证，操作没有执行。请刷新页面后重新提交。")
    return render(request, "403.html", {"exception": message, "back": back_url(request)}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400 (a request Django itself refuses, e.g. a disallowed host header or a
    suspicious operation): the same page as a malformed parameter, without Django's text."""
    message = _("请求无法处理，可能是地址或提交的内容有误。")
    return render(request, "web/bad_request.html", {"message": message}, status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):  # an address no operation takes: the API's one error body
        return JsonResponse({"code": "not_found", "detail": _("未找到"), "errors": {}}, status=404)
    return render(request, "404.html", {"back": back_url(request)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        body = loader.get_template("500.html").render()  # no request: no context processors
    except Exception:  # noqa: BLE001 — the error page must answer whatever broke
        body = _FALLBACK_500
    return HttpResponseServerError(body)
