"""What a scoring run takes (the units) and gives (the result), shared by the pipeline that
fills them and the modules that explain them (:mod:`.explain`, :mod:`.sensitivity`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from ._version import __version__
from .numbers import plain
from .scheme import Scheme

__all__ = ["Result", "Units", "root_contributions", "unit_root_contributions"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Units:
    """The units scored: codes, categories (分类) and any group columns, all of length n."""

    codes: tuple[str, ...]
    categories: tuple[str, ...]
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.codes)
        if len(self.categories) != n or any(len(v) != n for v in self.groups.values()):
            raise ValueError("codes, categories and group columns must have the same length")
        if len(set(self.codes)) != n:
            raise ValueError("unit codes must be unique")

    def __len__(self) -> int:
        return len(self.codes)

    def index(self, code: str) -> int:
        try:
            return self.codes.index(code)
        except ValueError:
            raise KeyError(f"unknown unit '{plain(code)}'") from None


class _DerivedOnRead:
    """``Result.root_contributions``: a field that scoring leaves empty and the first read
    fills from ``contributions`` and ``node_scores``. A trace needs one unit's contributions
    only (:func:`unit_root_contributions`), so ``score`` does not pay a pass over every node
    of every unit for them; whoever passes the arrays (a stored Result) has them as given."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> None: ...
    @overload
    def __get__(self, obj: Result, owner: type | None = None) -> dict[str, FloatArray]: ...
    def __get__(self, obj: Result | None, owner: type | None = None) -> Any:
        if obj is None:
            return None  # the dataclass default: derived on first read
        value = obj.__dict__.get(self.slot)
        if value is None:
            value = root_contributions(obj.scheme, obj.node_scores, obj.contributions)
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj: Result, value: dict[str, FloatArray] | None) -> None:
        obj.__dict__[self.slot] = value


@dataclass
class Result:
    """Everything one scoring run produces; arrays are aligned with ``units.codes``."""

    scheme: Scheme
    units: Units
    indicator_codes: tuple[str, ...]
    applicable: BoolArray  # (n, k)
    raw: FloatArray  # (n, k)
    prepared: FloatArray  # (n, k)
    imputed: BoolArray  # (n, k)
    normalised: FloatArray  # (n, k)
    node_scores: dict[str, FloatArray]  # every node and indicator code → (n,)
    shares: dict[str, FloatArray]  # node → (n, c) effective weights of its children
    contributions: dict[str, FloatArray]  # node → (n, c) weighted contributions of children
    weights: dict[str, dict[str, Any]]  # node → weight set used (and AHP consistency)
    norm_info: dict[str, dict[str, Any]]  # indicator → bounds / targets / peers used
    scope_codes: dict[str, IntArray]  # indicator → peer-group code per unit
    treatment: dict[str, dict[str, object]]
    screened_out: BoolArray
    base_score: FloatArray  # root score before adjustments
    adjustment_points: FloatArray  # (n, a), signed
    bonus: FloatArray
    penalty: FloatArray
    adjusted: FloatArray
    vetoed: BoolArray  # (n, v)
    grade_cap: IntArray
    score: FloatArray  # final score (after adjustments and veto)
    rank_key: FloatArray  # the (rounded) score ranks and grades were computed on
    rank: FloatArray
    rank_change: FloatArray
    grade_index: IntArray
    ballots: dict[str, FloatArray] = field(default_factory=dict)
    events: FloatArray | None = None
    no_data: BoolArray | None = None  # (n,) units without any indicator value or vote
    engine_version: str = __version__
    # any code → (n,) contribution to the total; derived from `contributions` and
    # `node_scores` when first read (None or left out: not yet), see _DerivedOnRead
    root_contributions: _DerivedOnRead = _DerivedOnRead()

    @property
    def grades(self) -> list[str]:
        names = [g.name for g in self.scheme.grading.grades]
        return [names[i] if i >= 0 else "" for i in self.grade_index.tolist()]

    def trace(self, unit: str) -> dict[str, Any]:
        """JSON-serialisable explanation of one unit's score (see :func:`explain.trace`)."""
        from .explain import trace

        return trace(self, unit)

    def gap(self, unit_a: str, unit_b: str) -> dict[str, Any]:
        """Which indicators account for the score gap between two units."""
        from .explain import gap

        return gap(self, unit_a, unit_b)

    def warnings(self) -> list[str]:
        """One line per unit that had no data at all and what the scheme's missing rule made
        of it (see :func:`explain.data_warnings`)."""
        from .explain import data_warnings

        return data_warnings(self)

    def table(self) -> list[dict[str, Any]]:
        """One row per unit: unit, category, score, rank, grade, then every node code."""
        from .explain import table

        return table(self)


def root_contributions(
    scheme: Scheme, node_scores: Mapping[str, FloatArray], contributions: Mapping[str, FloatArray]
) -> dict[str, FloatArray]:
    """Every node's and indicator's contribution to the total, for all units: each parent's
    share of the total passed down to its children (parents first).
    Usage: ``root_contributions(res.scheme, res.node_scores, res.contributions)["D1"]``."""
    root = scheme.tree.code
    out: dict[str, FloatArray] = {root: node_scores[root]}
    factor: dict[str, FloatArray] = {root: np.ones(len(node_scores[root]))}
    for node in reversed(scheme.nodes):  # parents before children
        for ci, child in enumerate(node.children):
            rc = factor[node.code] * np.nan_to_num(contributions[node.code][:, ci])
            out[child.code] = rc
            cs = node_scores[child.code]
            with np.errstate(divide="ignore", invalid="ignore"):
                factor[child.code] = np.where(
                    np.nan_to_num(cs) != 0, rc / np.where(np.isnan(cs), 1.0, cs), 0.0
                )
    return out


_BIG = float(np.finfo(np.float64).max)


def _finite(x: float) -> float:
    """``np.nan_to_num`` of one value: NaN → 0, ±inf → the largest finite value."""
    if math.isnan(x):
        return 0.0
    if math.isinf(x):
        return _BIG if x > 0 else -_BIG
    return x


def unit_root_contributions(res: Result, i: int) -> dict[str, float]:
    """:func:`root_contributions` for unit ``i`` alone, in plain floats: the same IEEE
    operations in the same order, so each value equals the vectorised one bit for bit, at a
    few hundred float operations instead of a pass over every unit.
    Usage: ``unit_root_contributions(res, res.units.index("jingyu"))["D1"]``."""
    scheme = res.scheme
    root = scheme.tree.code
    out: dict[str, float] = {root: float(res.node_scores[root][i])}
    factor: dict[str, float] = {root: 1.0}
    for node in reversed(scheme.nodes):  # parents before children
        row = res.contributions[node.code][i].tolist()
        f = factor[node.code]
        for ci, child in enumerate(node.children):
            rc = f * _finite(row[ci])
            out[child.code] = rc
            cs = float(res.node_scores[child.code][i])
            factor[child.code] = rc / (1.0 if math.isnan(cs) else cs) if _finite(cs) != 0 else 0.0
    return out
