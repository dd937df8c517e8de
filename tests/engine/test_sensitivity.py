"""Sensitivity analysis: the fast path for indicator-level nodes equals the general one."""

from __future__ import annotations

import numpy as np
import pytest

from duibiao.engine.sensitivity import _aggregate_leaves, _aggregate_runs


@pytest.mark.parametrize("method", ["mean", "sum", "geometric"])
def test_leaf_path_equals_the_broadcast_path(method):
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 100, size=(40, 6))
    x[rng.random(x.shape) < 0.15] = np.nan
    x[3] = np.nan  # a unit with no data at all stays empty
    w = rng.uniform(0.5, 1.5, size=(25, 6))
    fast = _aggregate_leaves(x, w, method)
    slow = _aggregate_runs(np.broadcast_to(x[:, None, :], (40, 25, 6)), w, method)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-9, equal_nan=True)
    assert np.isnan(fast[3]).all()
