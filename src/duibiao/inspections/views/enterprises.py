"""一企一档一清单: the list of enterprise files, one file per enterprise with its inspections,
findings and risk list; forms for the inspectors and the office."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from duibiao.accounts import gate
from duibiao.inspections.errors import ConflictError, InspectionError
from duibiao.inspections.models import RiskItem
from duibiao.inspections.selectors.enterprises import (
    EDIT,
    VIEW,
    enterprise_file,
    enterprise_get,
    enterprise_list,
    enterprise_units,
)
from duibiao.inspections.services.enterprises import (
    EnterpriseInput,
    RiskInput,
    enterprise_create,
    enterprise_update,
    risk_add,
    risk_set_status,
)
from duibiao.inspections.validation import InvalidValue
from duibiao.params import date_param, version_param

FIELDS = ("credit_code", "name", "kind", "address", "legal_person", "contact", "phone", "note")


@login_required
def enterprise_index(request: HttpRequest) -> HttpResponse:
    if not gate.allows(request.user, VIEW):
        raise PermissionDenied(_("您的角色不能查看企业档案与风险清单。"))
    query = request.GET.get("q", "").strip()[:60]
    return render(request, "inspections/enterprise_list.html", {
        "enterprises": enterprise_list(user=request.user, query=query)[:500], "q": query,
        "can_create": gate.allows(request.user, EDIT),
    })


def _input(request: HttpRequest) -> EnterpriseInput:
    code = request.POST.get("unit", "")
    unit = enterprise_units(user=request.user).filter(code=code).first() if code else None
    return EnterpriseInput(unit=unit, **{name: request.POST.get(name, "") for name in FIELDS})


def _form(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("units", enterprise_units(user=request.user))
    context.setdefault("errors", {})
    return render(request, "inspections/enterprise_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_new(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, EDIT)
    if request.method == "POST":
        data = _input(request)
        try:
            enterprise = enterprise_create(actor=request.user, data=data)  # type: ignore[arg-type]
        except InvalidValue as exc:
            return _form(request, {"values": request.POST, "errors": {exc.field: str(exc)}}, status=422)
        messages.success(request, _("已建立企业档案：%(name)s") % {"name": enterprise.name})
        return redirect("inspections:enterprise", pk=enterprise.pk)
    return _form(request, {"values": {}})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_get(user=request.user, pk=pk)
    gate.require(request.user, EDIT, unit=enterprise.unit)
    if request.method == "POST":
        version = version_param(request.POST)
        try:
            enterprise_update(actor=request.user, enterprise=enterprise, expected_version=version,  # type: ignore[arg-type]
                              data=_input(request))
        except InvalidValue as exc:
            return _form(request, {"enterprise": enterprise, "values": request.POST,
                                   "errors": {exc.field: str(exc)}}, status=422)
        except ConflictError as exc:
            return _form(request, {"enterprise": enterprise, "values": request.POST,
                                   "errors": {"form": str(exc)}}, status=409)
        messages.success(request, _("企业档案已保存"))
        return redirect("inspections:enterprise", pk=enterprise.pk)
    values = {name: getattr(enterprise, name) for name in FIELDS}
    values["unit"] = enterprise.unit.code if enterprise.unit else ""
    return _form(request, {"enterprise": enterprise, "values": values})


def _detail(request: HttpRequest, pk: int, *, errors: dict[str, str] | None = None,
            values: Any = None, status: int = 200) -> HttpResponse:
    return render(request, "inspections/enterprise_detail.html", {
        "file": enterprise_file(user=request.user, pk=pk), "errors": errors or {}, "values": values or {},
        "levels": RiskItem.Level.choices, "statuses": RiskItem.Status.choices,
    }, status=status)


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@login_required
@require_POST
def enterprise_risk_add(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_get(user=request.user, pk=pk)
    data = RiskInput(
        text=request.POST.get("text", ""), level=request.POST.get("level", ""),
        identified_on=date_param(request.POST, "identified_on", label=_("发现日期"), default=None),
        due_on=date_param(request.POST, "due_on", label=_("管控期限"), default=None),
        measures=request.POST.get("measures", ""),
    )
    try:
        risk_add(actor=request.user, enterprise=enterprise, data=data)  # type: ignore[arg-type]
    except InvalidValue as exc:
        return _detail(request, pk, errors={f"risk_{exc.field}": str(exc)}, values=request.POST, status=422)
    messages.success(request, _("已登记风险"))
    return redirect("inspections:enterprise", pk=pk)


@login_required
@require_POST
def enterprise_risk_status(request: HttpRequest, pk: int, risk_id: int) -> HttpResponse:
    enterprise = enterprise_get(user=request.user, pk=pk)
    risk = enterprise.risks.filter(pk=risk_id).first()
    if risk is None:
        return _detail(request, pk, errors={"risk": _("该风险项不存在")}, status=404)
    try:
        risk_set_status(actor=request.user, risk=risk, expected_version=version_param(request.POST),  # type: ignore[arg-type]
                        status=request.POST.get("status", ""), measures=request.POST.get("measures", ""))
    except InspectionError as exc:
        status = 409 if isinstance(exc, ConflictError) else 422
        return _detail(request, pk, errors={f"risk-{risk.pk}": str(exc)}, status=status)
    messages.success(request, _("风险状态已更新"))
    return redirect("inspections:enterprise", pk=pk)

