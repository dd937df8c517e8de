"""督导检查活动: created and changed by the office over the units it holds."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.audit.services import audit_record
from duibiao.inspections.errors import ConflictError, InspectionError
from duibiao.inspections.models import Campaign, Enterprise
from duibiao.inspections.services._common import text_clean

if TYPE_CHECKING:
    from duibiao.accounts.models import User
    from duibiao.org.models import Unit


@dataclass
class CampaignInput:
    name: str
    kind: str
    starts_on: datetime.date
    ends_on: datetime.date
    units: Sequence[Unit]
    inspectors: Sequence[User] = ()
    enterprises: Sequence[Enterprise] = ()
    places: str = ""
    status: str = Campaign.Status.ACTIVE


def _check(actor: User, data: CampaignInput) -> dict[str, object]:
    if not data.units:
        raise InspectionError(_("请至少选择一个检查单位"), field="units")
    for unit in data.units:
        gate.require(actor, "inspections.campaign.manage", unit=unit)
    for person in data.inspectors:
        # An inspector must be able to record in the campaign's units, or he could not work.
        if not any(gate.allows(person, "inspections.finding.record", unit=u) for u in data.units):
            raise InspectionError(_("%(name)s 不是这些单位的督导员，不能指派") % {"name": person.display_name},
                                 field="inspectors")
    for firm in data.enterprises:
        if firm.unit is None or not gate.allows(actor, "inspections.campaign.manage", unit=firm.unit):
            raise InspectionError(_("企业“%(name)s”不属于您管理的单位") % {"name": firm.name}, field="enterprises")
    if data.kind not in Campaign.Kind.values:
        raise InspectionError(_("请选择检查类型"))
    if data.status not in Campaign.Status.values:
        raise InspectionError(_("请选择活动状态"))
    if data.ends_on < data.starts_on:
        raise InspectionError(_("结束日期不能早于开始日期"), field="ends_on")
    return {
        "name": text_clean(data.name, model=Campaign, name="name", required=_("请填写活动名称")),
        "places": text_clean(data.places, model=Campaign, name="places"),
        "kind": data.kind, "starts_on": data.starts_on, "ends_on": data.ends_on, "status": data.status,
    }


def _snapshot(campaign: Campaign) -> dict[str, object]:
    return {
        "name": campaign.name, "kind": campaign.kind, "status": campaign.status,
        "starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.ends_on.isoformat(),
        "units": sorted(campaign.units.values_list("code", flat=True)),
        "inspectors": sorted(campaign.inspectors.values_list("username", flat=True)),
        "enterprises": sorted(campaign.enterprises.values_list("credit_code", flat=True)),
        "places": campaign.places,
    }


@transaction.atomic
def campaign_create(*, actor: User, data: CampaignInput) -> Campaign:
    fields = _check(actor, data)
    campaign = Campaign.objects.create(created_by=actor, **fields)
    campaign.units.set(data.units)
    campaign.inspectors.set(data.inspectors)
    campaign.enterprises.set(data.enterprises)
    audit_record(actor=actor, action="campaign.create", obj=campaign, after=_snapshot(campaign))
    return campaign


@transaction.atomic
def campaign_update(*, actor: User, campaign: Campaign, expected_version: int, data: CampaignInput) -> Campaign:
    """Change a campaign; its current units must be the actor's as well as the new ones."""
    for unit in campaign.units.all():
        gate.require(actor, "inspections.campaign.manage", unit=unit)
    fields = _check(actor, data)
    before = _snapshot(campaign)
    if not Campaign.objects.filter(pk=campaign.pk, version=expected_version).update(
            version=F("version") + 1, **fields):
        raise ConflictError(_("该检查活动已被他人修改，请刷新页面后再保存。"))
    campaign.refresh_from_db()
    campaign.units.set(data.units)
    campaign.inspectors.set(data.inspectors)
    campaign.enterprises.set(data.enterprises)
    audit_record(actor=actor, action="campaign.update", obj=campaign, before=before,
                 after=_snapshot(campaign))
    return campaign
