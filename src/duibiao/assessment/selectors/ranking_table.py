"""The ranking page's table (排名页): a finished run's figures read once, each request's view of them.

A finished run's results never change: the run's rows are written once when it completes, and a
failed run computed again (`run_restart`) gets a new `finished_at`. So the figures the table shows
(scores, ranks, dimension scores, grades — decoded from ~600 JSON documents of every node's score)
are read and formatted once per run and kept per process, keyed by the run's id and its
`finished_at`: a re-computed run cannot show the figures of its earlier computation. What may
change is read on every request: who may see which unit (the gate, which follows the run's stage,
so a withdrawn or superseded run is seen exactly as before), the units' current names, the
categories' names and the sensitivity flags.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from duibiao.assessment.models import RunResult, ScoringRun
from duibiao.assessment.selectors.categories import category_names
from duibiao.assessment.selectors.results import STABLE_SHARE, dimension_columns, run_results

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

FROZEN_RUNS = 8  # runs kept per process: ~0.5 MB each at 600 units


@dataclass(frozen=True, slots=True)
class Frozen:
    """One unit's figures in a finished run, formatted once (they never change)."""

    category: str
    score: float | None
    rank: float | None
    rank_change: float | None
    grade: str
    vetoes: tuple[str, ...]
    cells: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UnitName:
    code: str
    name: str


@dataclass(slots=True)
class RankingRow:
    """A row of the ranking table: the attributes the page, the chart and the grade filter read
    (the same names as RunResult's, so `ranking_chart` and `ranking_grades` take either)."""

    unit: UnitName
    category: str
    category_name: str
    score: float | None
    rank: float | None
    rank_change: float | None
    grade: str
    vetoes: tuple[str, ...]
    cells: dict[str, Any]


_frozen: OrderedDict[tuple[int, datetime | None], dict[int, Frozen]] = OrderedDict()
_lock = threading.Lock()


def _fixed(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _short(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"


def _read_frozen(run: ScoringRun) -> dict[int, Frozen]:
    dimensions = [code for code, _ in dimension_columns(run)]
    figures: dict[int, Frozen] = {}
    rows = RunResult.objects.filter(run=run).values_list(
        "unit_id", "category", "score", "rank", "rank_change", "bonus", "penalty", "grade", "vetoes", "node_scores")
    for unit_id, category, score, rank, change, bonus, penalty, grade, vetoes, nodes in rows:
        # Formatted here, once: Django's floatformat goes through Decimal and costs more than the
        # rest of a 600-row page.
        cells = {
            "rank": _short(rank), "score": _fixed(score),
            "dimensions": tuple(_fixed(nodes.get(code)) for code in dimensions),
            "bonus": _short(bonus) if bonus else "", "penalty": _short(penalty) if penalty else "",
            "change": _short(abs(change)) if change else "",
        }
        figures[unit_id] = Frozen(category, score, rank, change, grade, tuple(vetoes or ()), cells)
    return figures


def frozen_figures(run: ScoringRun) -> dict[int, Frozen]:
    """Every unit's figures in the run, by unit id; ungated (callers filter by the gate). Kept
    per process only for a finished run, keyed by its id and `finished_at`."""
    if run.status != ScoringRun.Status.DONE or run.finished_at is None:
        return _read_frozen(run)  # computing or failed: nothing to keep
    key = (run.pk, run.finished_at)
    with _lock:
        figures = _frozen.get(key)
        if figures is not None:
            _frozen.move_to_end(key)
            return figures
    figures = _read_frozen(run)
    with _lock:
        _frozen[key] = figures
        while len(_frozen) > FROZEN_RUNS:
            _frozen.popitem(last=False)
    return figures


def frozen_clear() -> None:
    """Forget every kept run (tests; nothing in the app needs it: keys change with the run)."""
    with _lock:
        _frozen.clear()


def _last(value: float | None, sign: int = 1) -> tuple[bool, float]:
    """A sort key putting missing values last whatever the database would do."""
    return (value is None, 0.0 if value is None else sign * value)


SORT_KEYS = {
    "rank": lambda r: (_last(r.rank), r.unit.code),
    "score": lambda r: (_last(r.score, -1), r.unit.code),
    "change": lambda r: (_last(r.rank_change, -1), _last(r.rank), r.unit.code),
}


def ranking_table(*, user: User | AnonymousUser, run: ScoringRun, category: str = "", grade: str = "",
                  sort: str = "rank") -> dict:
    """The ranking page's table: the same groups, categories, dimensions and unstable units as
    `results.ranking`, with light rows. One query per request (the units the user may see, with
    their current names) once the run's figures are kept."""
    figures = frozen_figures(run)
    visible = run_results(user=user, run=run).values_list("unit_id", "unit__code", "unit__name")
    names = category_names()
    order = {code: i for i, code in enumerate(names)}
    rows = []
    for unit_id, code, name in visible:
        f = figures.get(unit_id)
        if f is None:  # a result written after the figures were read cannot happen; be safe
            continue
        rows.append(RankingRow(UnitName(code, name), f.category, names.get(f.category, f.category), f.score,
                               f.rank, f.rank_change, f.grade, f.vetoes, f.cells))
    codes = sorted({r.category for r in rows}, key=lambda c: (order.get(c, len(order)), c))
    categories = [(code, names.get(code, code)) for code in codes]
    key = SORT_KEYS.get(sort, SORT_KEYS["rank"])
    groups: dict[str, list[RankingRow]] = {names.get(code, code): [] for code in codes}
    for row in sorted(rows, key=key):
        if (category and row.category != category) or (grade and row.grade != grade):
            continue
        groups[row.category_name].append(row)
    unstable = {u["unit"] for u in (run.sensitivity or {}).get("units", []) if u["keep_share"] < STABLE_SHARE}
    return {"groups": {name: group for name, group in groups.items() if group}, "categories": categories,
            "dimensions": dimension_columns(run), "unstable": unstable}
