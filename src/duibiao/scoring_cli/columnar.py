"""The columnar reader of ``duibiao score``: long DATA read by polars straight into the dense
(units × indicators) arrays the engine takes.

polars reads a CSV in one pass in compiled code (and an XLSX through calamine), and every
check below is an operation on a whole column. It answers only for data it can vouch for:
anything else — a cell it cannot parse, an unknown unit or code, a duplicate, a value outside
its rule, a cell padded with spaces, a layout it does not expect — gives ``None``, and the
row reader (:mod:`.rows`) reads the file again and names the file, row and column of what is
wrong. Errors are the slow path; clean data never meets it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from duibiao import engine

from .rows import InputError, parse_value

__all__ = ["read_data_columnar", "read_units_columnar"]

EXCEL = (".xlsx", ".xlsm")


def read_data_columnar(
    path: str | Path, scheme: engine.Scheme, units: engine.Units
) -> dict[str, engine.Inputs] | None:
    """Dense inputs per period, as :func:`.rows.read_data_rows` gives them, or None when the
    row reader must read the file (to find and name a problem, or a layout this skips).

    Usage: ``by_period = read_data_columnar(p, scheme, units) or read_data_rows(p, scheme, units)``.
    """
    frame = _frame(Path(path))
    if frame is None:
        return None
    vals = _values(frame["value"], path)
    if vals is None:
        return None
    keep = ~np.isnan(vals)  # a blank or NA value is no record at all, as in the row reader
    texts = {}
    for name in ("unit", "indicator", "period"):
        if name in frame.columns:
            col = frame[name].filter(pl.Series(keep))
            if name == "period":
                col = col.fill_null("")
            if col.null_count() or (col.str.strip_chars() != col).any():
                return None  # a missing or space-padded code: the row reader decides
            texts[name] = col
    codes = engine.input_codes(scheme)
    if len(set(codes)) != len(codes):
        return None
    rows = _index(texts["unit"], units.codes)
    cols = _index(texts["indicator"], codes)
    if rows is None or cols is None:
        return None
    return _by_period(scheme, units, texts.get("period"), rows, cols, vals[keep])


def read_units_columnar(path: str | Path) -> engine.Units | None:
    """UNITS as :func:`.rows.read_units` reads them, or None when the row reader must (an
    empty or duplicate code, a space-padded cell, an Excel file, a header it does not expect).

    Usage: ``units = read_units_columnar(p) or read_units(p)``.
    """
    p = Path(path)
    if not p.exists() or p.suffix.lower() in EXCEL:
        return None
    try:
        frame = pl.read_csv(p, infer_schema=False, comment_prefix="#", encoding="utf8")
    except Exception:  # whatever polars cannot read, the row reader explains
        return None
    names = [c.strip() for c in frame.columns]
    if len(set(names)) != len(names) or "" in names:
        return None
    if not {"unit", "name", "category"} <= set(names):
        return None
    frame.columns = names
    frame = frame.filter(~pl.all_horizontal(pl.all().is_null()))  # blank lines
    frame = frame.with_columns(pl.all().fill_null(""))
    for name in names:
        col = frame[name]
        if (col.str.strip_chars() != col).any():
            return None
    codes = frame["unit"]
    if (codes == "").any() or codes.n_unique() != len(codes) or not len(codes):
        return None
    extra = [h for h in names if h not in ("unit", "name", "category")]
    return engine.Units(
        codes=tuple(codes.to_list()),
        categories=tuple(frame["category"].to_list()),
        groups={h: tuple(frame[h].to_list()) for h in extra},
        names=tuple(frame["name"].to_list()),
    )


def _frame(path: Path) -> pl.DataFrame | None:
    """The file as a frame with stripped column names, or None if polars cannot read it as
    the row reader would (the row reader then names what is wrong)."""
    if not path.exists():
        return None
    try:
        if path.suffix.lower() in EXCEL:
            frame = pl.read_excel(path, engine="calamine", sheet_id=1)
        else:
            # Every cell as text, as the row reader sees it; '#' lines are comments.
            frame = pl.read_csv(path, infer_schema=False, comment_prefix="#", encoding="utf8")
    except Exception:  # whatever polars cannot read, the row reader explains
        return None
    names = [c.strip() for c in frame.columns]
    if len(set(names)) != len(names) or not {"unit", "indicator", "value"} <= set(names):
        return None
    frame.columns = names
    for name in ("unit", "indicator", "period"):
        if name in names and frame[name].dtype != pl.String:
            return None  # a code read as a number (101 → 101.0) must be read as its text
    return frame


def _values(col: pl.Series, path: str | Path) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    """The value column as floats, NaN for a blank or NA; None if any value is not a finite
    number (the row reader then says which row)."""
    if not (col.dtype.is_numeric() or col.dtype == pl.String):
        return None
    parsed = col.cast(pl.Float64, strict=False)
    if not parsed.drop_nulls().is_finite().all():
        return None  # "inf", "nan": the row reader refuses them by row
    vals = np.array(parsed.to_numpy(), dtype=np.float64)  # nulls → NaN; a writable copy
    if col.dtype != pl.String:
        return vals
    # What polars does not read as a plain number ("85%", "1,234", "NA", " 4 ") is read as the
    # row reader reads it; these are few, so one Python call each costs nothing.
    odd = (parsed.is_null() & col.is_not_null()).to_numpy()
    for r in np.flatnonzero(odd).tolist():
        try:
            v = parse_value(str(col[r]), path, 0)
        except InputError:
            return None
        vals[r] = np.nan if v is None else v
    return vals


def _index(col: pl.Series, known: tuple[str, ...]) -> np.ndarray[Any, np.dtype[np.intp]] | None:
    """Each text's position in ``known`` (distinct texts), or None if any is not there: an
    enum of ``known`` stores exactly that position, and refuses a text it does not know."""
    try:
        codes = col.cast(pl.Enum(list(known))).to_physical()
    except pl.exceptions.PolarsError:
        return None
    return codes.to_numpy().astype(np.intp)


def _by_period(
    scheme: engine.Scheme,
    units: engine.Units,
    period: pl.Series | None,
    rows: np.ndarray[Any, np.dtype[np.intp]],
    cols: np.ndarray[Any, np.dtype[np.intp]],
    vals: np.ndarray[Any, np.dtype[np.float64]],
) -> dict[str, engine.Inputs] | None:
    n, k = len(units), len(engine.input_codes(scheme))
    if not len(vals):
        return None
    parts: list[tuple[str, np.ndarray[Any, np.dtype[np.bool_]] | None]] = [("", None)]
    if period is not None:
        parts = [(str(p), (period == p).to_numpy()) for p in period.unique(maintain_order=True)]
    out: dict[str, engine.Inputs] = {}
    for name, mask in parts:
        r, c, v = (rows, cols, vals) if mask is None else (rows[mask], cols[mask], vals[mask])
        if np.bincount(r * k + c, minlength=n * k).max() > 1:
            return None  # a duplicate (unit, code): the row reader names both rows
        if engine.cells_break_rules(scheme, c, v):
            return None
        out[name] = engine.place_cells(scheme, n, r, c, v)
    return out
