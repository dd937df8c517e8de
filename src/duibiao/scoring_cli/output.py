"""What ``duibiao score`` writes and prints: the results as columns, numbers formatted as array
operations, the file written in one pass, and a short summary on the terminal.

A column is either text (a list of str) or numbers (a float array, NaN where there is no
value). Every number is written as ``round(v, 6)`` with trailing zeros dropped ("61.782108",
"0", "2801"), empty when missing — the same bytes as writing each value in Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from duibiao import engine

__all__ = ["Columns", "format_columns", "format_numbers", "print_summary", "result_columns", "write_results"]

FloatArray = NDArray[np.float64]
Column = FloatArray | list[str]
Columns = dict[str, Column]

DECIMALS = 6
SCALE = 10**DECIMALS
# Below 2**40 the product v·10⁶ is within 2**-13 of its exact value, so its fraction tells
# the rounding apart from a tie; what is larger, or too near a tie, is formatted by Python.
EXACT = float(2**40)
NEAR_TIE = 1e-3


def result_columns(res: engine.Result) -> Columns:
    """The columns of ``res.table()`` (same names, same order, same values), built from the
    result's arrays without one dict per unit.

    Usage: ``cols = result_columns(result)``; ``cols["score"]`` is ``result.score``.
    """
    veto_codes = [v.code for v in res.scheme.vetoes]
    veto = [""] * len(res.units)
    for i in np.flatnonzero(res.vetoed.any(axis=1)).tolist() if veto_codes else []:
        veto[i] = ";".join(v for a, v in enumerate(veto_codes) if res.vetoed[i, a])
    cols: Columns = {
        "unit": list(res.units.codes),
        "category": list(res.units.categories),
        "score": _floats(res.score),
        "rank": _floats(res.rank),
        "grade": res.grades,
        "rank_change": _floats(res.rank_change),
        "base_score": _floats(res.base_score),
        "bonus": _floats(res.bonus),
        "penalty": _floats(res.penalty),
        "veto": veto,
    }
    for c in res.scheme.node_codes:
        cols[c] = _floats(res.node_scores[c])
    return cols


def _floats(x: Any) -> FloatArray:
    """As ``table()`` writes a number: a float, none (NaN here) where it is NaN or infinite."""
    a = np.array(x, dtype=np.float64)
    a[~np.isfinite(a)] = np.nan
    return a


def format_numbers(x: FloatArray) -> pl.Series:
    """Each value as ``f"{round(v, 6):.6f}"`` without trailing zeros (and without a trailing
    point), null for NaN or ±inf. Usage: ``format_numbers(np.array([61.7821084, 2801.0]))``
    → ``61.782108, 2801``. See :func:`format_columns`.
    """
    a = np.asarray(x, dtype=np.float64)
    return format_columns({"x": a.ravel()})["x"]


def format_columns(numbers: dict[str, FloatArray]) -> pl.DataFrame:
    """Several float columns formatted as :func:`format_numbers` says, on whole arrays: scale
    and round in numpy, then whole and fractional digits joined as polars strings — one
    expression per column, which polars runs on every core. Values too large or too near a
    rounding tie to trust the scaled product (a handful at most) are formatted in Python.

    Usage: ``format_columns({"score": res.score, "rank": res.rank})``.
    """
    ints: dict[str, Any] = {}
    slow: dict[str, tuple[NDArray[np.intp], list[str]]] = {}
    for name, x in numbers.items():
        k, neg, fixed = _scaled(np.asarray(x, dtype=np.float64))
        ints[name], ints[name + "\0neg"] = k, neg
        slow[name] = fixed
    frame = pl.DataFrame(ints)
    out = frame.select(
        [
            (
                pl.when(pl.col(name + "\0neg")).then(pl.lit("-")).otherwise(pl.lit(""))
                + (pl.col(name) // SCALE).cast(pl.String)
                + pl.when(pl.col(name) % SCALE == 0)
                .then(pl.lit(""))
                .otherwise(
                    "."
                    + (pl.col(name) % SCALE + SCALE)
                    .cast(pl.String)
                    .str.slice(1)
                    .str.strip_chars_end("0")
                )
            ).alias(name)
            for name in numbers
        ]
    )
    for name, (idx, texts) in slow.items():
        if len(idx):
            out = out.with_columns(out[name].scatter(idx, texts))
    return out


def _scaled(a: FloatArray) -> tuple[pl.Series, NDArray[np.bool_], tuple[NDArray[np.intp], list[str]]]:
    """|round(v·10⁶)| (null where v is not finite), the sign of v (round(-0.0000001, 6) is
    -0.0, which Python writes "-0"), and the values Python must format itself."""
    finite = np.isfinite(a)
    with np.errstate(invalid="ignore", over="ignore"):
        y = np.where(finite, a, 0.0) * SCALE
        frac = y - np.floor(y)
        slow = finite & ((np.abs(y) >= EXACT) | (np.abs(frac - 0.5) < NEAR_TIE))
    k = np.abs(np.rint(np.where(slow, 0.0, y))).astype(np.int64)
    idx = np.flatnonzero(slow)
    texts = [f"{round(v, DECIMALS):.{DECIMALS}f}".rstrip("0").rstrip(".") for v in a[idx].tolist()]
    return pl.Series(k).set(pl.Series(~finite), None), np.signbit(a), (idx, texts)


def write_results(path: Path, cols: Columns) -> None:
    """RESULTS as CSV (numbers formatted by :func:`format_numbers`) or XLSX (numbers as
    numbers, empty cells where there is none).

    Usage: ``write_results(Path("results.csv"), result_columns(res))``.
    """
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(path, cols)
        return
    # Empty text is written as nothing (null), as the csv module writes "" in a row; every
    # other field is quoted only where it must be, lines end in CRLF — csv.writer's bytes.
    numbers = format_columns({n: c for n, c in cols.items() if not isinstance(c, list)})
    frame = pl.DataFrame(
        [
            pl.Series(name, c, dtype=pl.String).replace("", None)
            if isinstance(c, list)
            else numbers[name]
            for name, c in cols.items()
        ]
    )
    frame.write_csv(path, quote_style="necessary", line_terminator="\r\n", null_value="")


def _write_xlsx(path: Path, cols: Columns) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(cols))
    values = [
        c if isinstance(c, list) else [None if math.isnan(v) else v for v in c.tolist()]
        for c in cols.values()
    ]
    for row in zip(*values, strict=True):
        ws.append(list(row))
    wb.save(path)


def print_summary(
    cols: Columns, nodes: Sequence[str], decimals: int, out: Path, top: int = 5
) -> None:
    """The first ``top`` units by rank of each category, then where the results went and
    how many there are — a few lines, however many units were scored.

    Usage: ``print_summary(cols, scheme.node_codes, scheme.decimals, Path("r.csv"))``.
    """
    units, cats = cols["unit"], cols["category"]
    assert isinstance(units, list) and isinstance(cats, list)
    rank = np.asarray(cols["rank"], dtype=np.float64)
    n = len(units)
    show = ["unit", "category", "score", "rank", "grade"]
    change = cols.get("rank_change")
    if change is not None and not isinstance(change, list) and not np.isnan(change).all():
        show.append("rank_change")
    show += [c for c in nodes if c in cols][:6]
    by_cat: dict[str, list[int]] = {}
    for i, c in enumerate(cats):
        by_cat.setdefault(c, []).append(i)
    for cat, members in by_cat.items():
        order = sorted(members, key=lambda i: (math.isnan(rank[i]), rank[i], i))
        picked = order[:top] if top > 0 else []
        rest = len(members) - len(picked)
        more = f"，其余 {rest} 个 / {rest} more" if rest else ""
        print(f"\n{cat}：{len(members)} 个单位 / units{more}")
        if picked:
            _print_rows(cols, show, picked, decimals)
    grades = cols.get("grade")
    counts = ""
    if isinstance(grades, list) and any(grades):
        tally: dict[str, int] = {}
        for g in grades:
            tally[g or "-"] = tally.get(g or "-", 0) + 1
        counts = "；等次 / grades: " + ", ".join(f"{g} {c}" for g, c in tally.items())
    print(
        f"\n结果 / results: {out} ({n} 个单位 / units × {len(cols)} 列 / columns, "
        f"{len(by_cat)} 个分类 / categories{counts})"
    )


def _print_rows(cols: Columns, show: list[str], picked: list[int], decimals: int) -> None:
    def cell(c: str, i: int) -> str:
        col = cols[c]
        if isinstance(col, list):
            return col[i] or "-"
        v = float(col[i])
        if not math.isfinite(v):
            return "-"
        if c in ("rank", "rank_change"):
            return f"{v:+g}" if c == "rank_change" else f"{v:g}"
        # display rounding is half up (四舍五入), like the ranks
        r = float(engine.round_half_up(np.array([v]), decimals)[0])
        return f"{r:.{decimals}f}"

    table = [show] + [[cell(c, i) for c in show] for i in picked]

    def width(s: str) -> int:  # CJK characters take two columns in a terminal
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    widths = [max(width(t[j]) for t in table) for j in range(len(show))]
    for t in table:
        print("  ".join(s + " " * (widths[j] - width(s)) for j, s in enumerate(t)).rstrip())
