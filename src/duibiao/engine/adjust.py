"""Adjustments (奖惩事项: bonus 加分 / penalty 扣分) and vetoes (一票否决)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .scheme import AdjustmentRules, Grading, Veto

__all__ = ["AdjustmentOutcome", "apply_adjustments", "apply_vetoes"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class AdjustmentOutcome:
    score: FloatArray  # adjusted score
    points: FloatArray  # (n, a) points per item after the per-item cap (signed)
    bonus: FloatArray  # (n,) total bonus after the per-unit cap
    penalty: FloatArray  # (n,) total penalty after the per-unit cap (positive number)


def apply_adjustments(
    base: FloatArray, events: FloatArray | None, rules: AdjustmentRules
) -> AdjustmentOutcome:
    """Add bonuses and subtract penalties in the declared order.

    Points = events × points per event, capped per item (``cap``), summed by kind and capped per
    unit (``bonus_cap``, ``penalty_cap``); ``order`` lists the steps ``bonus``, ``penalty`` and
    ``clip`` (floor / ceiling of the final score). ``base`` may be (n,) or (n, R).
    Usage: ``apply_adjustments(scores, events, scheme.adjustments).score``.
    """
    n = base.shape[0]
    a = len(rules.items)
    ev = np.zeros((n, a)) if events is None else np.nan_to_num(np.asarray(events, dtype=float))
    per = np.asarray([it.points for it in rules.items], dtype=np.float64)
    cap = np.asarray([np.inf if it.cap is None else it.cap for it in rules.items])
    is_bonus = np.asarray([it.kind == "bonus" for it in rules.items], dtype=bool)
    pts = np.minimum(np.abs(ev * per), cap) if a else np.zeros((n, 0))
    bonus = np.where(is_bonus, pts, 0.0).sum(axis=1)
    penalty = np.where(~is_bonus, pts, 0.0).sum(axis=1)
    if rules.bonus_cap is not None:
        bonus = np.minimum(bonus, rules.bonus_cap)
    if rules.penalty_cap is not None:
        penalty = np.minimum(penalty, rules.penalty_cap)
    shape = (n,) + (1,) * (base.ndim - 1)
    s = base.copy()
    lo = -np.inf if rules.floor is None else rules.floor
    hi = np.inf if rules.ceiling is None else rules.ceiling
    for step in rules.order:  # declared order of operations
        if step == "bonus":
            s = s + bonus.reshape(shape)
        elif step == "penalty":
            s = s - penalty.reshape(shape)
        elif step == "clip":
            s = np.clip(s, lo, hi)
        else:
            raise ValueError(f"unknown adjustment step {step!r}")
    signed = np.where(is_bonus, pts, -pts) if a else pts
    return AdjustmentOutcome(score=s, points=signed, bonus=bonus, penalty=penalty)


def apply_vetoes(
    score: FloatArray, flags: FloatArray | None, vetoes: tuple[Veto, ...], grading: Grading
) -> tuple[FloatArray, NDArray[np.bool_], IntArray]:
    """Apply 一票否决: ``zero`` sets the score to 0; ``cap_grade`` limits the grade.

    ``flags`` (n, v) are event counts / 1-0 flags. Returns (score, vetoed (n, v) bool, grade cap
    index per unit: the best grade index allowed, 0 when uncapped).
    Usage: ``score, vetoed, cap = apply_vetoes(score, flags, scheme.vetoes, scheme.grading)``.
    """
    n = score.shape[0]
    v = len(vetoes)
    hit = np.zeros((n, v), dtype=bool) if flags is None else np.nan_to_num(flags) > 0
    zero = np.asarray([x.effect == "zero" for x in vetoes], dtype=bool)
    names = [g.name for g in grading.grades]
    cap_idx = np.asarray(
        [
            names.index(x.grade) if x.effect == "cap_grade" and x.grade in names else 0
            for x in vetoes
        ],
        dtype=np.int64,
    )
    zeroed = (hit & zero).any(axis=1) if v else np.zeros(n, dtype=bool)
    shape = (n,) + (1,) * (score.ndim - 1)
    out = np.where(zeroed.reshape(shape), 0.0, score)
    cap = np.where(hit, cap_idx, 0).max(axis=1) if v else np.zeros(n, dtype=np.int64)
    return out, hit, cap.astype(np.int64)
