"""The typed in-memory scheme (考核方案) the engine scores with.

Built from an already-parsed, already-validated mapping (see ``duibiao.schemes.loader`` for the
YAML document and its JSON Schema). Only the standard library is used here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

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
    "Veto",
    "WeightSpec",
    "build_scheme",
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
        raise SchemeError(f"{path}.method", f"unknown weight method {method!r}")
    matrix = d.get("matrix")
    return WeightSpec(
        method=method,
        matrix=tuple(tuple(float(x) for x in row) for row in matrix) if matrix else None,
        random_index=str(d.get("random_index", "saaty")),
        accept_inconsistent=bool(d.get("accept_inconsistent", False)),
        variant=str(d.get("variant", "limit")),
        prenormalise=str(d.get("prenormalise", "sum")),
        on=str(d.get("data", "normalised")),
        alpha=float(d.get("alpha", 0.5)),
        first=_weight_spec(d["first"], f"{path}.first") if "first" in d else None,
        second=_weight_spec(d["second"], f"{path}.second") if "second" in d else None,
    )


def _indicator(d: Mapping[str, Any], path: str, defaults: Mapping[str, Any]) -> Indicator:
    norm = dict(defaults.get("normalise", {}))
    norm.update(d.get("normalise", {}))
    method = str(norm.pop("method", "minmax"))
    if method not in NORMALISATION_METHODS:
        raise SchemeError(f"{path}.normalise.method", f"unknown method {method!r}")
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
        raise SchemeError(f"{path}.prepare.impute", f"unknown imputation {impute!r}")
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
        kind=str(d.get("kind", "number")),
        unit_of_measure=str(d.get("unit_of_measure", "")),
        taskforce=d.get("taskforce"),
        source=str(d.get("source", "")),
        standard=str(d.get("standard", "")),
        same_as=None if d.get("same_as") is None else str(d["same_as"]),
        value_from=None if d.get("value_from") is None else str(d["value_from"]),
        evidence=str(d.get("evidence", "optional")),
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
        raise SchemeError(f"{path}.aggregation", f"unknown aggregation {agg!r}")
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
    """Cross-field checks the JSON Schema cannot express (unique codes, references)."""
    seen: dict[str, str] = {}

    def claim(code: str, path: str) -> None:
        if code in seen:
            raise SchemeError(path, f"code {code!r} is already used at {seen[code]}")
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
            raise SchemeError(f"vetoes[{i}].grade", f"{v.grade!r} is not a declared grade")
    tf = {t.code for t in scheme.taskforces}
    den = set(scheme.denominators)
    sources = {i.code: i for i in scheme.indicators}
    for ind in scheme.indicators:
        if ind.value_from is not None and (ind.same_as is not None or ind.method in ("ballot", "manual")):
            # One origin per value: a source's value, or another indicator's, or votes, or
            # the task force's score — never two that could disagree.
            raise SchemeError(f"{ind.path}.value_from", "cannot be combined with same_as, ballot or manual")
        if ind.same_as is not None:
            source = sources.get(ind.same_as)
            if source is None or source.code == ind.code or source.same_as is not None:
                raise SchemeError(
                    f"{ind.path}.same_as",
                    f"{ind.same_as!r} must be another indicator that is itself reported",
                )
        if tf and ind.taskforce is not None and ind.taskforce not in tf:
            raise SchemeError(f"{ind.path}.taskforce", f"unknown task force {ind.taskforce!r}")
        d = ind.prepare.denominator
        if d is not None and d not in den:
            raise SchemeError(f"{ind.path}.prepare.denominator", f"{d!r} is not declared")
        if ind.prepare.impute_group and ind.prepare.impute_group not in scheme.groups:
            raise SchemeError(
                f"{ind.path}.prepare.impute.group", f"{ind.prepare.impute_group!r} not in groups"
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
    for node in scheme.nodes:
        if node.weights.method == "ahp":
            m = node.weights.matrix
            if m is None or len(m) != len(node.children) or any(len(r) != len(m) for r in m):
                raise SchemeError(
                    f"{node.path}.weights.matrix",
                    f"must be a {len(node.children)}×{len(node.children)} pairwise matrix",
                )
    if scheme.ranking.ties not in ("min", "dense", "average", "max"):
        raise SchemeError("ranking.ties", "must be min, dense, average or max")
