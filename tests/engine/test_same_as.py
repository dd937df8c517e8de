"""报一次、多处用: an indicator that names another takes its reported value."""

from __future__ import annotations

import numpy as np
import pytest

from duibiao import engine

DOC = {
    "code": "s", "name": "s", "version": "1",
    "tree": {"code": "total", "name": "总分", "children": [
        {"code": "a", "name": "办结率", "normalise": {"method": "target", "target": 100}},
        {"code": "b", "name": "办结率（营商）", "same_as": "a", "normalise": {"method": "target", "target": 90}},
    ]},
}


def test_value_reported_once_feeds_both_indicators():
    scheme = engine.build_scheme(DOC)
    units = engine.Units(codes=("u1", "u2"), categories=("x", "x"))
    inputs = engine.dense_inputs(scheme, units.codes, ["u1", "u2"], ["a", "a"], [90.0, 45.0])
    assert not inputs.problems
    np.testing.assert_allclose(inputs.values, [[90, 90], [45, 45]])
    result = engine.score(scheme, inputs.values, units)
    np.testing.assert_allclose(result.node_scores["b"], [100, 50])


def test_same_as_must_name_a_reported_indicator():
    bad = {**DOC, "tree": {**DOC["tree"], "children": [
        DOC["tree"]["children"][0], {**DOC["tree"]["children"][1], "same_as": "zz"}]}}
    with pytest.raises(engine.SchemeError, match="same_as"):
        engine.build_scheme(bad)
