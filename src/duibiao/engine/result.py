"""What a scoring run takes (the units) and gives (the result), shared by the pipeline that
fills them and the modules that explain them (:mod:`.explain`, :mod:`.sensitivity`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._version import __version__
from .numbers import plain
from .scheme import Scheme

__all__ = ["Result", "Units"]

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
    root_contributions: dict[str, FloatArray]  # any code → (n,) contribution to the total
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
