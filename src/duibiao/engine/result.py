"""What a scoring run takes (the units) and gives (the result), shared by the pipeline that
fills them and the modules that explain them (:mod:`.explain`, :mod:`.sensitivity`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from ._version import __version__
from .aggregate import aggregate_rows
from .numbers import plain
from .scheme import Node, Scheme

__all__ = ["Result", "Units", "root_contributions", "unit_root_contributions", "unit_tree"]

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
    """A Result field that scoring leaves empty and the first read fills, from the compact
    arrays every Result has (``node_scores``, ``node_weights``): the children's shares and
    contributions of every node (n × c each, twice the size of the scores) and every code's
    contribution to the total. A trace or a gap needs one unit's only (:func:`unit_tree`,
    :func:`unit_root_contributions`), so ``score`` does not build them for every unit; whoever
    passes the arrays (a stored Result) has them as given."""

    def __init__(self, derive: Callable[[Result], dict[str, FloatArray]]) -> None:
        self.derive = derive

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
            value = self.derive(obj)
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj: Result, value: dict[str, FloatArray] | _DerivedOnRead | None) -> None:
        # the dataclass passes the field's default, this descriptor itself: "not yet"
        obj.__dict__[self.slot] = None if isinstance(value, _DerivedOnRead) else value


def _children(res: Result, node: Node, at: slice | int) -> FloatArray:
    """A node's children's scores as rows (c, n) — or (c, 1) for one unit."""
    return np.stack([np.atleast_1d(res.node_scores[c.code][at]) for c in node.children])


def _tree_arrays(res: Result, part: int) -> dict[str, FloatArray]:
    """Shares (part 1) or contributions (part 2), (n, c) per node, for every unit: the
    aggregation done again on the same numbers, so the same numbers bit for bit."""
    return {
        node.code: aggregate_rows(
            _children(res, node, slice(None)),
            res.node_weights[node.code],
            node.aggregation,
            node.power,
            node.min_data,
        )[part].T
        for node in res.scheme.nodes
    }


# Up to this many values a run's shares and contributions are derived whole on the first
# trace (a city, 600 × 200, in a few milliseconds) and every later trace reads its row;
# beyond it (a province) each of the first few traces aggregates its own unit again.
_SMALL_RUN = 1_000_000
# A caller explaining every unit (`duibiao score --explain` on a province) is seen after this
# many traces: the arrays are then derived whole once, not unit by unit twenty thousand times.
_FEW_UNITS = 32


def unit_tree(res: Result, i: int) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Node → (shares (c,), contributions (c,)) of unit ``i``: read from the Result when it
    holds them, else aggregated again for this unit alone (each unit's aggregation is its
    own, so the numbers equal the full arrays' row). Usage: ``unit_tree(res, 3)["D1"][1]``."""
    asked = res.__dict__.get("_units_traced", 0) + 1
    res.__dict__["_units_traced"] = asked
    small = len(res.units) * len(res.indicator_codes) <= _SMALL_RUN or asked > _FEW_UNITS
    if small or (
        res.__dict__.get("_shares") is not None and res.__dict__.get("_contributions") is not None
    ):
        return {
            n.code: (res.shares[n.code][i], res.contributions[n.code][i]) for n in res.scheme.nodes
        }
    out = {}
    for node in res.scheme.nodes:
        _, sh, ct = aggregate_rows(
            _children(res, node, slice(i, i + 1)),
            res.node_weights[node.code],
            node.aggregation,
            node.power,
            node.min_data,
        )
        out[node.code] = (sh[:, 0], ct[:, 0])
    return out


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
    # node → (c,) the weights its children were aggregated with, as found (not rescaled)
    node_weights: dict[str, FloatArray] = field(default_factory=dict)
    # derived when first read (None or left out: not yet), see _DerivedOnRead; not in the
    # repr, which would derive them (an error page printing a Result, say):
    # node → (n, c) effective weights of its children
    shares: _DerivedOnRead = field(default=_DerivedOnRead(lambda r: _tree_arrays(r, 1)), repr=False)
    # node → (n, c) weighted contributions of its children
    contributions: _DerivedOnRead = field(
        default=_DerivedOnRead(lambda r: _tree_arrays(r, 2)), repr=False
    )
    # any code → (n,) contribution to the total
    root_contributions: _DerivedOnRead = field(
        default=_DerivedOnRead(
            lambda r: root_contributions(r.scheme, r.node_scores, r.contributions)
        ),
        repr=False,
    )

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


def unit_root_contributions(
    res: Result, i: int, tree: dict[str, tuple[FloatArray, FloatArray]] | None = None
) -> dict[str, float]:
    """:func:`root_contributions` for unit ``i`` alone, in plain floats: the same IEEE
    operations in the same order, so each value equals the vectorised one bit for bit, at a
    few hundred float operations instead of a pass over every unit.
    Usage: ``unit_root_contributions(res, res.units.index("jingyu"))["D1"]``."""
    scheme = res.scheme
    root = scheme.tree.code
    tree = unit_tree(res, i) if tree is None else tree
    out: dict[str, float] = {root: float(res.node_scores[root][i])}
    factor: dict[str, float] = {root: 1.0}
    for node in reversed(scheme.nodes):  # parents before children
        row = tree[node.code][1].tolist()
        f = factor[node.code]
        for ci, child in enumerate(node.children):
            rc = f * _finite(row[ci])
            out[child.code] = rc
            cs = float(res.node_scores[child.code][i])
            factor[child.code] = rc / (1.0 if math.isnan(cs) else cs) if _finite(cs) != 0 else 0.0
    return out
