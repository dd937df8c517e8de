"""The REST API: one django-ninja app, one router per Django app, session authentication.

Every endpoint reads through the same selectors (and so the same access gate) as the pages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import django_auth

from duibiao.api.accounts import router as accounts_router
from duibiao.api.assessment import router as assessment_router
from duibiao.api.assessment_files import appeals_router as appeal_files_router
from duibiao.api.assessment_files import router as assessment_files_router
from duibiao.api.audit import router as audit_router
from duibiao.api.auth import TokenAuth, docs_access
from duibiao.api.bulletins import router as bulletins_router
from duibiao.api.cadres import router as cadres_router
from duibiao.api.cockpit import router as cockpit_router
from duibiao.api.dispatch import router as dispatch_router
from duibiao.api.documents import router as documents_router
from duibiao.api.errors import Renderer, document
from duibiao.api.errors import install as install_error_handlers
from duibiao.api.inspections import router as inspections_router
from duibiao.api.inspections_queues import router as inspections_queues_router
from duibiao.api.inspections_stats import router as inspections_stats_router
from duibiao.api.inspections_work import router as inspections_work_router
from duibiao.api.org import router as org_router
from duibiao.api.periods import router as periods_router
from duibiao.api.projects import router as projects_router
from duibiao.api.projects_ledger import router as projects_ledger_router
from duibiao.api.projects_rates import router as projects_rates_router
from duibiao.api.results import router as results_router
from duibiao.assessment.errors import AssessmentError, ConflictError
from duibiao.inspections.errors import ConflictError as InspectionConflict
from duibiao.inspections.errors import InspectionError
from duibiao.projects.errors import ConflictError as ProjectConflict
from duibiao.projects.errors import ProjectError, ProjectInvalid
from duibiao.schemes import SchemeDocumentError


class DuibiaoAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        # Every operation documents the one error body for every error status (api/errors.py).
        return document(super().get_openapi_schema(*args, **kwargs))


api = DuibiaoAPI(
    title="对标 API",
    version="1",
    description=(
        "对标晋位考核评价系统接口。所有接口按用户的角色与单位范围过滤。"
        "认证：登录会话（写入须带 X-CSRFToken），或接口令牌 `Authorization: Bearer dbt_…`"
        "（在“接口令牌”页建立，只含所选单位与操作）。错误统一为 {code, detail, errors}；"
        "列表接口分页：?page=&size=（每页至多 200），返回 {count, page, size, next, previous, items}。"
    ),
    # A token call first: a request with a bearer header is judged by its token alone.
    auth=[TokenAuth(), django_auth],
    renderer=Renderer(),
    urls_namespace="api",
    # The schema lists every route and field: for signed-in users and tokens only, like the API.
    docs_decorator=docs_access,
)
install_error_handlers(api)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    # The gate's reason (in Chinese: which action the role may not do) when it gave one.
    reason = str(exc)
    return api.create_response(request, {"code": "forbidden", "detail": f"无权访问：{reason}" if reason else "无权访问"},
                               status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "detail": "未找到"}, status=404)


@api.exception_handler(ConflictError)
def conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(AssessmentError)
def refused(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=422)


@api.exception_handler(ProjectConflict)
def project_conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(ProjectError)
def project_refused(request, exc):
    # A value that does not fit names its field, as the page shows it beside the field.
    errors = exc.errors if isinstance(exc, ProjectInvalid) else {}
    return api.create_response(request, {"detail": str(exc), "errors": errors}, status=422)


@api.exception_handler(InspectionConflict)
def inspection_conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(InspectionError)
def inspection_refused(request, exc):
    # A value that does not fit names its field (validation.InvalidValue), as the page shows it.
    field = getattr(exc, "field", None)
    errors = {field: str(exc)} if field else {}
    return api.create_response(request, {"detail": str(exc), "errors": errors}, status=422)


# Fields whose absence means the client did not say which version it read.
VERSION_FIELDS = {"version", "based_on"}


@api.exception_handler(ValidationError)
def invalid_payload(request, exc):
    """422 with a message a person can act on (Chinese first), the field errors kept as
    `errors`; a write without its version says that the page is out of date."""
    fields = [".".join(str(p) for p in e.get("loc", ())[2:]) or str(e.get("loc", ("",))[-1])
              for e in exc.errors]
    code = "invalid"
    if any(e.get("type") == "missing" and e.get("loc", ("",))[-1] in VERSION_FIELDS for e in exc.errors):
        code, detail = "version_missing", _("缺少数据版本（version），页面已过期：请重新读取后再保存")
    else:
        detail = _("请求数据有误：%(fields)s") % {"fields": "、".join(f for f in fields if f) or "—"}
    return api.create_response(request, {"code": code, "detail": detail, "errors": exc.errors}, status=422)


@api.exception_handler(SchemeDocumentError)
def bad_scheme(request, exc):
    errors = [{"path": path, "reason": reason} for path, reason in exc.errors]
    return api.create_response(request, {"code": "scheme_invalid", "detail": "方案文档无效", "errors": errors},
                               status=422)


api.add_router("/accounts", accounts_router)
api.add_router("/assessment", assessment_router)
api.add_router("/assessment", assessment_files_router)
api.add_router("/audit", audit_router)
api.add_router("/results", results_router)
api.add_router("/results", appeal_files_router)
api.add_router("/cadres", cadres_router)
api.add_router("/cockpit", cockpit_router)
api.add_router("/documents", documents_router)
api.add_router("/documents", bulletins_router)
api.add_router("/projects", projects_router)
api.add_router("/projects", projects_rates_router)
api.add_router("/projects", projects_ledger_router)
api.add_router("/projects", dispatch_router)
api.add_router("/inspections", inspections_stats_router)
api.add_router("/inspections", inspections_work_router)
api.add_router("/inspections", inspections_router)
api.add_router("/inspections", inspections_queues_router)
api.add_router("/org", org_router)
api.add_router("/periods", periods_router)
