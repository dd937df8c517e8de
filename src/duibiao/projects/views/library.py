"""项目库: the portfolio, one project's page, and the ledger form (new / edit)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from duibiao.accounts import gate
from duibiao.params import choice_param, date_param, int_param, version_param
from duibiao.projects import selectors as sel
from duibiao.projects.errors import ConflictError, ProjectInvalid
from duibiao.projects.fields import FIELDS
from duibiao.projects.models import Funding, Kind, Level, Milestone, Project, ReportingRhythm, Stage
from duibiao.projects.selectors.forms import asked_units, owner_units, secretaries
from duibiao.projects.services.projects import (
    Binding,
    milestones_save,
    project_create,
    project_update,
)
from duibiao.projects.views import actor

VOCABULARIES: dict[str, Any] = {"level": Level, "type": Kind, "stage": Stage, "source": Funding}
MONEY = {"planned_total", "planned_annual", "funds_planned"}
DATES = {"planned_start", "planned_completion", "actual_start", "actual_completion", "in_stats_on"}
SELECT_LABELS = {"level": _lazy("项目级别"), "type": _lazy("项目类型"), "stage": _lazy("建设阶段"),
                 "source": _lazy("投资来源")}
FLAGS = (("red", _lazy("红灯")), ("yellow", _lazy("黄灯")), ("green", _lazy("绿灯")), ("none", _lazy("不亮灯")))


def _filters(request: HttpRequest) -> sel.Filters:
    data = request.GET
    vocab = {name: choice_param(data, name, label=str(SELECT_LABELS[name]), choices=kind.values)
             for name, kind in VOCABULARIES.items()}
    return sel.Filters(
        unit=int_param(data, "unit", label=_("责任单位"), default=None, min_value=1),
        flag=choice_param(data, "flag", label=_("亮灯"), choices=[c for c, _l in FLAGS]), **vocab,
    )


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, "projects.project.view")
    as_of = date_param(request.GET, "as_of", label=_("截至日期"), default=timezone.localdate())
    filters = _filters(request)
    # The totals are of every matching project; the table shows them 50 at a time (thousands
    # of rows made a page of seconds and megabytes). A page number that is not one shows the first.
    number = request.GET.get("page", "")
    page = sel.portfolio(user=request.user, filters=filters, as_of=as_of,
                         page=int(number) if number.isdigit() and len(number) < 7 else 1)
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(request, "projects/portfolio.html", {
        "page": page, "filters": filters, "query": keep.urlencode(),
        "selects": [(name, SELECT_LABELS[name], kind.choices, getattr(filters, name))
                    for name, kind in VOCABULARIES.items()],
        "flags": FLAGS, "can_create": owner_units(user=request.user).exists(),
        "can_answer": gate.allows(request.user, "projects.problem.answer"),
    })


def detail_response(
    request: HttpRequest, pk: int, *, errors: dict[str, str] | None = None, status: int = 200,
) -> HttpResponse:
    """The project page; a refused problem form comes back here with its errors beside it."""
    page = sel.project_page(user=request.user, pk=pk, as_of=timezone.localdate())
    errors = errors or {}
    sent = request.method == "POST" and bool(errors)  # a refused form shows what was typed
    milestone_rows = [
        (code, label, request.POST.get(f"{code}_planned", "") if sent else (planned.isoformat() if planned else ""),
         request.POST.get(f"{code}_actual", "") if sent else (actual.isoformat() if actual else ""),
         errors.get(f"{code}_planned", ""), errors.get(f"{code}_actual", ""))
        for code, label, planned, actual in page.milestones
    ]
    return render(request, "projects/detail.html", {
        "page": page, "project": page.project, "errors": errors, "data": request.POST,
        "milestone_rows": milestone_rows,
        "units": asked_units(project=page.project) if page.can_raise else ()}, status=status)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return detail_response(request, pk)


def _form_fields(values: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for field in FIELDS:
        kind = "select" if field.name in VOCABULARIES else "date" if field.name in DATES else (
            "money" if field.name in MONEY else "text")
        out.append({"name": field.name, "label": field.label, "kind": kind, "value": values.get(field.name, ""),
                    "error": errors.get(field.name, ""),
                    "choices": VOCABULARIES[field.name].choices if field.name in VOCABULARIES else ()})
    return out


def _initial(project: Project | None) -> dict[str, Any]:
    if project is None:
        return {"level": "district", "stage": "new", "source": "government"}
    return {f.name: "" if getattr(project, f.name) is None else str(getattr(project, f.name)) for f in FIELDS}


def _binding(request: HttpRequest) -> tuple[Binding | None, dict[str, str]]:
    data = request.POST
    errors: dict[str, str] = {}
    unit_id = int_param(data, "owner_unit", label=_("责任单位"), default=None, min_value=1)
    unit = owner_units(user=request.user).filter(pk=unit_id).first() if unit_id else None
    if unit is None:
        errors["owner_unit"] = _("请选择责任单位")
    secretary_id = int_param(data, "secretary", label=_("项目服务秘书"), default=None, min_value=1)
    secretary = next((u for u in secretaries(user=request.user) if u.pk == secretary_id), None)
    if secretary_id and secretary is None:
        errors["secretary"] = _("所选用户不是项目服务秘书")
    rhythm = choice_param(data, "rhythm", label=_("填报频次"), choices=ReportingRhythm.values)
    return (Binding(unit, secretary, rhythm) if unit else None), errors


def _edit(request: HttpRequest, project: Project | None) -> HttpResponse:
    values: dict[str, Any] = _initial(project)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {f.name: request.POST.get(f.name, "") for f in FIELDS}
        binding, errors = _binding(request)
        try:
            if binding is not None and not errors:
                if project is None:
                    project = project_create(actor=actor(request), raw=values, binding=binding)
                else:
                    project = project_update(actor=actor(request), project=project, raw=values, binding=binding,
                                             version=version_param(request.POST))
                return redirect("projects:project_detail", pk=project.pk)
        except ProjectInvalid as exc:
            errors = {**errors, **exc.errors}
        except ConflictError as exc:
            errors = {"form": str(exc)}
            status = 409
        status = status if status != 200 else 400
    return render(request, "projects/edit.html", {
        "project": project, "fields": _form_fields(values, errors), "errors": errors,
        "units": owner_units(user=request.user), "secretaries": secretaries(user=request.user),
        "rhythms": ReportingRhythm.choices,
        "owner_unit": request.POST.get("owner_unit") or (project.owner_unit_id if project else ""),
        "secretary": request.POST.get("secretary") or (project.secretary_id if project else ""),
        "rhythm": request.POST.get("rhythm") if request.method == "POST" else (project.rhythm if project else ""),
    }, status=status)


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, "projects.project.edit")
    return _edit(request, None)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = sel.project_for(user=request.user, pk=pk)
    gate.require(request.user, "projects.project.edit", unit=project.owner_unit, secretary=project.secretary_id)
    return _edit(request, project)


@login_required
@require_POST
def milestones_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = sel.project_for(user=request.user, pk=pk)
    dates = {code: (request.POST.get(f"{code}_planned", ""), request.POST.get(f"{code}_actual", ""))
             for code in Milestone.Step.values}
    try:
        milestones_save(actor=actor(request), project=project, version=version_param(request.POST), dates=dates)
    except ProjectInvalid as exc:
        return detail_response(request, pk, errors=exc.errors, status=400)
    except ConflictError as exc:
        return detail_response(request, pk, errors={"milestones": str(exc)}, status=409)
    messages.success(request, _("项目节点已保存"))
    return redirect(reverse("projects:project_detail", args=[pk]) + "#milestones")
