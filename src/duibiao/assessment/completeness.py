"""What a unit has not yet done for a period: indicators it must report that are blank, or
that the scheme says need evidence and have none. Submitting asks about them first; signing
off is refused while any remain (issue 10, item 5).

No gate here: the services that refuse and the selectors that show call it after their own
access check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from duibiao.assessment.models import Indicator, Period, Submission

if TYPE_CHECKING:
    from duibiao.org.models import Unit


@dataclass(frozen=True)
class Gap:
    indicator: Indicator
    blank: bool  # no value at all; otherwise the value is there and the evidence is not

    @property
    def reason(self) -> str:
        return gettext("未填写") if self.blank else gettext("缺少佐证材料")

    def __str__(self) -> str:
        return f"“{self.indicator.name}”{self.reason}"


def unit_gaps(period: Period, unit: Unit, codes: list[str] | None = None) -> list[Gap]:
    """The unit's applicable, unit-reported indicators that are blank or lack required
    evidence, in the scheme's order (optionally only those with the given codes)."""
    indicators = [
        i for i in Indicator.objects.filter(version=period.version).order_by("order", "pk")
        if i.entered_by_units and i.applies_to(unit) and (codes is None or i.code in codes)
    ]
    subs = {
        s.indicator_id: s
        for s in Submission.objects.filter(period=period, unit=unit).prefetch_related("evidence")
    }
    gaps = []
    for indicator in indicators:
        sub = subs.get(indicator.pk)
        if sub is None or (sub.value is None and not sub.ballots):
            gaps.append(Gap(indicator, blank=True))
        # An approved value was judged by its task force, evidence or not (a value kept from
        # before the scheme required it): the head signs what the task force accepted.
        elif indicator.evidence_required and sub.status != Submission.Status.APPROVED and not sub.evidence.all():
            gaps.append(Gap(indicator, blank=False))
    return gaps


def gaps_message(gaps: list[Gap]) -> str:
    """One line for the API and the logs; the pages list the gaps one per line."""
    return gettext("还有 %(n)d 项指标未完成：%(list)s") % {"n": len(gaps), "list": "；".join(map(str, gaps))}
