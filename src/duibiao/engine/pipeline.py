"""score(scheme, values, units) → Result: the whole order of DESIGN §6 for one period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import normalise as nm
from ._version import __version__
from .adjust import apply_adjustments, apply_vetoes
from .aggregate import aggregate
from .grade import assign_grades
from .normalise import Scope
from .prepare import coverage, denominate, impute, treat_skew_kurtosis
from .rank import encode_groups, rank_change, rank_within, round_half_up
from .scheme import Indicator, Node, Scheme, SchemeError, WeightSpec
from .weights import ahp_weights, combine_weights, critic_weights, entropy_weights

__all__ = ["Result", "Units", "score"]

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
            raise KeyError(f"unknown unit {code!r}") from None


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

    def table(self) -> list[dict[str, Any]]:
        """One row per unit: unit, category, score, rank, grade, then every node code."""
        from .explain import table

        return table(self)


def _applicability(scheme: Scheme, units: Units) -> BoolArray:
    cats = np.asarray(units.categories, dtype=str)
    codes = np.asarray(units.codes, dtype=str)
    cols = []
    for ind in scheme.indicators:  # loop over indicators
        ok = np.ones(len(units), dtype=bool)
        if ind.applies_to.categories:
            ok &= np.isin(cats, ind.applies_to.categories)
        if ind.applies_to.units:
            ok &= np.isin(codes, ind.applies_to.units)
        cols.append(ok)
    return np.column_stack(cols) if cols else np.zeros((len(units), 0), dtype=bool)


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
            raise SchemeError("scope", f"unknown peer scope / group column {name!r}")
    return cache[name]


def _node_weights(
    node: Node, spec: WeightSpec, child_values: FloatArray, child_prepared: FloatArray | None
) -> tuple[FloatArray, dict[str, Any]]:
    fixed = np.asarray([c.weight for c in node.children], dtype=np.float64)
    data = (
        child_prepared if (spec.on == "prepared" and child_prepared is not None) else child_values
    )
    if spec.method == "fixed":
        return fixed, {"method": "fixed"}
    if spec.method == "equal":
        return np.ones(len(node.children)), {"method": "equal"}
    if spec.method == "ahp":
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
    if spec.method == "entropy":
        w = entropy_weights(data, variant=spec.variant, prenormalise=spec.prenormalise)
        return w, {"method": "entropy", "variant": spec.variant, "prenormalise": spec.prenormalise}
    if spec.method == "critic":
        return critic_weights(data), {"method": "critic"}
    if spec.method == "combine":
        if spec.first is None or spec.second is None:
            raise SchemeError(f"{node.path}.weights", "combine needs first and second")
        w1, i1 = _node_weights(node, spec.first, child_values, child_prepared)
        w2, i2 = _node_weights(node, spec.second, child_values, child_prepared)
        return combine_weights(w1, w2, spec.alpha), {
            "method": "combine",
            "alpha": spec.alpha,
            "first": i1 | {"weights": (w1 / w1.sum()).tolist()},
            "second": i2 | {"weights": (w2 / w2.sum()).tolist()},
        }
    raise SchemeError(f"{node.path}.weights.method", f"unknown weight method {spec.method!r}")


def _normalise_block(
    method: str,
    x: FloatArray,
    direction: FloatArray,
    params: Sequence[Mapping[str, Any]],
    scope: Scope,
    previous: FloatArray,
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
        return nm.norm_growth(x, direction, params, previous)
    raise ValueError(f"unknown normalisation {method!r}")


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
    """Score every unit on a scheme: prepare → normalise → aggregate → adjust → veto → rank → grade.

    ``values`` is (n units × k indicators) in ``scheme.indicator_codes`` order, NaN for missing;
    ``denominators`` (n × len(scheme.denominators)), ``events`` (n × adjustment items, counts),
    ``vetoes`` (n × veto items, 1/0), ``ballots`` {indicator: (n × ballot grades) vote counts},
    ``previous_values`` (n × k, last period, for growth / impute previous), ``previous_ranks`` (n,).
    Usage: ``res = score(scheme, x, Units(codes, cats)); res.score, res.rank, res.trace("u1")``.
    """
    inds = scheme.indicators
    codes = tuple(i.code for i in inds)
    n, k = len(units), len(inds)
    x = np.array(values, dtype=np.float64, copy=True)
    if x.shape != (n, k):
        raise ValueError(f"values must be {n}×{k} (units × indicators), got {x.shape}")
    col = {c: j for j, c in enumerate(codes)}
    app = _applicability(scheme, units)
    prev = (
        np.full((n, k), np.nan)
        if previous_values is None
        else np.asarray(previous_values, dtype=np.float64)
    )
    ballot_counts = dict(ballots or {})
    for ind in inds:  # loop over indicators
        if ind.method == "ballot":
            grades = ind.params.get("grades", {})
            vals = np.asarray(list(grades.values()), dtype=np.float64)
            counts = ballot_counts.get(ind.code)
            if counts is not None:
                x[:, col[ind.code]] = nm.ballot_tally(np.asarray(counts, dtype=float), vals)
    x[~app] = np.nan
    raw = x.copy()

    # 2. preparation
    scopes: dict[str, Scope] = {}
    den_col = {c: j for j, c in enumerate(scheme.denominators)}
    for ind in inds:
        p = ind.prepare
        j = col[ind.code]
        if p.denominator is not None:
            if denominators is None:
                raise ValueError(f"indicator {ind.code} needs denominator {p.denominator}")
            x[:, j] = denominate(x[:, j], denominators[:, den_col[p.denominator]], p.scale)
        elif p.scale != 1.0:
            x[:, j] = x[:, j] * p.scale
    imputed = np.zeros((n, k), dtype=bool)
    batches: dict[tuple[str, str | None, float | None], list[int]] = defaultdict(list)
    for ind in inds:
        if ind.prepare.impute != "none":
            bkey = (ind.prepare.impute, ind.prepare.impute_group, ind.prepare.impute_value)
            batches[bkey].append(col[ind.code])
    for (method, group, value), cols in batches.items():
        sc = _scope(group, units, scopes) if group else None
        block, mask = impute(x[:, cols], method, sc, prev[:, cols], value, app[:, cols])
        x[:, cols] = block
        imputed[:, cols] = mask
    screened_out = coverage(x, app) < scheme.screening_min_coverage - 1e-12
    x[screened_out] = np.nan
    treatment: dict[str, dict[str, object]] = {}
    for ind in inds:
        t = ind.prepare.treat
        if t and t.get("method", "skew_kurtosis") != "none":
            j = col[ind.code]
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
    prepared = x

    # 3. normalisation, batched by method and peer scope
    direction = np.asarray([i.direction for i in inds], dtype=np.float64)
    normalised = np.full((n, k), np.nan)
    norm_info: dict[str, dict[str, Any]] = {}
    scope_codes: dict[str, IntArray] = {}
    nb: dict[tuple[str, str], list[Indicator]] = defaultdict(list)
    for ind in inds:
        nb[(ind.method, str(ind.params.get("scope", "all")))].append(ind)
    for (method, scope_name), members in nb.items():
        cols = [col[i.code] for i in members]
        sc = _scope(scope_name, units, scopes)
        s, info = _normalise_block(
            method,
            prepared[:, cols],
            direction[cols],
            [i.params for i in members],
            sc,
            prev[:, cols],
        )
        normalised[:, cols] = np.where(np.isnan(prepared[:, cols]), np.nan, s)
        for b, ind in enumerate(members):
            norm_info[ind.code] = {
                key: (arr[:, b] if arr.ndim == 2 else arr[b]) for key, arr in info.items()
            }
            scope_codes[ind.code] = sc.codes
    zero_missing = np.asarray([i.prepare.missing == "zero" for i in inds], dtype=bool)
    fill0 = app & np.isnan(normalised) & zero_missing & ~screened_out[:, None]
    normalised[fill0] = 0.0

    # 4. weights and aggregation up the tree (children before parents)
    node_scores: dict[str, FloatArray] = {c: normalised[:, j] for j, c in enumerate(codes)}
    prepared_cols: dict[str, FloatArray] = {c: prepared[:, j] for j, c in enumerate(codes)}
    shares: dict[str, FloatArray] = {}
    contribs: dict[str, FloatArray] = {}
    weights: dict[str, dict[str, Any]] = {}
    for node in scheme.nodes:
        v = np.column_stack([node_scores[c.code] for c in node.children])
        pv = (
            np.column_stack([prepared_cols[c.code] for c in node.children])
            if all(c.code in prepared_cols for c in node.children)
            else None
        )
        w, winfo = _node_weights(node, node.weights, v, pv)
        parent, sh, ct = aggregate(v, w, node.aggregation, node.power, node.min_data)
        node_scores[node.code] = parent
        shares[node.code] = sh
        contribs[node.code] = ct
        wn = w / w.sum() if w.sum() > 0 else w
        weights[node.code] = winfo | {
            "children": [c.code for c in node.children],
            "weights": wn.tolist(),
        }
    root = scheme.tree.code
    root_contrib: dict[str, FloatArray] = {root: node_scores[root]}
    factor: dict[str, FloatArray] = {root: np.ones(n)}
    for node in reversed(scheme.nodes):  # parents before children
        for ci, child in enumerate(node.children):
            rc = factor[node.code] * np.nan_to_num(contribs[node.code][:, ci])
            root_contrib[child.code] = rc
            cs = node_scores[child.code]
            with np.errstate(divide="ignore", invalid="ignore"):
                factor[child.code] = np.where(
                    np.nan_to_num(cs) != 0, rc / np.where(np.isnan(cs), 1.0, cs), 0.0
                )

    # 5–6. adjustments and vetoes
    base = node_scores[root]
    adj = apply_adjustments(base, events, scheme.adjustments)
    final, vetoed, cap = apply_vetoes(adj.score, vetoes, scheme.vetoes, scheme.grading)
    final = np.where(screened_out, np.nan, final)

    # 7. ranking within scope, rank change
    rk = scheme.ranking
    key = round_half_up(final, rk.decimals) if rk.on == "rounded" else final
    rank_groups = (
        encode_groups(units.categories, n) if rk.scope == "category" else np.zeros(n, np.int64)
    )
    if rk.scope not in ("category", "all"):
        rank_groups = _scope(rk.scope, units, scopes).codes
    rank = rank_within(key, rank_groups, ties=rk.ties)
    change = (
        np.full(n, np.nan)
        if previous_ranks is None
        else rank_change(rank, np.asarray(previous_ranks, dtype=np.float64))
    )

    # 8. grades, veto caps last
    gr = scheme.grading
    grade_groups = (
        encode_groups(units.categories, n) if gr.scope == "category" else np.zeros(n, np.int64)
    )
    grade_index = assign_grades(key, grade_groups, gr, cap)

    return Result(
        scheme=scheme,
        units=units,
        indicator_codes=codes,
        applicable=app,
        raw=raw,
        prepared=prepared,
        imputed=imputed,
        normalised=normalised,
        node_scores=node_scores,
        shares=shares,
        contributions=contribs,
        root_contributions=root_contrib,
        weights=weights,
        norm_info=norm_info,
        scope_codes=scope_codes,
        treatment=treatment,
        screened_out=screened_out,
        base_score=base,
        adjustment_points=adj.points,
        bonus=adj.bonus,
        penalty=adj.penalty,
        adjusted=adj.score,
        vetoed=vetoed,
        grade_cap=cap,
        score=final,
        rank_key=key,
        rank=rank,
        rank_change=change,
        grade_index=grade_index,
        ballots={c: np.asarray(v, dtype=np.float64) for c, v in ballot_counts.items()},
        events=None if events is None else np.asarray(events, dtype=np.float64),
    )
