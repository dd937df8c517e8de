"""Reads of scoring runs and results, through the access gate.

Who sees what: the office sees every run of its district; a leader sees published runs;
a unit head (and reporter) sees its own unit's result once a run is released to units.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from duibiao.accounts.gate import gate_filter, has_role
from duibiao.accounts.roles import Role
from duibiao.assessment.models import RunResult, ScoringRun
from duibiao.assessment.selectors.reporting import period_list

VISIBLE_TO_UNITS = (ScoringRun.Stage.RELEASED, ScoringRun.Stage.PUBLISHED)


def run_list(*, user) -> QuerySet[ScoringRun]:
    runs = ScoringRun.objects.filter(period__in=period_list(user=user)).select_related("period")
    if has_role(user, Role.OFFICE):
        return runs
    if has_role(user, Role.TASKFORCE):
        return runs.filter(stage__in=VISIBLE_TO_UNITS, status=ScoringRun.Status.DONE)
    if has_role(user, Role.LEADER):
        return runs.filter(stage=ScoringRun.Stage.PUBLISHED)
    return runs.filter(stage__in=VISIBLE_TO_UNITS, status=ScoringRun.Status.DONE)


def run_get(*, user, pk: int) -> ScoringRun:
    return get_object_or_404(run_list(user=user), pk=pk)


def run_results(*, user, run: ScoringRun) -> QuerySet[RunResult]:
    """The results of a run the user may see: all of them for the office, leaders and task
    forces; only its own unit's for a unit user."""
    results = RunResult.objects.filter(run=run).select_related("unit")
    if has_role(user, Role.OFFICE, Role.LEADER, Role.TASKFORCE):
        return gate_filter(user, results, roles=(Role.OFFICE, Role.LEADER, Role.TASKFORCE))
    return gate_filter(user, results, roles=(Role.UNIT_HEAD, Role.REPORTER))


def published_unit_grades(*, year: int) -> dict[int, str]:
    """Each unit's grade in the latest published run of the year (annual before quarterly).
    For derived lists (cadre awards); not gated — callers gate what they show."""
    grades: dict[int, str] = {}
    runs = ScoringRun.objects.filter(
        stage=ScoringRun.Stage.PUBLISHED, period__year=year
    ).order_by("period__kind", "period__number", "number")  # "year" sorts after "quarter"/"month"
    for run in runs:
        for unit_id, grade in run.results.values_list("unit_id", "grade"):
            grades[unit_id] = grade
    return grades
