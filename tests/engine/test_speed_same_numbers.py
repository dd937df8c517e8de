"""The faster engine gives the same numbers, bit for bit, and builds no trace data it is not
asked for.

Aggregation now works on a node's children as rows and adds them in numpy's own order
(``aggregate.sum_children``); the contributions to the total are derived when first read and,
for a trace, for its unit alone. Each is compared here with the way it was computed before,
written out again below, on data with gaps, zeros of both signs and every aggregation.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

from duibiao import engine
from duibiao.engine.result import root_contributions, unit_root_contributions

from .test_fingerprint import score_synthetic, synthetic_document

# the module (the package's name `aggregate` is the function)
agg = importlib.import_module("duibiao.engine.aggregate")


def same_bits(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return bool(
        a.shape == b.shape
        and np.array_equal(a, b, equal_nan=True)
        and np.array_equal(np.signbit(a), np.signbit(b))
    )


def aggregate_before(
    v: np.ndarray, w: np.ndarray, method: str, power: float, min_data: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """engine.aggregate as it was before it worked on rows: an (n, c) block, numpy sums."""
    has = ~np.isnan(v)
    v0 = np.where(has, v, 0.0)
    wm = np.where(has, w, 0.0)
    wsum = wm.sum(axis=1)
    n_have = has.sum(axis=1)
    need = min_data * v.shape[1] if min_data <= 1.0 else min_data
    empty = (n_have == 0) | (n_have < need - 1e-9)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        shares = wm / wsum[:, None]
        if method == "mean":
            contrib = shares * v0
            parent = contrib.sum(axis=1)
        elif method == "sum":
            shares = wm
            contrib = wm * v0
            parent = contrib.sum(axis=1)
        else:
            if method == "geometric":
                logs = np.log(np.where(has, np.maximum(v, 0.0), 1.0))
                parent = np.exp((shares * logs).sum(axis=1))
                parent = np.where(np.any(has & (v <= 0), axis=1), 0.0, parent)
            elif method == "harmonic":
                inv = np.where(has, 1.0 / v, 0.0)
                parent = 1.0 / (shares * inv).sum(axis=1)
                parent = np.where(np.any(has & (v <= 0), axis=1), 0.0, parent)
            else:
                pw = np.where(has, np.maximum(v, 0.0) ** power, 0.0)
                parent = (shares * pw).sum(axis=1) ** (1.0 / power)
            raw = shares * v0
            tot = raw.sum(axis=1)
            contrib = np.where(tot[:, None] > 0, raw * (parent / tot)[:, None], 0.0)
    parent = np.where(empty, np.nan, parent)
    contrib = np.where(empty[:, None], np.nan, contrib)
    shares = np.where(empty[:, None], np.nan, shares)
    return parent, shares, contrib


def block(c: int, seed: int, n: int = 300) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.uniform(0, 100, size=(n, c)) * 10.0 ** rng.integers(-3, 3, size=(n, c))
    v[rng.random(v.shape) < 0.15] = np.nan
    v[rng.random(v.shape) < 0.05] = 0.0
    v[rng.random(v.shape) < 0.05] = -0.0
    v[: min(n, 3)] = np.nan  # units without any child
    return v


@pytest.mark.parametrize("c", [*range(1, 20), 31, 64, 127, 128, 129, 300])
def test_sum_children_adds_as_numpy_does(c: int) -> None:
    v = block(c, seed=c)
    v = np.where(np.isnan(v), 0.0, v)
    rows = np.ascontiguousarray(v.T)
    assert same_bits(agg.sum_children(rows), v.sum(axis=1))


def test_a_numpy_that_adds_otherwise_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    v = np.where(np.isnan(block(12, seed=1)), 0.0, block(12, seed=1))
    monkeypatch.setitem(agg._AGREES, 12, False)
    assert same_bits(agg.sum_children(np.ascontiguousarray(v.T)), v.sum(axis=1))
    # and the check itself finds a difference when the order of additions is not numpy's
    monkeypatch.setattr(agg, "_pairwise", lambda a: sum(reversed(a[1:]), a[0] + 0.0))
    assert not agg._agrees_with_numpy(12)


@pytest.mark.parametrize("method", ["mean", "sum", "geometric", "harmonic", "power"])
@pytest.mark.parametrize("c", [1, 3, 9, 10, 17])
@pytest.mark.parametrize("min_data", [0.0, 0.5, 3.0])
def test_aggregation_gives_the_numbers_it_gave(method: str, c: int, min_data: float) -> None:
    v = block(c, seed=100 + c)
    w = np.random.default_rng(c).uniform(0.5, 3.0, size=c)
    before = aggregate_before(v, w, method, 2.0, min_data)
    now = engine.aggregate(v, w, method, 2.0, min_data)
    for a, b in zip(before, now, strict=True):
        assert same_bits(a, b)


def _synthetic_result(monkeypatch: pytest.MonkeyPatch) -> engine.Result:
    seen: list[engine.Result] = []
    real = engine.score
    monkeypatch.setattr(engine, "score", lambda *a, **k: seen.append(real(*a, **k)) or seen[-1])
    score_synthetic(synthetic_document())
    return seen[-1]


def test_scoring_builds_no_contributions_to_the_total(monkeypatch: pytest.MonkeyPatch) -> None:
    res = _synthetic_result(monkeypatch)
    assert res.__dict__.get("_root_contributions") is None  # score left them out
    unit = res.units.codes[5]
    res.trace(unit)
    res.gap(unit, res.units.codes[6])
    assert res.__dict__.get("_root_contributions") is None  # a trace and a gap need no more
    full = res.root_contributions  # the first read derives them for every unit
    assert set(full) == set(res.scheme.node_codes) | {res.scheme.tree.code}
    assert res.__dict__["_root_contributions"] is full


def test_one_units_contributions_equal_everyones(monkeypatch: pytest.MonkeyPatch) -> None:
    res = _synthetic_result(monkeypatch)
    full = root_contributions(res.scheme, res.node_scores, res.contributions)
    for i in range(len(res.units)):
        one = unit_root_contributions(res, i)
        assert one.keys() == full.keys()
        for code, value in one.items():
            assert same_bits(value, full[code][i]), (res.units.codes[i], code)
    # and the trace reports them: each indicator's contribution to the total, the root's score
    t = res.trace(res.units.codes[0])
    by_code = {e["code"]: e["contribution_to_total"] for e in t["indicators"] + t["nodes"]}
    for code, value in by_code.items():
        expected = float(full[code][0])
        assert (value is None and not np.isfinite(expected)) or value == expected


def test_contributions_given_to_a_result_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored Result hands its contributions in: they are used as given, not derived."""
    res = _synthetic_result(monkeypatch)
    given = {code: np.full(len(res.units), 7.0) for code in res.root_contributions}
    res.root_contributions = given
    assert res.root_contributions is given


def test_prepared_values_are_a_copy_only_when_preparation_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The synthetic scheme imputes and treats: its prepared values are their own array and
    the raw values keep their gaps. A scheme that prepares nothing shares the raw array."""
    res = _synthetic_result(monkeypatch)
    assert res.prepared is not res.raw
    assert res.imputed.any()
    filled = res.imputed & ~res.screened_out[:, None]  # a screened-out unit is blanked again
    assert filled.any()
    assert np.isnan(res.raw[filled]).all() and not np.isnan(res.prepared[filled]).any()
    scheme = engine.build_scheme(
        {
            "code": "plain",
            "name": "plain",
            "version": "1",
            "tree": {
                "code": "T",
                "children": [
                    {"code": "a", "normalise": {"method": "minmax"}},
                    {"code": "b", "normalise": {"method": "zscore"}},
                ],
            },
        }
    )
    values = np.array([[1.0, 2.0], [3.0, np.nan], [5.0, 4.0]])
    units = engine.Units(codes=("x", "y", "z"), categories=("c", "c", "c"))
    plain = engine.score(scheme, values, units)
    derived = ("_shares", "_contributions", "_root_contributions")
    assert all(plain.__dict__.get(name) is None for name in derived)  # score built none
    assert "shares" not in repr(plain)  # printing a Result (an error page) derives nothing
    assert all(plain.__dict__.get(name) is None for name in derived)
    assert plain.prepared is plain.raw
    assert plain.raw is not values and same_bits(plain.raw, values)  # the caller's array untouched


def test_traces_unit_by_unit_equal_traces_from_whole_arrays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A large run explains its first few units one by one and derives the arrays whole
    once many are asked (``duibiao score --explain``); the traces are the same either way."""
    res = _synthetic_result(monkeypatch)
    codes = res.units.codes
    whole = [res.trace(u) for u in codes]  # a small run: read from the whole arrays
    result_module = importlib.import_module("duibiao.engine.result")
    monkeypatch.setattr(result_module, "_SMALL_RUN", 0)
    monkeypatch.setattr(result_module, "_FEW_UNITS", 2)
    for name in ("shares", "contributions", "root_contributions"):
        setattr(res, name, None)  # as score leaves them
    res.__dict__.pop("_units_traced", None)
    assert res.trace(codes[0]) == whole[0] and res.trace(codes[1]) == whole[1]
    assert res.__dict__.get("_shares") is None  # two units: each aggregated on its own
    assert [res.trace(u) for u in codes[2:]] == whole[2:]
    assert res.__dict__.get("_shares") is not None  # the third derived them whole
