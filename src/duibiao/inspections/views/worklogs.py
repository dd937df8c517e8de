"""工作量统计: units log their counted work; everyone in scope reads the totals; the office keeps
the types of work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from duibiao.accounts import gate
from duibiao.inspections.errors import ConflictError, InspectionError
from duibiao.inspections.models import Campaign
from duibiao.inspections.selectors.worklogs import (
    RECORD,
    VIEW,
    WorkFilters,
    active_types,
    all_types,
    record_units,
    view_units,
    worklog_get,
    worklog_totals,
    worklogs,
    worktype_get,
)
from duibiao.inspections.services.worklogs import (
    WorkLogInput,
    worklog_delete,
    worklog_record,
    worklog_update,
    worktype_save,
)
from duibiao.inspections.validation import InvalidValue
from duibiao.org.models import Unit
from duibiao.params import date_param, int_param, version_param

LIST_LIMIT = 200


def _filters(request: HttpRequest) -> WorkFilters:
    code = request.GET.get("unit", "")
    type_id = int_param(request.GET, "type", label=_("工作类型"), default=None, min_value=1)
    return WorkFilters(
        starts_on=date_param(request.GET, "starts_on", label=_("开始日期"), default=None),
        ends_on=date_param(request.GET, "ends_on", label=_("结束日期"), default=None),
        unit=view_units(user=request.user).filter(code=code).first() if code else None,
        work_type=all_types(user=request.user).filter(pk=type_id).first() if type_id else None,
    )


def _index(request: HttpRequest, *, errors: dict[str, str] | None = None, values: Any = None,
           status: int = 200) -> HttpResponse:
    if not gate.allows(request.user, VIEW):
        raise PermissionDenied(_("您的角色不能查看工作量统计。"))
    filters = _filters(request)
    logs = worklogs(user=request.user, filters=filters)
    return render(request, "inspections/worklogs.html", {
        "totals": worklog_totals(user=request.user, filters=filters), "filters": filters,
        "logs": logs[:LIST_LIMIT], "log_count": logs.count(), "limit": LIST_LIMIT,
        "units": view_units(user=request.user), "types": all_types(user=request.user),
        "record_units": record_units(user=request.user), "record_types": active_types(user=request.user),
        "campaigns": Campaign.objects.filter(units__in=record_units(user=request.user)).distinct()
        .order_by("-starts_on"),
        "can_record": gate.allows(request.user, RECORD),
        "can_edit_types": gate.allows(request.user, "inspections.worktype.edit"),
        "errors": errors or {}, "values": values or {"done_on": timezone.localdate().isoformat()},
    }, status=status)


@login_required
def worklog_index(request: HttpRequest) -> HttpResponse:
    return _index(request)


def _input(request: HttpRequest, unit: Unit) -> WorkLogInput:
    type_id = int_param(request.POST, "work_type", label=_("工作类型"), default=None, min_value=1)
    campaign_id = int_param(request.POST, "campaign", label=_("专项行动"), default=None, min_value=1)
    return WorkLogInput(
        work_type=active_types(user=request.user, unit=unit).filter(pk=type_id).first() if type_id else None,
        quantity=request.POST.get("quantity", ""),
        done_on=date_param(request.POST, "done_on", label=_("日期"), default=None),
        campaign=Campaign.objects.filter(pk=campaign_id).first() if campaign_id else None,
        note=request.POST.get("note", ""),
    )


@login_required
@require_POST
def worklog_new(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, RECORD)
    code = request.POST.get("unit", "")
    unit = record_units(user=request.user).filter(code=code).first()
    if unit is None:
        return _index(request, errors={"unit": _("请选择单位")}, values=request.POST, status=422)
    try:
        log = worklog_record(actor=request.user, unit=unit, data=_input(request, unit))  # type: ignore[arg-type]
    except InvalidValue as exc:
        return _index(request, errors={exc.field: str(exc)}, values=request.POST, status=422)
    messages.success(request, _("已登记：%(unit)s %(type)s %(quantity)s %(measure)s") % {
        "unit": unit.name, "type": log.work_type.name, "quantity": log.quantity,
        "measure": log.work_type.unit_of_measure})
    return redirect("inspections:worklogs")


@login_required
@require_http_methods(["GET", "POST"])
def worklog_edit(request: HttpRequest, pk: int) -> HttpResponse:
    log = worklog_get(user=request.user, pk=pk, action=RECORD)
    errors: dict[str, str] = {}
    status = 200
    values: Any = {"work_type": log.work_type_id, "quantity": log.quantity, "done_on": log.done_on.isoformat(),
                   "campaign": log.campaign_id or "", "note": log.note}
    if request.method == "POST":
        values = request.POST
        try:
            if request.POST.get("delete"):
                worklog_delete(actor=request.user, log=log, expected_version=version_param(request.POST))  # type: ignore[arg-type]
                messages.success(request, _("已删除该条工作量记录"))
            else:
                worklog_update(actor=request.user, log=log, expected_version=version_param(request.POST),  # type: ignore[arg-type]
                               data=_input(request, log.unit))
                messages.success(request, _("工作量记录已保存"))
            return redirect("inspections:worklogs")
        except InvalidValue as exc:
            errors, status = {exc.field: str(exc)}, 422
        except ConflictError as exc:
            errors, status = {"form": str(exc)}, 409
    return render(request, "inspections/worklog_form.html", {
        "log": log, "values": values, "errors": errors, "types": active_types(user=request.user, unit=log.unit),
        "campaigns": Campaign.objects.filter(units=log.unit).order_by("-starts_on"),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def worktype_index(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, "inspections.worktype.edit")
    error: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        pk = int_param(request.POST, "pk", label=_("工作类型"), default=None, min_value=1)
        # Another district's type answers 404, as a missing one does.
        worktype = worktype_get(user=request.user, pk=pk) if pk else None
        try:
            worktype_save(
                actor=request.user, worktype=worktype,  # type: ignore[arg-type]
                expected_version=version_param(request.POST) if worktype else None,
                name=request.POST.get("name", ""), unit_of_measure=request.POST.get("unit_of_measure", ""),
                order=int_param(request.POST, "order", label=_("排序"), default=0, min_value=0, max_value=9999),
                active=request.POST.get("active") == "1",
            )
            messages.success(request, _("工作类型已保存"))
            return redirect("inspections:worktypes")
        except InspectionError as exc:
            # Shown on the row it came from (the new row's, or the changed type's).
            error = {"row": str(pk or "new"), "message": str(exc)}
            status = 409 if isinstance(exc, ConflictError) else 422
    return render(request, "inspections/worktypes.html", {
        "types": all_types(user=request.user), "error": error, "values": request.POST,
    }, status=status)
