"""Explanation (计分说明): per-unit trace, the gap between two units, the results table."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .numbers import plain
from .result import unit_root_contributions, unit_tree

if TYPE_CHECKING:
    from .result import Result
    from .scheme import Indicator, Node

__all__ = ["data_warnings", "gap", "table", "trace"]

_UnitTree = dict[str, tuple[Any, Any]]  # node → one unit's (shares, contributions)


def _f(x: Any) -> float | None:
    """A JSON-safe float (NaN → None)."""
    v = float(x)
    return None if math.isnan(v) or math.isinf(v) else v


def _info_for(res: Result, code: str, i: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    g = int(res.scope_codes[code][i]) if code in res.scope_codes else 0
    for key, arr in res.norm_info.get(code, {}).items():
        a = np.asarray(arr)
        out[key] = _f(a[g]) if a.ndim == 1 else _f(a)
    return out


def _indicator_entry(
    res: Result, ind: Indicator, i: int, j: int, to_total: dict[str, float], tree: _UnitTree
) -> dict[str, Any]:
    """One indicator of unit ``i``: raw → prepared → normalised, what was used, and its
    share of and contribution to its parent and the total."""
    p = res.scheme.parents.get(ind.code)
    pos = res.scheme.child_position[ind.code]
    entry: dict[str, Any] = {
        "code": ind.code,
        "name": ind.name,
        "applicable": bool(res.applicable[i, j]),
        "direction": "higher" if ind.direction > 0 else "lower",
        "method": ind.method,
        "params": {k: v for k, v in ind.params.items() if k != "grades"},
        "raw": _f(res.raw[i, j]),
        "prepared": _f(res.prepared[i, j]),
        "imputed": bool(res.imputed[i, j]),
        "normalised": _f(res.normalised[i, j]),
        "used": _info_for(res, ind.code, i),
        "parent": p,
        "share_in_parent": _f(tree[p][0][pos]) if p else None,
        "contribution_to_parent": _f(tree[p][1][pos]) if p else None,
        "contribution_to_total": _f(to_total[ind.code]),
    }
    if ind.prepare.denominator:
        entry["denominator"] = ind.prepare.denominator
    if ind.code in res.treatment:
        entry["treatment"] = res.treatment[ind.code]
    if ind.code in res.ballots:
        grades = list(ind.params.get("grades", {}))
        entry["ballot"] = dict(zip(grades, res.ballots[ind.code][i].tolist(), strict=False))
    return entry


def _node_entry(
    res: Result, node: Node, i: int, to_total: dict[str, float], tree: _UnitTree
) -> dict[str, Any]:
    """One node of unit ``i``: its score and each child's share and contribution."""
    return {
        "code": node.code,
        "name": node.name,
        "aggregation": node.aggregation,
        "score": _f(res.node_scores[node.code][i]),
        "parent": res.scheme.parents.get(node.code),
        # The node's weight set (method, nominal weights, AHP consistency) is the same
        # for every unit: it is `Result.weights`, not repeated here; each child's
        # `share` is this unit's effective weight after rescaling.
        "weight_method": res.weights[node.code].get("method"),
        "children": [
            {
                "code": c.code,
                "score": _f(res.node_scores[c.code][i]),
                "share": _f(tree[node.code][0][ci]),
                "contribution": _f(tree[node.code][1][ci]),
            }
            for ci, c in enumerate(node.children)
        ],
        "contribution_to_total": _f(to_total[node.code]),
    }


def _adjustment_entries(res: Result, i: int) -> list[dict[str, Any]]:
    """The bonus and penalty items that moved unit ``i``'s score."""
    return [
        {
            "code": it.code,
            "name": it.name,
            "type": it.kind,
            "points_per_event": it.points,
            "cap": it.cap,
            "points": _f(res.adjustment_points[i, a]),
        }
        for a, it in enumerate(res.scheme.adjustments.items)
        if res.adjustment_points[i, a] != 0
    ]


def _veto_entries(res: Result, i: int) -> list[dict[str, Any]]:
    """The vetoes that hit unit ``i``."""
    return [
        {"code": v.code, "name": v.name, "effect": v.effect, "grade": v.grade}
        for a, v in enumerate(res.scheme.vetoes)
        if res.vetoed[i, a]
    ]


def trace(res: Result, unit: str) -> dict[str, Any]:
    """Trace of one unit: raw → prepared → normalised → contribution to each parent and to
    the total, the bounds / targets / peers used, adjustments, vetoes, rank and grade.

    Built for this unit alone from the Result's arrays (its row of each), so asking for one
    trace costs the same whatever the number of units.
    Usage: ``json.dumps(result.trace("jingyu"), ensure_ascii=False)``.
    """
    i = res.units.index(unit)
    scheme = res.scheme
    tree = unit_tree(res, i)
    to_total = unit_root_contributions(res, i, tree)
    col = {c: j for j, c in enumerate(res.indicator_codes)}
    vetoes = _veto_entries(res, i)
    grade_names = [g.name for g in scheme.grading.grades]
    gi = int(res.grade_index[i])
    return {
        "unit": unit,
        "category": res.units.categories[i],
        "scheme": {"code": scheme.code, "version": scheme.version},
        "engine_version": res.engine_version,
        "screened_out": bool(res.screened_out[i]),
        "indicators": [
            _indicator_entry(res, ind, i, col[ind.code], to_total, tree)
            for ind in scheme.indicators
        ],
        "nodes": [_node_entry(res, node, i, to_total, tree) for node in scheme.nodes],
        "base_score": _f(res.base_score[i]),
        "adjustments": _adjustment_entries(res, i),
        "bonus": _f(res.bonus[i]),
        "penalty": _f(res.penalty[i]),
        "adjusted_score": _f(res.adjusted[i]),
        "vetoes": vetoes,
        "grade_cap": grade_names[int(res.grade_cap[i])] if vetoes and grade_names else None,
        "score": _f(res.score[i]),
        "rank_score": _f(res.rank_key[i]),
        "rank": _f(res.rank[i]),
        "rank_change": _f(res.rank_change[i]),
        "grade": grade_names[gi] if gi >= 0 else None,
        "warnings": [w for w in [_no_data_warning(res, i)] if w],
    }


def data_warnings(res: Result) -> list[str]:
    """A line for every unit with no indicator value and no vote at all, saying what the
    scheme's missing rule made of it: no score (``missing: skip``) or 0 points for the
    indicators marked ``missing: zero``. A unit listed but absent from the data is usually a
    mistyped code or a forgotten file, so it is said, never scored silently.

    Usage: ``for line in result.warnings(): print(line, file=sys.stderr)``.
    """
    lines = (_no_data_warning(res, i) for i in range(len(res.units)))
    return [w for w in lines if w]


def _no_data_warning(res: Result, i: int) -> str:
    if res.no_data is None or not bool(res.no_data[i]):
        return ""
    code = res.units.codes[i]
    name = res.units.names[i] if i < len(res.units.names) and res.units.names[i] else ""
    who = f"{plain(code)}（{name}）" if name else plain(code)
    zero = [
        ind.code
        for j, ind in enumerate(res.scheme.indicators)
        if res.applicable[i, j] and ind.prepare.missing == "zero"
    ]
    score = res.score[i]
    if not zero:
        zh, en = "各指标 missing: skip，无得分", "every indicator is missing: skip, so no score"
    else:
        total = plain(round(float(score), 6)) if not np.isnan(score) else "—"
        zh = f"{len(zero)} 项 missing: zero 的指标计 0 分，得分 {total}"
        en = f"{len(zero)} indicator(s) with missing: zero score 0, total {total}"
    return (
        f"单位 {who} 没有任何指标数据，按方案的缺失值规则计分：{zh} / "
        f"unit {plain(code)} has no indicator data at all; scored by the scheme's missing rule: {en}"
    )


def gap(res: Result, unit_a: str, unit_b: str) -> dict[str, Any]:
    """Decompose ``score(a) − score(b)`` into indicator contributions plus adjustments and veto.

    For arithmetic-mean and sum trees the indicator terms are exact differences of each
    indicator's contribution to the total; the terms always add up to the gap.
    Usage: ``result.gap("jingyu", "taigu")["items"][:5]``.
    """
    a, b = res.units.index(unit_a), res.units.index(unit_b)
    rca, rcb = unit_root_contributions(res, a), unit_root_contributions(res, b)
    items: list[dict[str, Any]] = []
    for ind in res.scheme.indicators:
        d = rca[ind.code] - rcb[ind.code]
        if d != 0.0:
            items.append(
                {
                    "code": ind.code,
                    "name": ind.name,
                    "kind": "indicator",
                    "a": _f(rca[ind.code]),
                    "b": _f(rcb[ind.code]),
                    "difference": d,
                }
            )
    base_gap = float(np.nan_to_num(res.base_score[a]) - np.nan_to_num(res.base_score[b]))
    resid = base_gap - sum(x["difference"] for x in items)
    if abs(resid) > 1e-9:
        items.append(
            {"code": "_rounding", "name": "其他 / other", "kind": "residual", "difference": resid}
        )
    adj_gap = float((res.adjusted[a] - res.base_score[a]) - (res.adjusted[b] - res.base_score[b]))
    if adj_gap != 0.0:
        items.append(
            {
                "code": "_adjustments",
                "name": "奖惩事项 / adjustments",
                "kind": "adjustments",
                "difference": adj_gap,
            }
        )
    veto_gap = float((res.score[a] - res.adjusted[a]) - (res.score[b] - res.adjusted[b]))
    if veto_gap != 0.0:
        items.append(
            {"code": "_veto", "name": "一票否决 / veto", "kind": "veto", "difference": veto_gap}
        )
    items.sort(key=lambda x: -abs(x["difference"]))
    return {
        "a": unit_a,
        "b": unit_b,
        "score_a": _f(res.score[a]),
        "score_b": _f(res.score[b]),
        "gap": _f(res.score[a] - res.score[b]),
        "items": items,
    }


def table(res: Result) -> list[dict[str, Any]]:
    """Rows ``unit, category, score, rank, grade, rank_change, base, bonus, penalty, veto`` then
    one column per node code (tree order, indicators included).

    Usage: ``for row in result.table(): print(row["unit"], row["score"])``.
    """
    codes = res.scheme.node_codes
    grades = res.grades
    veto_names = [v.code for v in res.scheme.vetoes]
    rows = []
    for i, u in enumerate(res.units.codes):  # output rows, not computation
        row: dict[str, Any] = {
            "unit": u,
            "category": res.units.categories[i],
            "score": _f(res.score[i]),
            "rank": _f(res.rank[i]),
            "grade": grades[i],
            "rank_change": _f(res.rank_change[i]),
            "base_score": _f(res.base_score[i]),
            "bonus": _f(res.bonus[i]),
            "penalty": _f(res.penalty[i]),
            "veto": ";".join(v for a, v in enumerate(veto_names) if res.vetoed[i, a]),
        }
        for c in codes:
            row[c] = _f(res.node_scores[c][i])
        rows.append(row)
    return rows
