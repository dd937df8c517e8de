"""What the campaign form offers: the units the user may run campaigns over, the people who
may inspect in them (holders of `inspections.finding.record`, per the action table) and the
enterprises those units supervise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from duibiao.accounts import gate
from duibiao.accounts.actions import roles_holding
from duibiao.inspections.models import Enterprise

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.org.models import Unit


@dataclass
class CampaignChoices:
    units: list[Unit]
    inspectors: list[User]
    enterprises: list[Enterprise]


def campaign_form_choices(user: User | AnonymousUser) -> CampaignChoices:
    units = list(gate.units(user, "inspections.campaign.manage").filter(is_active=True).order_by("path"))
    people = get_user_model().objects.filter(
        is_active=True, grants__role__in=list(roles_holding("inspections.finding.record"))).distinct()
    # Only those who may record in one of these units: an inspector of another district is no choice.
    ids = [u.pk for u in units]
    inspectors = [p for p in people.order_by("username")
                  if gate.units(p, "inspections.finding.record").filter(pk__in=ids).exists()]
    # The enterprises supervised by those units (一企一档's 属地单位).
    enterprises = list(Enterprise.objects.filter(unit__in=ids).order_by("name")[:500])
    return CampaignChoices(units=units, inspectors=inspectors, enterprises=enterprises)
