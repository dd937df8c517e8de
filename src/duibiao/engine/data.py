"""Long records (unit, code, value) → the dense arrays :func:`score` takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .numbers import plain
from .scheme import Indicator, Scheme

__all__ = ["DataProblem", "Inputs", "dense_inputs", "value_problems"]

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
    from .cells import input_codes, place_cells  # cells builds on this module's Inputs

    n = len(unit_codes)
    all_codes = input_codes(scheme)
    problems: list[DataProblem] = []
    u_arr = np.asarray(units, dtype=str)
    c_arr = np.asarray(codes, dtype=str)
    v_arr = np.asarray(values, dtype=np.float64)
    su = np.asarray(unit_codes, dtype=str)
    su_order = np.argsort(su)
    sc = np.asarray(all_codes, dtype=str)
    sc_order = np.argsort(sc)
    rows = cols = np.zeros(0, dtype=np.intp)
    placed = np.zeros(0, dtype=np.float64)
    if len(u_arr):
        ui = np.searchsorted(su[su_order], u_arr).clip(0, max(n - 1, 0))
        ok_u = su[su_order][ui] == u_arr if n else np.zeros(len(u_arr), bool)
        ci = np.searchsorted(sc[sc_order], c_arr).clip(0, max(len(sc) - 1, 0))
        ok_c = sc[sc_order][ci] == c_arr if len(sc) else np.zeros(len(c_arr), bool)
        good = ok_u & ok_c
        rows = su_order[ui[good]]
        cols = sc_order[ci[good]]
        flat = rows * len(sc) + cols
        problems += _record_problems(u_arr, c_arr, ok_u, ok_c, flat)
        placed = v_arr[good]
    inp = place_cells(scheme, n, rows, cols, placed)
    inp.problems = problems
    return inp


def _record_problems(
    u_arr: NDArray[np.str_],
    c_arr: NDArray[np.str_],
    ok_u: NDArray[np.bool_],
    ok_c: NDArray[np.bool_],
    flat: NDArray[np.int64],
) -> list[DataProblem]:
    """Unknown units, unknown codes and duplicates (at most 50 of each), by record index."""
    problems = [
        DataProblem(r, "unit", f"未知单位 / unknown unit '{plain(u_arr[r])}'")
        for r in np.flatnonzero(~ok_u)[:50].tolist()
    ]
    problems += [
        DataProblem(r, "indicator", f"未知指标代码 / unknown indicator code '{plain(c_arr[r])}'")
        for r in np.flatnonzero(ok_u & ~ok_c)[:50].tolist()
    ]
    good = np.flatnonzero(ok_u & ok_c)
    uniq, counts = np.unique(flat, return_counts=True)
    for d in uniq[counts > 1][:50].tolist():
        r = int(good[np.flatnonzero(flat == d)[1]])
        problems.append(
            DataProblem(
                r,
                "indicator",
                f"重复的值 / duplicate value for '{plain(c_arr[r])}' (unit '{plain(u_arr[r])}')",
            )
        )
    return problems


def value_problems(
    scheme: Scheme,
    units: Sequence[str],
    codes: Sequence[str],
    values: Sequence[float] | FloatArray,
    limit: int = 50,
) -> list[DataProblem]:
    """Records whose value breaks its rule: an indicator's value rule (``min``, ``max``,
    ``integer``, or its kind's default), a negative or fractional vote count, a negative
    number of bonus / penalty events, a veto flag other than 0 or 1. Each problem names the
    unit, the indicator and the rule; ``row`` is the record's index (as in ``dense_inputs``).

    Usage: ``value_problems(scheme, df_units, df_codes, df_values)`` → ``[]`` when all fit.
    """
    names = {i.code: i.name for i in scheme.indicators}
    names |= {a.code: a.name for a in scheme.adjustments.items}
    names |= {v.code: v.name for v in scheme.vetoes}
    rules = _Rules(
        indicators={i.code: i for i in scheme.indicators if i.values.active},
        events={a.code for a in scheme.adjustments.items},
        vetoes={v.code for v in scheme.vetoes},
        ballots={i.code for i in scheme.indicators if i.method == "ballot"},
    )
    x = np.asarray(values, dtype=np.float64)
    problems: list[DataProblem] = []
    for r, (unit, code) in enumerate(zip(units, codes, strict=True)):
        v = float(x[r])
        why = _rule_problem(str(code), v, rules)
        if why is None:
            continue
        base = str(code).split(":", 1)[0]
        name = names.get(base, base)
        named = f"（{name}）" if name != base else ""
        problems.append(
            DataProblem(
                r,
                "value",
                f"单位 {plain(unit)} 指标 {plain(code)}{named} 的值 {plain(v)} {why[0]} / "
                f"unit {plain(unit)}, indicator {plain(code)}: {plain(v)} {why[1]}",
            )
        )
        if len(problems) >= limit:
            break
    return problems


@dataclass(frozen=True)
class _Rules:
    indicators: dict[str, Indicator]
    events: set[str]
    vetoes: set[str]
    ballots: set[str]


def _rule_problem(code: str, v: float, rules: _Rules) -> tuple[str, str] | None:
    """Why one value breaks the rule of its code, in Chinese and English (None if it fits)."""
    if np.isnan(v):
        return None
    ind = rules.indicators.get(code)
    if ind is not None and not ind.values.allows(v):
        rule = ind.values
        return (
            f"超出取值规则（{rule.describe('zh')}）",
            f"is outside the indicator's rule ({rule.describe('en')})",
        )
    if code in rules.events and v < 0:
        return "无效：奖惩事项次数不能为负", "is not a number of events (cannot be negative)"
    if code in rules.vetoes and v not in (0.0, 1.0):
        return "无效：一票否决应填 1（触发）或 0", "is not a veto flag (1 = triggered, or 0)"
    ballot = ":" in code and code.split(":", 1)[0] in rules.ballots
    if ballot and (v < 0 or v != int(v)):
        return "无效：票数应为非负整数", "is not a vote count (a whole number ≥ 0)"
    return None
