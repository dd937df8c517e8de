"""专班审核 list of one indicator: filtered by status, unit and category, each value beside
the unit's previous-period value and its category's median, and flagged when it stands out.

The median and the flags are computed over every value the reviewer may see, before the
filters apply: filtering the list to one unit must not change what counts as an outlier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings

from duibiao.accounts import gate
from duibiao.assessment.models import Indicator, Period, Submission
from duibiao.assessment.selectors.reporting import flag_problems, review_submissions

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

# MAD × 1.4826 estimates the standard deviation of normally distributed values.
MAD_SCALE = 1.4826


@dataclass(frozen=True)
class Comparison:
    previous: float | None
    median: float | None
    z: float | None  # robust z-score within the category; None when the MAD is 0
    change: float | None  # (value − previous) / |previous|; None without a non-zero previous
    outlier_z: bool
    outlier_change: bool

    @property
    def outlier(self) -> bool:
        return self.outlier_z or self.outlier_change

    @property
    def change_text(self) -> str:
        """The change as people read it: "+60%", "-12.5%"."""
        return "" if self.change is None else f"{self.change * 100:+.3g}%"


def robust_z(values: Iterable[float]) -> tuple[float | None, list[float | None]]:
    """The median of the values and each value's robust z-score, (x − median) / (MAD × 1.4826);
    the scores are None when the MAD is 0 (half the values equal: no spread to measure by).

        robust_z([1, 2, 3, 4, 100])  # (3.0, [-1.349, -0.674, 0.0, 0.674, 65.42])
    """
    array = np.asarray(list(values), dtype=float)
    if array.size == 0:
        return None, []
    median = float(np.median(array))
    mad = float(np.median(np.abs(array - median))) * MAD_SCALE
    if mad == 0:
        return median, [None] * int(array.size)
    return median, [float(z) for z in (array - median) / mad]


def compare(value: float, previous: float | None, median: float | None, z: float | None, *,
            z_limit: float, change_limit: float) -> Comparison:
    """One value's comparison, flagged above the limits (strictly: a z of exactly 3 is not)."""
    change = (value - previous) / abs(previous) if previous not in (None, 0) else None
    return Comparison(previous=previous, median=median, z=z, change=change,
                      outlier_z=z is not None and abs(z) > z_limit,
                      outlier_change=change is not None and abs(change) > change_limit)


def previous_period(period: Period) -> Period | None:
    """The period of the same scheme and kind just before this one (last quarter, last year)."""
    earlier = Period.objects.filter(version__scheme_id=period.version.scheme_id, kind=period.kind).exclude(
        pk=period.pk).filter(year__lte=period.year).order_by("-year", "-number")
    return next((p for p in earlier if (p.year, p.number) < (period.year, period.number)), None)


def previous_values(*, user: User | AnonymousUser, period: Period, indicator: Indicator) -> dict[int, float]:
    """Each unit's value of the same indicator (by code) in the previous period, as the
    reviewer may see them; drafts are not values yet."""
    before = previous_period(period)
    if before is None:
        return {}
    subs = Submission.objects.filter(period=before, indicator__code=indicator.code, value__isnull=False).exclude(
        status=Submission.Status.DRAFT)
    subs = gate.restrict(user, subs, "assessment.submission.review", taskforce_field="indicator__taskforce")
    return {unit_id: float(value) for unit_id, value in subs.values_list("unit_id", "value") if value is not None}


def compare_submissions(*, user: User | AnonymousUser, period: Period, indicator: Indicator,
                        submissions: list[Submission]) -> None:
    """Set `.compare` on each submission with a value (None on the others)."""
    previous = previous_values(user=user, period=period, indicator=indicator)
    by_category: dict[int | None, list[tuple[Submission, float]]] = defaultdict(list)
    for sub in submissions:
        sub.compare = None
        if sub.value is not None:
            by_category[sub.unit.category_id].append((sub, float(sub.value)))
    z_limit, change_limit = float(settings.DUIBIAO_OUTLIER_Z), float(settings.DUIBIAO_OUTLIER_CHANGE)
    for group in by_category.values():
        median, scores = robust_z(value for _, value in group)
        for (sub, value), z in zip(group, scores, strict=True):
            sub.compare = compare(value, previous.get(sub.unit_id), median, z,
                                  z_limit=z_limit, change_limit=change_limit)


@dataclass(frozen=True)
class ReviewFilters:
    status: str = ""
    unit: str = ""  # unit code
    category: str = ""  # category code

    def keep(self, sub: Submission) -> bool:
        return ((not self.status or sub.status == self.status)
                and (not self.unit or sub.unit.code == self.unit)
                and (not self.category or (sub.unit.category is not None and sub.unit.category.code == self.category)))


def review_list(*, user: User | AnonymousUser, period: Period, indicator: Indicator) -> list[Submission]:
    """The submitted values of one indicator the user reviews, each flagged and compared
    (filter them with `ReviewFilters.keep` afterwards: the median counts them all)."""
    subs = flag_problems(period, review_submissions(user=user, period=period, indicator=indicator))
    compare_submissions(user=user, period=period, indicator=indicator, submissions=subs)
    return subs
