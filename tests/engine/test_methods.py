"""Normalisation, ranking, grading, adjustments, vetoes and combination on small known cases."""

from __future__ import annotations

import numpy as np
import pytest

from duibiao import engine
from duibiao.engine import normalise as nm


def _units(n: int, cats: list[str] | None = None) -> engine.Units:
    return engine.Units(codes=tuple(f"u{i}" for i in range(n)), categories=tuple(cats or ["A"] * n))


def test_target_goalposts_bands_manual_binary() -> None:
    up = np.array([1.0])
    s, _ = nm.norm_target(np.array([[50.0], [120.0]]), up, [{"target": 100, "cap": 1.2}])
    np.testing.assert_allclose(s[:, 0], [100 * 0.5 / 1.2, 100.0])
    s, _ = nm.norm_target(np.array([[2.0], [8.0]]), -up, [{"target": 4}])  # hours, lower better
    np.testing.assert_allclose(s[:, 0], [100.0, 50.0])
    s, _ = nm.norm_goalposts(np.array([[-5.0], [7.5], [30.0]]), up, [{"target": 15}])
    np.testing.assert_allclose(s[:, 0], [0, 50, 100])
    bands = [{"bands": [{"at": 90, "score": 100}, {"at": 80, "score": 80}], "else": 20}]
    s, _ = nm.norm_bands(np.array([[95.0], [85.0], [10.0], [np.nan]]), up, bands)
    np.testing.assert_allclose(s[:, 0], [100, 80, 20, np.nan])
    s, _ = nm.norm_bands(
        np.array([[1.0], [3.0], [9.0]]),
        -up,
        [{"bands": [{"at": 2, "score": 100}, {"at": 5, "score": 60}]}],
    )
    np.testing.assert_allclose(s[:, 0], [100, 60, 0])
    s, _ = nm.norm_manual(np.array([[8.0], [12.0]]), up, [{"full": 10}])
    np.testing.assert_allclose(s[:, 0], [80, 100])
    s, _ = nm.norm_binary(np.array([[1.0], [0.0]]), up, [{}])
    np.testing.assert_allclose(s[:, 0], [100, 0])


def test_frontier_peers_and_percentile_bounds() -> None:
    x = np.array([[1.0], [3.0], [5.0], [np.nan]])
    sc = nm.Scope(None, 4)
    s, info = nm.norm_frontier(x, np.array([-1.0]), [{"best": "peers", "worst": "peers"}], sc)
    np.testing.assert_allclose(s[:3, 0], [100, 50, 0])
    assert info["best"][0, 0] == 1 and info["worst"][0, 0] == 5
    s, _ = nm.norm_frontier(x, np.array([1.0]), [{"best": 4, "worst": 0, "power": 2}], sc)
    np.testing.assert_allclose(s[:3, 0], [6.25, 56.25, 100])


def test_minmax_within_category_zscore_percentile_rank_steps() -> None:
    x = np.array([[1.0], [2.0], [3.0], [10.0], [20.0]])
    sc = nm.Scope(engine.encode_groups(["a", "a", "a", "b", "b"], 5), 5)
    s, _ = nm.norm_minmax(x, np.array([1.0]), [{}], sc)
    np.testing.assert_allclose(s[:, 0], [0, 50, 100, 0, 100])
    s, _ = nm.norm_percentile(x, np.array([1.0]), [{}], sc)
    np.testing.assert_allclose(s[:, 0], [0, 50, 100, 0, 100])
    s, _ = nm.norm_rank_steps(x, np.array([1.0]), [{"top": 100, "step": 10}], sc)
    np.testing.assert_allclose(s[:, 0], [80, 90, 100, 90, 100])
    s, info = nm.norm_zscore(x, np.array([1.0]), [{}], sc)
    np.testing.assert_allclose(s[:3, 0], [40, 50, 60])


def test_growth_and_ballot() -> None:
    s, _ = nm.norm_growth(
        np.array([[115.0], [100.0]]), np.array([1.0]), [{"target": 15}], np.array([[100.0], [100]])
    )
    np.testing.assert_allclose(s[:, 0], [100, 0])
    t = nm.ballot_tally(np.array([[30.0, 10, 0, 0], [0, 0, 0, 0]]), np.array([100.0, 80, 60, 0]))
    np.testing.assert_allclose(t, [95.0, np.nan])


def test_ranks_ties_and_change() -> None:
    s = np.array([90.0, 85.0, 90.0, 70.0])
    np.testing.assert_array_equal(engine.rank_within(s, ties="min"), [1, 3, 1, 4])
    np.testing.assert_array_equal(engine.rank_within(s, ties="dense"), [1, 2, 1, 3])
    np.testing.assert_array_equal(engine.rank_within(s, ties="average"), [1.5, 3, 1.5, 4])
    np.testing.assert_array_equal(
        engine.rank_change(np.array([1.0, 4]), np.array([3.0, 2])), [2, -2]
    )
    np.testing.assert_array_equal(
        engine.round_half_up(np.array([2.345, 2.335, -1.005]), 2), [2.35, 2.34, -1.01]
    )


def test_grades_quota_floor_ties_and_veto_last() -> None:
    grading = engine.Grading(
        grades=(
            engine.Grade("优秀", 90, 0.2),
            engine.Grade("良好", 80),
            engine.Grade("一般", 60),
            engine.Grade("较差", float("-inf")),
        ),
        quota_rounding="floor",
        quota_ties="exclude",
    )
    s = np.array([99, 98, 97, 95, 91, 85, 85, 70, 50, 40.0])
    g = engine.assign_grades(s, np.zeros(10, np.int64), grading)
    assert g.tolist() == [0, 0, 1, 1, 1, 1, 1, 2, 3, 3]  # quota ⌊0.2·10⌋ = 2 优秀
    tied = np.array([99, 95, 95, 80, 70, 70, 70, 70, 70, 70.0])
    assert engine.assign_grades(tied, np.zeros(10, np.int64), grading).tolist()[:3] == [0, 1, 1]
    inc = engine.Grading(grades=grading.grades, quota_ties="include")
    assert engine.assign_grades(tied, np.zeros(10, np.int64), inc).tolist()[:3] == [0, 0, 0]
    capped = engine.assign_grades(s, np.zeros(10, np.int64), grading, np.array([2] + [0] * 9))
    assert capped[0] == 2 and capped[1] == 0  # veto caps 优秀 to 一般, applied last


def test_adjustments_caps_order_and_veto() -> None:
    rules = engine.AdjustmentRules(
        items=(
            engine.Adjustment("nat", "国家级表彰", "bonus", 3, cap=5),
            engine.Adjustment("city", "市级表彰", "bonus", 1),
            engine.Adjustment("crit", "通报批评", "penalty", 2, cap=10),
        ),
        bonus_cap=5,
        ceiling=100,
        floor=0,
        order=("bonus", "clip", "penalty"),
    )
    base = np.array([98.0, 60.0, 2.0])
    ev = np.array([[2, 1, 1], [0, 2, 0], [0, 0, 9]], dtype=float)
    out = engine.apply_adjustments(base, ev, rules)
    # unit 0: bonus min(6,5)+1 = 6 → unit cap 5 → 103 → ceiling 100 → −2 = 98
    np.testing.assert_allclose(out.score, [98.0, 62.0, -8.0])
    np.testing.assert_allclose(out.bonus, [5, 2, 0])
    np.testing.assert_allclose(out.penalty, [2, 0, 10])
    vetoes = (
        engine.Veto("acc", "重大事故", "zero"),
        engine.Veto("law", "违纪", "cap_grade", "一般"),
    )
    grading = engine.Grading(grades=(engine.Grade("优秀", 90), engine.Grade("一般", 0)))
    score, hit, cap = engine.apply_vetoes(
        out.score, np.array([[1, 0], [0, 1], [0, 0]], float), vetoes, grading
    )
    np.testing.assert_allclose(score, [0.0, 62.0, -8.0])
    assert cap.tolist() == [0, 1, 0] and hit[0, 0] and hit[1, 1]


def test_aggregation_methods_and_min_data() -> None:
    v = np.array([[80.0, 20.0], [50.0, np.nan], [np.nan, np.nan]])
    p, sh, ct = engine.aggregate(v, np.array([3.0, 1.0]))
    np.testing.assert_allclose(p, [65.0, 50.0, np.nan])
    np.testing.assert_allclose(np.nansum(ct, 1)[:2], p[:2])
    p, *_ = engine.aggregate(v, np.array([1.0, 1.0]), min_data=1.0)
    assert np.isnan(p[1])
    p, *_ = engine.aggregate(v[:1], np.array([1.0, 1.0]), "geometric")
    assert p[0] == pytest.approx(40.0)
    p, *_ = engine.aggregate(v[:1], np.array([1.0, 1.0]), "harmonic")
    assert p[0] == pytest.approx(32.0)
    p, *_ = engine.aggregate(v[:1], np.array([1.0, 1.0]), "power", power=2)
    assert p[0] == pytest.approx(np.sqrt((6400 + 400) / 2))
    p, *_ = engine.aggregate(v[:1], np.array([0.3, 0.1]), "sum")
    assert p[0] == pytest.approx(26.0)


def test_combination_of_periods_and_parts() -> None:
    q = [np.array([80.0, np.nan]), np.array([90.0, 70.0])]
    routine = engine.average_periods(q)
    np.testing.assert_allclose(routine, [85.0, 70.0])
    total = engine.combine_parts(
        {"routine": routine, "annual": np.array([95.0, 60.0])}, {"routine": 0.3, "annual": 0.7}
    )
    np.testing.assert_allclose(total, [0.3 * 85 + 0.7 * 95, 0.3 * 70 + 0.7 * 60])


def test_prepare_skew_kurtosis_matches_excel_definitions() -> None:
    v = np.array([1.0, 2.0, 3.0, 4.0, 50.0, 7.0])
    n, z = len(v), (v - v.mean()) / v.std(ddof=1)
    # Excel's SKEW and KURT formulas, written out independently
    skew = n / ((n - 1) * (n - 2)) * (z**3).sum()
    kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * (z**4).sum() - 3 * (n - 1) ** 2 / (
        (n - 2) * (n - 3)
    )
    assert engine.skewness(v[:, None])[0] == pytest.approx(skew, rel=1e-12)
    assert engine.kurtosis(v[:, None])[0] == pytest.approx(kurt, rel=1e-12)
    y, info = engine.treat_skew_kurtosis(np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]))
    assert info["treatment"] == "winsorise" and y.max() < 100
