"""score(scheme, values, units) → Result: the whole order of DESIGN §6 for one period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import normalise as nm
from .adjust import AdjustmentOutcome, apply_adjustments, apply_vetoes
from .aggregate import aggregate_rows
from .grade import assign_grades
from .normalise import Scope
from .numbers import plain
from .prepare import coverage, denominate, impute, treat_skew_kurtosis
from .rank import encode_groups, rank_change, rank_within, round_half_up
from .result import Result, Units
from .scheme import Node, Scheme, SchemeError, WeightSpec
from .scheme_check import zero_weights_message
from .weights import ahp_weights, combine_weights, critic_weights, entropy_weights

__all__ = ["Result", "Units", "scope_groups", "score"]

FloatArray = NDArray[np.float64]
# Indicators normalised together at most: each is normalised on its own, so a batch is cut
# into pieces of about 1 MB (131 072 values) whose temporaries the allocator reuses and the
# cache holds, instead of blocks of many MB that the kernel must fault in afresh each time.
_CHUNK = 1 << 17
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


def _applicability(scheme: Scheme, units: Units) -> BoolArray:
    """(n, k) whether each indicator applies to each unit, built indicator-major like the
    values (a row per indicator; only indicators limited to some units write theirs)."""
    rows = np.ones((len(scheme.indicators), len(units)), dtype=bool)
    cats = codes = None
    for j, ind in enumerate(scheme.indicators):  # loop over indicators
        if ind.applies_to.categories:
            cats = np.asarray(units.categories, dtype=str) if cats is None else cats
            rows[j] &= np.isin(cats, ind.applies_to.categories)
        if ind.applies_to.units:
            codes = np.asarray(units.codes, dtype=str) if codes is None else codes
            rows[j] &= np.isin(codes, ind.applies_to.units)
    return rows.T


def _scope(name: str, units: Units, cache: dict[str, Scope]) -> Scope:
    if name not in cache:
        n = len(units)
        if name == "all":
            cache[name] = Scope(None, n)
        elif name == "category":
            cache[name] = Scope(encode_groups(units.categories, n), n)
        elif name in units.groups:
            cache[name] = Scope(encode_groups(units.groups[name], n), n)
        else:
            raise SchemeError(
                "scope",
                f"未知的比较范围或分组列 '{plain(name)}' / unknown peer scope or group column "
                f"(units have: category, all{''.join(', ' + g for g in units.groups)})",
            )
    return cache[name]


def _normalise_block(
    method: str,
    x: FloatArray,
    direction: FloatArray,
    params: Sequence[Mapping[str, Any]],
    scope: Scope,
    previous: FloatArray | None,
) -> tuple[FloatArray, dict[str, FloatArray]]:
    if method in ("identity", "ballot"):
        return (x if method == "identity" else np.clip(x, 0.0, 100.0)), {}
    if method == "target":
        return nm.norm_target(x, direction, params)
    if method == "goalposts":
        return nm.norm_goalposts(x, direction, params)
    if method == "minmax":
        return nm.norm_minmax(x, direction, params, scope)
    if method == "frontier":
        return nm.norm_frontier(x, direction, params, scope)
    if method == "zscore":
        return nm.norm_zscore(x, direction, params, scope)
    if method == "percentile":
        return nm.norm_percentile(x, direction, params, scope)
    if method == "rank_steps":
        return nm.norm_rank_steps(x, direction, params, scope)
    if method == "bands":
        return nm.norm_bands(x, direction, params)
    if method == "manual":
        return nm.norm_manual(x, direction, params)
    if method == "binary":
        return nm.norm_binary(x, direction, params)
    if method == "growth":
        return nm.norm_growth(
            x, direction, params, np.full(x.shape, np.nan) if previous is None else previous
        )
    raise ValueError(f"unknown normalisation '{plain(method)}'")


# --- the steps of DESIGN §6, in order; each takes what the step before produced ----------


@dataclass
class _Prepared:
    """Steps 1–2: the raw values and the values after preparation."""

    applicable: BoolArray
    raw: FloatArray
    values: FloatArray
    imputed: BoolArray
    screened_out: BoolArray
    treatment: dict[str, dict[str, object]]


@dataclass
class _Normalised:
    """Step 3: 0–100 scores per indicator and the bounds / peers each used."""

    scores: FloatArray
    info: dict[str, dict[str, Any]]
    scope_codes: dict[str, IntArray]


@dataclass
class _Tree:
    """Step 4: every node's score, its children's shares and contributions, the weights."""

    node_scores: dict[str, FloatArray]
    node_weights: dict[str, FloatArray] = field(default_factory=dict)  # as aggregated with
    weights: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Standing:
    """Steps 5–8: adjusted and vetoed score, rank, rank change and grade."""

    adjustment: AdjustmentOutcome
    score: FloatArray
    vetoed: BoolArray
    grade_cap: IntArray
    rank_key: FloatArray
    rank: FloatArray
    rank_change: FloatArray
    grade_index: IntArray


def _transposed_copy(a: FloatArray) -> FloatArray:
    """(k, n) C-ordered copy of an (n, k) block, a band of units at a time so that what is
    read and written stays in cache (about twice as fast as numpy's copy of ``a.T``)."""
    out = np.empty((a.shape[1], a.shape[0]))
    for i in range(0, a.shape[0], 256):
        out[:, i : i + 256] = a[i : i + 256].T
    return out


def _raw_values(
    scheme: Scheme, values: FloatArray, units: Units, ballots: Mapping[str, FloatArray]
) -> tuple[FloatArray, BoolArray]:
    """Step 1: the values as reported, ballots tallied, not-applicable cells blanked."""
    n, k = len(units), len(scheme.indicators)
    given = np.asarray(values, dtype=np.float64)
    if given.shape != (n, k):
        raise ValueError(f"values must be {n}×{k} (units × indicators), got {given.shape}")
    # copied indicator-major (a row per indicator), the layout every later step reads; x is
    # the (n, k) view of it
    x = _transposed_copy(given).T
    col = {c: j for j, c in enumerate(scheme.indicator_codes)}
    for ind in scheme.indicators:  # loop over indicators
        counts = ballots.get(ind.code) if ind.method == "ballot" else None
        if counts is not None:
            grades = ind.params.get("grades", {})
            vals = np.asarray(list(grades.values()), dtype=np.float64)
            x[:, col[ind.code]] = nm.ballot_tally(np.asarray(counts, dtype=float), vals)
    app = _applicability(scheme, units)
    if any(i.applies_to.categories or i.applies_to.units for i in scheme.indicators):
        x[~app] = np.nan
    return x, app


def _denominate(scheme: Scheme, x: FloatArray, denominators: FloatArray | None) -> None:
    """Step 2a (in place): divide by the declared denominator, or scale."""
    den_col = {c: j for j, c in enumerate(scheme.denominators)}
    for j, ind in enumerate(scheme.indicators):
        p = ind.prepare
        if p.denominator is not None:
            if denominators is None:
                raise ValueError(f"indicator {ind.code} needs denominator {p.denominator}")
            x[:, j] = denominate(x[:, j], denominators[:, den_col[p.denominator]], p.scale)
        elif p.scale != 1.0:
            x[:, j] = x[:, j] * p.scale


def _impute(
    scheme: Scheme,
    units: Units,
    x: FloatArray,
    app: BoolArray,
    prev: FloatArray | None,
    scopes: dict[str, Scope],
) -> BoolArray:
    """Step 2b (in place): fill gaps, batched by method, group and fill value; the mask."""
    imputed = np.zeros(x.shape, dtype=bool)
    batches: dict[tuple[str, str | None, float | None], list[int]] = defaultdict(list)
    for j, ind in enumerate(scheme.indicators):
        if ind.prepare.impute != "none":
            bkey = (ind.prepare.impute, ind.prepare.impute_group, ind.prepare.impute_value)
            batches[bkey].append(j)
    for (method, group, value), cols in batches.items():
        sc = _scope(group, units, scopes) if group else None
        pb = None if prev is None else prev[:, cols]
        block, mask = impute(x[:, cols], method, sc, pb, value, app[:, cols])
        x[:, cols] = block
        imputed[:, cols] = mask
    return imputed


def _treat(scheme: Scheme, x: FloatArray) -> dict[str, dict[str, object]]:
    """Step 2d (in place): winsorise or log-transform skewed indicators where asked."""
    treatment: dict[str, dict[str, object]] = {}
    for j, ind in enumerate(scheme.indicators):
        t = ind.prepare.treat
        if t and t.get("method", "skew_kurtosis") != "none":
            ok = ~np.isnan(x[:, j])
            treated, tinfo = treat_skew_kurtosis(
                x[ok, j],
                winmax=int(t.get("winmax", 5)),
                skew_max=float(t.get("skew_max", 2.0)),
                kurt_max=float(t.get("kurt_max", 3.5)),
                fallback=str(t.get("fallback", "log")),
            )
            x[ok, j] = treated
            treatment[ind.code] = tinfo
    return treatment


def _prepares(scheme: Scheme) -> bool:
    """Whether step 2 can change a value: a denominator or scale, imputation, a minimum
    coverage (screening blanks a unit), or outlier treatment."""
    return scheme.screening_min_coverage > 1e-12 or any(
        i.prepare.denominator is not None
        or i.prepare.scale != 1.0
        or i.prepare.impute != "none"
        or (i.prepare.treat and i.prepare.treat.get("method", "skew_kurtosis") != "none")
        for i in scheme.indicators
    )


def _prepare(
    scheme: Scheme,
    units: Units,
    raw: FloatArray,
    app: BoolArray,
    denominators: FloatArray | None,
    prev: FloatArray | None,
    scopes: dict[str, Scope],
) -> _Prepared:
    """Step 2: denominate, impute, screen out units with too little data, treat outliers."""
    # A copy only when a step below writes: most schemes prepare nothing, and their prepared
    # values are the raw values (the same array, which nothing writes to afterwards).
    x = raw.copy(order="K") if _prepares(scheme) else raw  # the copy keeps the layout
    _denominate(scheme, x, denominators)
    imputed = _impute(scheme, units, x, app, prev, scopes)
    if scheme.screening_min_coverage > 1e-12:
        screened_out = coverage(x, app) < scheme.screening_min_coverage - 1e-12
        x[screened_out] = np.nan
    else:  # no minimum coverage: no unit can fall below it, and no pass to find out
        screened_out = np.zeros(len(units), dtype=bool)
    treatment = _treat(scheme, x)
    return _Prepared(app, raw, x, imputed, screened_out, treatment)


def _normalise(
    scheme: Scheme,
    units: Units,
    prep: _Prepared,
    prev: FloatArray | None,
    scopes: dict[str, Scope],
) -> _Normalised:
    """Step 3: every indicator to 0–100, batched by method and peer scope."""
    inds = scheme.indicators
    # Indicator-major: each indicator's values one contiguous row, so a batch is a set of
    # rows, a reduction over units runs along memory, and aggregation reads a node's children
    # as rows. The methods see the usual (n, m) block, as a transposed view.
    xt = np.ascontiguousarray(prep.values.T)
    direction = np.asarray([i.direction for i in inds], dtype=np.float64)
    scores_t = np.empty(xt.shape)  # every row is one batch's: all written
    out = _Normalised(scores_t.T, {}, {})
    batches: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, ind in enumerate(inds):
        batches[(ind.method, str(ind.params.get("scope", "all")))].append(j)
    width = max(1, _CHUNK // max(1, xt.shape[1]))
    pieces = [
        (key, cols[a : a + width])
        for key, cols in batches.items()
        for a in range(0, len(cols), width)
    ]
    for (method, scope_name), cols in pieces:
        sc = _scope(scope_name, units, scopes)
        params = [inds[j].params for j in cols]
        at = _columns(cols)
        xb = xt[at].T
        pb = None if prev is None else prev[:, at]
        s, info = _normalise_block(method, xb, direction[at], params, sc, pb)
        _write_rows(scores_t, at, s.T, np.isnan(xb.T))
        for b, j in enumerate(cols):
            out.info[inds[j].code] = {
                key: (arr[:, b] if arr.ndim == 2 else arr[b]) for key, arr in info.items()
            }
            out.scope_codes[inds[j].code] = sc.codes
    # `missing: zero`: an applicable indicator without data scores 0 (unless screened out).
    zero_missing = np.asarray([i.prepare.missing == "zero" for i in inds], dtype=bool)
    if zero_missing.any():
        fill0 = prep.applicable & np.isnan(out.scores) & zero_missing & ~prep.screened_out[:, None]
        out.scores[fill0] = 0.0
    return out


def _write_rows(out: FloatArray, at: slice | list[int], rows: FloatArray, gaps: BoolArray) -> None:
    """out[at] = rows, NaN where the value was missing (whatever the method made of it)."""
    if isinstance(at, slice):  # a view: write in place, no block in between
        dst = out[at]
        np.copyto(dst, rows)
        np.copyto(dst, np.nan, where=gaps)
    else:
        out[at] = np.where(gaps, np.nan, rows)


def _columns(cols: list[int]) -> slice | list[int]:
    """Columns evenly spaced (a scheme whose methods alternate, or one method throughout) as
    a slice: a view of the block instead of a copy, and a write without an index array."""
    step = cols[1] - cols[0] if len(cols) > 1 else 1
    if step > 0 and cols == list(range(cols[0], cols[-1] + 1, step)):
        return slice(cols[0], cols[-1] + 1, step)
    return cols


def _weigh(
    node: Node, spec: WeightSpec, child_values: FloatArray, child_prepared: FloatArray | None
) -> tuple[FloatArray, dict[str, Any]]:
    """Step 4a: the weights of one node's children, and how they were found."""
    data = (
        child_prepared if (spec.on == "prepared" and child_prepared is not None) else child_values
    )
    if spec.method == "fixed":
        return np.asarray([c.weight for c in node.children], dtype=np.float64), {"method": "fixed"}
    if spec.method == "equal":
        return np.ones(len(node.children)), {"method": "equal"}
    if spec.method == "ahp":
        return _ahp(node, spec)
    if spec.method == "entropy":
        w = entropy_weights(data, variant=spec.variant, prenormalise=spec.prenormalise)
        return w, {"method": "entropy", "variant": spec.variant, "prenormalise": spec.prenormalise}
    if spec.method == "critic":
        return critic_weights(data), {"method": "critic"}
    if spec.method == "combine":
        if spec.first is None or spec.second is None:
            raise SchemeError(f"{node.path}.weights", "combine needs first and second")
        w1, i1 = _weigh(node, spec.first, child_values, child_prepared)
        w2, i2 = _weigh(node, spec.second, child_values, child_prepared)
        return combine_weights(w1, w2, spec.alpha), {
            "method": "combine",
            "alpha": spec.alpha,
            "first": i1 | {"weights": (w1 / w1.sum()).tolist()},
            "second": i2 | {"weights": (w2 / w2.sum()).tolist()},
        }
    raise SchemeError(
        f"{node.path}.weights.method", f"unknown weight method '{plain(spec.method)}'"
    )


def _ahp(node: Node, spec: WeightSpec) -> tuple[FloatArray, dict[str, Any]]:
    """AHP weights from the node's pairwise matrix, with its consistency figures."""
    if spec.matrix is None:
        raise SchemeError(f"{node.path}.weights.matrix", "AHP needs a pairwise matrix")
    try:
        r = ahp_weights(
            np.asarray(spec.matrix),
            random_index=spec.random_index,
            accept_inconsistent=spec.accept_inconsistent,
        )
    except ValueError as exc:
        raise SchemeError(f"{node.path}.weights", str(exc)) from None
    return r.weights, {
        "method": "ahp",
        "lambda_max": r.lambda_max,
        "ci": r.ci,
        "ri": r.ri,
        "cr": r.cr,
        "random_index": spec.random_index,
    }


def _reads_prepared(spec: WeightSpec) -> bool:
    """Whether a weight set reads the children's prepared values (objective weights on
    ``data: prepared``): only then is that block gathered."""
    if spec.method == "combine":
        return any(_reads_prepared(s) for s in (spec.first, spec.second) if s is not None)
    return spec.on == "prepared"


def _children_rows(node: Node, rows: FloatArray, tree: _Tree, col: Mapping[str, int]) -> FloatArray:
    """A node's children as a (c, n) block of rows: a view of ``rows`` (k, n) when they are
    consecutive indicators (the usual case: indicators are numbered in tree order), else
    stacked from the children's scores."""
    idx = [col.get(c.code, -1) for c in node.children]
    if idx[0] >= 0 and idx == list(range(idx[0], idx[0] + len(idx))):
        return rows[idx[0] : idx[0] + len(idx)]
    return np.stack([tree.node_scores[c.code] for c in node.children])


def _as_block(spec: WeightSpec, rows: FloatArray) -> FloatArray:
    """The children as the (n, c) block objective weights read (they reduce over units, in the
    order of a C-ordered block); a free transposed view for weights that read no data."""
    if spec.method in ("fixed", "equal", "ahp"):
        return rows.T
    return np.ascontiguousarray(rows.T)


def _aggregate(scheme: Scheme, norm: _Normalised, prep: _Prepared) -> _Tree:
    """Step 4: weigh and aggregate up the tree, children before parents. Objective weights
    read the children's scores, so each node is weighed just before it is aggregated.

    The children of a node are rows (one per child, each a contiguous run of n scores), so
    every step is a pass over whole rows; shares and contributions are kept as (c, n) rows
    and handed out transposed, (n, c) as before, without a copy."""
    col = {c: j for j, c in enumerate(scheme.indicator_codes)}
    rows = norm.scores.T  # (k, n), contiguous: the normalisation step writes it so
    tree = _Tree({c: rows[j] for c, j in col.items()})
    for node in scheme.nodes:
        v = _children_rows(node, rows, tree, col)
        pv = (
            np.ascontiguousarray(prep.values[:, [col[c.code] for c in node.children]])
            if _reads_prepared(node.weights) and all(c.code in col for c in node.children)
            else None
        )
        try:
            # objective weights reduce over units: an (n, c) block in the order they read
            w, winfo = _weigh(node, node.weights, _as_block(node.weights, v), pv)
        except SchemeError:
            raise
        except ValueError as exc:  # objective weights the data cannot give (too few rows …)
            raise SchemeError(f"{node.path}.weights", f"节点 {plain(node.code)}：{exc}") from None
        if not np.all(np.isfinite(w)) or w.sum() <= 0:
            raise SchemeError(f"{node.path}.weights", zero_weights_message(node))
        w = np.asarray(w, dtype=np.float64)
        # the shares and contributions are left to the Result to derive when read
        tree.node_scores[node.code] = aggregate_rows(
            v, w, node.aggregation, node.power, node.min_data
        )[0]
        tree.node_weights[node.code] = w
        wn = w / w.sum()
        tree.weights[node.code] = winfo | {
            "children": [c.code for c in node.children],
            "weights": wn.tolist(),
        }
    return tree


def _adjust(scheme: Scheme, tree: _Tree, events: FloatArray | None) -> AdjustmentOutcome:
    """Step 5: bonus and penalty items on the root score, capped per item and per unit."""
    return apply_adjustments(tree.node_scores[scheme.tree.code], events, scheme.adjustments)


def _veto(
    scheme: Scheme, adjusted: FloatArray, vetoes: FloatArray | None, screened_out: BoolArray
) -> tuple[FloatArray, BoolArray, IntArray]:
    """Step 6: vetoes zero the score or cap the grade; screened-out units get no score."""
    final, vetoed, cap = apply_vetoes(adjusted, vetoes, scheme.vetoes, scheme.grading)
    return np.where(screened_out, np.nan, final), vetoed, cap


def _rank(
    scheme: Scheme,
    units: Units,
    final: FloatArray,
    previous_ranks: FloatArray | None,
    scopes: dict[str, Scope],
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Step 7: rank within scope on the (rounded) score; rank change against last period."""
    rk = scheme.ranking
    key = round_half_up(final, rk.decimals) if rk.on == "rounded" else final
    rank = rank_within(key, _scope(rk.scope, units, scopes).codes, ties=rk.ties)
    change = (
        np.full(len(units), np.nan)
        if previous_ranks is None
        else rank_change(rank, np.asarray(previous_ranks, dtype=np.float64))
    )
    return key, rank, change


def _grade(
    scheme: Scheme, units: Units, key: FloatArray, cap: IntArray, scopes: dict[str, Scope]
) -> IntArray:
    """Step 8: grades by thresholds and quotas within scope (the ranking's, unless grading
    names its own: category, all or any group column), veto caps applied last."""
    groups = _scope(scheme.grading.scope, units, scopes).codes
    return assign_grades(key, groups, scheme.grading, cap)


def scope_groups(name: str, units: Units) -> IntArray:
    """Group codes of the units for a scope: ``category``, ``all`` or a group column (as
    ranking, grading and peer comparison read it). Usage: ``scope_groups("tier", units)``."""
    return _scope(name, units, {}).codes


def score(
    scheme: Scheme,
    values: FloatArray,
    units: Units,
    *,
    denominators: FloatArray | None = None,
    events: FloatArray | None = None,
    vetoes: FloatArray | None = None,
    ballots: Mapping[str, FloatArray] | None = None,
    previous_values: FloatArray | None = None,
    previous_ranks: FloatArray | None = None,
) -> Result:
    """Score every unit on a scheme: prepare → normalise → weigh and aggregate → adjust →
    veto → rank → grade, each step recorded for the trace.

    ``values`` is (n units × k indicators) in ``scheme.indicator_codes`` order, NaN for missing;
    ``denominators`` (n × len(scheme.denominators)), ``events`` (n × adjustment items, counts),
    ``vetoes`` (n × veto items, 1/0), ``ballots`` {indicator: (n × ballot grades) vote counts},
    ``previous_values`` (n × k, last period, for growth / impute previous), ``previous_ranks`` (n,).
    Usage: ``res = score(scheme, x, Units(codes, cats)); res.score, res.rank, res.trace("u1")``.
    """
    ballot_counts = dict(ballots or {})
    # no previous period: None, not an n × k block of NaN gathered by every batch
    prev = None if previous_values is None else np.asarray(previous_values, dtype=np.float64)
    scopes: dict[str, Scope] = {}  # peer groups, built once and shared by the steps
    raw, app = _raw_values(scheme, values, units, ballot_counts)
    prep = _prepare(scheme, units, raw, app, denominators, prev, scopes)
    norm = _normalise(scheme, units, prep, prev, scopes)
    tree = _aggregate(scheme, norm, prep)  # weighs each node, then aggregates it
    adj = _adjust(scheme, tree, events)
    final, vetoed, cap = _veto(scheme, adj.score, vetoes, prep.screened_out)
    key, rank, change = _rank(scheme, units, final, previous_ranks, scopes)
    grade_index = _grade(scheme, units, key, cap, scopes)
    standing = _Standing(adj, final, vetoed, cap, key, rank, change, grade_index)
    return _result(scheme, units, prep, norm, tree, standing, ballot_counts, events)


def _result(
    scheme: Scheme,
    units: Units,
    prep: _Prepared,
    norm: _Normalised,
    tree: _Tree,
    st: _Standing,
    ballots: Mapping[str, FloatArray],
    events: FloatArray | None,
) -> Result:
    """Step 9: everything the steps produced, with what the trace needs."""
    return Result(
        scheme=scheme,
        units=units,
        indicator_codes=scheme.indicator_codes,
        applicable=prep.applicable,
        raw=prep.raw,
        prepared=prep.values,
        imputed=prep.imputed,
        normalised=norm.scores,
        node_scores=tree.node_scores,
        node_weights=tree.node_weights,
        weights=tree.weights,
        norm_info=norm.info,
        scope_codes=norm.scope_codes,
        treatment=prep.treatment,
        screened_out=prep.screened_out,
        base_score=tree.node_scores[scheme.tree.code],
        adjustment_points=st.adjustment.points,
        bonus=st.adjustment.bonus,
        penalty=st.adjustment.penalty,
        adjusted=st.adjustment.score,
        vetoed=st.vetoed,
        grade_cap=st.grade_cap,
        score=st.score,
        rank_key=st.rank_key,
        rank=st.rank,
        rank_change=st.rank_change,
        grade_index=st.grade_index,
        ballots={c: np.asarray(v, dtype=np.float64) for c, v in ballots.items()},
        events=None if events is None else np.asarray(events, dtype=np.float64),
        no_data=np.asarray(np.isnan(prep.raw.T).all(axis=0), dtype=np.bool_),  # along rows
    )
