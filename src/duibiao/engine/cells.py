"""Dense inputs from records already located by index (row = unit, column = input code).

A reader that finds units and codes itself (``duibiao score``'s columnar reader) places its
values here, and :func:`dense_inputs` places its records here too, so both fill the same arrays
the same way. :func:`cells_break_rules` is the vectorised question "does any value break its
rule?"; :func:`value_problems` then says which, and why, on the slow path.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .data import Inputs
from .scheme import Scheme

__all__ = ["cells_break_rules", "input_codes", "place_cells"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def input_codes(scheme: Scheme) -> tuple[str, ...]:
    """Every code a long data file may name, in the column order of :func:`place_cells`:
    indicators, denominators, adjustment events, vetoes, then ballot counts ``code:grade``.

    Usage: ``col = {c: j for j, c in enumerate(input_codes(scheme))}``.
    """
    ballots = [
        f"{i.code}:{g}"
        for i in scheme.indicators
        if i.method == "ballot"
        for g in i.params.get("grades", {})
    ]
    return (
        *scheme.indicator_codes,
        *scheme.denominators,
        *(a.code for a in scheme.adjustments.items),
        *(v.code for v in scheme.vetoes),
        *ballots,
    )


def place_cells(
    scheme: Scheme, n_units: int, rows: IntArray, cols: IntArray, values: FloatArray
) -> Inputs:
    """Put ``values[r]`` at (``rows[r]``, ``cols[r]``) — ``cols`` index :func:`input_codes` —
    and split the block into the arrays :func:`score` takes. The caller has refused unknown
    units, unknown codes and duplicates (this places, it does not judge).

    Usage: ``inp = place_cells(scheme, len(units), unit_idx, code_idx, vals)``.
    """
    ind = len(scheme.indicator_codes)
    den = len(scheme.denominators)
    adj = len(scheme.adjustments.items)
    vet = len(scheme.vetoes)
    big = np.full((n_units, len(input_codes(scheme))), np.nan)
    big[rows, cols] = values
    # 报一次、多处用: an indicator that names another takes that indicator's value where it
    # has none of its own, so one reported value serves every indicator that uses it.
    col = {c: j for j, c in enumerate(scheme.indicator_codes)}
    for i in scheme.indicators:
        if i.same_as is not None:
            own, source = big[:, col[i.code]], big[:, col[i.same_as]]
            big[:, col[i.code]] = np.where(np.isnan(own), source, own)
    ballots: dict[str, FloatArray] = {}
    pos = ind + den + adj + vet
    for i in scheme.indicators:
        if i.method == "ballot":
            g = len(i.params.get("grades", {}))
            block = big[:, pos : pos + g]
            pos += g
            if not np.isnan(block).all():
                ballots[i.code] = np.nan_to_num(block)
    return Inputs(
        values=big[:, :ind],
        denominators=big[:, ind : ind + den],
        events=np.nan_to_num(big[:, ind + den : ind + den + adj]),
        vetoes=np.nan_to_num(big[:, ind + den + adj : ind + den + adj + vet]),
        ballots=ballots,
    )


def cells_break_rules(scheme: Scheme, cols: IntArray, values: FloatArray) -> bool:
    """Whether any value breaks the rule of its code, as :func:`value_problems` judges it (an
    indicator's value rule, events ≥ 0, a veto flag 0 or 1, whole vote counts ≥ 0) — one
    array comparison per rule instead of one Python call per value. NaN breaks nothing.

    Usage: ``if cells_break_rules(scheme, code_idx, vals): value_problems(...)``.
    """
    codes = input_codes(scheme)
    k = len(codes)
    lo, hi = np.full(k, -np.inf), np.full(k, np.inf)
    whole, flag = np.zeros(k, dtype=bool), np.zeros(k, dtype=bool)
    rules = {i.code: i.values for i in scheme.indicators if i.values.active}
    events = {a.code for a in scheme.adjustments.items}
    vetoes = {v.code for v in scheme.vetoes}
    ballots = {i.code for i in scheme.indicators if i.method == "ballot"}
    # By code text, as value_problems reads a record's code; every rule that names the code
    # applies (a code that is both an indicator and an event keeps both rules).
    for j, c in enumerate(codes):
        rule = rules.get(c)
        if rule is not None:
            lo[j] = -np.inf if rule.min is None else rule.min
            hi[j] = np.inf if rule.max is None else rule.max
            whole[j] = rule.integer
        if c in events:
            lo[j] = max(lo[j], 0.0)
        if c in vetoes:
            flag[j] = True
        if ":" in c and c.split(":", 1)[0] in ballots:
            lo[j], whole[j] = max(lo[j], 0.0), True
    v = np.asarray(values, dtype=np.float64)
    at = np.asarray(cols, dtype=np.intp)
    with np.errstate(invalid="ignore"):
        bad = (v < lo[at]) | (v > hi[at])
        bad |= whole[at] & (v != np.floor(v))
        bad |= flag[at] & (v != 0.0) & (v != 1.0)
    return bool((bad & ~np.isnan(v)).any())
