"""What the campaign form offers: the units the user may run campaigns over and the people
who may inspect in them (holders of `inspections.finding.record`, per the action table)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from duibiao.accounts import gate
from duibiao.accounts.actions import roles_holding

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.org.models import Unit


@dataclass
class CampaignChoices:
    units: list[Unit]
    inspectors: list[User]


def campaign_form_choices(user: User | AnonymousUser) -> CampaignChoices:
    units = list(gate.units(user, "inspections.campaign.manage").filter(is_active=True).order_by("path"))
    people = get_user_model().objects.filter(
        is_active=True, grants__role__in=list(roles_holding("inspections.finding.record"))).distinct()
    # Only those who may record in one of these units: an inspector of another district is no choice.
    ids = [u.pk for u in units]
    inspectors = [p for p in people.order_by("username")
                  if gate.units(p, "inspections.finding.record").filter(pk__in=ids).exists()]
    return CampaignChoices(units=units, inspectors=inspectors)
