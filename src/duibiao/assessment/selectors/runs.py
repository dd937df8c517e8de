"""Reads the run services need: the snapshot a run is scored on, the run it is compared with
for 晋位, and what still stops a run from being published. Not gated (but `publish_review`,
for the confirmation page): the services that call them check the office first, and the run
page shows the blockers to the office only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Case, F, JSONField, Max, Value, When
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.limits import ballots_problem, value_rules
from duibiao.assessment.models import Appeal, Indicator, Period, ScoringRun, Submission
from duibiao.assessment.sources import snapshot_sources
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


def run_snapshot(period: Period) -> dict:
    """Units ranked by the scheme and every approved value of the period, as plain rows."""
    district = period.version.scheme.district
    units = list(
        Unit.objects.filter(path__startswith=district.path, category__isnull=False, is_active=True)
        .select_related("category", "tier").order_by("category__order", "order", "code")
    )
    # Categories and tiers by code: the scheme document keys categories by code, and a
    # renamed category (or tier) must rank, group and score its units exactly as before.
    unit_rows = [
        {"unit": u.code, "name": u.name, "category": u.category.code,
         "groups": {"tier": u.tier.code if u.tier else ""}}
        for u in units if u.category is not None  # (all of them: the query asks for a category)
    ]
    data: list[list] = []
    # Ballot counts only where there are some: decoding an empty JSON object for each of
    # 120 000 values was half the time of a city-sized snapshot.
    counts = Case(When(ballots={}, then=Value(None)), default=F("ballots"), output_field=JSONField())
    # An indicator fed by a registered source takes the source's value, never a stored one.
    approved = Submission.objects.filter(
        period=period, status=Submission.Status.APPROVED, indicator__value_from="",
    ).values_list("unit__code", "indicator__code", "value", counts)
    rules = value_rules(period.version)
    indicators = {i.code: i for i in Indicator.objects.filter(version=period.version)}
    problems = []
    for unit, code, value, ballots in approved:
        # An approved value that no longer passes the value rules (stored before they
        # existed, or changed in the database) would score silently wrong: refuse the run
        # and say which values, so the office unlocks and corrects them first.
        problem = (ballots_problem(indicators[code], ballots) if ballots
                   else rules.problem(indicators[code], value))
        if problem:
            problems.append(f"{unit} {code}：{problem}")
            continue
        if ballots:
            data.extend([unit, f"{code}:{grade}", float(n)] for grade, n in ballots.items())
        elif value is not None:
            data.append([unit, code, float(value)])
    fed, sources, source_problems = snapshot_sources(period, indicators.values(), units, rules)
    data.extend(fed)
    problems.extend(source_problems)
    if problems:
        raise AssessmentError(
            f"有 {len(problems)} 项已审核数据不符合取值规则，不能计分（请解锁更正，或运行 duibiao check_values 查看全部）："
            + "；".join(problems[:5]) + ("……" if len(problems) > 5 else "")
        )
    snapshot = {"units": unit_rows, "data": data}
    if sources:  # where each fed value came from, for the trace (absent when nothing is fed)
        snapshot["sources"] = sources
    return snapshot


def previous_published_run(period: Period) -> ScoringRun | None:
    """The latest published run of an earlier period of the same scheme and kind (for 晋位)."""
    earlier = ScoringRun.objects.filter(
        period__version__scheme=period.version.scheme, period__kind=period.kind,
        stage=ScoringRun.Stage.PUBLISHED,
    ).exclude(period=period)
    earlier = earlier.filter(period__year__lt=period.year) | earlier.filter(
        period__year=period.year, period__number__lt=period.number
    )
    return earlier.order_by("-period__year", "-period__number", "-number").first()


def publish_blockers(run: ScoringRun) -> list[str]:
    """Why a run cannot be published yet (empty when it can), the waivable reasons included."""
    review = publish_review_of(run)
    return review.blockers + review.waivable


@dataclass
class PublishReview:
    """What publishing a run would freeze, and what stands in its way. `blockers` no reason
    can waive (the run is not finished, never released, or older than an accepted appeal);
    `waivable` the office may override with a written reason (deadlines not passed, values
    unapproved, appeals open)."""

    run: ScoringRun
    units: int
    grades: list[tuple[str, int]]
    unapproved: int
    open_appeals: int
    deadline: date
    days_to_deadline: int
    appeal_deadline: date | None
    days_to_appeal_deadline: int | None
    blockers: list[str] = field(default_factory=list)
    waivable: list[str] = field(default_factory=list)


def publish_review(*, user: User, run: ScoringRun) -> PublishReview:
    """The confirmation page's facts, for the office that may publish this run only."""
    gate.require(user, "assessment.run.publish", unit=run.period.version.scheme.district)
    return publish_review_of(run)


def publish_review_of(run: ScoringRun) -> PublishReview:
    """Ungated: for the publishing service, which has checked the office already."""
    period = run.period
    today = timezone.localdate()
    grades = Counter(run.results.values_list("grade", flat=True))
    # Counted by the statuses that are not approved, not by excluding 已审核: the (period, status)
    # index then reads only the few rows waiting, not the 120 000 approved ones of a city's period
    # (the office's ranking page asks this on every view).
    waiting = [s for s in Submission.Status.values if s != Submission.Status.APPROVED]
    unapproved = Submission.objects.filter(period=period, status__in=waiting).count()
    appeals = Appeal.objects.filter(run__period=period)
    pending = appeals.filter(status=Appeal.Status.PENDING).count()
    # The appeal window is the latest release's (an earlier release's window was superseded).
    released = ScoringRun.objects.filter(period=period, released_at__isnull=False).order_by("-released_at").first()
    appeal_deadline = released.appeal_deadline if released else None
    review = PublishReview(
        run=run, units=sum(grades.values()), grades=sorted(grades.items(), key=lambda g: (-g[1], g[0])),
        unapproved=unapproved, open_appeals=pending, deadline=period.deadline,
        days_to_deadline=(period.deadline - today).days, appeal_deadline=appeal_deadline,
        days_to_appeal_deadline=(appeal_deadline - today).days if appeal_deadline else None,
    )
    blockers = review.blockers
    if run.status != ScoringRun.Status.DONE:
        blockers.append("计分尚未完成")
    if run.stage not in (ScoringRun.Stage.DRAFT, ScoringRun.Stage.RELEASED):
        blockers.append(f"该批次{run.get_stage_display()}")
    if released is None:
        blockers.append("须先发布反馈，给各单位申诉的机会")
    last_accepted = appeals.filter(status=Appeal.Status.ACCEPTED).aggregate(at=Max("decided_at"))["at"]
    if last_accepted and run.started_at < last_accepted:
        blockers.append("有申诉在本批次之后被采纳：请更正数据后重新计分")
    # A deadline "has passed" the day after it: units may report (and appeal) all of that day.
    if today <= period.deadline:
        review.waivable.append(f"填报截止日（{period.deadline:%Y年%m月%d日}）尚未过")
    if appeal_deadline and today <= appeal_deadline:
        review.waivable.append(f"申诉期（截至{appeal_deadline:%Y年%m月%d日}）尚未结束")
    if unapproved:
        review.waivable.append(f"还有 {unapproved} 项填报数据未审核")
    if pending:
        review.waivable.append(f"还有 {pending} 件申诉未复核")
    return review


def run_inputs_archive(*, user: User | AnonymousUser, pk: int) -> tuple[str, bytes]:
    """(file name, zip bytes) of a run's exact inputs as the files `duibiao score` reads, for
    those who may analyse the run (the run page's link and the API): re-scored on the command
    line they give the run's results."""
    import io
    import zipfile

    from duibiao.assessment.scoring import previous_context, snapshot_files
    from duibiao.assessment.selectors.results import run_analysed_get

    run = run_analysed_get(user=user, pk=pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in snapshot_files(run.document, run.inputs, **previous_context(run)).items():
            archive.writestr(name, text)
    return f"run-{run.pk}-inputs.zip", buffer.getvalue()
