"""Normalisation of indicator values to 0–100 with direction (指标标准化).

Every function takes a block ``x`` of shape (n units, m indicators) with NaN for missing or
not-applicable values, a direction per column (+1 higher is better, −1 lower is better) and
parameters per column, and returns ``(scores, info)`` where ``info`` holds the bounds, targets
or peer statistics actually used (arrays of shape (m,) or (G, m) per group), for the trace.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .rank import rank_within

__all__ = [
    "Scope",
    "ballot_tally",
    "norm_bands",
    "norm_binary",
    "norm_frontier",
    "norm_goalposts",
    "norm_growth",
    "norm_manual",
    "norm_minmax",
    "norm_percentile",
    "norm_rank_steps",
    "norm_target",
    "norm_zscore",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Info = dict[str, FloatArray]


class Scope:
    """The peers an indicator is compared with: all units, or the unit's group (category).

    Per-group figures are reductions over the block sorted by group (one gather, reused by
    every reduction of the same block); with a single group the block is already in order and
    a group figure broadcasts to the units instead of being copied out to each of them.
    """

    def __init__(self, codes: IntArray | None, n: int) -> None:
        self.codes = np.zeros(n, dtype=np.int64) if codes is None else codes
        self.n_groups = int(self.codes.max()) + 1 if n else 0
        self.order = np.argsort(self.codes, kind="stable")
        counts = np.bincount(self.codes, minlength=self.n_groups)
        self.starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        self.single = self.n_groups == 1  # one group: the stable sort is the identity

    def sort(self, x: FloatArray) -> FloatArray:
        """The block's rows in group order (the block itself when there is one group)."""
        if self.single:
            return x
        if x.ndim == 2 and x.strides[0] == x.itemsize:  # indicator-major: gather along rows
            return np.asarray(np.take(x.T, self.order, axis=1).T, dtype=np.float64)
        return x[self.order]

    def reduce(self, x: FloatArray, ufunc: np.ufunc, xs: FloatArray | None = None) -> FloatArray:
        """Per-group reduction (G, m) of x (n, m), one pass over the whole block; ``xs`` is
        ``sort(x)`` when the caller has it already."""
        xs = self.sort(x) if xs is None else xs
        return np.asarray(ufunc.reduceat(xs, self.starts, axis=0), dtype=np.float64)

    def nanmin(self, x: FloatArray) -> FloatArray:
        return self.reduce(x, np.fmin)

    def nanmax(self, x: FloatArray) -> FloatArray:
        return self.reduce(x, np.fmax)

    def bounds(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(nanmin, nanmax) per group from one sort of the block."""
        xs = self.sort(x)
        return self.reduce(x, np.fmin, xs), self.reduce(x, np.fmax, xs)

    def count(self, x: FloatArray, missing: BoolArray | None = None) -> FloatArray:
        """Values present per group (whole numbers, so any order of adding gives them)."""
        have = ~(np.isnan(x) if missing is None else missing)
        if self.single:
            return np.asarray(np.count_nonzero(have, axis=0), dtype=np.float64)[None, :]
        return self.reduce(have.astype(np.float64), np.add)

    def nanmean(self, x: FloatArray, missing: BoolArray | None = None) -> FloatArray:
        missing = np.isnan(x) if missing is None else missing
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.reduce(np.where(missing, 0.0, x), np.add) / self.count(x, missing)

    def nanstd(self, x: FloatArray, mean: FloatArray) -> FloatArray:
        return self.deviation(x, mean)[1]

    def deviation(
        self, x: FloatArray, mean: FloatArray, missing: BoolArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """(x − its group's mean, the groups' standard deviations with ddof 1)."""
        d = x - self.spread(mean)
        ss = self.reduce(np.where(np.isnan(d), 0.0, d * d), np.add)
        with np.errstate(invalid="ignore", divide="ignore"):
            return d, np.sqrt(ss / (self.count(x, missing) - 1.0))

    def spread(self, g: NDArray[Any]) -> NDArray[Any]:
        """Per-group values (G, m) for each unit: (n, m), or (1, m) broadcasting to the units
        when there is one group (the same numbers, not copied n times)."""
        # indicator-major, like the blocks the pipeline normalises
        return g[:1] if self.single else np.take(g.T, self.codes, axis=1).T


def _col(params: Sequence[Mapping[str, Any]], key: str, default: float | None) -> FloatArray:
    out = []
    for p in params:
        v = p.get(key, default)
        if v is None:
            raise ValueError(f"normalisation parameter '{key}' is required")
        out.append(float(v))
    return np.asarray(out, dtype=np.float64)


def _clip100(x: FloatArray) -> FloatArray:
    return np.clip(x, 0.0, 100.0)


def norm_target(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]]
) -> tuple[FloatArray, Info]:
    """目标完成率: ratio = x/target (lower: target/x), clipped to [floor, cap], × 100 / cap.

    The target is positive (the scheme checks it). Lower is better: 0 is the best value there
    is (full marks); a negative value is outside T/x — the ratio would turn over and a worse
    value score better — so it scores 0 (the value rules refuse it before it gets here).
    Usage: ``norm_target(np.array([[80.]]), np.array([1.]), [{"target": 100}])`` → 80.
    """
    target = _col(params, "target", None)
    cap = _col(params, "cap", 1.0)
    floor = _col(params, "floor", 0.0)
    lower = direction < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (
            x / target
            if not lower.any()
            else (target / x if lower.all() else np.where(lower, target / x, x / target))
        )
    if lower.any():  # the two lower-is-better rules, only when a column is lower-is-better
        ratio = np.where(lower & (x == 0), cap, ratio)
    scores = 100.0 * np.clip(ratio, floor, cap) / cap
    if lower.any():
        scores = np.where(lower & (x < 0), 0.0, scores)
    return scores, {"target": target, "cap": cap, "floor": floor}


def norm_goalposts(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]]
) -> tuple[FloatArray, Info]:
    """Threshold–target: 0 at ``threshold``, 100 at ``target``, linear between, clipped.

    For lower-is-better indicators the threshold lies above the target.
    Usage: ``norm_goalposts(np.array([[12.]]), np.array([1.]), [{"threshold": 0, "target": 15}])``.
    """
    lo = _col(params, "threshold", 0.0)
    hi = _col(params, "target", None)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = 100.0 * np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return scores, {"threshold": lo, "target": hi}


def norm_minmax(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]], scope: Scope
) -> tuple[FloatArray, Info]:
    """Min–max within the scope: 100·(x − min)/(max − min), reversed for lower-is-better.

    ``range: [a, b]`` rescales to [a, b] instead of [0, 100]; a constant column scores
    ``constant`` (default 100).
    Usage: ``norm_minmax(x, np.ones(m), [{}] * m, Scope(None, n))``.
    """
    lo_g, hi_g = scope.bounds(x)
    a = np.asarray([float(p.get("range", (0, 100))[0]) for p in params])
    b = np.asarray([float(p.get("range", (0, 100))[1]) for p in params])
    const = _col(params, "constant", 100.0)
    # the range per group, then spread: the same numbers as per unit, for fewer passes
    width = scope.spread(hi_g - lo_g)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = _directed(
            direction,
            lambda: (x - scope.spread(lo_g)) / width,
            lambda: (scope.spread(hi_g) - x) / width,
        )
    # A constant column (max = min) needs no test of its own: its values all equal min, so
    # the fraction is 0/0, NaN, and a present value with a NaN fraction scores `constant`.
    scores = np.where(np.isnan(frac) & ~np.isnan(x), const, a + (b - a) * frac)
    return scores, {"min": lo_g, "max": hi_g}


def _directed(
    direction: FloatArray, higher: Callable[[], FloatArray], lower: Callable[[], FloatArray]
) -> FloatArray:
    """``np.where(direction > 0, higher(), lower())``, computing only the side in use when
    every column of the block points the same way (the usual case)."""
    up = direction > 0
    if up.all():
        return higher()
    if not up.any():
        return lower()
    return np.where(up, higher(), lower())


def _percentile_bound(q: float, x: FloatArray, scope: Scope) -> FloatArray:
    """A bound at the ``q``-th percentile of the peers in each group, (G, 1)."""
    xs = x[scope.order]
    bounds = np.split(xs, scope.starts[1:], axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # loop over groups (categories), not units
        return np.stack([np.nanpercentile(b, q, axis=0) for b in bounds])


def _frontier_bounds(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]], scope: Scope
) -> tuple[FloatArray, FloatArray]:
    """Best and worst (G, m) of each column: a number, ``peers`` (best / worst observed in
    the group; every column's from one pass over the block) or ``pNN`` (a percentile)."""
    m, g = x.shape[1], scope.n_groups
    best, worst = np.empty((g, m)), np.empty((g, m))
    observed: tuple[FloatArray, FloatArray] | None = None
    for j, p in enumerate(params):  # loop over indicators of the block
        for key, arr, is_best in (("best", best, True), ("worst", worst, False)):
            spec = p.get(key, "peers")
            if isinstance(spec, (int, float)):
                arr[:, j] = float(spec)
            elif spec == "peers":
                if observed is None:
                    observed = scope.bounds(x)
                lo, hi = observed
                arr[:, j] = hi[:, j] if (direction[j] > 0) == is_best else lo[:, j]
            else:
                arr[:, j] = _percentile_bound(float(str(spec)[1:]), x[:, j : j + 1], scope)[:, 0]
    return best, worst


def norm_frontier(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]], scope: Scope
) -> tuple[FloatArray, Info]:
    """Distance to frontier (对标): 100·clip((x − worst)/(best − worst), 0, 1)^power.

    ``best`` and ``worst`` are numbers, or ``peers`` (best / worst observed in the scope), or
    ``pNN`` (a percentile of the peers, e.g. ``p95``).
    Usage: ``norm_frontier(x, d, [{"best": 1, "worst": 18}], scope)`` (Doing Business).
    """
    best, worst = _frontier_bounds(x, direction, params, scope)
    power = _col(params, "power", 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # best − worst per group, then spread: the same numbers as per unit
        frac = np.clip((x - scope.spread(worst)) / scope.spread(best - worst), 0.0, 1.0)
    frac = np.where(scope.spread(best == worst) & ~np.isnan(x), 1.0, frac)
    return 100.0 * frac**power, {"best": best, "worst": worst, "power": power}


def norm_zscore(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]], scope: Scope
) -> tuple[FloatArray, Info]:
    """z-score in the scope, mapped to ``center + spread·z`` and clipped to 0–100.

    Usage: ``norm_zscore(x, d, [{"center": 50, "spread": 10}], scope)``.
    """
    missing = np.isnan(x)
    mean = scope.nanmean(x, missing)
    d, sd = scope.deviation(x, mean, missing)  # d = x − mean, as the z-score needs it
    center = _col(params, "center", 50.0)
    spread = _col(params, "spread", 10.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # 1·d is d, bit for bit: skip the pass when every column is higher-is-better
        z = (d if np.all(direction == 1.0) else direction * d) / scope.spread(sd)
    np.copyto(z, 0.0, where=~(np.isfinite(z) | missing))  # in place: z is this call's own
    if (sd == 0).any():
        np.copyto(z, 0.0, where=scope.spread(sd == 0) & ~missing)
    return _clip100(center + spread * z), {"mean": mean, "sd": sd}


def norm_percentile(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]], scope: Scope
) -> tuple[FloatArray, Info]:
    """Percentile rank in the scope: 100·(r − 1)/(n − 1), r the ascending rank (ties average).

    Usage: ``norm_percentile(x, d, [{}] * m, scope)``.
    """
    r = rank_within(x * direction, scope.codes, ties="average", descending=False)
    cnt = scope.spread(scope.count(x))
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(cnt > 1, 100.0 * (r - 1.0) / (cnt - 1.0), 100.0)
    return np.where(np.isnan(x), np.nan, s), {"peers": scope.count(x)}


def norm_rank_steps(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]], scope: Scope
) -> tuple[FloatArray, Info]:
    """名次赋分: first place ``top`` points, each place below ``step`` fewer, not below ``floor``.

    Usage: ``norm_rank_steps(x, d, [{"top": 100, "step": 5}], scope)``.
    """
    r = rank_within(x * direction, scope.codes, ties="min", descending=True)
    top = _col(params, "top", 100.0)
    step = _col(params, "step", None)
    floor = _col(params, "floor", 0.0)
    return np.maximum(top - step * (r - 1.0), floor), {"top": top, "step": step}


def norm_bands(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]]
) -> tuple[FloatArray, Info]:
    """分档计分: the score of the band the value falls in.

    ``bands: [{at: 95, score: 100}, {at: 90, score: 90}, …]`` — for higher-is-better a value
    ≥ ``at`` earns the band; for lower-is-better a value ≤ ``at``; otherwise ``else`` (0).
    Usage: ``norm_bands(x, d, [{"bands": [{"at": 90, "score": 100}]}])``.
    """
    out = np.full(x.shape, np.nan)
    for j, p in enumerate(params):  # bands differ per indicator
        bands = sorted(p["bands"], key=lambda b: float(b["at"]))
        at = np.asarray([float(b["at"]) for b in bands])
        sc = np.asarray([float(b["score"]) for b in bands])
        other = float(p.get("else", 0.0))
        col = x[:, j]
        if direction[j] > 0:
            k = np.searchsorted(at, col, side="right") - 1
            vals = np.where(k >= 0, sc[np.clip(k, 0, None)], other)
        else:
            k = np.searchsorted(at, col, side="left")
            vals = np.where(k < len(at), sc[np.clip(k, None, len(at) - 1)], other)
        out[:, j] = np.where(np.isnan(col), np.nan, vals)
    return _clip100(out), {}


def norm_manual(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]]
) -> tuple[FloatArray, Info]:
    """Manual score by the task force on 0–``full`` (default 100), rescaled to 0–100.

    Usage: ``norm_manual(np.array([[8.]]), np.ones(1), [{"full": 10}])`` → 80.
    """
    full = _col(params, "full", 100.0)
    return 100.0 * np.clip(x / full, 0.0, 1.0), {"full": full}


def norm_binary(
    x: FloatArray, direction: FloatArray, params: Sequence[Mapping[str, Any]]
) -> tuple[FloatArray, Info]:
    """Yes / no: 100 when done (value > 0); for lower-is-better 100 when the value is 0.

    Usage: ``norm_binary(np.array([[1.]]), np.ones(1), [{}])`` → 100.
    """
    yes = np.where(direction > 0, x > 0, x <= 0)
    return np.where(np.isnan(x), np.nan, 100.0 * yes), {}


def norm_growth(
    x: FloatArray,
    direction: FloatArray,
    params: Sequence[Mapping[str, Any]],
    previous: FloatArray,
) -> tuple[FloatArray, Info]:
    """Growth against the previous period, 100·(x − prev)/|prev| %, scored by goalposts.

    Usage: ``norm_growth(x, d, [{"threshold": 0, "target": 15}], prev)``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 100.0 * (x - previous) / np.abs(previous)
    rate = np.where(np.isfinite(rate), rate, np.nan)
    scores, info = norm_goalposts(rate, direction, params)
    return scores, info


def ballot_tally(counts: FloatArray, values: FloatArray) -> FloatArray:
    """民主测评: Σ votes × grade value / Σ votes, per unit (values on the 0–100 scale).

    Usage: ``ballot_tally(np.array([[30, 10, 0, 0]]), np.array([100, 80, 60, 0]))`` → 95.
    """
    total = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (counts * values).sum(axis=1) / total, np.nan)
