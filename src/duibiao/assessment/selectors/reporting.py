"""Reads for reporting and review, always through the access gate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from duibiao.accounts.gate import gate_filter, gate_unit, gate_units, has_role
from duibiao.accounts.roles import Role
from duibiao.assessment.limits import submission_problem, value_rules
from duibiao.assessment.models import Evidence, Indicator, Period, Submission, UnitSignoff
from duibiao.assessment.permissions import user_taskforce_ids
from duibiao.org.models import Unit

UNIT_ROLES = (Role.REPORTER, Role.UNIT_HEAD, Role.OFFICE, Role.LEADER)
REVIEW_ROLES = (Role.TASKFORCE, Role.OFFICE)


def unit_indicators(period: Period, unit: Unit) -> list[Indicator]:
    """The indicators this unit reports in this period (共性 for its category, 个性 by name)."""
    indicators = Indicator.objects.filter(version=period.version).select_related("taskforce")
    return [i for i in indicators if i.entered_by_units and i.applies_to(unit)]


@dataclass
class ReportRow:
    indicator: Indicator
    submission: Submission | None
    evidence: list[Evidence] = field(default_factory=list)
    # Why the stored value would not be accepted today (saved before the checks existed,
    # or changed in the database): shown beside it so that the unit corrects it.
    problem: str | None = None

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else "empty"

    @property
    def editable(self) -> bool:
        return self.submission is None or self.submission.status in (
            Submission.Status.DRAFT, Submission.Status.RETURNED,
        )


def reporting_rows(*, user, period: Period, unit: Unit) -> list[ReportRow]:
    """What a unit fills in for a period, with what it has saved so far."""
    gate_unit(user, unit, UNIT_ROLES)
    subs = {
        s.indicator_id: s
        for s in Submission.objects.filter(period=period, unit=unit).prefetch_related("evidence")
    }
    rules = value_rules(period.version)
    rows = []
    for i in unit_indicators(period, unit):
        sub = subs.get(i.pk)
        if sub is None:
            rows.append(ReportRow(i, None))
            continue
        sub.indicator = i  # already in hand: no query per row
        sub.problem = submission_problem(sub, rules)
        rows.append(ReportRow(i, sub, list(sub.evidence.all()), sub.problem))
    return rows


def unit_signoff_get(*, user, period: Period, unit: Unit) -> UnitSignoff | None:
    gate_unit(user, unit, UNIT_ROLES)
    return UnitSignoff.objects.filter(period=period, unit=unit).select_related("by").first()


def review_indicators(*, user, period: Period) -> QuerySet[Indicator]:
    """Indicators the user reviews in this period: its task forces' (all of them for the office).
    Not those fed by a registered source: nobody reports or scores them."""
    indicators = Indicator.objects.filter(version=period.version, value_from="").select_related("taskforce")
    if has_role(user, Role.OFFICE):
        return indicators
    return indicators.filter(taskforce_id__in=user_taskforce_ids(user))


def review_indicator_get(*, user, period: Period, code: str) -> Indicator:
    return get_object_or_404(review_indicators(user=user, period=period), code=code)


def review_submissions(*, user, period: Period, indicator: Indicator) -> QuerySet[Submission]:
    """Every visible unit's submitted (or reviewed) value of one indicator, for its reviewers.
    Drafts stay the unit's own until it submits them."""
    subs = Submission.objects.filter(period=period, indicator=indicator).exclude(
        status=Submission.Status.DRAFT
    ).select_related(
        "unit__category", "updated_by", "indicator"
    ).prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")))
    return gate_filter(user, subs, roles=REVIEW_ROLES).order_by("unit__category__order", "unit__order")


def review_units(*, user, period: Period, indicator: Indicator) -> list[Unit]:
    """Units in the reviewer's scope the indicator applies to (for manual scores and items)."""
    units = (
        gate_units(user, REVIEW_ROLES).filter(category__isnull=False).select_related("category")
        .order_by("category__order", "order")
    )
    return [u for u in units if indicator.applies_to(u)]


def flag_problems(period: Period, submissions: Iterable[Submission]) -> list[Submission]:
    """The submissions, each with `.problem`: why its stored value would not be accepted
    today (None when it would), for the pages and the API to show beside the value."""
    rules = value_rules(period.version)
    flagged = list(submissions)
    for sub in flagged:
        sub.problem = submission_problem(sub, rules)
    return flagged


def submission_get(*, user, pk: int) -> Submission:
    """One submission, if the user may see its unit (reporter, head, reviewer or office)."""
    subs = gate_filter(user, Submission.objects.select_related("indicator", "unit", "period"))
    return get_object_or_404(subs, pk=pk)


def evidence_get(*, user, pk: int) -> Evidence:
    evidence = gate_filter(
        user, Evidence.objects.select_related("submission__unit"), unit_field="submission__unit"
    )
    return get_object_or_404(evidence, pk=pk)


@dataclass
class ReviewLine:
    indicator: Indicator
    counts: dict[str, int]

    @property
    def waiting(self) -> int:
        return self.counts.get(Submission.Status.SUBMITTED, 0)


def review_overview(*, user, period: Period) -> list[ReviewLine]:
    """Each indicator the user reviews, with how many units' values wait in each status."""
    from django.db.models import Count

    indicators = list(review_indicators(user=user, period=period))
    counted = (
        gate_filter(user, Submission.objects.filter(period=period, indicator__in=indicators), roles=REVIEW_ROLES)
        .values("indicator_id", "status").annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in counted:
        counts.setdefault(row["indicator_id"], {})[row["status"]] = row["n"]
    return [ReviewLine(i, counts.get(i.pk, {})) for i in indicators]
