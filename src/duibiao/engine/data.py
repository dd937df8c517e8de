"""Long records (unit, code, value) → the dense arrays :func:`score` takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .scheme import Scheme

__all__ = ["DataProblem", "Inputs", "dense_inputs"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class DataProblem:
    row: int  # 0-based index into the records given
    column: str
    message: str


@dataclass
class Inputs:
    values: FloatArray
    denominators: FloatArray
    events: FloatArray
    vetoes: FloatArray
    ballots: dict[str, FloatArray]
    problems: list[DataProblem] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, object]:
        return {
            "denominators": self.denominators,
            "events": self.events,
            "vetoes": self.vetoes,
            "ballots": self.ballots,
        }


def dense_inputs(
    scheme: Scheme,
    unit_codes: Sequence[str],
    units: Sequence[str],
    codes: Sequence[str],
    values: Sequence[float] | FloatArray,
) -> Inputs:
    """Place long records into dense arrays by code: indicators, denominators, adjustment
    events, veto flags and ballot counts (code ``BALLOT:grade``). Unknown units or codes and
    duplicates are reported as problems (with the record's index), not silently dropped.

    Usage: ``inp = dense_inputs(scheme, unit_list, df_units, df_codes, df_values)``.
    """
    n = len(unit_codes)
    ind = list(scheme.indicator_codes)
    den = list(scheme.denominators)
    adj = [a.code for a in scheme.adjustments.items]
    vet = [v.code for v in scheme.vetoes]
    ballot_cols: list[str] = []
    for i in scheme.indicators:
        if i.method == "ballot":
            ballot_cols += [f"{i.code}:{g}" for g in i.params.get("grades", {})]
    all_codes = ind + den + adj + vet + ballot_cols
    offsets = np.cumsum([0, len(ind), len(den), len(adj), len(vet), len(ballot_cols)])
    big = np.full((n, len(all_codes)), np.nan)
    problems: list[DataProblem] = []
    u_arr = np.asarray(units, dtype=str)
    c_arr = np.asarray(codes, dtype=str)
    v_arr = np.asarray(values, dtype=np.float64)
    su = np.asarray(unit_codes, dtype=str)
    su_order = np.argsort(su)
    sc = np.asarray(all_codes, dtype=str)
    sc_order = np.argsort(sc)
    if len(u_arr):
        ui = np.searchsorted(su[su_order], u_arr).clip(0, max(n - 1, 0))
        ok_u = su[su_order][ui] == u_arr if n else np.zeros(len(u_arr), bool)
        ci = np.searchsorted(sc[sc_order], c_arr).clip(0, max(len(sc) - 1, 0))
        ok_c = sc[sc_order][ci] == c_arr if len(sc) else np.zeros(len(c_arr), bool)
        for r in np.flatnonzero(~ok_u)[:50].tolist():
            problems.append(DataProblem(r, "unit", f"unknown unit {u_arr[r]!r}"))
        for r in np.flatnonzero(ok_u & ~ok_c)[:50].tolist():
            problems.append(DataProblem(r, "indicator", f"unknown indicator code {c_arr[r]!r}"))
        good = ok_u & ok_c
        rows = su_order[ui[good]]
        cols = sc_order[ci[good]]
        flat = rows * len(sc) + cols
        uniq, first, counts = np.unique(flat, return_index=True, return_counts=True)
        for d in uniq[counts > 1][:50].tolist():
            r = int(np.flatnonzero(good)[np.flatnonzero(flat == d)[1]])
            problems.append(DataProblem(r, "indicator", f"duplicate value for {c_arr[r]!r}"))
        big[rows, cols] = v_arr[good]
    # 报一次、多处用: an indicator that names another takes that indicator's value where it
    # has none of its own, so one reported value serves every indicator that uses it.
    col = {c: j for j, c in enumerate(ind)}
    for i in scheme.indicators:
        if i.same_as is not None:
            own, source = big[:, col[i.code]], big[:, col[i.same_as]]
            big[:, col[i.code]] = np.where(np.isnan(own), source, own)
    ballots: dict[str, FloatArray] = {}
    pos = int(offsets[4])
    for i in scheme.indicators:
        if i.method == "ballot":
            g = len(i.params.get("grades", {}))
            block = big[:, pos : pos + g]
            pos += g
            if not np.isnan(block).all():
                ballots[i.code] = np.nan_to_num(block)
    return Inputs(
        values=big[:, offsets[0] : offsets[1]],
        denominators=big[:, offsets[1] : offsets[2]],
        events=np.nan_to_num(big[:, offsets[2] : offsets[3]]),
        vetoes=np.nan_to_num(big[:, offsets[3] : offsets[4]]),
        ballots=ballots,
        problems=problems,
    )
