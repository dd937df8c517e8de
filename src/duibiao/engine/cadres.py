"""Annual grades of cadres (干部年度考核等次): the routine-grade limit and the 优秀 quota.

Two rules of 《公务员考核规定》 practice, applied in this order to each cadre's proposed grade:

1. **Routine limit (平时考核结果运用).** Poor quarterly grades cap the annual grade. A rule says
   "``count`` or more routine grades at or below ``level`` → best annual grade ``best``";
   the default is 天津's: one 一般-or-worse → at best 称职, two → at best 基本称职.
2. **优秀 quota.** Per group (the unit), 优秀 goes to at most ⌊20 % × cadres assessed⌋
   (25 % when the group's quota was approved; the rounding is declared). When more cadres
   are still proposed 优秀 than the quota allows, the best by the ranking score keep it;
   cadres tied at the boundary are all left out, so the quota is never exceeded. Those who
   lose 优秀 on quota become 称职.

A final grade is never better than the proposed one.

Usage::

    out = cadre_grades(["优秀", "优秀", "称职"], [["好"] * 4, ["一般", "好"], []],
                       ["靖宇", "靖宇", "靖宇"], [92.0, 88.0, 80.0])
    out.final, out.reasons, out.quotas
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .grade import quota_counts
from .rank import encode_groups, rank_within

__all__ = [
    "ANNUAL_GRADES",
    "DEFAULT_CADRE_RULES",
    "ROUTINE_GRADES",
    "TIANJIN_LIMITS",
    "CadreGrading",
    "CadreRules",
    "RoutineLimit",
    "cadre_grades",
    "routine_caps",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: 年度考核等次, best first; a grade's index is its order (0 = 优秀).
ANNUAL_GRADES: tuple[str, ...] = ("优秀", "称职", "基本称职", "不称职")
#: 平时考核等次, best first.
ROUTINE_GRADES: tuple[str, ...] = ("好", "较好", "一般", "较差")

REASON_QUOTA = "超出优秀比例"


@dataclass(frozen=True)
class RoutineLimit:
    """``count`` or more routine grades at or below ``level`` → annual grade at best ``best``."""

    level: str
    count: int
    best: str

    def __post_init__(self) -> None:
        if self.level not in ROUTINE_GRADES:
            raise ValueError(f"unknown routine grade {self.level!r}")
        if self.best not in ANNUAL_GRADES:
            raise ValueError(f"unknown annual grade {self.best!r}")
        if self.count < 1:
            raise ValueError("a routine limit needs count ≥ 1")


#: 天津: one routine grade 一般 or lower → no annual 优秀; two → no 称职.
TIANJIN_LIMITS: tuple[RoutineLimit, ...] = (
    RoutineLimit("一般", 1, "称职"),
    RoutineLimit("一般", 2, "基本称职"),
)


@dataclass(frozen=True)
class CadreRules:
    """The configurable rules; the defaults are the national 20 % / 25 % and 天津's limits."""

    limits: tuple[RoutineLimit, ...] = TIANJIN_LIMITS
    quota: float = 0.20
    approved_quota: float = 0.25
    rounding: str = "floor"  # floor / round (half up) / ceil of share × group size

    def __post_init__(self) -> None:
        if not 0.0 <= self.quota <= self.approved_quota <= 1.0:
            raise ValueError("need 0 ≤ quota ≤ approved_quota ≤ 1")
        if self.rounding not in ("floor", "round", "ceil"):
            raise ValueError(f"unknown quota rounding {self.rounding!r}")


DEFAULT_CADRE_RULES = CadreRules()


@dataclass(frozen=True)
class CadreGrading:
    """Result of `cadre_grades`: per cadre the final grade ("" when none was proposed) and
    the reason it differs from the proposal ("" when it does not); per group the quota."""

    final: list[str]
    reasons: list[str]
    quotas: dict[str, int] = field(default_factory=dict)
    final_index: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _index(values: Sequence[str], scale: tuple[str, ...], what: str) -> IntArray:
    lookup = {name: i for i, name in enumerate(scale)}
    out = np.full(len(values), -1, dtype=np.int64)
    for i, value in enumerate(values):
        if value:
            if value not in lookup:
                raise ValueError(f"unknown {what} grade {value!r}")
            out[i] = lookup[value]
    return out


def _routine_matrix(routine: Sequence[Sequence[str]]) -> IntArray:
    width = max((len(row) for row in routine), default=0)
    matrix = np.full((len(routine), max(width, 1)), -1, dtype=np.int64)
    for i, row in enumerate(routine):
        matrix[i, : len(row)] = _index(row, ROUTINE_GRADES, "routine")
    return matrix


def routine_caps(
    routine: IntArray, limits: Sequence[RoutineLimit] = TIANJIN_LIMITS
) -> tuple[IntArray, IntArray]:
    """Best annual grade index each cadre may get (0 = no cap), and the rule that set it
    (−1 = none). ``routine`` is (n, quarters) of routine grade indices, −1 where missing.

    Usage: ``routine_caps(np.array([[0, 2, 0, 0]]))`` → ``([1], [0])``.
    """
    r = np.asarray(routine, dtype=np.int64)
    cap = np.zeros(r.shape[0], dtype=np.int64)
    which = np.full(r.shape[0], -1, dtype=np.int64)
    for k, limit in enumerate(limits):  # few rules; vectorised over cadres
        level = ROUTINE_GRADES.index(limit.level)
        poor = ((r >= level) & (r >= 0)).sum(axis=1)
        best = ANNUAL_GRADES.index(limit.best)
        hit = (poor >= limit.count) & (best > cap)
        cap[hit] = best
        which[hit] = k
    return cap, which


def cadre_grades(
    proposed: Sequence[str],
    routine: Sequence[Sequence[str]],
    groups: Sequence[str],
    scores: Sequence[float] | FloatArray,
    approved_groups: Collection[str] = (),
    rules: CadreRules = DEFAULT_CADRE_RULES,
) -> CadreGrading:
    """Final annual grades: routine limit first, then the 优秀 quota per group.

    ``proposed``: proposed annual grade per cadre ("" = not proposed: not graded, not counted
    in the group size). ``routine``: the cadre's routine grades of the year, any number.
    ``groups``: the quota group (unit) per cadre. ``scores``: ranking score for the quota
    (higher is better; NaN ranks last). ``approved_groups``: groups whose 25 % was approved.

    Usage: ``cadre_grades(["优秀"] * 5, [[]] * 5, ["a"] * 5, [5, 4, 3, 2, 1]).final``
    → ``["优秀", "称职", "称职", "称职", "称职"]``.
    """
    n = len(proposed)
    if not (len(routine) == len(groups) == len(scores) == n):
        raise ValueError("proposed, routine, groups and scores must have the same length")
    grade = _index(proposed, ANNUAL_GRADES, "annual")
    valid = grade >= 0
    reasons = [""] * n
    if n == 0:
        return CadreGrading([], [], {}, grade)

    # 1. Routine limit.
    cap, which = routine_caps(_routine_matrix(routine), rules.limits)
    capped = valid & (grade < cap)
    poor_counts = _poor_counts(_routine_matrix(routine), rules.limits, which)
    for i in np.flatnonzero(capped):
        limit = rules.limits[int(which[i])]
        barred = ANNUAL_GRADES[int(cap[i]) - 1]
        reasons[i] = f"平时考核{limit.level}及以下{int(poor_counts[i])}次，年度不得评为{barred}"
    final = np.where(capped, cap, grade)

    # 2. 优秀 quota per group.
    labels = [str(g) for g in groups]
    codes = encode_groups(labels, n)
    n_groups = int(codes.max()) + 1
    names = [""] * n_groups
    for label, code in zip(labels, codes, strict=True):
        names[int(code)] = label
    sizes = np.bincount(codes[valid], minlength=n_groups).astype(np.float64)
    approved = np.array([name in approved_groups for name in names], dtype=bool)
    allowed = np.where(
        approved,
        quota_counts(sizes, rules.approved_quota, rules.rounding),
        quota_counts(sizes, rules.quota, rules.rounding),
    )
    candidate = valid & (final == 0)
    wanted = np.bincount(codes[candidate], minlength=n_groups)
    s = np.asarray(scores, dtype=np.float64)
    # "max" ranks every tied cadre at the bottom of its run: ties at the boundary all miss.
    r = rank_within(np.where(candidate, s, np.nan), codes, ties="max")
    keep = (wanted[codes] <= allowed[codes]) | (r <= allowed[codes])
    lost = candidate & ~keep
    final = np.where(lost, 1, final)
    for i in np.flatnonzero(lost):
        reasons[i] = REASON_QUOTA

    final = np.where(valid, final, -1).astype(np.int64)
    return CadreGrading(
        final=[ANNUAL_GRADES[int(g)] if g >= 0 else "" for g in final],
        reasons=reasons,
        quotas={names[g]: int(allowed[g]) for g in range(n_groups)},
        final_index=final,
    )


def _poor_counts(routine: IntArray, limits: Sequence[RoutineLimit], which: IntArray) -> IntArray:
    """How many routine grades at or below the level of the rule that capped each cadre."""
    counts = np.zeros(routine.shape[0], dtype=np.int64)
    for k, limit in enumerate(limits):
        level = ROUTINE_GRADES.index(limit.level)
        mask = which == k
        counts[mask] = ((routine[mask] >= level) & (routine[mask] >= 0)).sum(axis=1)
    return counts
