"""The row-by-row reader of ``duibiao score``: every cell read and checked in turn, so every
error names its file, row (the file's own row number, comment lines counted) and column.

The columnar reader (:mod:`.columnar`) reads clean data far faster; when it finds anything it
cannot vouch for, this reader reads the file again and says what is wrong, and where.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

from duibiao import engine

__all__ = ["InputError", "parse_value", "read_data_rows", "read_previous", "read_table", "read_units"]


class InputError(Exception):
    """A problem in an input file, located by file, row and column."""

    def __init__(self, file: str | Path, message: str, row: int | None = None, column: str = ""):
        where = str(file)
        if row is not None:
            where += f", 第 {row} 行 / row {row}"
        if column:
            where += f", 列 / column '{column}'"
        super().__init__(f"{where}: {message}")


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


def read_data_rows(
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
        val = parse_value(cells[iv], path, r)
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


def parse_value(cell: str, path: str | Path, row: int) -> float | None:
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


def read_previous(path: str | Path, units: engine.Units) -> np.ndarray[Any, np.dtype[np.float64]]:
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
