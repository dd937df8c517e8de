"""多考合一 results: each unit's annual result and where each part of it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from duibiao import engine
from duibiao.accounts import gate
from duibiao.assessment.models import Combination, RunResult, ScoringRun
from duibiao.assessment.selectors.categories import category_names
from duibiao.assessment.selectors.schemes import _ancestor_paths

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


def combination_list(*, user: User | AnonymousUser) -> QuerySet[Combination]:
    prefixes = _ancestor_paths(gate.units(user, "assessment.combination.view").values_list("path", flat=True))
    return Combination.objects.filter(district__path__in=prefixes).prefetch_related("parts__runs__period")


def combination_get(*, user: User | AnonymousUser, code: str) -> Combination:
    return get_object_or_404(combination_list(user=user), code=code)


@dataclass
class CombinedRow:
    unit: object
    category: str  # the category's code, as the runs keep it
    parts: list[dict]  # name, weight, average, scores per run
    total: float | None
    rank: float | None
    category_name: str = ""


def combination_results(*, user: User | AnonymousUser, combination: Combination) -> list[CombinedRow]:
    """Per visible unit: the average of each part's runs, the weighted total, the rank in
    its category. Computed with the engine's own 多考合一 functions."""
    parts = list(combination.parts.all())
    # Published runs only: a publication withdrawn after the combination was saved no longer
    # counts (its period is then averaged as missing, as for a period not yet published).
    part_runs = {part.pk: [r for r in part.runs.all() if r.stage == ScoringRun.Stage.PUBLISHED] for part in parts}
    runs = {run.pk: run for part in parts for run in part_runs[part.pk]}
    visible = gate.units(user, "assessment.combination.view")
    results = RunResult.objects.filter(run__in=runs, unit__in=visible).select_related("unit")
    by_unit: dict[int, dict[int, RunResult]] = {}
    for result in results:
        by_unit.setdefault(result.unit_id, {})[result.run_id] = result
    units = sorted({r.unit for r in results}, key=lambda u: u.code)
    if not units:
        return []
    category = {u.pk: next(iter(by_unit[u.pk].values())).category for u in units}
    averages: dict[str, np.ndarray] = {}
    details: dict[str, list[list[tuple[str, float | None]]]] = {}
    for part in parts:
        columns = [
            np.array([_score(by_unit[u.pk].get(run.pk)) for u in units], dtype=float) for run in part_runs[part.pk]
        ]
        averages[part.name] = engine.average_periods(columns)
        details[part.name] = [
            [(run.period.name, _score(by_unit[u.pk].get(run.pk))) for run in part_runs[part.pk]] for u in units
        ]
    total = engine.combine_parts(averages, {p.name: p.weight for p in parts})
    codes = engine.encode_groups([category[u.pk] for u in units], len(units))
    ranks = engine.rank_within(total, codes, ties="min")
    rows = []
    names = category_names()
    for i, unit in enumerate(units):
        rows.append(CombinedRow(
            unit=unit, category=category[unit.pk], category_name=names.get(category[unit.pk], category[unit.pk]),
            parts=[{"name": p.name, "weight": p.weight, "average": _clean(averages[p.name][i]),
                    "scores": details[p.name][i]} for p in parts],
            total=_clean(total[i]), rank=_clean(ranks[i]),
        ))
    return sorted(rows, key=lambda r: (r.category, r.rank if r.rank is not None else 1e9))


def _score(result: RunResult | None) -> float:
    return np.nan if result is None or result.score is None else result.score


def _clean(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
