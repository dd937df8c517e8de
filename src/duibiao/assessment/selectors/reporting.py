"""Reads for reporting and review, always through the access gate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from duibiao.accounts import gate
from duibiao.assessment.limits import submission_problem, value_rules
from duibiao.assessment.models import Evidence, Indicator, Period, Submission, UnitSignoff
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


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


def report_units(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    """The assessed units whose reporting page the user may open."""
    return gate.units(user, "assessment.report.view").filter(category__isnull=False).select_related("category")


def own_report_unit(*, user: User | AnonymousUser) -> Unit | None:
    """The user's own unit when it is the only one whose reporting page the user may open (a
    unit's reporter or head goes straight to it); None for those who choose among units."""
    unit = getattr(user, "unit", None)
    if unit is None or gate.units(user, "assessment.report.view").exclude(pk=unit.pk).exists():
        return None
    return unit


def reporting_rows(*, user: User | AnonymousUser, period: Period, unit: Unit) -> list[ReportRow]:
    """What a unit fills in for a period, with what it has saved so far."""
    gate.require(user, "assessment.report.view", unit=unit)
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


def reporting_row(*, user: User | AnonymousUser, period: Period, unit: Unit, indicator: Indicator) -> ReportRow | None:
    """The one row of `reporting_rows` that is `indicator`'s (None when the unit does not report
    it): what the 填报 page redraws after a save or an upload. Reading every indicator and value
    of the unit to pick one out was about half the time of a save."""
    gate.require(user, "assessment.report.view", unit=unit)
    if indicator.version_id != period.version_id or not (indicator.entered_by_units and indicator.applies_to(unit)):
        return None
    # One row at most (unique per period, unit and indicator): ordered by its key, not by the
    # model's ordering, which joins the period, the unit and the indicator to sort it.
    sub = (Submission.objects.filter(period=period, unit=unit, indicator=indicator).order_by("pk")
           .prefetch_related("evidence").first())
    if sub is None:
        return ReportRow(indicator, None)
    sub.indicator = indicator  # already in hand: no query
    sub.problem = submission_problem(sub, value_rules(period.version))
    return ReportRow(indicator, sub, list(sub.evidence.all()), sub.problem)


def reporting_rows_many(*, user: User | AnonymousUser, period: Period, units: list[Unit]) -> dict[int, list[ReportRow]]:
    """`reporting_rows` of many units at once, without their evidence (the all-units Excel
    template shows none): the indicators read once and every unit's values in one query, not
    two queries and 150 indicator rows per unit (60 units: 120 queries, 9 000 model rows)."""
    # One query for the scope of every unit; a unit outside it is refused as reporting_rows would.
    allowed = set(gate.units(user, "assessment.report.view").filter(pk__in=[u.pk for u in units])
                  .values_list("pk", flat=True))
    for unit in units:
        if unit.pk not in allowed:
            gate.require(user, "assessment.report.view", unit=unit)
            raise PermissionDenied  # require refuses it; never read on if it did not
    indicators = [i for i in Indicator.objects.filter(version=period.version).select_related("taskforce")
                  if i.entered_by_units]
    by_id = {i.pk: i for i in indicators}
    subs: dict[tuple[int, int], Submission] = {
        (s.unit_id, s.indicator_id): s
        for s in Submission.objects.filter(period=period, unit__in=[u.pk for u in units], indicator__in=list(by_id))
    }
    rules = value_rules(period.version)
    out: dict[int, list[ReportRow]] = {}
    for unit in units:
        rows = out[unit.pk] = []
        for i in indicators:
            if not i.applies_to(unit):
                continue
            sub = subs.get((unit.pk, i.pk))
            if sub is None:
                rows.append(ReportRow(i, None))
                continue
            sub.indicator = i  # already in hand: no query per row
            sub.problem = submission_problem(sub, rules)
            rows.append(ReportRow(i, sub, [], sub.problem))
    return out


def unit_signoff_get(*, user: User | AnonymousUser, period: Period, unit: Unit) -> UnitSignoff | None:
    gate.require(user, "assessment.report.view", unit=unit)
    return UnitSignoff.objects.filter(period=period, unit=unit).select_related("by").first()


def review_indicators(*, user: User | AnonymousUser, period: Period) -> QuerySet[Indicator]:
    """Indicators the user reviews in this period: its task forces' (all of them for the office).
    Not those fed by a registered source: nobody reports or scores them."""
    indicators = Indicator.objects.filter(version=period.version, value_from="").select_related("taskforce")
    own = gate.taskforces(user, "assessment.submission.review")
    return indicators if own is None else indicators.filter(taskforce_id__in=own)


def review_indicator_get(*, user: User | AnonymousUser, period: Period, code: str) -> Indicator:
    return get_object_or_404(review_indicators(user=user, period=period), code=code)


def review_submissions(*, user: User | AnonymousUser, period: Period, indicator: Indicator) -> QuerySet[Submission]:
    """Every visible unit's submitted (or reviewed) value of one indicator, for its reviewers.
    Drafts stay the unit's own until it submits them."""
    subs = Submission.objects.filter(period=period, indicator=indicator).exclude(
        status=Submission.Status.DRAFT
    ).select_related(
        "unit__category", "updated_by", "indicator"
    ).prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")))
    return gate.restrict(user, subs, "assessment.submission.review", taskforce_field="indicator__taskforce").order_by(
        "unit__category__order", "unit__order")


def review_units(*, user: User | AnonymousUser, period: Period, indicator: Indicator) -> list[Unit]:
    """Units in the reviewer's scope the indicator applies to (for manual scores and items)."""
    units = (
        gate.units(user, "assessment.submission.review", taskforce=indicator.taskforce_id)
        .filter(category__isnull=False).select_related("category")
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


def submission_get(*, user: User | AnonymousUser, pk: int) -> Submission:
    """One submission, if the user may see its unit (reporter, head, reviewer or office)."""
    subs = gate.restrict(user, Submission.objects.select_related("indicator", "unit", "period"),
                         "assessment.submission.view")
    return get_object_or_404(subs, pk=pk)


def evidence_get(*, user: User | AnonymousUser, pk: int) -> Evidence:
    evidence = gate.restrict(user, Evidence.objects.select_related("submission__unit"),
                             "assessment.submission.view", unit_field="submission__unit")
    return get_object_or_404(evidence, pk=pk)


def evidence_list(*, user: User | AnonymousUser, submission: Submission) -> QuerySet[Evidence]:
    """A submission's evidence, oldest first, through the same gate as `evidence_get`: the
    list a reporting row shows (the caller fetched the submission through `submission_get`)."""
    evidence = gate.restrict(user, Evidence.objects.filter(submission=submission).select_related("uploaded_by"),
                             "assessment.submission.view", unit_field="submission__unit")
    return evidence.order_by("uploaded_at", "id")


@dataclass
class ReviewLine:
    indicator: Indicator
    counts: dict[str, int]

    @property
    def waiting(self) -> int:
        return self.counts.get(Submission.Status.SUBMITTED, 0)


def review_overview(*, user: User | AnonymousUser, period: Period) -> list[ReviewLine]:
    """Each indicator the user reviews, with how many units' values wait in each status."""
    from django.db.models import Count

    indicators = list(review_indicators(user=user, period=period))
    counted = (
        gate.restrict(user, Submission.objects.filter(period=period, indicator__in=indicators),
                      "assessment.submission.review", taskforce_field="indicator__taskforce")
        .values("indicator_id", "status").annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in counted:
        counts.setdefault(row["indicator_id"], {})[row["status"]] = row["n"]
    return [ReviewLine(i, counts.get(i.pk, {})) for i in indicators]
