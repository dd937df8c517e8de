"""Stored values and texts that would not be accepted today (`duibiao check_values`).

A value written before `assessment.limits` existed, or changed in the database by hand,
may break the value rules (SQLite keeps anything); a note may be longer than its column
(SQLite keeps that too). The pages show such values flagged; this read finds all of them
at once, for the office or an operator to correct. It reads every period, so it is for
the command line (no user, no gate), never for a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import Length

from duibiao.assessment.limits import submission_problem, text_label, text_limit, value_rules
from duibiao.assessment.models import Appeal, Period, ReviewEvent, Submission

# The note is part of `submission_problem`; these are the other free texts of a value.
TEXTS = ((Submission, "justification"), (Submission, "return_reason"))


@dataclass(frozen=True)
class StoredProblem:
    unit: str
    period: str
    indicator: str
    value: str
    reason: str


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _value_problems(periods: QuerySet[Period]) -> Iterator[StoredProblem]:
    for period in periods.select_related("version"):
        rules = value_rules(period.version)
        subs = (Submission.objects.filter(period=period).select_related("unit", "indicator")
                .order_by("unit__path", "indicator__order"))
        for sub in subs.iterator(chunk_size=2000):
            problem = submission_problem(sub, rules)
            if problem:
                value = sub.ballots if sub.indicator.kind == "ballot" else sub.value
                yield StoredProblem(f"{sub.unit.code} {sub.unit.name}", period.name,
                                    f"{sub.indicator.code} {sub.indicator.name}", _shown(value), problem)


def _text_problems(periods: QuerySet[Period]) -> Iterator[StoredProblem]:
    for model, name in TEXTS:
        limit = text_limit(model, name)
        label = text_label(model, name)
        long = (model.objects.filter(period__in=periods).annotate(n=Length(name)).filter(n__gt=limit)
                .select_related("unit", "indicator", "period"))
        for sub in long:
            yield StoredProblem(f"{sub.unit.code} {sub.unit.name}", sub.period.name,
                                f"{sub.indicator.code} {sub.indicator.name}", f"{label} {sub.n} 字",
                                f"超过 {limit} 字")
    limit = text_limit(ReviewEvent, "reason")
    events = (ReviewEvent.objects.filter(submission__period__in=periods).annotate(n=Length("reason"))
              .filter(n__gt=limit).select_related("submission__unit", "submission__indicator", "submission__period"))
    for event in events:
        reviewed = event.submission
        yield StoredProblem(f"{reviewed.unit.code} {reviewed.unit.name}", reviewed.period.name,
                            f"{reviewed.indicator.code} {reviewed.indicator.name}", f"审核记录理由 {event.n} 字",
                            f"超过 {limit} 字")
    for name in ("reason", "decision"):
        limit = text_limit(Appeal, name)
        appeals = (Appeal.objects.filter(run__period__in=periods).annotate(n=Length(name)).filter(n__gt=limit)
                   .select_related("unit", "indicator", "run__period"))
        for appeal in appeals:
            yield StoredProblem(f"{appeal.unit.code} {appeal.unit.name}", appeal.run.period.name,
                                f"{appeal.indicator.code} {appeal.indicator.name}",
                                f"申诉{text_label(Appeal, name)} {appeal.n} 字", f"超过 {limit} 字")


def stored_problems(*, periods: QuerySet[Period] | None = None) -> Iterator[StoredProblem]:
    """Every stored value (and note, reason) of the periods that no longer validates."""
    periods = Period.objects.order_by("pk") if periods is None else periods.order_by("pk")
    yield from _value_problems(periods)
    yield from _text_problems(periods)
