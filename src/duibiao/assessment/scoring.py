"""From a run's snapshot to the engine and back: the one place the web app calls the engine.

The snapshot has the same shape as the files of `duibiao score` (units: unit, name,
category + group columns; data: unit, indicator, value), so an exported run scores the same
on the command line as it did in the app.
"""

from __future__ import annotations

import csv
import io
import math
from functools import lru_cache
from typing import Any

import numpy as np

from duibiao import engine
from duibiao.schemes import load_scheme_text


@lru_cache(maxsize=16)
def scheme_of(document: str) -> engine.Scheme:
    """The parsed scheme of a stored document (cached: runs keep their documents unchanged)."""
    return load_scheme_text(document)


def previous_context(run) -> dict[str, Any]:
    """What a run compares with: the ranks (for 晋位/退位) and the input values (for growth
    rates) of the published run of the period before, as `score_snapshot` keywords."""
    if not run.previous_id:
        return {"previous_ranks": None, "previous_snapshot": None}
    ranks = dict(run.previous.results.exclude(rank=None).values_list("unit__code", "rank"))
    return {"previous_ranks": ranks, "previous_snapshot": run.previous.inputs}


def snapshot_units(snapshot: dict[str, Any], scheme: engine.Scheme) -> engine.Units:
    rows = snapshot["units"]
    groups = {g: tuple(r["groups"].get(g, "") for r in rows) for g in scheme.groups}
    return engine.Units(
        codes=tuple(r["unit"] for r in rows),
        categories=tuple(r["category"] for r in rows),
        groups=groups,
        names=tuple(r["name"] for r in rows),
    )


def score_snapshot(
    document: str,
    snapshot: dict[str, Any],
    *,
    previous_ranks: dict[str, float] | None = None,
    overrides: dict[tuple[str, str], float] | None = None,
    previous_snapshot: dict[str, Any] | None = None,
) -> engine.Result:
    """Score a snapshot. `overrides` replaces (unit, code) values — the what-if panel."""
    scheme = scheme_of(document)
    units = snapshot_units(snapshot, scheme)
    data = {(u, c): v for u, c, v in snapshot["data"]}
    if overrides:
        data.update(overrides)
    keys = list(data)
    inputs = engine.dense_inputs(
        scheme, units.codes, [u for u, _ in keys], [c for _, c in keys], [data[k] for k in keys]
    )
    if inputs.problems:
        problem = inputs.problems[0]
        raise ValueError(f"{problem.column}: {problem.message}")
    previous_values = None
    if previous_snapshot is not None:
        # Last period's values, for growth rates and 'previous' imputation.
        rows = [r for r in previous_snapshot["data"] if r[0] in set(units.codes)]
        previous_values = engine.dense_inputs(
            scheme, units.codes, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
        ).values
    previous = None
    if previous_ranks is not None:
        previous = np.array([previous_ranks.get(code, np.nan) for code in units.codes], dtype=float)
    return engine.score(
        scheme, inputs.values, units, previous_ranks=previous, previous_values=previous_values,
        denominators=inputs.denominators, events=inputs.events, vetoes=inputs.vetoes,
        ballots=inputs.ballots,
    )


_PLAIN = frozenset({str, int, bool, type(None)})


def clean_json(value: Any) -> Any:
    """NaN and numpy scalars out, so JSON fields (and PostgreSQL's jsonb) accept the trace."""
    # Exact-type fast paths first: a city run cleans 600 traces of ~10 000 values each, and
    # the isinstance chain below made this the slowest step of the run.
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): clean_json(v) for k, v in value.items()}
    if kind is list:
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return clean_json(value.tolist())
    return value


def snapshot_files(
    document: str, snapshot: dict[str, Any], previous_ranks: dict[str, float] | None = None,
    previous_snapshot: dict[str, Any] | None = None,
) -> dict[str, str]:
    """The run's inputs as the files `duibiao score` reads: scheme.yaml, units.csv, data.csv,
    and, when the run compared with an earlier one, previous-results.csv (ranks, for 晋位)
    and previous-data.csv (values, for growth rates), with a README giving the command."""
    group_names = sorted({g for row in snapshot["units"] for g in row["groups"]})
    units = io.StringIO()
    writer = csv.writer(units, lineterminator="\n")
    writer.writerow(["unit", "name", "category", *group_names])
    for row in snapshot["units"]:
        writer.writerow([row["unit"], row["name"], row["category"], *(row["groups"].get(g, "") for g in group_names)])
    files = {"scheme.yaml": document, "units.csv": units.getvalue(), "data.csv": _data_csv(snapshot)}
    command = "duibiao score scheme.yaml data.csv --units units.csv --out results.csv"
    if previous_snapshot is not None and previous_ranks is not None:
        files["previous-data.csv"] = _data_csv(previous_snapshot)
        files["previous-results.csv"] = "unit,rank\n" + "".join(
            f"{unit},{rank:g}\n" for unit, rank in sorted(previous_ranks.items())
        )
        command += " --previous previous-results.csv --previous-data previous-data.csv"
    files["README.txt"] = f"本批次计分输入 / inputs of this scoring run\n\n{command}\n"
    return files


def _data_csv(snapshot: dict[str, Any]) -> str:
    data = io.StringIO()
    writer = csv.writer(data, lineterminator="\n")
    writer.writerow(["unit", "indicator", "value"])
    for unit, code, value in snapshot["data"]:
        writer.writerow([unit, code, repr(float(value))])
    return data.getvalue()


def category_benchmarks(result: engine.Result) -> dict[str, Any]:
    """Per category, the best and the median of each indicator's raw value (direction-aware)
    and of each node's score: the 对标 references a unit is compared with."""
    categories = np.asarray(result.units.categories)
    raw = np.where(result.applicable, result.raw, np.nan)
    direction = np.array([i.direction for i in result.scheme.indicators], dtype=float)
    nodes = [n.code for n in result.scheme.nodes]
    node_scores = np.column_stack([result.node_scores[c] for c in nodes]) if nodes else np.empty((len(categories), 0))
    out: dict[str, Any] = {}
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no benchmark
            for category in np.unique(categories):
                rows = categories == category
                best_raw = np.where(direction > 0, np.nanmax(raw[rows], axis=0), np.nanmin(raw[rows], axis=0))
                out[str(category)] = {
                    "indicators": {
                        code: {"best": best_raw[j], "median": np.nanmedian(raw[rows, j])}
                        for j, code in enumerate(result.indicator_codes)
                    },
                    "nodes": {
                        code: {"best": np.nanmax(node_scores[rows, j]), "median": np.nanmedian(node_scores[rows, j])}
                        for j, code in enumerate(nodes)
                    },
                }
    return clean_json(out)
