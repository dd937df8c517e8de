"""Hypothesis properties of the pipeline: direction, bounds, order invariance, weights, ties."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from duibiao import engine

METHODS = [
    {"method": "minmax"},
    {"method": "minmax", "scope": "category"},
    {"method": "frontier", "best": "peers", "worst": "peers"},
    {"method": "zscore"},
    {"method": "percentile"},
    {"method": "target", "target": 50.0, "cap": 1.2},
    {"method": "goalposts", "threshold": 10.0, "target": 90.0},
    {"method": "rank_steps", "step": 3.0},
]


def _for(method: dict[str, object], direction: str) -> dict[str, object]:
    m = dict(method)
    if m["method"] == "goalposts" and direction == "lower":  # threshold above target
        m["threshold"], m["target"] = m["target"], m["threshold"]
    return m


def make_scheme(
    k: int, directions: list[str], method: dict[str, object], weights: list[float]
) -> engine.Scheme:
    doc = {
        "code": "p",
        "name": "p",
        "version": "1",
        "tree": {
            "code": "T",
            "children": [
                {
                    "code": "D1",
                    "weight": 1.0,
                    "children": [
                        {
                            "code": f"i{j}",
                            "weight": weights[j],
                            "direction": directions[j],
                            "normalise": _for(method, directions[j]),
                        }
                        for j in range(k)
                    ],
                },
            ],
        },
        "ranking": {"scope": "category", "ties": "min", "basis": "unrounded"},
    }
    return engine.build_scheme(doc)


values = arrays(
    np.float64,
    st.tuples(st.integers(3, 12), st.just(3)),
    elements=st.floats(0.5, 100, allow_nan=False).map(lambda v: round(v, 2)),
)


def units_for(n: int) -> engine.Units:
    return engine.Units(
        codes=tuple(f"u{i}" for i in range(n)),
        categories=tuple("AB"[i % 2] for i in range(n)),
    )


@settings(max_examples=40, deadline=None)
@given(
    values,
    st.sampled_from(METHODS),
    st.lists(st.sampled_from(["higher", "lower"]), min_size=3, max_size=3),
)
def test_scores_within_0_100_before_adjustments(x, method, dirs) -> None:
    sch = make_scheme(3, dirs, method, [1.0, 2.0, 3.0])
    res = engine.score(sch, x, units_for(x.shape[0]))
    assert np.all((res.normalised >= -1e-9) & (res.normalised <= 100 + 1e-9))
    assert np.all((res.base_score >= -1e-9) & (res.base_score <= 100 + 1e-9))


@settings(max_examples=40, deadline=None)
@given(values, st.sampled_from(METHODS), st.integers(0, 2), st.floats(1.0, 30.0))
def test_direction_monotonicity(x, method, unit, bump) -> None:
    """Improving one unit's value never lowers its score (higher-is-better); the reverse for
    lower-is-better."""
    sch_up = make_scheme(3, ["higher"] * 3, method, [1.0, 1.0, 1.0])
    sch_dn = make_scheme(3, ["lower"] * 3, method, [1.0, 1.0, 1.0])
    u = units_for(x.shape[0])
    better = x.copy()
    better[unit % x.shape[0], 0] += bump
    a = engine.score(sch_up, x, u).base_score[unit % x.shape[0]]
    b = engine.score(sch_up, better, u).base_score[unit % x.shape[0]]
    assert b >= a - 1e-9
    c = engine.score(sch_dn, x, u).base_score[unit % x.shape[0]]
    d = engine.score(sch_dn, better, u).base_score[unit % x.shape[0]]
    assert d <= c + 1e-9


@settings(max_examples=40, deadline=None)
@given(values, st.sampled_from(METHODS), st.randoms(use_true_random=False))
def test_invariance_to_unit_order(x, method, rnd) -> None:
    sch = make_scheme(3, ["higher", "lower", "higher"], method, [1.0, 2.0, 3.0])
    n = x.shape[0]
    perm = list(range(n))
    rnd.shuffle(perm)
    u = units_for(n)
    pu = engine.Units(
        codes=tuple(u.codes[p] for p in perm), categories=tuple(u.categories[p] for p in perm)
    )
    r1 = engine.score(sch, x, u)
    r2 = engine.score(sch, x[perm], pu)
    np.testing.assert_allclose(r2.score, r1.score[perm], atol=1e-9)
    np.testing.assert_array_equal(r2.rank, r1.rank[perm])


@settings(max_examples=40, deadline=None)
@given(values, st.floats(0.01, 1000.0))
def test_weight_rescaling(x, factor) -> None:
    """Multiplying every weight by a constant changes nothing; missing children rescale."""
    w = [1.0, 2.0, 3.0]
    a = engine.score(make_scheme(3, ["higher"] * 3, METHODS[0], w), x, units_for(len(x)))
    b = engine.score(
        make_scheme(3, ["higher"] * 3, METHODS[0], [v * factor for v in w]), x, units_for(len(x))
    )
    np.testing.assert_allclose(a.score, b.score, atol=1e-9)
    y = x.copy()
    y[0, 2] = np.nan
    c = engine.score(make_scheme(3, ["higher"] * 3, METHODS[0], w), y, units_for(len(x)))
    n0 = c.normalised[0]
    assert abs(c.score[0] - (n0[0] * 1 + n0[1] * 2) / 3) < 1e-9


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, st.integers(2, 30), elements=st.integers(0, 5).map(float)),
    st.sampled_from(["min", "dense", "average", "max"]),
)
def test_ties_get_equal_ranks_and_order_is_respected(s, ties) -> None:
    r = engine.rank_within(s, ties=ties)
    for i in range(len(s)):
        for j in range(len(s)):
            if s[i] == s[j]:
                assert r[i] == r[j]
            elif s[i] > s[j]:
                assert r[i] < r[j]
    if ties == "min":
        assert r.min() == 1 and all(r[i] == 1 + (s > s[i]).sum() for i in range(len(s)))
    if ties == "dense":
        assert sorted(set(r)) == list(range(1, len(set(s)) + 1))
