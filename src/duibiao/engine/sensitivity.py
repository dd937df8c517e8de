"""Sensitivity analysis (敏感性分析): seeded Monte-Carlo perturbation of weights and methods."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .adjust import apply_adjustments, apply_vetoes
from .rank import encode_groups, rank_within, round_half_up

if TYPE_CHECKING:
    from .result import Result

__all__ = ["SensitivityResult", "sensitivity"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SensitivityResult:
    runs: int
    seed: int
    spread: float
    rank_min: FloatArray
    rank_max: FloatArray
    rank_median: FloatArray
    keep_share: FloatArray  # share of runs in which the unit keeps its published rank
    score_p05: FloatArray
    score_p95: FloatArray

    def rows(self, codes: tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            {
                "unit": u,
                "rank_min": float(self.rank_min[i]),
                "rank_max": float(self.rank_max[i]),
                "rank_median": float(self.rank_median[i]),
                "keep_share": float(self.keep_share[i]),
                "score_p05": float(self.score_p05[i]),
                "score_p95": float(self.score_p95[i]),
            }
            for i, u in enumerate(codes)
        ]


def _aggregate_runs(v: FloatArray, w: FloatArray, method: str) -> FloatArray:
    """v (n, R, c), w (R, c) → (n, R) with weights rescaled over children with data."""
    has = ~np.isnan(v)
    wm = np.where(has, w[None, :, :], 0.0)
    wsum = wm.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "sum":
            out = (wm * np.where(has, v, 0.0)).sum(axis=2)
        elif method == "geometric":
            logs = np.log(np.where(has, np.maximum(v, 1e-12), 1.0))
            out = np.exp((wm * logs).sum(axis=2) / wsum)
        else:
            out = (wm * np.where(has, v, 0.0)).sum(axis=2) / wsum
    return np.where(has.any(axis=2), out, np.nan)


def _aggregate_leaves(v: FloatArray, w: FloatArray, method: str) -> FloatArray:
    """v (n, c) of children that do not vary by run, w (R, c) → (n, R), as `_aggregate_runs`
    but as matrix products: no (n, R, c) array, so a city's 1 000 runs stay small and fast."""
    x = v
    has: NDArray[np.bool_] = ~np.isnan(x)
    wsum = has.astype(np.float64) @ w.T
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "geometric":
            logs = np.where(has, np.log(np.maximum(np.where(has, x, 1.0), 1e-12)), 0.0)
            out = np.exp((logs @ w.T) / wsum)
        else:
            num = np.where(has, x, 0.0) @ w.T
            out = num if method == "sum" else num / wsum
    present: NDArray[np.bool_] = np.asarray(has.any(axis=1))
    return np.where(present[:, None], out, np.nan)


def sensitivity(
    result: Result,
    runs: int = 1000,
    seed: int = 0,
    spread: float = 0.2,
    switch_methods: bool = False,
) -> SensitivityResult:
    """Perturb every node's weights by a uniform factor in [1 − spread, 1 + spread] per run
    (and, with ``switch_methods``, aggregate each node arithmetically or geometrically at
    random), re-rank, and report each unit's rank interval and the share of runs keeping its
    rank. Vectorised over runs; seeded ``numpy.random.default_rng(seed)``.
    Usage: ``sa = sensitivity(result, runs=1000, seed=42); sa.rank_min, sa.rank_max``.
    """
    rng = np.random.default_rng(seed)
    scheme = result.scheme
    n = len(result.units)
    # Indicators do not vary by run: (n,) columns; nodes do: (n, runs).
    vals: dict[str, FloatArray] = {
        c: result.normalised[:, j] for j, c in enumerate(result.indicator_codes)
    }
    for node in scheme.nodes:  # children before parents
        children = [vals[c.code] for c in node.children]
        base_w = np.asarray(result.weights[node.code]["weights"], dtype=np.float64)
        factor = rng.uniform(1.0 - spread, 1.0 + spread, size=(runs, len(base_w)))
        w = base_w[None, :] * factor
        method = node.aggregation if node.aggregation in ("sum", "geometric") else "mean"
        agg: Callable[[FloatArray, FloatArray, str], FloatArray]
        if all(child.ndim == 1 for child in children):
            data, agg = np.column_stack(children), _aggregate_leaves
        else:
            data = np.stack(
                [np.broadcast_to(c[:, None] if c.ndim == 1 else c, (n, runs)) for c in children],
                axis=2,
            )
            agg = _aggregate_runs
        out = agg(data, w, method)
        if switch_methods and node.aggregation != "sum":
            other = "geometric" if method == "mean" else "mean"
            alt = agg(data, w, other)
            pick = rng.random(runs) < 0.5
            out = np.where(pick[None, :], alt, out)
        vals[node.code] = out
    base = vals[scheme.tree.code]
    adj = apply_adjustments(base, result.events, scheme.adjustments)
    final, _, _ = apply_vetoes(
        adj.score, result.vetoed.astype(np.float64), scheme.vetoes, scheme.grading
    )
    final = np.where(result.screened_out[:, None], np.nan, final)
    rk = scheme.ranking
    key = round_half_up(final, rk.decimals) if rk.on == "rounded" else final
    groups = (
        encode_groups(result.units.categories, n)
        if rk.scope == "category"
        else np.zeros(n, dtype=np.int64)
    )
    ranks = rank_within(key, groups, ties=rk.ties)
    with np.errstate(invalid="ignore"):
        keep = (ranks == result.rank[:, None]).mean(axis=1)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return SensitivityResult(
            runs=runs,
            seed=seed,
            spread=spread,
            rank_min=np.nanmin(ranks, axis=1),
            rank_max=np.nanmax(ranks, axis=1),
            rank_median=np.nanmedian(ranks, axis=1),
            keep_share=keep,
            score_p05=np.nanpercentile(final, 5, axis=1),
            score_p95=np.nanpercentile(final, 95, axis=1),
        )
