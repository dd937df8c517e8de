"""Building the typed scheme (:mod:`.scheme`) from a parsed, already-validated mapping: the
YAML document's sections one function each, the value rules each indicator's data must meet,
then the cross-field checks of :mod:`.scheme_check`. Only the standard library is used here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .numbers import parse_judgement, plain
from .scheme import (
    AGGREGATIONS,
    IMPUTE_METHODS,
    NORMALISATION_METHODS,
    PERCENT_UNITS,
    TIME_UNITS,
    WEIGHT_METHODS,
    Adjustment,
    AdjustmentRules,
    Applicability,
    CombinationPart,
    Grade,
    Grading,
    Indicator,
    Node,
    Preparation,
    Ranking,
    Scheme,
    SchemeError,
    TaskForce,
    ValueRule,
    Veto,
    WeightSpec,
)
from .scheme_check import check_scheme

__all__ = ["build_scheme", "default_value_rule"]



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
