"""The typed in-memory scheme (考核方案) the engine scores with.

Built from an already-parsed, already-validated mapping (see ``duibiao.schemes.loader`` for the
YAML document and its JSON Schema). Only the standard library is used here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .numbers import parse_judgement, plain

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
    "build_scheme",
    "default_value_rule",
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


# ---------------------------------------------------------------------------------------------
# building from a parsed mapping


def _num(d: Mapping[str, Any], key: str, default: float | None, path: str) -> float | None:
    v = d.get(key, default)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise SchemeError(f"{path}.{key}", "must be a number")
    return float(v)


def _weight_spec(d: Mapping[str, Any] | None, path: str) -> WeightSpec:
    if d is None:
        return WeightSpec()
    method = str(d.get("method", "fixed"))
    if method not in WEIGHT_METHODS:
        raise SchemeError(f"{path}.method", f"unknown weight method '{plain(method)}'")
    matrix = d.get("matrix")
    return WeightSpec(
        method=method,
        matrix=_judgements(matrix, f"{path}.matrix") if matrix else None,
        random_index=str(d.get("random_index", "saaty")),
        accept_inconsistent=bool(d.get("accept_inconsistent", False)),
        variant=str(d.get("variant", "limit")),
        prenormalise=str(d.get("prenormalise", "sum")),
        on=str(d.get("data", "normalised")),
        alpha=float(d.get("alpha", 0.5)),
        first=_weight_spec(d["first"], f"{path}.first") if "first" in d else None,
        second=_weight_spec(d["second"], f"{path}.second") if "second" in d else None,
    )


def _judgements(matrix: Any, path: str) -> tuple[tuple[float, ...], ...]:
    """An AHP matrix of numbers or fractions written ``a/b`` ("1/3", " 1 / 3 ")."""
    rows = []
    for i, row in enumerate(matrix):
        cells = []
        for j, x in enumerate(row):
            try:
                cells.append(parse_judgement(x))
            except ValueError:
                raise SchemeError(
                    f"{path}[{i}][{j}]",
                    f"'{plain(x)}' 不是判断值：应为正数或分数，如 3、1/3 / not a judgement: "
                    "use a positive number or a fraction such as 1/3",
                ) from None
        rows.append(tuple(cells))
    return tuple(rows)


def _default_rule(
    kind: str, unit: str, method: str, params: Mapping[str, Any]
) -> tuple[float | None, float | None, bool, str]:
    """(min, max, integer, basis) an indicator's values follow unless the scheme says otherwise."""
    if kind == "yes-no":
        return 0.0, 1.0, True, "yes-no"
    if kind == "count":
        return 0.0, None, True, "count"
    if method == "manual":  # the task force's score, out of the scheme's 满分值
        full = params.get("full", 100)
        return 0.0, float(full) if isinstance(full, (int, float)) else 100.0, False, "manual"
    if kind == "percent" or unit.strip() in PERCENT_UNITS:
        return 0.0, 100.0, False, "percent"
    if unit.strip() in TIME_UNITS:
        return 0.0, None, False, "time"
    return None, None, False, "none"


def _bound(d: Mapping[str, Any], key: str, path: str) -> float | None:
    v = d.get(key)
    if v is None:  # `max: null` lifts the default bound (a growth rate may pass 100 %)
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise SchemeError(f"{path}.{key}", "must be a number or null")
    return float(v)


def _value_rule(
    d: Mapping[str, Any], kind: str, unit: str, method: str, params: Mapping[str, Any],
    direction: int, path: str,
) -> ValueRule:
    """The indicator's value rule: ``min``, ``max`` and ``integer`` as the scheme gives them
    (each replacing the kind's default; ``null`` lifts a bound), else the kind's default."""
    lo, hi, whole, basis = _default_rule(kind, unit, method, params)
    if "min" in d:
        lo = _bound(d, "min", path)
    if "max" in d:
        hi = _bound(d, "max", path)
    if "integer" in d:
        whole = bool(d["integer"])
    if any(k in d for k in ("min", "max", "integer")):
        basis = "scheme"
    if lo is not None and hi is not None and lo > hi:
        raise SchemeError(f"{path}.min", f"min {plain(lo)} 大于 max {plain(hi)} / min is above max")
    if method == "target" and direction < 0 and (lo is None or lo < 0):
        # Lower is better scores T/x: below zero the ratio turns over and a worse value
        # would score better, so the rule keeps such values out (see docs/engine.md).
        if "min" in d:
            raise SchemeError(
                f"{path}.min",
                "目标完成率（越小越好）按 目标值/实际值 计分，只适用于不小于 0 的值，min 不能小于 0 / "
                "a lower-is-better target scores T/x, defined for values ≥ 0 only",
            )
        lo, basis = 0.0, basis if basis != "none" else "target-lower"
    return ValueRule(lo, hi, whole, basis, unit.strip())


def default_value_rule(
    *,
    kind: str,
    unit_of_measure: str = "",
    method: str = "",
    params: Mapping[str, Any] | None = None,
    direction: int = 1,
) -> ValueRule:
    """The rule of an indicator whose scheme gives no ``min`` / ``max`` / ``integer``.

    Usage: ``default_value_rule(kind="percent").describe()`` → ``"0–100"``.
    """
    return _value_rule({}, kind, unit_of_measure, method, params or {}, direction, "")


def _indicator(d: Mapping[str, Any], path: str, defaults: Mapping[str, Any]) -> Indicator:
    norm = dict(defaults.get("normalise", {}))
    norm.update(d.get("normalise", {}))
    method = str(norm.pop("method", "minmax"))
    if method not in NORMALISATION_METHODS:
        raise SchemeError(f"{path}.normalise.method", f"unknown method '{plain(method)}'")
    direction_s = d.get("direction", defaults.get("direction", "higher"))
    direction = -1 if direction_s in ("lower", -1) else 1
    prep_d = dict(defaults.get("prepare", {}))
    prep_d.update(d.get("prepare", {}))
    impute = prep_d.get("impute", "none")
    impute_group = None
    impute_value = None
    if isinstance(impute, Mapping):
        impute_group = impute.get("group")
        impute_value = impute.get("value")
        impute = impute.get("method", "none")
    if impute not in IMPUTE_METHODS:
        raise SchemeError(f"{path}.prepare.impute", f"unknown imputation '{plain(impute)}'")
    if impute in ("group_mean", "group_median") and not impute_group:
        raise SchemeError(f"{path}.prepare.impute.group", "group imputation needs a group column")
    treat = prep_d.get("treat")
    if treat is not None and not isinstance(treat, Mapping):
        treat = {"method": str(treat)}
    prep = Preparation(
        denominator=prep_d.get("denominator"),
        scale=float(prep_d.get("scale", 1.0)),
        impute=str(impute),
        impute_group=impute_group,
        impute_value=None if impute_value is None else float(impute_value),
        treat=treat,
        missing=str(d.get("missing", defaults.get("missing", "skip"))),
    )
    app = d.get("applies_to", {}) or {}
    weight = _num(d, "weight", 1.0, path)
    kind = str(d.get("kind", "number"))
    unit = str(d.get("unit_of_measure", ""))
    return Indicator(
        code=str(d["code"]),
        name=str(d.get("name", d["code"])),
        weight=1.0 if weight is None else weight,
        direction=direction,
        method=method,
        params=norm,
        prepare=prep,
        applies_to=Applicability(
            categories=tuple(str(c) for c in app.get("categories", ())),
            units=tuple(str(u) for u in app.get("units", ())),
        ),
        kind=kind,
        unit_of_measure=unit,
        taskforce=d.get("taskforce"),
        source=str(d.get("source", "")),
        standard=str(d.get("standard", "")),
        same_as=None if d.get("same_as") is None else str(d["same_as"]),
        value_from=None if d.get("value_from") is None else str(d["value_from"]),
        evidence=str(d.get("evidence", "optional")),
        values=_value_rule(d, kind, unit, method, norm, direction, path),
        path=path,
    )


def _node(d: Mapping[str, Any], path: str, defaults: Mapping[str, Any]) -> Node | Indicator:
    if "code" not in d:
        raise SchemeError(f"{path}.code", "is required")
    children = d.get("children")
    if not children:
        return _indicator(d, path, defaults)
    agg = str(d.get("aggregation", defaults.get("aggregation", "mean")))
    if agg not in AGGREGATIONS:
        raise SchemeError(f"{path}.aggregation", f"unknown aggregation '{plain(agg)}'")
    weight = _num(d, "weight", 1.0, path)
    return Node(
        code=str(d["code"]),
        name=str(d.get("name", d["code"])),
        children=tuple(_node(c, f"{path}.children[{i}]", defaults) for i, c in enumerate(children)),
        weight=1.0 if weight is None else weight,
        aggregation=agg,
        power=float(d.get("power", 1.0)),
        min_data=float(d.get("min_data", defaults.get("min_data", 0.0))),
        weights=_weight_spec(d.get("weights"), f"{path}.weights"),
        path=path,
    )


def _adjustment_rules(doc: Mapping[str, Any]) -> AdjustmentRules:
    adj = doc.get("adjustments", {}) or {}
    items = tuple(
        Adjustment(
            code=str(a["code"]),
            name=str(a.get("name", a["code"])),
            kind=str(a.get("type", "bonus")),
            points=float(a["points"]),
            cap=None if a.get("cap") is None else float(a["cap"]),
            taskforce=a.get("taskforce"),
            source=str(a.get("source", "")),
            standard=str(a.get("standard", "")),
        )
        for a in adj.get("items", ())
    )
    return AdjustmentRules(
        items=items,
        bonus_cap=_num(adj, "bonus_cap", None, "adjustments"),
        penalty_cap=_num(adj, "penalty_cap", None, "adjustments"),
        floor=_num(adj, "floor", None, "adjustments"),
        ceiling=_num(adj, "ceiling", None, "adjustments"),
        order=tuple(adj.get("order", ("bonus", "penalty", "clip"))),
    )


def _vetoes(doc: Mapping[str, Any]) -> tuple[Veto, ...]:
    return tuple(
        Veto(
            code=str(v["code"]),
            name=str(v.get("name", v["code"])),
            effect=str(v.get("effect", "cap_grade")),
            grade=v.get("grade"),
            taskforce=v.get("taskforce"),
            standard=str(v.get("standard", "")),
        )
        for v in doc.get("vetoes", ()) or ()
    )


def _ranking(doc: Mapping[str, Any]) -> Ranking:
    r = doc.get("ranking", {}) or {}
    return Ranking(
        scope=str(r.get("scope", "category")),
        ties=str(r.get("ties", "min")),
        on=str(r.get("basis", "rounded")),
        decimals=int(r.get("decimals", doc.get("decimals", 2))),
    )


def _grading(doc: Mapping[str, Any], ranking: Ranking) -> Grading:
    """Grades within the ranking's scope unless the scheme names another."""
    g = doc.get("grading", {}) or {}
    return Grading(
        grades=tuple(
            Grade(
                name=str(x["name"]),
                min=float(x.get("min", float("-inf"))),
                quota=None if x.get("quota") is None else float(x["quota"]),
            )
            for x in g.get("grades", ())
        ),
        scope=str(g.get("scope", ranking.scope)),
        quota_rounding=str(g.get("quota_rounding", "floor")),
        quota_ties=str(g.get("quota_ties", "exclude")),
        veto_frees_quota=bool(g.get("veto_frees_quota", False)),
    )


def _combination(doc: Mapping[str, Any]) -> tuple[CombinationPart, ...]:
    return tuple(
        CombinationPart(
            code=str(p["code"]),
            name=str(p.get("name", p["code"])),
            weight=float(p["weight"]),
            periods=tuple(str(x) for x in p.get("periods", ())),
        )
        for p in (doc.get("combination", {}) or {}).get("parts", ())
    )


def build_scheme(doc: Mapping[str, Any]) -> Scheme:
    """Build a :class:`Scheme` from a parsed scheme document (a mapping).

    Usage: ``scheme = build_scheme(yaml.safe_load(text))`` (validate with the JSON Schema first).
    """
    defaults = doc.get("defaults", {}) or {}
    tree = _node(doc["tree"], "tree", defaults)
    if not isinstance(tree, Node):
        raise SchemeError("tree.children", "the tree needs at least one child")
    rules = _adjustment_rules(doc)
    vetoes = _vetoes(doc)
    ranking = _ranking(doc)
    grading = _grading(doc, ranking)
    comb = _combination(doc)
    screening = doc.get("screening", {}) or {}
    scheme = Scheme(
        code=str(doc.get("code", "scheme")),
        name=str(doc.get("name", doc.get("code", "scheme"))),
        version=str(doc.get("version", "1")),
        tree=tree,
        adjustments=rules,
        vetoes=vetoes,
        ranking=ranking,
        grading=grading,
        screening_min_coverage=float(screening.get("min_coverage", 0.0)),
        denominators=tuple(
            str(x["code"]) if isinstance(x, Mapping) else str(x)
            for x in doc.get("denominators", ()) or ()
        ),
        groups=tuple(str(x) for x in doc.get("groups", ()) or ()),
        taskforces=tuple(
            TaskForce(code=str(t["code"]), name=str(t.get("name", t["code"])))
            for t in doc.get("taskforces", ()) or ()
        ),
        combination=comb,
        decimals=int(doc.get("decimals", 2)),
        description=str(doc.get("description", "")),
    )
    check_scheme(scheme)
    return scheme


def check_scheme(scheme: Scheme) -> None:
    """Cross-field checks the JSON Schema cannot express (unique codes, references, weights
    that can be summed). Messages name values plainly (``'u9'``, never ``np.str_('u9')``)."""
    _check_codes(scheme)
    sources = {i.code: i for i in scheme.indicators}
    for ind in scheme.indicators:
        _check_indicator(scheme, ind, sources)
    for node in scheme.nodes:
        _check_node(node)
    if scheme.ranking.ties not in ("min", "dense", "average", "max"):
        raise SchemeError("ranking.ties", "must be min, dense, average or max")


def _check_codes(scheme: Scheme) -> None:
    """Every code once; adjustment types, veto effects and capped grades as declared."""
    seen: dict[str, str] = {}

    def claim(code: str, path: str) -> None:
        if code in seen:
            raise SchemeError(path, f"code '{plain(code)}' is already used at {seen[code]}")
        seen[code] = path

    for n in scheme.tree.walk():
        claim(n.code, n.path + ".code")
    for i, a in enumerate(scheme.adjustments.items):
        claim(a.code, f"adjustments.items[{i}].code")
        if a.kind not in ("bonus", "penalty"):
            raise SchemeError(f"adjustments.items[{i}].type", "must be bonus or penalty")
    for i, v in enumerate(scheme.vetoes):
        claim(v.code, f"vetoes[{i}].code")
        if v.effect not in ("cap_grade", "zero"):
            raise SchemeError(f"vetoes[{i}].effect", "must be cap_grade or zero")
        if v.effect == "cap_grade" and v.grade not in {g.name for g in scheme.grading.grades}:
            raise SchemeError(f"vetoes[{i}].grade", f"'{plain(v.grade)}' is not a declared grade")


def _check_indicator(scheme: Scheme, ind: Indicator, sources: Mapping[str, Indicator]) -> None:
    """One indicator's references and method parameters."""
    if ind.value_from is not None and (ind.same_as is not None or ind.method in ("ballot", "manual")):
        # One origin per value: a source's value, or another indicator's, or votes, or
        # the task force's score — never two that could disagree.
        raise SchemeError(f"{ind.path}.value_from", "cannot be combined with same_as, ballot or manual")
    if ind.same_as is not None:
        source = sources.get(ind.same_as)
        if source is None or source.code == ind.code or source.same_as is not None:
            raise SchemeError(
                f"{ind.path}.same_as",
                f"'{plain(ind.same_as)}' must be another indicator that is itself reported",
            )
    tf = {t.code for t in scheme.taskforces}
    if tf and ind.taskforce is not None and ind.taskforce not in tf:
        raise SchemeError(f"{ind.path}.taskforce", f"unknown task force '{plain(ind.taskforce)}'")
    d = ind.prepare.denominator
    if d is not None and d not in scheme.denominators:
        raise SchemeError(f"{ind.path}.prepare.denominator", f"'{plain(d)}' is not declared")
    if ind.prepare.impute_group and ind.prepare.impute_group not in scheme.groups:
        raise SchemeError(
            f"{ind.path}.prepare.impute.group",
            f"'{plain(ind.prepare.impute_group)}' not in groups",
        )
    if ind.method in ("goalposts", "growth") and "target" in ind.params:
        lo = float(ind.params.get("threshold", 0.0))
        hi = float(ind.params["target"])
        if (hi - lo) * ind.direction <= 0:
            raise SchemeError(
                f"{ind.path}.normalise",
                "threshold and target contradict the direction "
                "(lower is better needs threshold > target)",
            )
    if ind.method == "target" and float(ind.params.get("target", 1.0)) <= 0:
        # x/T and T/x only rank values the right way round against a positive target.
        raise SchemeError(
            f"{ind.path}.normalise.target",
            "目标完成率的目标值须大于 0（目标为 0 或负数时用 goalposts 门槛值–目标值法）/ "
            "the target must be positive (use goalposts for a target at or below zero)",
        )


def _check_node(node: Node) -> None:
    """An AHP matrix fits the children; fixed weights do not all vanish."""
    if node.weights.method == "ahp":
        m = node.weights.matrix
        if m is None or len(m) != len(node.children) or any(len(r) != len(m) for r in m):
            raise SchemeError(
                f"{node.path}.weights.matrix",
                f"must be a {len(node.children)}×{len(node.children)} pairwise matrix",
            )
    fixed = any(spec.method == "fixed" for spec in _weight_parts(node.weights))
    if fixed and sum(c.weight for c in node.children) <= 0:
        raise SchemeError(f"{node.path}.children", zero_weights_message(node))


def _weight_parts(spec: WeightSpec) -> Iterator[WeightSpec]:
    """A weight spec and, for ``combine``, the specs it combines."""
    yield spec
    for part in (spec.first, spec.second):
        if part is not None:
            yield from _weight_parts(part)


def zero_weights_message(node: Node) -> str:
    """Why a node cannot be aggregated: its children's weights add up to nothing."""
    name = f"（{node.name}）" if node.name and node.name != node.code else ""
    return (
        f"节点 {plain(node.code)}{name} 的下级权重合计为 0，无法汇总 / "
        f"the weights of node {plain(node.code)} sum to zero"
    )
