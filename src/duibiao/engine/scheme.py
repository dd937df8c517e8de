"""The typed in-memory scheme (考核方案) the engine scores with.

Built from an already-parsed, already-validated mapping (see ``duibiao.schemes.loader`` for the
YAML document and its JSON Schema). Only the standard library is used here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .numbers import plain

__all__ = [
    "Adjustment",
    "AdjustmentRules",
    "Applicability",
    "CombinationPart",
    "Grade",
    "Grading",
    "Indicator",
    "Node",
    "Preparation",
    "Ranking",
    "Scheme",
    "SchemeError",
    "TaskForce",
    "ValueRule",
    "Veto",
    "WeightSpec",
]

NORMALISATION_METHODS = (
    "identity",
    "target",
    "goalposts",
    "minmax",
    "frontier",
    "zscore",
    "percentile",
    "rank_steps",
    "bands",
    "manual",
    "ballot",
    "growth",
    "binary",
)
AGGREGATIONS = ("mean", "geometric", "harmonic", "power", "sum")
WEIGHT_METHODS = ("fixed", "equal", "ahp", "entropy", "critic", "combine")
IMPUTE_METHODS = ("none", "mean", "median", "group_mean", "group_median", "previous", "value")


class SchemeError(ValueError):
    """A scheme that cannot be scored; ``path`` names the offending field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


@dataclass(frozen=True)
class TaskForce:
    code: str
    name: str


@dataclass(frozen=True)
class Applicability:
    """Which units an indicator applies to: 共性 (categories) or 个性 (named units)."""

    categories: tuple[str, ...] = ()
    units: tuple[str, ...] = ()

    @property
    def common(self) -> bool:
        return not self.units


@dataclass(frozen=True)
class Preparation:
    denominator: str | None = None
    scale: float = 1.0
    impute: str = "none"
    impute_group: str | None = None
    impute_value: float | None = None
    treat: Mapping[str, Any] | None = None
    missing: str = "skip"  # "skip": weights rescaled; "zero": scores 0


# Units of measure that are times: a duration is never negative. "分" is not here: in a
# 考核细则 it means points (分值), not minutes.
TIME_UNITS = ("秒", "分钟", "小时", "天", "日", "工作日", "个工作日", "周", "个月", "月", "年")
PERCENT_UNITS = ("%", "％")


@dataclass(frozen=True)
class ValueRule:
    """What a reported value of an indicator may be (取值规则): a closed range and whether it
    must be a whole number. ``basis`` says where the rule came from, for the message: the
    scheme (``scheme``) or the default of the indicator's kind (``percent``, ``count``,
    ``yes-no``, ``time``, ``manual`` 0–满分, ``target-lower``: T/x needs x ≥ 0).

    Usage: ``ind.values.allows(150.0)`` → False for a percentage.
    """

    min: float | None = None
    max: float | None = None
    integer: bool = False
    basis: str = "none"
    unit: str = ""

    @property
    def active(self) -> bool:
        return self.min is not None or self.max is not None or self.integer

    def allows(self, x: float) -> bool:
        if self.min is not None and x < self.min:
            return False
        if self.max is not None and x > self.max:
            return False
        return not (self.integer and not float(x).is_integer())

    def describe(self, lang: str = "zh") -> str:
        """The rule in a few symbols: ``0–100 %``, ``≥ 0 的整数`` / ``a whole number ≥ 0``."""
        lo, hi = self.min, self.max
        if lo is not None and hi is not None:
            text = f"{plain(lo)}–{plain(hi)}"
        elif lo is not None:
            text = f"≥ {plain(lo)}"
        elif hi is not None:
            text = f"≤ {plain(hi)}"
        else:
            text = ""
        if self.integer and self.min == 0 and self.max == 1:
            return "0 或 1" if lang == "zh" else "0 or 1"
        unit = f"，单位：{self.unit}" if lang == "zh" else f" ({self.unit})"
        if self.integer:
            text = (f"{text} 的整数" if text else "整数") if lang == "zh" else f"a whole number {text}".strip()
            return text + unit if self.unit else text
        if self.unit and text:
            text += f" {self.unit}"
        return text


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    weight: float = 1.0
    direction: int = 1
    method: str = "minmax"
    params: Mapping[str, Any] = field(default_factory=dict)
    prepare: Preparation = field(default_factory=Preparation)
    applies_to: Applicability = field(default_factory=Applicability)
    kind: str = "number"
    unit_of_measure: str = ""
    taskforce: str | None = None
    source: str = ""
    standard: str = ""
    same_as: str | None = None  # 报一次: take the value reported for this other indicator
    # A registered indicator source (DESIGN §5) the web app fills in at a run's snapshot;
    # the engine scores the value like any other (the offline scorer reads it from data.csv).
    value_from: str | None = None
    evidence: str = "optional"  # "required": a unit must attach evidence before submitting
    values: ValueRule = field(default_factory=ValueRule)
    path: str = ""

    @property
    def is_leaf(self) -> bool:
        return True


@dataclass(frozen=True)
class WeightSpec:
    method: str = "fixed"
    matrix: tuple[tuple[float, ...], ...] | None = None
    random_index: str = "saaty"
    accept_inconsistent: bool = False
    variant: str = "limit"  # entropy: 0·ln0 rule ("limit" → 0; "pymcdm" → column entropy 0)
    prenormalise: str = "sum"  # entropy: "sum" or "minmax"
    on: str = "normalised"  # data the objective methods read: "normalised" or "prepared"
    alpha: float = 0.5
    first: WeightSpec | None = None
    second: WeightSpec | None = None


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    children: tuple[Node | Indicator, ...]
    weight: float = 1.0
    aggregation: str = "mean"
    power: float = 1.0
    min_data: float = 0.0  # share (0–1] or count (>1) of children with data
    weights: WeightSpec = field(default_factory=WeightSpec)
    path: str = ""

    @property
    def is_leaf(self) -> bool:
        return False

    def walk(self) -> Iterator[Node | Indicator]:
        """Depth-first, children before parents (post-order)."""
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()
            else:
                yield child
        yield self


@dataclass(frozen=True)
class Adjustment:
    code: str
    name: str
    kind: str  # "bonus" | "penalty"
    points: float
    cap: float | None = None
    taskforce: str | None = None
    source: str = ""
    standard: str = ""


@dataclass(frozen=True)
class AdjustmentRules:
    items: tuple[Adjustment, ...] = ()
    bonus_cap: float | None = None
    penalty_cap: float | None = None
    floor: float | None = None
    ceiling: float | None = None
    order: tuple[str, ...] = ("bonus", "penalty", "clip")


@dataclass(frozen=True)
class Veto:
    code: str
    name: str
    effect: str = "cap_grade"  # or "zero"
    grade: str | None = None  # best grade allowed when effect = cap_grade
    taskforce: str | None = None
    standard: str = ""


@dataclass(frozen=True)
class Ranking:
    scope: str = "category"  # or "all"
    ties: str = "min"  # min | dense | average
    on: str = "rounded"  # rounded | unrounded
    decimals: int = 2


@dataclass(frozen=True)
class Grade:
    name: str
    min: float
    quota: float | None = None


@dataclass(frozen=True)
class Grading:
    grades: tuple[Grade, ...] = ()
    scope: str = "category"
    quota_rounding: str = "floor"  # floor | round | ceil
    quota_ties: str = "exclude"  # exclude | include: units tied at the quota boundary
    # False (DESIGN §6: veto applied last): a vetoed unit still takes its quota place.
    # True: a vetoed unit does not compete for grades above its cap, so the place passes down.
    veto_frees_quota: bool = False


@dataclass(frozen=True)
class CombinationPart:
    code: str
    name: str
    weight: float
    periods: tuple[str, ...]


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    version: str
    tree: Node
    adjustments: AdjustmentRules = field(default_factory=AdjustmentRules)
    vetoes: tuple[Veto, ...] = ()
    ranking: Ranking = field(default_factory=Ranking)
    grading: Grading = field(default_factory=Grading)
    screening_min_coverage: float = 0.0
    denominators: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    taskforces: tuple[TaskForce, ...] = ()
    combination: tuple[CombinationPart, ...] = ()
    decimals: int = 2
    description: str = ""

    # The tree never changes after building, so its walks are computed once per scheme
    # (a run traces every unit against the same tree). cached_property writes straight into
    # the instance dict, which a frozen dataclass allows.
    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(n for n in self.tree.walk() if isinstance(n, Indicator))

    @cached_property
    def nodes(self) -> tuple[Node, ...]:
        """Aggregate nodes, children before parents (root last)."""
        return tuple(n for n in self.tree.walk() if isinstance(n, Node))

    @cached_property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    @cached_property
    def node_codes(self) -> tuple[str, ...]:
        """Every node of the tree, root first, then depth-first (indicators included)."""
        out: list[str] = []

        def visit(n: Node | Indicator) -> None:
            out.append(n.code)
            if isinstance(n, Node):
                for c in n.children:
                    visit(c)

        visit(self.tree)
        return tuple(out)

    @cached_property
    def parents(self) -> dict[str, str]:
        """Each code's parent node code."""
        return {c.code: node.code for node in self.nodes for c in node.children}

    def parent_of(self) -> dict[str, str]:
        return dict(self.parents)

    @cached_property
    def child_position(self) -> dict[str, int]:
        """Each code's position among its parent's children."""
        return {c.code: k for node in self.nodes for k, c in enumerate(node.children)}
