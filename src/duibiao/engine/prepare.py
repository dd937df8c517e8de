"""Preparation of raw values (数据预处理): denominate, impute, screen, treat outliers."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from .normalise import Scope

__all__ = [
    "coverage",
    "denominate",
    "impute",
    "kurtosis",
    "skewness",
    "treat_skew_kurtosis",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def denominate(x: FloatArray, denominator: FloatArray, scale: float = 1.0) -> FloatArray:
    """Divide by a denominator column (e.g. per capita, per GDP); 0 or missing → NaN.

    Usage: ``denominate(flights, population)``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out = scale * x / denominator
    return np.where(np.isfinite(out), out, np.nan)


def impute(
    x: FloatArray,
    method: str,
    scope: Scope | None = None,
    previous: FloatArray | None = None,
    value: float | None = None,
    applicable: BoolArray | None = None,
) -> tuple[FloatArray, BoolArray]:
    """Fill missing values; returns (values, imputed mask). Not-applicable cells stay NaN.

    ``method``: none, mean, median, group_mean / group_median (``scope`` = the group),
    previous (last period's value), value (a fixed number).
    Usage: ``impute(x, "group_mean", Scope(group_codes, n))``.
    """
    missing = np.isnan(x)
    if applicable is not None:
        missing &= applicable
    if method == "none" or not missing.any():
        return x, np.zeros(x.shape, dtype=bool)
    if method in ("mean", "group_mean"):
        sc = scope if (method == "group_mean" and scope is not None) else Scope(None, x.shape[0])
        fill = sc.spread(sc.nanmean(x))
    elif method in ("median", "group_median"):
        sc = scope if (method == "group_median" and scope is not None) else Scope(None, x.shape[0])
        xs = x[sc.order]
        parts = np.split(xs, sc.starts[1:], axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            # loop over groups, not units
            fill = sc.spread(np.stack([np.nanmedian(p, axis=0) for p in parts]))
    elif method == "previous":
        if previous is None:
            return x, np.zeros(x.shape, dtype=bool)
        fill = previous
    elif method == "value":
        fill = np.full(x.shape, np.nan if value is None else float(value))
    else:
        raise ValueError(f"unknown imputation {method!r}")
    out = np.where(missing, fill, x)
    return out, missing & ~np.isnan(out)


def coverage(x: FloatArray, applicable: BoolArray) -> FloatArray:
    """Share of applicable indicators with data, per unit (screening 数据完整度).

    Usage: ``keep = coverage(values, applicable) >= 0.9``.
    """
    n_app = applicable.sum(axis=1)
    have = (~np.isnan(x) & applicable).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_app > 0, have / n_app, 1.0)


def skewness(x: FloatArray) -> FloatArray:
    """Sample skewness, type 2 (Excel SKEW, e1071 type 2), per column, NaN ignored.

    Usage: ``skewness(block)``.
    """
    n = (~np.isnan(x)).sum(axis=0).astype(np.float64)
    d = x - np.nanmean(x, axis=0)
    m2 = np.nansum(d**2, axis=0)
    m3 = np.nansum(d**3, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        g1 = np.sqrt(n) * m3 / m2**1.5
        return np.asarray(g1 * np.sqrt(n * (n - 1)) / (n - 2), dtype=np.float64)


def kurtosis(x: FloatArray) -> FloatArray:
    """Sample excess kurtosis, type 2 (Excel KURT, e1071 type 2), per column, NaN ignored.

    Usage: ``kurtosis(block)``.
    """
    n = (~np.isnan(x)).sum(axis=0).astype(np.float64)
    d = x - np.nanmean(x, axis=0)
    m2 = np.nansum(d**2, axis=0)
    m4 = np.nansum(d**4, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = n * m4 / m2**2
        return np.asarray(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)), dtype=np.float64)


def _passes(x: FloatArray, skew_max: float, kurt_max: float) -> bool:
    sk = skewness(x[:, None])[0]
    ku = kurtosis(x[:, None])[0]
    return bool(abs(sk) < skew_max or ku < kurt_max or np.isnan(sk) or np.isnan(ku))


def treat_skew_kurtosis(
    x: FloatArray,
    winmax: int = 5,
    skew_max: float = 2.0,
    kurt_max: float = 3.5,
    fallback: str = "log",
) -> tuple[FloatArray, dict[str, object]]:
    """Outlier treatment as COINr's default ``Treat()``, for one indicator column.

    Passes when |skewness| < ``skew_max`` or kurtosis < ``kurt_max``. Otherwise winsorise on the
    side of the skew — each step sets the current extreme value(s) to the next value — until it
    passes or ``winmax`` points are winsorised; if it still fails, use
    ``log(x − min + 0.01·(max − min))`` of the original values.
    Usage: ``treated, info = treat_skew_kurtosis(column)``.
    """
    orig = np.asarray(x, dtype=np.float64)
    if _passes(orig, skew_max, kurt_max):
        return orig, {"treatment": "none", "winsorised": 0}
    y = orig.copy()
    n_win = 0
    hi_pts = np.zeros(0, dtype=np.int64)
    lo_pts = np.zeros(0, dtype=np.int64)
    while not _passes(y, skew_max, kurt_max) and n_win < winmax:  # ≤ winmax steps
        if skewness(y[:, None])[0] >= 0:
            top = np.nanmax(y)
            hi_pts = np.flatnonzero(y == top)
            y[hi_pts] = np.nanmax(np.where(y == top, np.nan, y))
        else:
            bottom = np.nanmin(y)
            lo_pts = np.flatnonzero(y == bottom)
            y[lo_pts] = np.nanmin(np.where(y == bottom, np.nan, y))
        n_win = len(hi_pts) + len(lo_pts)
    if _passes(y, skew_max, kurt_max):
        return y, {"treatment": "winsorise", "winsorised": n_win}
    if fallback != "log":
        return y, {"treatment": "winsorise", "winsorised": n_win, "passes": False}
    lo, hi = np.nanmin(orig), np.nanmax(orig)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log(orig - lo + 0.01 * (hi - lo))
    return z, {"treatment": "log", "winsorised": 0}
