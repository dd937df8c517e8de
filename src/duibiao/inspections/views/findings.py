"""Findings on the page: record one (phone first), its page with the timeline, photos and the
steps this user may take, and the POSTs of each step. Every step goes through its service (the
state machine, the gate, the version); a refusal is shown beside the button that caused it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from duibiao.files.serve import file_response
from duibiao.files.viewer import viewer_response
from duibiao.inspections.errors import ConflictError, InspectionError
from duibiao.inspections.models import Finding
from duibiao.inspections.photos import MAX_PHOTOS
from duibiao.inspections.selectors.findings import (
    finding_get,
    finding_page,
    photo_get,
    recordable_campaign,
    recording_duplicates,
)
from duibiao.inspections.services import findings as svc
from duibiao.params import BadParameter, date_param, int_param, version_param

RECORD_FIELDS = ("unit", "description", "category", "address", "lat", "lng", "severity", "workdays", "found_on",
                 "enterprise")


def _decimal(request: HttpRequest, name: str, label: str) -> Decimal | None:
    text = request.POST.get(name, "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InspectionError(_("“%(label)s”应为数字") % {"label": label}, field="lat") from None
    if not value.is_finite() or abs(value) > 180:
        raise InspectionError(_("“%(label)s”超出范围") % {"label": label}, field="lat")
    return value.quantize(Decimal("0.000001"))


def _record_input(request: HttpRequest, campaign: Any) -> svc.FindingInput:
    unit = campaign.units.filter(code=request.POST.get("unit", "")).first()
    if unit is None:
        raise InspectionError(_("请选择责任单位"), field="unit")
    enterprise_id = request.POST.get("enterprise", "").strip()
    enterprise = campaign.enterprises.filter(pk=enterprise_id).first() if enterprise_id.isdigit() else None
    if enterprise_id and enterprise is None:
        raise InspectionError(_("请从列表中选择企业"), field="enterprise")
    try:
        workdays = int_param(request.POST, "workdays", label=_("整改时限"), min_value=1, max_value=svc.MAX_WORKDAYS)
        found_on = date_param(request.POST, "found_on", label=_("发现日期"), default=None)
    except BadParameter as exc:
        raise InspectionError(str(exc), field=exc.name) from None
    return svc.FindingInput(
        unit=unit, description=request.POST.get("description", ""), category=request.POST.get("category", ""),
        address=request.POST.get("address", ""), workdays=workdays, severity=request.POST.get("severity", ""),
        found_on=found_on, lat=_decimal(request, "lat", _("纬度")), lng=_decimal(request, "lng", _("经度")),
        enterprise=enterprise,
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_new(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """记录问题 in one screen, made for a phone: the camera through the file input."""
    campaign = recordable_campaign(request.user, campaign_id)
    errors: dict[str, str] = {}
    values: Any = {"workdays": "5", "severity": Finding.Severity.MINOR, "found_on": timezone.localdate().isoformat()}
    if request.method == "POST":
        values = request.POST
        try:
            finding = svc.finding_record(actor=request.user, campaign=campaign,  # type: ignore[arg-type]
                                         data=_record_input(request, campaign),
                                         photos=request.FILES.getlist("photos"))
        except InspectionError as exc:
            errors[exc.field if exc.field in RECORD_FIELDS + ("photos",) else "form"] = str(exc)
        else:
            messages.success(request, _("问题已记录，整改期限 %(d)s") % {"d": finding.deadline.isoformat()})
            return redirect("inspections:finding", pk=finding.pk)
    return render(request, "inspections/finding_new.html", {
        "campaign": campaign, "units": campaign.units.all(), "enterprises": campaign.enterprises.all(),
        "severities": Finding.Severity.choices, "values": values, "errors": errors, "max_photos": MAX_PHOTOS,
    }, status=422 if errors else 200)


@login_required
def finding_duplicates(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The live check of the recording form (htmx): findings of the campaign already recorded
    at this place and of this category. A warning only; recording stays possible."""
    found = recording_duplicates(request.user, campaign_id=campaign_id, category=request.GET.get("category", ""),
                                 address=request.GET.get("address", ""), lat=request.GET.get("lat", ""),
                                 lng=request.GET.get("lng", ""))
    return render(request, "inspections/_duplicates.html", {"duplicates": found})


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, finding_get(request.user, pk))


# Which step's form shows an error under it (the page shows the form only while it may be used).
FORM_SHOWN = {
    "report": lambda page: page.can["report"],
    "verify": lambda page: page.can["close"] or page.can["return"] or page.can["close_not_fixed"],
    "extend": lambda page: page.can["extend_request"],
    "decide": lambda page: page.can["extend_decide"],
    "remind": lambda page: page.can["remind"],
}


def _page(request: HttpRequest, finding: Finding, *, errors: dict[str, str] | None = None,
          values: Any = None, status: int = 200) -> HttpResponse:
    page = finding_page(request.user, finding)
    errors = dict(errors or {})
    for action, shown in FORM_SHOWN.items():
        if action in errors and not shown(page):  # no form to show it under: at the top
            errors["step"] = errors.pop(action)
    return render(request, "inspections/finding_detail.html", {
        "page": page, "errors": errors, "values": values or {}, "max_photos": MAX_PHOTOS,
    }, status=status)


def _step(request: HttpRequest, pk: int, action: str, run: Any) -> HttpResponse:
    """Run one step; on success back to the finding's page, on refusal the page again with
    the message beside the form of that step (409 when the state or version conflicts)."""
    finding = finding_get(request.user, pk)
    version = version_param(request.POST)
    try:
        run(finding, version)
    except ConflictError as exc:
        # The state or version changed: the page as it is now, the reason at its top (the
        # form of the step may be gone, since the step is no longer open to the user).
        fresh = finding_get(request.user, pk)
        return _page(request, fresh, errors={"step": str(exc)}, values=request.POST, status=409)
    except InspectionError as exc:
        return _page(request, finding, errors={action: str(exc)}, values=request.POST, status=422)
    return redirect(reverse("inspections:finding", args=[pk]) + f"#{action}")


@login_required
@require_POST
def finding_report(request: HttpRequest, pk: int) -> HttpResponse:
    def run(finding: Finding, version: int) -> None:
        svc.finding_report(actor=request.user, finding=finding, expected_version=version,  # type: ignore[arg-type]
                           text=request.POST.get("text", ""), photos=request.FILES.getlist("photos"))
        messages.success(request, _("整改情况已报告，等待督导员核查"))
    return _step(request, pk, "report", run)


@login_required
@require_POST
def finding_verify(request: HttpRequest, pk: int) -> HttpResponse:
    step = request.POST.get("step", "")

    def run(finding: Finding, version: int) -> None:
        fresh = svc.finding_verify(actor=request.user, finding=finding, expected_version=version,  # type: ignore[arg-type]
                                   step=step, reason=request.POST.get("reason", ""))
        messages.success(request, _("核查结果已记录：%(state)s") % {"state": fresh.get_state_display()})
    return _step(request, pk, "verify", run)


@login_required
@require_POST
def finding_extend(request: HttpRequest, pk: int) -> HttpResponse:
    def run(finding: Finding, version: int) -> None:
        try:
            requested = date_param(request.POST, "requested_to", label=_("申请延期至"))
        except BadParameter as exc:
            raise InspectionError(str(exc), field="requested_to") from None
        svc.extension_request(actor=request.user, finding=finding, expected_version=version,  # type: ignore[arg-type]
                              requested_to=requested, reason=request.POST.get("reason", ""))
        messages.success(request, _("延期申请已提交"))
    return _step(request, pk, "extend", run)


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int, extension_id: int) -> HttpResponse:
    def run(finding: Finding, version: int) -> None:
        extension = finding.extensions.filter(pk=extension_id).first()
        if extension is None:
            raise InspectionError(_("没有这份延期申请"))
        svc.extension_decide(actor=request.user, extension=extension, expected_version=version,  # type: ignore[arg-type]
                             approve=request.POST.get("approve") == "1", note=request.POST.get("note", ""))
        messages.success(request, _("延期申请已审批"))
    return _step(request, pk, "decide", run)


@login_required
@require_POST
def finding_remind(request: HttpRequest, pk: int) -> HttpResponse:
    def run(finding: Finding, version: int) -> None:
        svc.finding_remind(actor=request.user, finding=finding, expected_version=version,  # type: ignore[arg-type]
                           text=request.POST.get("text", ""))
        messages.success(request, _("已催办"))
    return _step(request, pk, "remind", run)


@login_required
def photo_raw(request: HttpRequest, pk: int) -> FileResponse:
    """The re-encoded image (no EXIF), under the sandbox policy of file_response."""
    photo = photo_get(request.user, pk)
    return file_response(photo.file.open("rb"), content_type=photo.content_type, filename=photo.original_name)


@login_required
def photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    photo = photo_get(request.user, pk)
    return viewer_response(request, filename=photo.original_name, content_type=photo.content_type,
                           raw_url=reverse("inspections:photo_raw", args=[photo.pk]))
