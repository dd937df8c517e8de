"""``duibiao score``: score an assessment from files, without a server.

    duibiao score SCHEME.yaml DATA.csv --units UNITS.csv --out RESULTS.csv
        [--explain TRACE.json] [--previous OLD_RESULTS.csv] [--sensitivity N --seed S]

DATA is long (``unit,indicator,value`` and optionally ``period``); ``.xlsx`` works wherever
``.csv`` does. No Django here: the web app's ``duibiao`` command calls :func:`main`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from duibiao import engine
from duibiao.schemes import SchemeDocumentError, load_scheme

from .columnar import read_data_columnar, read_units_columnar
from .output import Columns, print_summary, result_columns, write_results
from .rows import InputError, read_data_rows, read_previous, read_table
from .rows import read_units as read_units_rows

__all__ = ["InputError", "main", "read_data", "read_table", "read_units", "run"]


def _progress(msg: str, quiet: bool) -> None:
    if not quiet:
        print(f"[duibiao score] {msg}", file=sys.stderr, flush=True)


def read_units(path: str | Path) -> engine.Units:
    """Read UNITS (``unit,name,category`` + group columns): columnar when the file is clean,
    row by row to name the row and column of anything wrong.

    Usage: ``units = read_units("units.csv")``.
    """
    return read_units_columnar(path) or read_units_rows(path)


def read_data(
    path: str | Path, scheme: engine.Scheme, units: engine.Units
) -> dict[str, engine.Inputs]:
    """Read long DATA into dense inputs per period ('' when there is no period column):
    columnar when the data is clean, row by row to name the file, row and column of anything
    wrong.

    Usage: ``by_period = read_data("data.csv", scheme, units)``.
    """
    return read_data_columnar(path, scheme, units) or read_data_rows(path, scheme, units)


def run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    quiet = bool(args.quiet)
    scheme = load_scheme(args.scheme)
    units = read_units(args.units)
    _progress(
        f"scheme {scheme.code} v{scheme.version}: {len(scheme.indicators)} indicators; "
        f"{len(units)} units",
        quiet,
    )
    by_period = read_data(args.data, scheme, units)
    prev_ranks = read_previous(args.previous, units) if args.previous else None
    prev_values = None
    if args.previous_data:
        by_old = read_data(args.previous_data, scheme, units)
        prev_values = by_old[sorted(by_old)[-1]].values
    results: dict[str, engine.Result] = {}
    for period, inp in sorted(by_period.items()):
        results[period] = engine.score(
            scheme,
            inp.values,
            units,
            previous_ranks=prev_ranks,
            previous_values=prev_values,
            **inp.as_kwargs(),  # type: ignore[arg-type]
        )
        _progress(f"scored period {period or '(single)'}", quiet)
        for line in results[period].warnings():  # shown even with --quiet: it is about the data
            where = f"[{period}] " if period else ""
            print(f"警告 / warning: {where}{line}", file=sys.stderr, flush=True)
    last = results[sorted(results)[-1]]
    cols = result_columns(last)
    if scheme.combination and len(results) > 1:
        cols = _combine(scheme, units, results, prev_ranks)
    elif len(results) > 1:
        raise InputError(
            args.data,
            "数据含多个周期但方案未定义 combination / several periods "
            "but the scheme declares no combination",
            None,
            "period",
        )
    out = Path(args.out)
    write_results(out, cols)
    print_summary(cols, scheme.node_codes, scheme.decimals, out, top=int(args.top))
    payload: dict[str, Any] = {}
    if args.sensitivity:
        _progress(f"sensitivity: {args.sensitivity} runs, seed {args.seed}", quiet)
        sa = engine.sensitivity(last, runs=int(args.sensitivity), seed=int(args.seed))
        payload["sensitivity"] = {
            "runs": sa.runs,
            "seed": sa.seed,
            "spread": sa.spread,
            "units": sa.rows(units.codes),
        }
        print(
            f"\n敏感性分析 / sensitivity ({sa.runs} runs, seed {sa.seed}): "
            f"units keeping their rank in ≥ 90 % of runs: "
            f"{int((sa.keep_share >= 0.9).sum())}/{len(units)}"
        )
    if args.explain:
        payload |= {
            "scheme": {"code": scheme.code, "name": scheme.name, "version": scheme.version},
            "engine_version": engine.__version__,
            "weights": last.weights,
            "units": {u: last.trace(u) for u in units.codes},
        }
        Path(args.explain).write_text(
            json.dumps(payload, ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8"
        )
    _progress(f"wrote {out} in {time.perf_counter() - t0:.2f} s", quiet)
    return 0


def _combine(
    scheme: engine.Scheme,
    units: engine.Units,
    results: dict[str, engine.Result],
    prev_ranks: np.ndarray[Any, np.dtype[np.float64]] | None,
) -> Columns:
    parts: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}
    for part in scheme.combination:
        got = [results[p].score for p in part.periods if p in results]
        parts[part.code] = engine.average_periods(got) if got else np.full(len(units), np.nan)
    combined = engine.combine_parts(parts, {p.code: p.weight for p in scheme.combination})
    rk = scheme.ranking
    key = engine.round_half_up(combined, rk.decimals) if rk.on == "rounded" else combined
    # The same scopes as a single period: ranks within the ranking's scope, quotas within
    # the grading's (its own, or the ranking's) — category, all or any group column.
    rank = engine.rank_within(key, engine.scope_groups(rk.scope, units), ties=rk.ties)
    caps = np.max(np.stack([r.grade_cap for r in results.values()]), axis=0)
    gi = engine.assign_grades(
        key, engine.scope_groups(scheme.grading.scope, units), scheme.grading, caps
    )
    names = [g.name for g in scheme.grading.grades]
    cols: Columns = {
        "unit": list(units.codes),
        "category": list(units.categories),
        "score": np.asarray(combined, dtype=np.float64),
        "rank": np.asarray(rank, dtype=np.float64),
        "grade": [names[g] if g >= 0 else "" for g in gi.tolist()],
        "rank_change": (
            np.full(len(units), np.nan)
            if prev_ranks is None
            else np.asarray(prev_ranks - rank, dtype=np.float64)
        ),
    }
    for p in scheme.combination:
        cols[p.code] = np.asarray(parts[p.code], dtype=np.float64)
    # Then the last period's own columns (base score, adjustments, nodes), as before.
    for c, v in result_columns(results[sorted(results)[-1]]).items():
        cols.setdefault(c, v)
    return cols


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="duibiao score",
        description="按考核方案计分 / score units on a scheme (results, ranks, grades, trace).",
    )
    p.add_argument("scheme", help="方案 YAML / scheme document")
    p.add_argument("data", help="数据 CSV/XLSX: unit,indicator,value[,period]")
    p.add_argument("--units", required=True, help="单位 CSV/XLSX: unit,name,category[,groups…]")
    p.add_argument("--out", required=True, help="结果 RESULTS.csv / .xlsx")
    p.add_argument("--explain", help="计分说明 TRACE.json (per-unit trace)")
    p.add_argument("--previous", help="上期结果 / previous RESULTS (for 晋位/退位 rank change)")
    p.add_argument(
        "--previous-data",
        help="上期数据 / previous DATA (for the growth method and 'previous' imputation)",
    )
    p.add_argument("--sensitivity", type=int, default=0, metavar="N", help="Monte-Carlo runs")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument(
        "--top",
        type=int,
        default=5,
        metavar="N",
        help="每个分类显示前 N 名 / units shown per category on the terminal (default 5)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``duibiao score``. Usage: ``main(["scheme.yaml", "data.csv", ...])``."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except (InputError, SchemeDocumentError, engine.SchemeError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, KeyError, OSError) as exc:
        # A KeyError's str() is the repr of its key; the message itself is what to show.
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"错误 / error: {text}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
