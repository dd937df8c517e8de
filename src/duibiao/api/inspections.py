"""Campaigns, findings and their rectification over the API: the same selectors (so the same
gate) and the same services (so the same state machine) as the pages. Every write carries the
version read: 422 without it, 409 when stale or when the finding's state does not allow the
step; photos are sent as multipart files and checked like the page's."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from duibiao.accounts import gate
from duibiao.api.pagination import paged
from duibiao.files.serve import file_response
from duibiao.inspections.errors import InspectionError
from duibiao.inspections.models import Campaign, Finding
from duibiao.inspections.selectors.campaigns import campaign_form_choices
from duibiao.inspections.selectors.findings import (
    campaign_findings,
    campaign_get,
    campaign_list,
    finding_get,
    finding_page,
    findings_visible,
    my_campaigns,
    photo_get,
    recordable_campaign,
)
from duibiao.inspections.services import findings as svc
from duibiao.inspections.services.campaigns import CampaignInput, campaign_create, campaign_update

router = Router(tags=["inspections"])


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    starts_on: date
    ends_on: date
    places: str
    units: list[str]
    inspectors: list[str]
    enterprises: list[str]
    version: int

    @staticmethod
    def resolve_enterprises(obj: Campaign) -> list[str]:
        return sorted(obj.enterprises.values_list("credit_code", flat=True))

    @staticmethod
    def resolve_units(obj: Campaign) -> list[str]:
        return sorted(obj.units.values_list("code", flat=True))

    @staticmethod
    def resolve_inspectors(obj: Campaign) -> list[str]:
        return sorted(obj.inspectors.values_list("username", flat=True))


class CampaignIn(Schema):
    name: str
    kind: str = Campaign.Kind.CITY
    status: str = Campaign.Status.ACTIVE
    starts_on: date
    ends_on: date
    places: str = ""
    units: list[str]
    inspectors: list[str] = []
    enterprises: list[str] = Field(default=[], description="统一社会信用代码")


class CampaignUpdateIn(CampaignIn):
    version: int = Field(ge=0)


class FindingOut(Schema):
    id: int
    campaign: int = Field(alias="campaign_id")
    unit: str = Field(alias="unit.code")
    category: str
    description: str
    address: str
    lat: Decimal | None
    lng: Decimal | None
    severity: str
    found_on: date
    workdays: int
    deadline: date
    extended_to: date | None
    deadline_in_force: date
    state: str
    closed_on: date | None
    outcome: str
    version: int


class PhotoOut(Schema):
    id: int
    stage: str
    sha256: str
    content_type: str
    uploaded_at: datetime
    url: str
    # Where and with what it was taken: only for those who may see it (the inspector).
    exif: dict[str, Any] | None = None


class EventOut(Schema):
    kind: str
    from_state: str
    to_state: str
    text: str
    by: str | None
    at: datetime


class ExtensionOut(Schema):
    id: int
    requested_to: date
    reason: str
    decision: str
    decision_note: str


class FindingDetailOut(FindingOut):
    photos: list[PhotoOut]
    events: list[EventOut]
    extensions: list[ExtensionOut]
    possible_duplicates: list[int]
    allowed_steps: list[str]


class Error(Schema):
    detail: str


class VerifyIn(Schema):
    version: int = Field(ge=0)
    step: str = Field(description="close | return | close_not_fixed")
    reason: str = ""


class ExtendIn(Schema):
    version: int = Field(ge=0)
    requested_to: date
    reason: str


class DecideIn(Schema):
    version: int = Field(ge=0)
    approve: bool
    note: str = ""


class RemindIn(Schema):
    version: int = Field(ge=0)
    text: str


def _campaign_input(request: Any, body: CampaignIn) -> CampaignInput:
    choices = campaign_form_choices(request.user)
    units = [u for u in choices.units if u.code in set(body.units)]
    if len(units) != len(set(body.units)):
        raise InspectionError("检查单位中有不在您管理范围内的单位", field="units")
    people = list(get_user_model().objects.filter(username__in=body.inspectors, is_active=True))
    if len(people) != len(set(body.inspectors)):
        raise InspectionError("督导员账号不存在", field="inspectors")
    firms = [e for e in choices.enterprises if e.credit_code in set(body.enterprises)]
    if len(firms) != len(set(body.enterprises)):
        raise InspectionError("检查企业中有不属于您管理的单位的企业", field="enterprises")
    return CampaignInput(name=body.name, kind=body.kind, status=body.status, starts_on=body.starts_on,
                         ends_on=body.ends_on, places=body.places, units=units, inspectors=people, enterprises=firms)


@router.get("/campaigns", response=list[CampaignOut], url_name="inspection_campaigns")
@paged
def campaigns(request, mine: bool = False):
    """`mine=true`: the active campaigns the caller inspects and records in (督导检查首页's 我的检查活动)."""
    rows = my_campaigns(request.user) if mine else campaign_list(request.user)
    return rows.prefetch_related("units", "inspectors")


@router.post("/campaigns", response={201: CampaignOut, 403: Error, 404: Error, 422: Error})
def campaign_new(request, body: CampaignIn):
    gate.require(request.user, "inspections.campaign.manage")
    return Status(201, campaign_create(actor=request.user, data=_campaign_input(request, body)))


@router.get("/campaigns/{pk}", response=CampaignOut, url_name="inspection_campaign")
def campaign(request, pk: int):
    return campaign_get(request.user, pk)


@router.put("/campaigns/{pk}", response={200: CampaignOut, 409: Error, 422: Error})
def campaign_change(request, pk: int, body: CampaignUpdateIn):
    found = campaign_get(request.user, pk)
    for unit in found.units.all():  # the gate before the body is read: 403, not a 422 about units
        gate.require(request.user, "inspections.campaign.manage", unit=unit)
    return campaign_update(actor=request.user, campaign=found, expected_version=body.version,
                           data=_campaign_input(request, body))


@router.get("/campaigns/{pk}/findings", response=list[FindingOut])
@paged
def campaign_finding_list(request, pk: int):
    return campaign_findings(request.user, campaign_get(request.user, pk))


@router.post("/campaigns/{pk}/findings", response={201: FindingOut, 404: Error, 422: Error})
def finding_new(request, pk: int, unit: Form[str], description: Form[str], category: Form[str], address: Form[str],
                workdays: Form[int], severity: Form[str] = Finding.Severity.MINOR, found_on: Form[date | None] = None,
                lat: Form[Decimal | None] = None, lng: Form[Decimal | None] = None, enterprise: Form[int | None] = None,
                photos: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    """记录问题 (multipart: the fields and one or more `photos`)."""
    found = recordable_campaign(request.user, pk)
    unit_obj = found.units.filter(code=unit).first()
    if unit_obj is None:
        raise InspectionError("责任单位不在本次检查的单位范围内", field="unit")
    firm = found.enterprises.filter(pk=enterprise).first() if enterprise else None
    if enterprise and firm is None:
        raise InspectionError("企业不在本次检查范围内", field="enterprise")
    data = svc.FindingInput(unit=unit_obj, description=description, category=category, address=address,
                            workdays=workdays, severity=severity, found_on=found_on, lat=lat, lng=lng, enterprise=firm)
    return Status(201, svc.finding_record(actor=request.user, campaign=found, data=data, photos=photos or []))


@router.get("/findings", response=list[FindingOut])
@paged
def findings(request, state: str = "", campaign: int | None = None):
    rows = findings_visible(request.user)
    if state:
        rows = rows.filter(state=state)
    if campaign:
        rows = rows.filter(campaign=campaign)
    return list(rows.order_by("-found_on", "-id")[:500])


@router.get("/findings/{pk}", response=FindingDetailOut, url_name="inspection_finding")
def finding(request, pk: int):
    page = finding_page(request.user, finding_get(request.user, pk))
    f = page.finding
    photos = [PhotoOut(id=p.pk, stage=p.stage, sha256=p.sha256, content_type=p.content_type,
                       uploaded_at=p.uploaded_at, url=f"/api/inspections/photos/{p.pk}",
                       exif=p.exif if page.show_exif else None) for p in page.before + page.after]
    events = [EventOut(kind=e.kind, from_state=e.from_state, to_state=e.to_state, text=e.text,
                       by=e.by.username if e.by else None, at=e.at) for e in page.events]
    return {**FindingOut.from_orm(f).dict(by_alias=True), "photos": photos, "events": events,
            "extensions": [ExtensionOut.from_orm(e) for e in page.extensions],
            "possible_duplicates": [d.pk for d in page.duplicates],
            "allowed_steps": sorted(name for name, may in page.can.items() if may)}


@router.post("/findings/{pk}/report", response={200: FindingOut, 409: Error, 422: Error})
def finding_report(request, pk: int, version: Form[int], text: Form[str] = "",
                   photos: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    """报告整改 (multipart: `version`, `text` and one or more "after" `photos`)."""
    return svc.finding_report(actor=request.user, finding=finding_get(request.user, pk), expected_version=version,
                              text=text, photos=photos or [])


@router.post("/findings/{pk}/verify", response={200: FindingOut, 409: Error, 422: Error})
def finding_verify(request, pk: int, body: VerifyIn):
    return svc.finding_verify(actor=request.user, finding=finding_get(request.user, pk),
                              expected_version=body.version, step=body.step, reason=body.reason)


@router.post("/findings/{pk}/extensions", response={201: ExtensionOut, 409: Error, 422: Error})
def extension_new(request, pk: int, body: ExtendIn):
    return Status(201, svc.extension_request(actor=request.user, finding=finding_get(request.user, pk),
                                             expected_version=body.version, requested_to=body.requested_to,
                                             reason=body.reason))


@router.post("/findings/{pk}/extensions/{extension_id}/decide", response={200: ExtensionOut, 409: Error, 422: Error})
def extension_decide(request, pk: int, extension_id: int, body: DecideIn):
    found = finding_get(request.user, pk)
    extension = found.extensions.filter(pk=extension_id).first()
    if extension is None:
        raise InspectionError("没有这份延期申请")
    return svc.extension_decide(actor=request.user, extension=extension, expected_version=body.version,
                                approve=body.approve, note=body.note)


@router.post("/findings/{pk}/remind", response={201: Error, 409: Error, 422: Error})
def finding_remind(request, pk: int, body: RemindIn):
    svc.finding_remind(actor=request.user, finding=finding_get(request.user, pk), expected_version=body.version,
                       text=body.text)
    return Status(201, {"detail": "已催办"})


@router.get("/photos/{pk}", url_name="inspection_photo")
def photo(request, pk: int):
    """The photo as the page keeps it (re-encoded, without EXIF), as an attachment of its
    stored type: a program saves what it fetches; no page of ours shows it from here."""
    shot = photo_get(request.user, pk)
    return file_response(shot.file.open("rb"), content_type=shot.content_type, filename=shot.original_name,
                         attachment=True)
