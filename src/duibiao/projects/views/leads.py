"""项目线索 pages: the list (with a new-lead form for the units that push them), a lead with
its stage history, moving it on, converting it into a project, and the funnel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duibiao.params import choice_param, int_param, version_param
from duibiao.projects import lead_rules
from duibiao.projects.errors import ProjectError
from duibiao.projects.models import Funding, Kind, Lead, LeadStage, Level
from duibiao.projects.selectors import dispatch as dispatch_sel
from duibiao.projects.selectors import leads as sel
from duibiao.projects.services import leads as svc
from duibiao.projects.views import actor
from duibiao.projects.views.dispatch import _refusal, _render, _status, form_values


def _list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    stage = choice_param(request.GET, "stage", label=_("阶段"), choices=LeadStage.values, default="")
    rows, gap = sel.lead_rows(sel.lead_list(user=request.user, stage=stage)[:500])
    context = {"rows": rows, "calendar_gap": gap, "stage": stage, "stages": LeadStage.choices,
               "units": sel.lead_units(user=request.user), "errors": {}, **extra}
    context["form"] = form_values(extra.get("form"), "unit", "name", "expected_investment", "legal_person",
                                  "contact", "note")
    return context


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    if not dispatch_sel.holds(user=request.user, action="projects.lead.view"):
        raise PermissionDenied
    return _render(request, "projects/leads/lead_list.html", _list_context(request))


@login_required
@require_POST
def lead_new(request: HttpRequest) -> HttpResponse:
    form = request.POST
    unit = sel.lead_units(user=request.user).filter(pk=int_param(form, "unit", label=_("推送单位"), default=0)).first()
    errors: dict[str, str] = {}
    if unit is None:
        if not sel.lead_units(user=request.user).exists():
            raise PermissionDenied
        errors["unit"] = _("请选择推送单位。")
    else:
        try:
            lead = svc.lead_create(actor=actor(request), unit=unit, name=form.get("name", ""),
                                   expected_investment=form.get("expected_investment", ""),
                                   legal_person=form.get("legal_person", ""), contact=form.get("contact", ""),
                                   note=form.get("note", ""))
        except ProjectError as exc:
            errors = _refusal(exc, "name")
        else:
            messages.success(request, _("线索已推送。"))
            return redirect("dispatch:lead_detail", pk=lead.pk)
    return _render(request, "projects/leads/lead_list.html", _list_context(request, errors=errors, form=form),
                  status=400)


def _detail_context(request: HttpRequest, lead: Lead, **extra: Any) -> dict[str, Any]:
    rows, gap = sel.lead_rows(Lead.objects.filter(pk=lead.pk))
    following = lead_rules.next_stage(lead.stage)
    return {
        "lead": lead, "row": rows[0], "calendar_gap": gap, "entries": lead.entries.select_related("by"),
        "next_label": lead_rules.STAGE_LABELS[following] if following else "",
        "can_edit": sel.can_edit(user=request.user, lead=lead) and following is not None,
        "can_convert": sel.can_convert(user=request.user, lead=lead),
        "convert_from": lead_rules.STAGE_LABELS[lead_rules.CONVERTIBLE_FROM],
        "levels": Level.choices, "kinds": Kind.choices, "fundings": Funding.choices,
        "errors": {}, **extra,
        "form": form_values(extra.get("form"), "note", "code", "level", "type", "source"),
    }


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = sel.lead_get(user=request.user, pk=pk)
    return _render(request, "projects/leads/lead_detail.html", _detail_context(request, lead))


@login_required
@require_POST
def lead_advance(request: HttpRequest, pk: int) -> HttpResponse:
    lead = sel.lead_get(user=request.user, pk=pk)
    version = version_param(request.POST)
    try:
        svc.lead_advance(actor=actor(request), lead=lead, version=version, note=request.POST.get("note", ""))
    except ProjectError as exc:
        return _render(request, "projects/leads/lead_detail.html",
                      _detail_context(request, lead, errors=_refusal(exc, "advance"), form=request.POST),
                      status=_status(exc))
    messages.success(request, _("线索已进入下一阶段。"))
    return redirect("dispatch:lead_detail", pk=lead.pk)


@login_required
@require_POST
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead = sel.lead_get(user=request.user, pk=pk)
    form = request.POST
    version = version_param(form)
    try:
        project = svc.lead_convert(actor=actor(request), lead=lead, version=version, code=form.get("code", ""),
                                   level=form.get("level", ""), type=form.get("type", ""),
                                   source=form.get("source", ""))
    except ProjectError as exc:
        return _render(request, "projects/leads/lead_detail.html",
                      _detail_context(request, lead, errors=_refusal(exc, "convert"), form=form),
                      status=_status(exc))
    messages.success(request, _("线索已转为项目 %(code)s。") % {"code": project.code})
    return redirect("dispatch:lead_detail", pk=lead.pk)


@login_required
def lead_funnel(request: HttpRequest) -> HttpResponse:
    if not dispatch_sel.holds(user=request.user, action="projects.lead.view"):
        raise PermissionDenied
    steps = sel.lead_funnel(user=request.user)
    chart = {"stages": [s.label for s in steps], "reached": [s.reached for s in steps],
             "amounts": [float(s.amount_reached) for s in steps],
             "labels": {"count": _("线索数"), "amount": _("预计投资（万元）")}}
    return _render(request, "projects/leads/funnel.html", {"steps": steps, "chart": chart})
