"""督导检查活动 pages, the rectification list of a unit, the inspector's queue and the
workspace every role of the inspections reaches from its home page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from duibiao.accounts import gate
from duibiao.inspections.errors import ConflictError, InspectionError
from duibiao.inspections.models import Campaign
from duibiao.inspections.selectors.campaigns import campaign_form_choices
from duibiao.inspections.selectors.findings import (
    campaign_findings,
    campaign_get,
    campaign_list,
    findings_listed,
    my_campaigns,
    rectification_list,
    verify_queue,
)
from duibiao.inspections.services.campaigns import CampaignInput, campaign_create, campaign_update
from duibiao.params import BadParameter, date_param, version_param

ACTIONS_OF_THE_WORKSPACE = ("inspections.campaign.view", "inspections.finding.view")


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """督导检查: what waits for this user (to verify, to rectify) and where to go next."""
    user = request.user
    if not any(gate.allows(user, action) for action in ACTIONS_OF_THE_WORKSPACE):
        raise PermissionDenied(_("您的角色不能查看督导检查。"))
    inspects = gate.allows(user, "inspections.finding.verify")
    rectifies = gate.allows(user, "inspections.finding.rectify")
    return render(request, "inspections/workspace.html", {
        "mine": list(my_campaigns(user)), "queue": verify_queue(user) if inspects else None,
        "todo": rectification_list(user) if rectifies else None,
        "can_campaigns": gate.allows(user, "inspections.campaign.view"),
        "can_manage": gate.allows(user, "inspections.campaign.manage"),
        "can_decide": gate.allows(user, "inspections.extension.decide"),
    })


@login_required
def campaign_index(request: HttpRequest) -> HttpResponse:
    if not gate.allows(request.user, "inspections.campaign.view"):
        raise PermissionDenied(_("您的角色不能查看督导检查活动。"))
    return render(request, "inspections/campaign_list.html", {
        "campaigns": campaign_list(request.user)[:500], "mine": set(my_campaigns(request.user).values_list("pk", flat=True)),
        "can_manage": gate.allows(request.user, "inspections.campaign.manage"),
    })


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_get(request.user, pk)
    return render(request, "inspections/campaign_detail.html", {
        "campaign": campaign, "findings": findings_listed(campaign_findings(request.user, campaign)),
        "can_record": my_campaigns(request.user).filter(pk=campaign.pk).exists(),
        "can_edit": all(gate.allows(request.user, "inspections.campaign.manage", unit=u) for u in campaign.units.all()),
    })


def _campaign_input(request: HttpRequest, choices: Any) -> CampaignInput:
    try:
        starts_on = date_param(request.POST, "starts_on", label=_("开始日期"))
        ends_on = date_param(request.POST, "ends_on", label=_("结束日期"))
    except BadParameter as exc:
        raise InspectionError(str(exc), field=exc.name) from None
    picked_units = set(request.POST.getlist("units"))
    picked_inspectors = set(request.POST.getlist("inspectors"))
    picked_enterprises = set(request.POST.getlist("enterprises"))
    return CampaignInput(
        name=request.POST.get("name", ""), kind=request.POST.get("kind", ""), starts_on=starts_on, ends_on=ends_on,
        units=[u for u in choices.units if u.code in picked_units],
        inspectors=[p for p in choices.inspectors if str(p.pk) in picked_inspectors],
        enterprises=[e for e in choices.enterprises if str(e.pk) in picked_enterprises],
        places=request.POST.get("places", ""), status=request.POST.get("status", Campaign.Status.ACTIVE),
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, "inspections.campaign.manage")
    return _campaign_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_get(request.user, pk)
    for unit in campaign.units.all():
        gate.require(request.user, "inspections.campaign.manage", unit=unit)
    return _campaign_form(request, campaign)


def _campaign_form(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    choices = campaign_form_choices(request.user)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            data = _campaign_input(request, choices)
            if campaign is None:
                saved = campaign_create(actor=request.user, data=data)  # type: ignore[arg-type]
            else:
                saved = campaign_update(actor=request.user, campaign=campaign,  # type: ignore[arg-type]
                                        expected_version=version_param(request.POST), data=data)
        except ConflictError as exc:
            errors["form"], status = str(exc), 409
        except InspectionError as exc:
            errors[exc.field or "form"], status = str(exc), 422
        else:
            messages.success(request, _("检查活动已保存：%(name)s") % {"name": saved.name})
            return redirect("inspections:campaign", pk=saved.pk)
        values: dict[str, Any] = {**request.POST.dict(), "units": request.POST.getlist("units"),
                                  "inspectors": request.POST.getlist("inspectors"),
                                  "enterprises": request.POST.getlist("enterprises")}
    elif campaign is not None:
        values = {"name": campaign.name, "kind": campaign.kind, "status": campaign.status, "places": campaign.places,
                  "starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.ends_on.isoformat(),
                  "units": list(campaign.units.values_list("code", flat=True)),
                  "inspectors": [str(pk) for pk in campaign.inspectors.values_list("pk", flat=True)],
                  "enterprises": [str(pk) for pk in campaign.enterprises.values_list("pk", flat=True)]}
    else:
        values = {"kind": Campaign.Kind.CITY, "status": Campaign.Status.ACTIVE, "units": [], "inspectors": [],
                  "enterprises": []}
    return render(request, "inspections/campaign_form.html", {
        "campaign": campaign, "choices": choices, "values": values, "errors": errors,
        "kinds": Campaign.Kind.choices, "statuses": Campaign.Status.choices,
    }, status=status)


@login_required
def rectify_list(request: HttpRequest) -> HttpResponse:
    """整改任务: the unit's findings, overdue and returned first, each linked to its page."""
    if not gate.allows(request.user, "inspections.finding.rectify"):
        raise PermissionDenied(_("您的角色不能报告整改情况。"))
    return render(request, "inspections/rectify_list.html", {"rows": rectification_list(request.user)})


@login_required
def verify_list(request: HttpRequest) -> HttpResponse:
    """待核查: reported findings and extension requests waiting for this inspector."""
    if not (gate.allows(request.user, "inspections.finding.verify")
            or gate.allows(request.user, "inspections.extension.decide")):
        raise PermissionDenied(_("您的角色不能核查整改。"))
    return render(request, "inspections/verify_list.html", {"queue": verify_queue(request.user)})
