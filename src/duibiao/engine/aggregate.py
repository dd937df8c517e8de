"""Aggregation of children scores into a parent node (指标加权汇总)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["aggregate"]

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
    w = np.asarray(weights, dtype=np.float64)
    has = ~np.isnan(v)
    v0 = np.where(has, v, 0.0)
    wm = np.where(has, w, 0.0)
    wsum = wm.sum(axis=1)
    c = v.shape[1]
    need = min_data * c if min_data <= 1.0 else min_data
    if need > 1e-9:  # counting children with data costs a pass: only when a minimum is set
        n_have = np.count_nonzero(has, axis=1)
        empty = (n_have == 0) | (n_have < need - 1e-9)
    else:
        empty = ~has.any(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = wm / wsum[:, None]
        if method == "mean":
            contrib = shares * v0
            parent = contrib.sum(axis=1)
        elif method == "sum":
            shares = wm
            contrib = wm * v0
            parent = contrib.sum(axis=1)
        else:
            if method == "geometric":
                logs = np.log(np.where(has, np.maximum(v, 0.0), 1.0))
                parent = np.exp((shares * logs).sum(axis=1))
                parent = np.where(np.any(has & (v <= 0), axis=1), 0.0, parent)
            elif method == "harmonic":
                inv = np.where(has, 1.0 / v, 0.0)
                parent = 1.0 / (shares * inv).sum(axis=1)
                parent = np.where(np.any(has & (v <= 0), axis=1), 0.0, parent)
            elif method == "power":
                if power == 0:
                    return aggregate(v, w, "geometric", 1.0, min_data)
                pw = np.where(has, np.maximum(v, 0.0) ** power, 0.0)
                parent = (shares * pw).sum(axis=1) ** (1.0 / power)
            else:
                raise ValueError(f"unknown aggregation {method!r}")
            raw = shares * v0
            tot = raw.sum(axis=1)
            contrib = np.where(tot[:, None] > 0, raw * (parent / tot)[:, None], 0.0)
    if empty.any():  # rare: skip three passes over the block when every unit has data
        parent = np.where(empty, np.nan, parent)
        contrib = np.where(empty[:, None], np.nan, contrib)
        shares = np.where(empty[:, None], np.nan, shares)
    return parent, shares, contrib
