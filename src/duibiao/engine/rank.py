"""Ranking within groups (排名) with a declared tie rule, and rank change (晋位 / 退位)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["encode_groups", "rank_change", "rank_within", "round_half_up"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

TIE_RULES = ("min", "max", "dense", "average", "ordinal")


def encode_groups(labels: Sequence[str] | NDArray[np.str_] | None, n: int) -> IntArray:
    """Map group labels to integer codes 0..G-1 (all zeros when ``labels`` is None).

    Usage: ``codes = encode_groups(["街道", "部门", "街道"], 3)``  → ``[1, 0, 1]``.
    """
    if labels is None:
        return np.zeros(n, dtype=np.int64)
    _, codes = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
    return codes.astype(np.int64).reshape(n)


def round_half_up(x: FloatArray, decimals: int) -> FloatArray:
    """Round half away from zero (四舍五入), as offices do by hand, not banker's rounding.

    Usage: ``round_half_up(np.array([2.345]), 2)`` → ``[2.35]``.
    """
    f = 10.0**decimals
    # the tiny nudge absorbs binary representation error (2.345 is 2.34499999…)
    return np.sign(x) * np.floor(np.abs(x) * f + 0.5 + 1e-9) / f


def rank_within(
    scores: FloatArray,
    groups: IntArray | None = None,
    ties: str = "min",
    descending: bool = True,
) -> FloatArray:
    """Rank ``scores`` within each group; NaN scores get NaN ranks.

    ``scores`` may be (n,) or (n, m): each column is ranked on its own. ``ties`` is one of
    min (1,2,2,4), max (1,3,3,4), dense (1,2,2,3), average (1,2.5,2.5,4) or ordinal.

    Usage: ``rank_within(np.array([90., 80., 90.]), ties="min")`` → ``[1., 3., 1.]``.
    """
    if ties not in TIE_RULES:
        raise ValueError(f"unknown tie rule {ties!r}")
    s = np.asarray(scores, dtype=np.float64)
    one_d = s.ndim == 1
    if one_d:
        s = s[:, None]
    n = s.shape[0]
    if n == 0:
        return np.empty_like(s[:, 0] if one_d else s)
    g = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    key = -s if descending else s  # NaN stays NaN and sorts last
    o1 = np.argsort(key, axis=0, kind="stable")
    o2 = np.argsort(g[o1], axis=0, kind="stable")
    order = np.take_along_axis(o1, o2, axis=0)
    sk = np.take_along_axis(key, order, axis=0)
    sg = g[order]
    idx = np.broadcast_to(np.arange(n)[:, None], s.shape)
    new_group = np.ones(s.shape, dtype=bool)
    new_group[1:] = sg[1:] != sg[:-1]
    new_val = new_group.copy()
    new_val[1:] |= sk[1:] != sk[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, idx, 0), axis=0)
    if ties == "ordinal":
        r = (idx - group_start + 1).astype(np.float64)
    else:
        run_start = np.maximum.accumulate(np.where(new_val, idx, 0), axis=0)
        rmin = (run_start - group_start + 1).astype(np.float64)
        if ties == "min":
            r = rmin
        elif ties == "dense":
            c = np.cumsum(new_val, axis=0)
            r = (c - np.take_along_axis(c, group_start, axis=0) + 1).astype(np.float64)
        else:
            end = np.ones(s.shape, dtype=bool)
            end[:-1] = new_val[1:]
            run_end = np.flip(
                np.minimum.accumulate(np.flip(np.where(end, idx, n), axis=0), axis=0), axis=0
            )
            rmax = (run_end - group_start + 1).astype(np.float64)
            r = rmax if ties == "max" else (rmin + rmax) / 2.0
    out = np.empty(s.shape, dtype=np.float64)
    np.put_along_axis(out, order, r, axis=0)
    out[np.isnan(s)] = np.nan
    return out[:, 0] if one_d else out


def rank_change(current: FloatArray, previous: FloatArray) -> FloatArray:
    """Places gained against the previous result: positive = 晋位 (up), negative = 退位 (down).

    Usage: ``rank_change(np.array([2.]), np.array([5.]))`` → ``[3.]``.
    """
    return np.asarray(previous, dtype=np.float64) - np.asarray(current, dtype=np.float64)
