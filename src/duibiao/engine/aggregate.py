"""Aggregation of children scores into a parent node (指标加权汇总)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["aggregate", "aggregate_rows", "sum_children"]

FloatArray = NDArray[np.float64]


def aggregate(
    values: FloatArray,
    weights: FloatArray,
    method: str = "mean",
    power: float = 1.0,
    min_data: float = 0.0,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Aggregate children ``values`` (n, c) with ``weights`` (c,) into the parent (n,).

    Weights are rescaled over the children that have data. Methods: ``mean`` (weighted
    arithmetic), ``geometric``, ``harmonic``, ``power`` (generalised mean of order ``power``) and
    ``sum`` (sum of weighted points, no rescaling). ``min_data`` is a share (≤ 1) or count (> 1) of
    children that must have data, else the parent is NaN.

    Returns ``(parent, shares, contributions)``: shares are the effective weights per unit; the
    contributions of the children add up to the parent exactly for ``mean`` and ``sum``, and are
    a proportional attribution (share·value, rescaled) for the non-linear means.
    Usage: ``score, shares, contrib = aggregate(v, np.array([0.3, 0.7]))``.
    """
    v = np.asarray(values, dtype=np.float64)
    parent, shares, contrib = aggregate_rows(
        np.ascontiguousarray(v.T), weights, method, power, min_data
    )
    return parent, shares.T, contrib.T


def aggregate_rows(
    rows: FloatArray,
    weights: FloatArray,
    method: str = "mean",
    power: float = 1.0,
    min_data: float = 0.0,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:func:`aggregate` on the children as rows, ``rows`` (c, n): a child's scores are one
    contiguous row, so every step is a pass over whole rows rather than over n short rows of
    c values. Returns ``(parent (n,), shares (c, n), contributions (c, n))``; the numbers are
    those of :func:`aggregate` bit for bit (the sums over children add in numpy's order, see
    :func:`sum_children`).
    Usage: ``parent, shares, contrib = aggregate_rows(np.stack([s1, s2]), np.array([1., 1.]))``.
    """
    v = np.asarray(rows, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)[:, None]
    has = ~np.isnan(v)
    v0 = np.where(has, v, 0.0)
    wm = np.where(has, w, 0.0)
    wsum = sum_children(wm)
    c = v.shape[0]
    need = min_data * c if min_data <= 1.0 else min_data
    if need > 1e-9:  # counting children with data costs a pass: only when a minimum is set
        n_have = np.count_nonzero(has, axis=0)
        empty = (n_have == 0) | (n_have < need - 1e-9)
    else:
        empty = ~has.any(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = wm / wsum
        if method == "mean":
            contrib = shares * v0
            parent = sum_children(contrib)
        elif method == "sum":
            shares = wm
            contrib = wm * v0
            parent = sum_children(contrib)
        else:
            mean = _nonlinear(v, has, shares, method, power)
            if mean is None:  # power 0 is the geometric mean
                return aggregate_rows(v, weights, "geometric", 1.0, min_data)
            parent = mean
            raw = shares * v0
            tot = sum_children(raw)
            contrib = np.where(tot > 0, raw * (parent / tot), 0.0)
    if empty.any():  # rare: skip three passes over the block when every unit has data
        parent = np.where(empty, np.nan, parent)
        contrib = np.where(empty, np.nan, contrib)
        shares = np.where(empty, np.nan, shares)
    return parent, shares, contrib


def _nonlinear(
    v: FloatArray, has: NDArray[np.bool_], shares: FloatArray, method: str, power: float
) -> FloatArray | None:
    """The parent under a geometric, harmonic or power mean (None: power 0, geometric)."""
    if method == "geometric":
        logs = np.log(np.where(has, np.maximum(v, 0.0), 1.0))
        parent = np.exp(sum_children(shares * logs))
        return np.where(np.any(has & (v <= 0), axis=0), 0.0, parent)
    if method == "harmonic":
        inv = np.where(has, 1.0 / v, 0.0)
        parent = 1.0 / sum_children(shares * inv)
        return np.where(np.any(has & (v <= 0), axis=0), 0.0, parent)
    if method == "power":
        if power == 0:
            return None
        pw = np.where(has, np.maximum(v, 0.0) ** power, 0.0)
        return np.asarray(sum_children(shares * pw) ** (1.0 / power), dtype=np.float64)
    raise ValueError(f"unknown aggregation {method!r}")


# --- the sum over children, in numpy's order ----------------------------------------------
#
# A parent's score was always numpy's ``block.sum(axis=1)`` over an (n, c) block, and a
# published score must not move in its last bit because the engine got faster. numpy adds a
# row as 0.0 + pairwise(row): fewer than 8 values one after another; up to 128 in eight
# running sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the rest one by one;
# more, split in two at a multiple of 8 below the half. ``sum_children`` does the same
# additions on whole rows. Each number of children is checked once against numpy itself, and
# numpy's own sum is used if the two ever differ (a numpy that adds in another order).

_AGREES: dict[int, bool] = {}


def sum_children(rows: FloatArray) -> FloatArray:
    """Σ over the children (axis 0 of a (c, n) block), equal bit for bit to numpy's
    ``rows.T.sum(axis=1)`` on a C-ordered (n, c) block. Usage: ``sum_children(contrib)``."""
    c = rows.shape[0]
    if c == 0:
        return np.zeros(rows.shape[1])
    if c not in _AGREES:
        _AGREES[c] = _agrees_with_numpy(c)
    if not _AGREES[c]:
        return np.asarray(np.ascontiguousarray(rows.T).sum(axis=1), dtype=np.float64)
    return _pairwise(list(rows)) + 0.0


def _pairwise(a: list[FloatArray]) -> FloatArray:
    n = len(a)
    if n < 8:
        res = a[0] + 0.0
        for x in a[1:]:
            res += x
        return res
    if n <= 128:
        r = [a[j] + 0.0 for j in range(8)]
        i = 8
        while i < n - (n % 8):
            for j in range(8):
                r[j] += a[i + j]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for x in a[i:]:
            res += x
        return res
    half = n // 2
    half -= half % 8
    return _pairwise(a[:half]) + _pairwise(a[half:])


def _agrees_with_numpy(c: int) -> bool:
    """Whether :func:`_pairwise` adds ``c`` values as numpy does, on values of every sign and
    size, zeros of both signs among them."""
    rng = np.random.default_rng(c)
    block = rng.normal(size=(64, c)) * 10.0 ** rng.integers(-6, 6, size=(64, c))
    block[rng.random(block.shape) < 0.1] = 0.0
    block[rng.random(block.shape) < 0.1] = -0.0
    block[0] = -0.0
    ours = _pairwise(list(np.ascontiguousarray(block.T))) + 0.0
    theirs = block.sum(axis=1)
    return bool(
        np.array_equal(ours, theirs) and np.array_equal(np.signbit(ours), np.signbit(theirs))
    )
