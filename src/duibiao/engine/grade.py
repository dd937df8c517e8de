"""Grades (等次) by thresholds and quotas within a scope, veto caps applied last."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .rank import rank_within
from .scheme import Grading

__all__ = ["assign_grades", "quota_counts"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def quota_counts(sizes: FloatArray, share: float, rounding: str) -> FloatArray:
    """Places a quota share gives each group: floor / round (half up) / ceil of share × size.

    Usage: ``quota_counts(np.array([23.]), 0.2, "floor")`` → ``[4.]``.
    """
    raw = sizes * share
    if rounding == "floor":
        return np.floor(raw + 1e-9)
    if rounding == "ceil":
        return np.ceil(raw - 1e-9)
    if rounding == "round":
        return np.floor(raw + 0.5 + 1e-9)
    raise ValueError(f"unknown quota rounding {rounding!r}")


def assign_grades(
    scores: FloatArray,
    groups: IntArray,
    grading: Grading,
    cap: IntArray | None = None,
) -> IntArray:
    """Grade index per unit (0 = best; −1 = no grade, e.g. no score).

    Grades are tried best first: a unit gets a grade when its score reaches ``min`` and, for a
    grade with a quota, it is among the first ⌊quota × group size⌋ (rounding declared) of the
    units still eligible in its group. Units tied at the quota boundary are all excluded
    (``quota_ties: exclude``, the quota is never exceeded) or all included (``include``). A unit
    that misses a grade on quota falls to the next grade it reaches. ``cap`` (from vetoes) is
    applied last: no unit ends better than its cap. With ``grading.veto_frees_quota`` a capped
    unit does not compete for the grades above its cap, so its quota place passes down.
    Usage: ``assign_grades(final, category_codes, scheme.grading, veto_cap)``.
    """
    s = np.asarray(scores, dtype=np.float64)
    out = np.full(s.shape[0], -1, dtype=np.int64)
    if not grading.grades:
        return out
    valid = ~np.isnan(s)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    sizes = np.bincount(groups[valid], minlength=n_groups).astype(np.float64)
    tie_rule = "max" if grading.quota_ties == "exclude" else "min"
    for gi, grade in enumerate(grading.grades):  # loop over grades, vectorised over units
        eligible = valid & (out < 0) & (s >= grade.min - 1e-9)
        if cap is not None and grading.veto_frees_quota:
            eligible &= cap <= gi
        if grade.quota is not None:
            allowed = quota_counts(sizes, grade.quota, grading.quota_rounding)
            r = rank_within(np.where(eligible, s, np.nan), groups, ties=tie_rule)
            eligible &= r <= allowed[groups]
        out[eligible] = gi
    if cap is not None:
        out = np.where(out >= 0, np.maximum(out, cap), out)
    return out
