"""Weight sets (权重): fixed, AHP (层次分析法), entropy (熵权法), CRITIC, and combinations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "RANDOM_INDEX",
    "AHPResult",
    "InconsistentJudgements",
    "ahp_weights",
    "combine_weights",
    "critic_weights",
    "entropy_weights",
    "normalise_weights",
]

FloatArray = NDArray[np.float64]

#: Random consistency indices RI(n), n = 1, 2, …, by their published source.
RANDOM_INDEX: dict[str, tuple[float, ...]] = {
    # Saaty (1980), The Analytic Hierarchy Process, n = 1…10 (as in Chinese textbooks),
    # extended to 15 with the values commonly quoted after Saaty (1.51, 1.48, 1.56, 1.57, 1.59)
    "saaty": (
        0.0,
        0.0,
        0.58,
        0.90,
        1.12,
        1.24,
        1.32,
        1.41,
        1.45,
        1.49,
        1.51,
        1.48,
        1.56,
        1.57,
        1.59,
    ),
    # Alonso & Lamata (2006), Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems 14(4)
    "alonso-lamata": (
        0.0,
        0.0,
        0.5245,
        0.8815,
        1.1086,
        1.2479,
        1.3417,
        1.4056,
        1.4499,
        1.4854,
        1.5141,
        1.5365,
        1.5551,
        1.5713,
        1.5838,
    ),
}


class InconsistentJudgements(ValueError):
    """An AHP matrix whose consistency ratio exceeds the limit (CR > 0.10)."""


@dataclass(frozen=True)
class AHPResult:
    weights: FloatArray
    lambda_max: float
    ci: float
    ri: float
    cr: float


def normalise_weights(w: FloatArray) -> FloatArray:
    """Scale non-negative weights to sum to 1. Usage: ``normalise_weights(np.array([3., 1.]))``."""
    w = np.asarray(w, dtype=np.float64)
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite and non-negative")
    s = w.sum()
    if s <= 0:
        raise ValueError("weights must not all be zero")
    return np.asarray(w / s, dtype=np.float64)


def ahp_weights(
    matrix: FloatArray | list[list[float]],
    random_index: str = "saaty",
    limit: float = 0.10,
    accept_inconsistent: bool = False,
) -> AHPResult:
    """AHP priorities: principal right eigenvector of the pairwise matrix, with CI and CR.

    CI = (λmax − n)/(n − 1), CR = CI / RI(n) from the named table. CR > ``limit`` raises
    :class:`InconsistentJudgements` unless ``accept_inconsistent``.
    Usage: ``ahp_weights([[1, 3], [1/3, 1]]).weights`` → ``[0.75, 0.25]``.
    """
    a = np.asarray(matrix, dtype=np.float64)
    n = a.shape[0]
    if a.shape != (n, n) or np.any(a <= 0):
        raise ValueError("AHP needs a square matrix of positive judgements")
    if not np.allclose(a * a.T, 1.0, rtol=1e-3):
        raise ValueError("AHP matrix must be reciprocal: a[j][i] = 1 / a[i][j]")
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    lam = float(vals[k].real)
    table = RANDOM_INDEX[random_index]
    if n > len(table):
        raise ValueError(f"random index table {random_index!r} stops at n = {len(table)}")
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    ri = table[n - 1]
    cr = ci / ri if ri > 0 else 0.0
    if cr > limit and not accept_inconsistent:
        raise InconsistentJudgements(
            f"consistency ratio CR = {cr:.3f} > {limit:.2f} (λmax = {lam:.3f}, CI = {ci:.3f}, "
            f"RI = {ri}); revise the judgements or accept explicitly"
        )
    return AHPResult(weights=w, lambda_max=lam, ci=ci, ri=ri, cr=cr)


def entropy_weights(x: FloatArray, variant: str = "limit", prenormalise: str = "sum") -> FloatArray:
    """Entropy weights: w_j ∝ 1 − E_j, E_j = −Σ p_ij ln p_ij / ln m.

    ``prenormalise``: ``sum`` (p_ij = x_ij / Σ_i x_ij, values must be ≥ 0) or ``minmax``
    (min–max first, then sum). ``variant`` is the 0·ln 0 rule: ``limit`` takes 0·ln 0 = 0;
    ``pymcdm`` gives a column with any zero share an entropy of 0 (pymcdm 1.x behaviour).
    Rows with missing values are dropped. Usage: ``entropy_weights(matrix)``.
    """
    a = np.asarray(x, dtype=np.float64)
    a = a[~np.isnan(a).any(axis=1)]
    m = a.shape[0]
    if m < 2:
        raise ValueError("entropy weights need at least two complete rows")
    if prenormalise == "minmax":
        lo, hi = a.min(axis=0), a.max(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(hi > lo, (a - lo) / (hi - lo), 1.0)
    if np.any(a < 0):
        raise ValueError("entropy weights need non-negative values")
    col = a.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(col > 0, a / col, 1.0 / m)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(m)
    if variant == "pymcdm":
        e = np.where(np.any(p == 0, axis=0), 0.0, e)
    elif variant != "limit":
        raise ValueError(f"unknown entropy variant {variant!r}")
    d = 1.0 - e
    return normalise_weights(d)


def critic_weights(x: FloatArray) -> FloatArray:
    """CRITIC (Diakoulaki 1995): C_j = σ_j Σ_k (1 − r_jk) on min–max normalised columns.

    σ with ddof = 1 and Pearson r, as pymcdm. Rows with missing values are dropped.
    Usage: ``critic_weights(matrix)``.
    """
    a = np.asarray(x, dtype=np.float64)
    a = a[~np.isnan(a).any(axis=1)]
    lo, hi = a.min(axis=0), a.max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(hi > lo, (a - lo) / (hi - lo), 1.0)
    sd = z.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.corrcoef(z, rowvar=False)
    r = np.where(np.isnan(r), 0.0, np.atleast_2d(r))
    c = sd * (1.0 - r).sum(axis=0)
    return normalise_weights(c)


def combine_weights(w1: FloatArray, w2: FloatArray, alpha: float = 0.5) -> FloatArray:
    """Convex combination α·w1 + (1 − α)·w2 of two weight sets (主客观组合赋权).

    Usage: ``combine_weights(ahp, entropy, 0.6)``.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError("alpha must lie in [0, 1]")
    return normalise_weights(alpha * normalise_weights(w1) + (1 - alpha) * normalise_weights(w2))
