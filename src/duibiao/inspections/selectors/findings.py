"""Campaigns, findings and their rectification records, read through the gate.

A campaign is seen by whoever holds `inspections.campaign.view` over one of the units it
inspects; a finding by whoever holds `inspections.finding.view` over its responsible unit (an
inspector over his grant, a unit's people over their unit, the office and leaders over theirs).
What a user may do on a finding is given to the page as flags from the gate and the state
machine together; templates never test roles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.inspections.deadlines import DeadlineState, deadline_state
from duibiao.inspections.models import (
    Campaign,
    ExtensionRequest,
    Finding,
    FindingEvent,
    FindingPhoto,
)
from duibiao.inspections.services._common import address_key
from duibiao.inspections.states import CLOSED_STATES, STEPS, allowed_steps
from duibiao.workdays.selectors import work_calendar

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.engine import WorkCalendar

    Someone = User | AnonymousUser

S = Finding.State
DUPLICATE_METRES = 30
LIST_LIMIT = 500


def campaign_list(user: Someone) -> QuerySet[Campaign]:
    """The campaigns that inspect a unit in the user's scope, with their finding counts."""
    ids = gate.restrict(user, Campaign.objects.all(), "inspections.campaign.view", unit_field="units").values("pk")
    return Campaign.objects.filter(pk__in=ids).annotate(
        finding_count=Count("findings", distinct=True),
        open_count=Count("findings", filter=~Q(findings__state__in=CLOSED_STATES), distinct=True),
    ).order_by("-starts_on", "id")


def my_campaigns(user: Someone) -> QuerySet[Campaign]:
    """The active campaigns the user inspects (and may record in): the inspector's own."""
    if not getattr(user, "is_authenticated", False):
        return Campaign.objects.none()
    ids = gate.restrict(user, Campaign.objects.filter(inspectors=user.pk, status=Campaign.Status.ACTIVE),
                        "inspections.finding.record", unit_field="units").values("pk")
    return Campaign.objects.filter(pk__in=ids).order_by("-starts_on", "id")


def campaign_get(user: Someone, pk: int) -> Campaign:
    campaign = campaign_list(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def recordable_campaign(user: Someone, pk: int) -> Campaign:
    campaign = my_campaigns(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def findings_visible(user: Someone) -> QuerySet[Finding]:
    return gate.restrict(user, Finding.objects.all(), "inspections.finding.view").select_related(
        "unit", "campaign", "enterprise")


def campaign_findings(user: Someone, campaign: Campaign) -> QuerySet[Finding]:
    return findings_visible(user).filter(campaign=campaign).order_by("-found_on", "-id")


def finding_get(user: Someone, pk: int) -> Finding:
    finding = findings_visible(user).filter(pk=pk).first()
    if finding is None:
        raise Http404
    return finding


def _due(finding: Finding) -> Any:
    return finding.extended_to or finding.deadline


@dataclass
class ListedFinding:
    finding: Finding
    deadline: DeadlineState


def _listed(findings: list[Finding], calendar: WorkCalendar) -> list[ListedFinding]:
    today = timezone.localdate()
    return [ListedFinding(f, deadline_state(deadline=f.deadline, extended_to=f.extended_to, closed_on=f.closed_on,
                                            today=today, calendar=calendar)) for f in findings]


def findings_listed(findings: QuerySet[Finding]) -> list[ListedFinding]:
    """Findings (already read through the gate) with the state of each one's deadline."""
    return _listed(list(findings[:LIST_LIMIT]), work_calendar())


def rectification_list(user: Someone) -> list[ListedFinding]:
    """The unit's findings still to be dealt with: overdue first, then returned, then open,
    then those waiting for the inspector; each group by its deadline in force."""
    rows = gate.restrict(user, Finding.objects.exclude(state__in=CLOSED_STATES), "inspections.finding.rectify")
    rows = rows.select_related("unit", "campaign").annotate(due=Coalesce("extended_to", "deadline"))
    listed = _listed(list(rows.order_by("due", "id")[:LIST_LIMIT]), work_calendar())
    order: dict[str, int] = {S.RETURNED: 1, S.OPEN: 2, S.REPORTED: 3}
    return sorted(listed, key=lambda x: (
        0 if x.deadline.state == "overdue" and x.finding.state != S.REPORTED else 1,
        order.get(x.finding.state, 4), _due(x.finding), x.finding.pk))


@dataclass
class VerifyQueue:
    reported: list[ListedFinding]
    extensions: list[ExtensionRequest]


def verify_queue(user: Someone) -> VerifyQueue:
    """What waits for the inspector: reported findings to check, extension requests to decide."""
    reported = gate.restrict(user, Finding.objects.filter(state=S.REPORTED), "inspections.finding.verify")
    pending = gate.restrict(
        user, ExtensionRequest.objects.filter(decision="").exclude(finding__state__in=CLOSED_STATES),
        "inspections.extension.decide", unit_field="finding__unit")
    return VerifyQueue(
        reported=_listed(list(reported.select_related("unit", "campaign").order_by("found_on", "id")[:LIST_LIMIT]),
                         work_calendar()),
        extensions=list(pending.select_related("finding__unit", "requested_by").order_by("requested_at")[:LIST_LIMIT]),
    )


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance of two (lat, lng) points in metres (haversine)."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def likely_duplicates(user: Someone, finding: Finding) -> list[Finding]:
    """Findings of the same campaign and category at the same place (the same normalised
    address, or within ~30 m): a warning for the inspector, never a refusal."""
    return duplicates_at(user, campaign_id=finding.campaign_id, category=finding.category, key=finding.address_key,
                         lat=finding.lat, lng=finding.lng, exclude=finding.pk)


def duplicates_at(user: Someone, *, campaign_id: int, category: str, key: str, lat: Any, lng: Any,
                  exclude: int | None = None) -> list[Finding]:
    """The findings the user sees in the campaign, of the category, at the normalised address
    `key` or within DUPLICATE_METRES of (lat, lng): for the finding's page and the live check
    of the recording form."""
    same = findings_visible(user).filter(campaign=campaign_id, category=category.strip())
    if exclude is not None:
        same = same.exclude(pk=exclude)
    found = []
    for other in same.order_by("found_on", "id")[:LIST_LIMIT]:
        near = (lat is not None and lng is not None and other.lat is not None and other.lng is not None
                and metres_between((float(lat), float(lng)), (float(other.lat), float(other.lng))) <= DUPLICATE_METRES)
        if near or (key and other.address_key == key):
            found.append(other)
    return found


def coordinate(text: str) -> Decimal | None:
    """A latitude or longitude as typed (None when blank or out of range); InvalidOperation
    when it is not a number."""
    text = text.strip()[:20]
    if not text:
        return None
    value = Decimal(text)
    return value if value.is_finite() and abs(value) <= 180 else None


def recording_duplicates(user: Someone, *, campaign_id: int, category: str, address: str, lat: str,
                         lng: str) -> list[Finding]:
    """The live check of the recording form (the page's and the API's): findings of a campaign
    the user records in already found at this place and of this category. A warning only;
    recording stays possible. Nothing is looked for before a category and a place are given."""
    campaign = recordable_campaign(user, campaign_id)
    category, address = category[:60], address[:300]
    try:
        lat_value, lng_value = coordinate(lat), coordinate(lng)
    except InvalidOperation:
        lat_value = lng_value = None  # the form itself says what is wrong with a coordinate
    if not category.strip() or not (address.strip() or lat_value is not None):
        return []
    return duplicates_at(user, campaign_id=campaign.pk, category=category, key=address_key(address),
                         lat=lat_value, lng=lng_value)


@dataclass
class FindingPage:
    finding: Finding
    deadline: DeadlineState
    before: list[FindingPhoto]
    after: list[FindingPhoto]
    events: list[Any]
    extensions: list[ExtensionRequest]
    pending_extension: ExtensionRequest | None
    duplicates: list[Finding]
    can: dict[str, bool] = field(default_factory=dict)
    show_exif: bool = False
    return_reason: str = ""  # why it was last returned, while it is 被退回


def finding_page(user: Someone, finding: Finding) -> FindingPage:
    """Everything the finding's page shows, and what this user may do on it now."""
    photos = list(finding.photos.select_related("uploaded_by"))
    extensions = list(finding.extensions.select_related("requested_by", "decided_by"))
    pending = next((e for e in extensions if not e.decision), None)
    events = list(finding.events.select_related("by"))
    possible = allowed_steps(finding.state)
    can = {name: name in possible and gate.allows(user, STEPS[name].action, unit=finding.unit) for name in STEPS}
    can["extend_request"] = can["extend_request"] and pending is None
    can["extend_decide"] = can["extend_decide"] and pending is not None
    return FindingPage(
        finding=finding,
        deadline=deadline_state(deadline=finding.deadline, extended_to=finding.extended_to,
                                closed_on=finding.closed_on, today=timezone.localdate(), calendar=work_calendar()),
        before=[p for p in photos if p.stage == FindingPhoto.Stage.BEFORE],
        after=[p for p in photos if p.stage == FindingPhoto.Stage.AFTER],
        events=events,
        extensions=extensions, pending_extension=pending,
        duplicates=likely_duplicates(user, finding) if gate.allows(
            user, "inspections.finding.record", unit=finding.unit) else [],
        can=can, show_exif=gate.allows(user, "inspections.photo.location", unit=finding.unit),
        return_reason=next((e.text for e in reversed(events) if e.kind == FindingEvent.Kind.RETURN), "")
        if finding.state == S.RETURNED else "",
    )


def photo_get(user: Someone, pk: int) -> FindingPhoto:
    """A photo of a finding the user may see (404 otherwise)."""
    photo = FindingPhoto.objects.filter(pk=pk, finding__in=findings_visible(user).values("pk")).first()
    if photo is None:
        raise Http404
    return photo


@dataclass
class HomeCounts:
    """What the home page says of the inspections: None where the user has no such work."""

    to_verify: int | None = None
    extensions: int = 0
    campaigns: list[Campaign] = field(default_factory=list)
    to_rectify: int | None = None
    overdue: int = 0


def home_counts(user: Someone) -> HomeCounts:
    counts = HomeCounts()
    if gate.allows(user, "inspections.finding.verify"):
        counts.to_verify = gate.restrict(user, Finding.objects.filter(state=S.REPORTED),
                                         "inspections.finding.verify").count()
        counts.campaigns = list(my_campaigns(user)[:3])
    if gate.allows(user, "inspections.extension.decide"):
        counts.extensions = gate.restrict(
            user, ExtensionRequest.objects.filter(decision="").exclude(finding__state__in=CLOSED_STATES),
            "inspections.extension.decide", unit_field="finding__unit").count()
    if gate.allows(user, "inspections.finding.rectify"):
        waiting = gate.restrict(user, Finding.objects.filter(state__in=[S.OPEN, S.RETURNED]),
                                "inspections.finding.rectify")
        counts.to_rectify = waiting.count()
        counts.overdue = waiting.annotate(due=Coalesce("extended_to", "deadline")).filter(
            due__lt=timezone.localdate()).count()
    return counts
