"""The ONE mapping of the database to ledger rows (`projects.rates.LedgerRow`): the pages,
the indicator sources, the exports and the bench read projects through it, so the four
rates and the flags come from the same code as `duibiao project-rates`.

Two queries, whatever the size: the projects, each annotated with the figures of its latest
report of the as-of date's year dated on or before it (correlated subqueries over the
(project, year, reported_on) index).
"""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

from duibiao.projects.models import ProgressReport, Project
from duibiao.projects.rates import Funding, Kind, LedgerRow, Level, Stage

# Code → member (the vocabularies' constructor takes a label too).
_LEVELS = {m.value: m for m in Level}
_KINDS = {m.value: m for m in Kind}
_STAGES = {m.value: m for m in Stage}
_FUNDING = {m.value: m for m in Funding}
_COLUMNS = (
    "code", "name", "owner_unit__name", "level", "type", "stage", "source", "planned_total",
    "planned_annual", "planned_start", "planned_completion", "actual_start", "actual_completion",
    "funds_planned", "in_stats_on", "_completed_ytd", "_funds_in_place",
)


def with_latest_report(projects: QuerySet[Project], as_of: date) -> QuerySet[Project]:
    """`projects` annotated with `_completed_ytd`, `_funds_in_place` and `_reported_on` of the
    latest report of as_of's year dated ≤ as_of (None when there is none)."""
    latest = ProgressReport.objects.filter(
        project=OuterRef("pk"), year=as_of.year, reported_on__lte=as_of,
    ).order_by("-reported_on", "-id")
    return projects.annotate(
        _completed_ytd=Subquery(latest.values("completed_ytd")[:1]),
        _funds_in_place=Subquery(latest.values("funds_in_place")[:1]),
        _reported_on=Subquery(latest.values("reported_on")[:1]),
    )


def ledger_rows(projects: QuerySet[Project], as_of: date) -> list[LedgerRow]:
    """One LedgerRow per project of `projects` (in its order) at `as_of`: completed_ytd and
    funds_in_place from the latest report of as_of's year dated ≤ as_of; the rest from the
    project; `unit` is the owner unit's name."""
    rows = with_latest_report(projects, as_of).values_list(*_COLUMNS)
    return [
        LedgerRow(
            code=code, name=name, unit=unit, level=_LEVELS[level], type=_KINDS[kind], stage=_STAGES[stage],
            source=_FUNDING[source], planned_total=total, planned_annual=annual, planned_start=p_start,
            planned_completion=p_done, actual_start=a_start, actual_completion=a_done,
            completed_ytd=done, funds_planned=funds_planned, funds_in_place=funds, in_stats_on=in_stats,
        )
        for (code, name, unit, level, kind, stage, source, total, annual, p_start, p_done, a_start,
             a_done, funds_planned, in_stats, done, funds) in rows
    ]
