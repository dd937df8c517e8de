"""engine.cells: records located by index fill the same arrays as dense_inputs, and the
vectorised rule check answers as value_problems does, value for value."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from duibiao import engine
from duibiao.schemes import load_scheme

from .conftest import EXAMPLES

DAOWAI = load_scheme(EXAMPLES / "daowai-2023" / "scheme.yaml")
CODES = engine.input_codes(DAOWAI)
VALUES = st.one_of(
    st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 12.5, 99.0, 100.0, 100.5, 150.0, 1e6]),
    st.floats(min_value=-200, max_value=200, allow_nan=False),
)


def test_input_codes_cover_every_kind_of_record() -> None:
    assert CODES[: len(DAOWAI.indicator_codes)] == DAOWAI.indicator_codes
    assert "nl05:优秀" in CODES and DAOWAI.vetoes[0].code in CODES
    assert DAOWAI.adjustments.items[0].code in CODES


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(CODES) - 1), VALUES), min_size=1, max_size=30))
def test_cells_break_rules_exactly_when_value_problems_finds_one(
    records: list[tuple[int, float]],
) -> None:
    cols = np.array([c for c, _ in records], dtype=np.intp)
    vals = np.array([v for _, v in records])
    codes = [CODES[c] for c in cols.tolist()]
    expected = bool(engine.value_problems(DAOWAI, ["u"] * len(codes), codes, vals))
    assert engine.cells_break_rules(DAOWAI, cols, vals) == expected


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_place_cells_fills_what_dense_inputs_fills(data: st.DataObject) -> None:
    n = 7
    cells = data.draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, len(CODES) - 1)),
                              max_size=40))
    rows = np.array([r for r, _ in cells], dtype=np.intp)
    cols = np.array([c for _, c in cells], dtype=np.intp)
    vals = np.arange(len(cells), dtype=np.float64)
    units = tuple(f"u{i}" for i in range(n))
    a = engine.place_cells(DAOWAI, n, rows, cols, vals)
    b = engine.dense_inputs(DAOWAI, units, [units[r] for r in rows.tolist()],
                            [CODES[c] for c in cols.tolist()], vals)
    assert not b.problems
    for name in ("values", "denominators", "events", "vetoes"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.ballots.keys() == b.ballots.keys()
    for code in a.ballots:
        np.testing.assert_array_equal(a.ballots[code], b.ballots[code])
