"""``duibiao score``: score an assessment from files, without a server.

    duibiao score SCHEME.yaml DATA.csv --units UNITS.csv --out RESULTS.csv
        [--explain TRACE.json] [--previous OLD_RESULTS.csv] [--sensitivity N --seed S]

DATA is long (``unit,indicator,value`` and optionally ``period``); ``.xlsx`` works wherever
``.csv`` does. No Django here: the web app's ``duibiao`` command calls :func:`main`.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from duibiao import engine
from duibiao.schemes import SchemeDocumentError, load_scheme

__all__ = ["InputError", "main", "read_data", "read_table", "read_units", "run"]


class InputError(Exception):
    """A problem in an input file, located by file, row and column."""

    def __init__(self, file: str | Path, message: str, row: int | None = None, column: str = ""):
        where = str(file)
        if row is not None:
            where += f", 第 {row} 行 / row {row}"
        if column:
            where += f", 列 / column '{column}'"
        super().__init__(f"{where}: {message}")


def _progress(msg: str, quiet: bool) -> None:
    if not quiet:
        print(f"[duibiao score] {msg}", file=sys.stderr, flush=True)


def read_table(path: str | Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Read a CSV (UTF-8, ``#`` comment lines skipped) or XLSX table.

    Returns the header and (file row number, cells) pairs. Usage: ``hdr, rows = read_table(p)``.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(p, "文件不存在 / file not found")
    rows: list[tuple[int, list[str]]] = []
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad workbook
            raise InputError(p, f"无法读取 Excel / cannot read workbook: {exc}") from None
        ws = wb.worksheets[0]
        for r, vals in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else str(v) for v in vals]
            if any(c.strip() for c in cells) and not cells[0].startswith("#"):
                rows.append((r, cells))
        wb.close()
    else:
        try:
            with p.open(encoding="utf-8-sig", newline="") as f:
                for r, cells in enumerate(csv.reader(f), start=1):
                    if cells and not cells[0].startswith("#") and any(c.strip() for c in cells):
                        rows.append((r, cells))
        except UnicodeDecodeError:
            raise InputError(p, "文件须为 UTF-8 编码 / file must be UTF-8 encoded") from None
    if not rows:
        raise InputError(p, "文件为空 / file is empty")
    header = [h.strip() for h in rows[0][1]]
    return header, rows[1:]


def _col(header: list[str], name: str, path: str | Path, required: bool = True) -> int:
    if name in header:
        return header.index(name)
    if required:
        raise InputError(path, f"缺少列 / missing column '{name}' (have: {', '.join(header)})", 1)
    return -1


def read_units(path: str | Path) -> engine.Units:
    """Read UNITS (``unit,name,category`` + group columns). Usage: ``units = read_units(p)``."""
    header, rows = read_table(path)
    iu, iname, icat = (_col(header, c, path) for c in ("unit", "name", "category"))
    extra = [h for h in header if h not in ("unit", "name", "category")]
    codes, names, cats = [], [], []
    groups: dict[str, list[str]] = {h: [] for h in extra}
    seen: dict[str, int] = {}
    for r, cells in rows:
        cells = cells + [""] * (len(header) - len(cells))
        code = cells[iu].strip()
        if not code:
            raise InputError(path, "单位代码为空 / empty unit code", r, "unit")
        if code in seen:
            raise InputError(
                path, f"单位代码重复 / duplicate unit '{code}' (row {seen[code]})", r, "unit"
            )
        seen[code] = r
        codes.append(code)
        names.append(cells[iname].strip())
        cats.append(cells[icat].strip())
        for h in extra:
            groups[h].append(cells[header.index(h)].strip())
    return engine.Units(
        codes=tuple(codes),
        categories=tuple(cats),
        groups={k: tuple(v) for k, v in groups.items()},
        names=tuple(names),
    )


def read_data(
    path: str | Path, scheme: engine.Scheme, units: engine.Units
) -> dict[str, engine.Inputs]:
    """Read long DATA into dense inputs per period ('' when there is no period column).

    Usage: ``by_period = read_data("data.csv", scheme, units)``.
    """
    header, rows = read_table(path)
    iu, ii, iv = (_col(header, c, path) for c in ("unit", "indicator", "value"))
    ip = _col(header, "period", path, required=False)
    per: dict[str, tuple[list[str], list[str], list[float], list[int]]] = {}
    for r, cells in rows:  # parsing text rows; the scoring itself is vectorised
        cells = cells + [""] * (len(header) - len(cells))
        val = _value(cells[iv], path, r)
        if val is None:
            continue
        period = cells[ip].strip() if ip >= 0 else ""
        bucket = per.setdefault(period, ([], [], [], []))
        bucket[0].append(cells[iu].strip())
        bucket[1].append(cells[ii].strip())
        bucket[2].append(val)
        bucket[3].append(r)
    out: dict[str, engine.Inputs] = {}
    for period, (us, cs, vs, rs) in per.items():
        inp = engine.dense_inputs(scheme, units.codes, us, cs, vs)
        # Where the data is, then whether each value keeps its rule: a value outside its
        # indicator's range is an error here, never a silently clipped score.
        problems = inp.problems or engine.value_problems(scheme, us, cs, vs)
        if problems:
            pr = problems[0]
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            raise InputError(path, pr.message + more, rs[pr.row], pr.column)
        out[period] = inp
    if not out:
        raise InputError(path, "没有数据行 / no data rows")
    return out


def _value(cell: str, path: str | Path, row: int) -> float | None:
    """One DATA value: a number, with % and thousands separators in groups of three allowed
    ("1,234.5"); None for a blank or NA; an error naming file, row and column otherwise."""
    text = cell.strip()
    if text == "" or text.upper() in ("NA", "N/A", ".."):
        return None
    try:
        val = float(engine.strip_thousands(text.rstrip("%％")))
    except engine.MisplacedSeparator:
        raise InputError(
            path,
            f"千分位分隔符位置不对 / misplaced thousands separator: '{text}' "
            "(每三位一组，如 1,234.5 / groups of three, e.g. 1,234.5; 小数点用 . / decimal point is .)",
            row,
            "value",
        ) from None
    except ValueError:
        raise InputError(path, f"不是数值 / not a number: '{text}'", row, "value") from None
    if not math.isfinite(val):
        raise InputError(path, f"不是有限数值 / not a finite number: '{text}'", row, "value")
    return val


def _read_previous(path: str | Path, units: engine.Units) -> np.ndarray[Any, np.dtype[np.float64]]:
    header, rows = read_table(path)
    iu, ir = _col(header, "unit", path), _col(header, "rank", path)
    prev = {}
    for r, cells in rows:
        try:
            prev[cells[iu].strip()] = float(cells[ir]) if cells[ir].strip() else math.nan
        except ValueError:
            raise InputError(
                path, f"名次不是数值 / rank is not a number: '{cells[ir].strip()}'", r, "rank"
            ) from None
    return np.asarray([prev.get(u, math.nan) for u in units.codes], dtype=np.float64)


def _fmt(v: Any, nd: int = 6) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{round(v, nd):.{nd}f}".rstrip("0").rstrip(".") if math.isfinite(v) else ""
    return str(v)


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    cols = list(rows[0]) if rows else ["unit", "category", "score", "rank", "grade"]
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(cols)
        for row in rows:
            ws.append([row[c] for c in cols])
        wb.save(path)
        return
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for row in rows:
            w.writerow([_fmt(row[c]) for c in cols])


def _print_table(rows: list[dict[str, Any]], nodes: Sequence[str], decimals: int) -> None:
    show = ["unit", "category", "score", "rank", "grade"]
    if any(r.get("rank_change") is not None for r in rows):
        show.append("rank_change")
    show += [c for c in nodes if c in rows[0]][:6] if rows else []

    def cell(v: Any, c: str = "") -> str:
        if isinstance(v, float) and c in ("rank", "rank_change") and math.isfinite(v):
            return f"{v:+g}" if c == "rank_change" else f"{v:g}"
        if isinstance(v, float):  # display rounding is half up (四舍五入), like the ranks
            r = float(engine.round_half_up(np.array([v]), decimals)[0])
            return f"{r:.{decimals}f}" if math.isfinite(v) else "-"
        return "-" if v is None else str(v)

    table = [show] + [[cell(r.get(c), c) for c in show] for r in rows]

    def width(s: str) -> int:  # CJK characters take two columns in a terminal
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    widths = [max(width(t[i]) for t in table) for i in range(len(show))]
    for t in table:
        print("  ".join(s + " " * (widths[i] - width(s)) for i, s in enumerate(t)))


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
    prev_ranks = _read_previous(args.previous, units) if args.previous else None
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
    rows = last.table()
    if scheme.combination and len(results) > 1:
        rows = _combine(scheme, units, results, prev_ranks)
    elif len(results) > 1:
        raise InputError(
            args.data,
            "数据含多个周期但方案未定义 combination / several periods "
            "but the scheme declares no combination",
            None,
            "period",
        )
    out = Path(args.out)
    _write_rows(out, rows)
    _print_table(rows, scheme.node_codes, scheme.decimals)
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
) -> list[dict[str, Any]]:
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
    last = results[sorted(results)[-1]].table()
    rows = []
    for i, u in enumerate(units.codes):
        row: dict[str, Any] = {
            "unit": u,
            "category": units.categories[i],
            "score": float(combined[i]),
            "rank": float(rank[i]),
            "grade": names[gi[i]] if gi[i] >= 0 else "",
            "rank_change": None if prev_ranks is None else float(prev_ranks[i] - rank[i]),
        }
        for p in scheme.combination:
            row[p.code] = float(parts[p.code][i])
        for c, v in last[i].items():
            row.setdefault(c, v)
        rows.append(row)
    return rows


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
