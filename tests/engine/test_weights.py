"""Weight methods against published worked examples."""

from __future__ import annotations

import numpy as np
import pytest

from duibiao import engine

# Elsayed, Dawood & Karthikeyan (2017), IJETT 46(2): 60–66, as used by pymcdm's tests
ELSAYED = np.array(
    [
        [7, 312, 1891, 6613, 163],
        [72, 88, 728, 941804, 1078],
        [10, 252, 2594, 3466, 117471],
        [10, 145, 980, 2371, 86329],
        [65, 54, 350, 501, 29897],
        [29, 48, 380, 912, 34051],
        [7, 476, 3300, 78470, 2212],
        [70, 87, 650, 733, 819000],
        [4, 86, 591, 3015, 103],
        [12, 79, 579, 3240, 96098],
        [21, 45, 261, 1253, 453],
        [1, 72, 530, 4333, 0.104800],
    ]
)


def test_entropy_weights_elsayed_2017() -> None:
    w = engine.entropy_weights(ELSAYED, variant="limit", prenormalise="sum")
    assert np.round(w, 6).tolist() == [0.104991, 0.069124, 0.071373, 0.449937, 0.304575]


def test_entropy_zero_rule_is_explicit() -> None:
    x = np.array([[0.0, 1.0], [2.0, 1.0], [3.0, 2.0]])
    limit = engine.entropy_weights(x, variant="limit")
    pym = engine.entropy_weights(x, variant="pymcdm")
    # pymcdm gives a column containing a zero an entropy of 0 (maximum weight); 0·ln0 = 0 does not
    assert pym[0] > limit[0]
    assert limit.sum() == pytest.approx(1.0) and pym.sum() == pytest.approx(1.0)


def test_entropy_matches_pymcdm_when_installed() -> None:
    pymcdm = pytest.importorskip("pymcdm")
    rng = np.random.default_rng(3)
    x = rng.uniform(1, 100, size=(30, 6))
    np.testing.assert_allclose(
        engine.entropy_weights(x, variant="pymcdm"), pymcdm.weights.entropy_weights(x)
    )
    np.testing.assert_allclose(engine.critic_weights(x), pymcdm.weights.critic_weights(x))


# Saaty (1990), "How to make a decision", EJOR 48: choosing a house, 8 criteria
HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
# Saaty's travel-destination example (景色/费用/居住/饮食/旅途), as in 姜启源《数学模型》
TRAVEL = [
    [1, 1 / 2, 4, 3, 3],
    [2, 1, 7, 5, 5],
    [1 / 4, 1 / 7, 1, 1 / 2, 1 / 3],
    [1 / 3, 1 / 5, 2, 1, 1],
    [1 / 3, 1 / 5, 3, 1, 1],
]


def test_ahp_saaty_house_is_inconsistent_with_published_cr() -> None:
    with pytest.raises(engine.InconsistentJudgements, match="0.169"):
        engine.ahp_weights(HOUSE)
    r = engine.ahp_weights(HOUSE, accept_inconsistent=True)
    assert r.lambda_max == pytest.approx(9.669, abs=5e-4)
    assert r.ci == pytest.approx(0.238, abs=5e-4)
    assert r.cr == pytest.approx(0.169, abs=5e-4)
    published = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
    np.testing.assert_allclose(r.weights, published, atol=5e-4)


def test_ahp_travel_example() -> None:
    r = engine.ahp_weights(TRAVEL)
    assert r.lambda_max == pytest.approx(5.073, abs=1e-3)
    assert r.ci == pytest.approx(0.018, abs=5e-4)
    assert r.cr == pytest.approx(0.016, abs=5e-4)
    np.testing.assert_allclose(r.weights, [0.263, 0.475, 0.055, 0.099, 0.110], atol=2e-3)


def test_ahp_consistent_matrix_and_other_ri_table() -> None:
    w = np.array([0.5, 0.3, 0.2])
    consistent = w[:, None] / w[None, :]
    r = engine.ahp_weights(consistent, random_index="alonso-lamata")
    np.testing.assert_allclose(r.weights, w)
    assert r.cr == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError, match="reciprocal"):
        engine.ahp_weights([[1, 2], [2, 1]])


def test_critic_and_combination() -> None:
    x = np.array([[1.0, 10, 3], [2, 20, 1], [3, 25, 2], [4, 5, 5]])
    w = engine.critic_weights(x)
    assert w.sum() == pytest.approx(1.0) and (w > 0).all()
    c = engine.combine_weights(np.array([1.0, 0, 0]), np.array([0, 0, 1.0]), 0.25)
    np.testing.assert_allclose(c, [0.25, 0, 0.75])
