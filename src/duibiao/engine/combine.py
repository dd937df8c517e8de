"""多考合一: combine several assessments (平时 / 目标 / 年度) and several periods."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["average_periods", "combine_parts"]

FloatArray = NDArray[np.float64]


def average_periods(scores: Sequence[FloatArray]) -> FloatArray:
    """Mean over periods per unit, ignoring periods without a score (e.g. four quarters).

    Usage: ``average_periods([q1, q2, q3, q4])``.
    """
    stack = np.vstack([np.asarray(s, dtype=np.float64) for s in scores])
    have = ~np.isnan(stack)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(have.any(axis=0), np.nansum(stack, axis=0) / have.sum(axis=0), np.nan)


def combine_parts(
    parts: Mapping[str, FloatArray], weights: Mapping[str, float], rescale: bool = True
) -> FloatArray:
    """Weighted combination Σ w_p · score_p of the parts; weights rescaled over parts present.

    Usage: ``combine_parts({"routine": r, "annual": a}, {"routine": 0.3, "annual": 0.7})``.
    """
    codes = list(weights)
    stack = np.vstack([np.asarray(parts[c], dtype=np.float64) for c in codes])
    w = np.asarray([weights[c] for c in codes], dtype=np.float64)[:, None]
    have = ~np.isnan(stack)
    num = np.where(have, stack * w, 0.0).sum(axis=0)
    den = np.where(have, w, 0.0).sum(axis=0) if rescale else w.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(have.any(axis=0), num / den, np.nan)
