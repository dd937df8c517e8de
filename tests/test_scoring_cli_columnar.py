"""`duibiao score` at the speed of its data (issue 14): the columnar reader gives what the row
reader gives, hands back whatever it cannot vouch for, numbers are written as Python writes
them, and the terminal gets a summary (plain pytest; no Django)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duibiao import engine
from duibiao.schemes import load_scheme, load_scheme_text
from duibiao.scoring_cli import main, read_units
from duibiao.scoring_cli.columnar import read_data_columnar, read_units_columnar
from duibiao.scoring_cli.output import format_numbers, result_columns, write_results
from duibiao.scoring_cli.rows import read_data_rows
from duibiao.scoring_cli.rows import read_units as read_units_rows

EX = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = ("coinr-asem", "daowai-2023", "db2019-starting-a-business")


def python_fmt(v: float) -> str | None:
    """How the command wrote a number before it was vectorised (one Python call per value)."""
    if not math.isfinite(v):
        return None
    return f"{round(v, 6):.6f}".rstrip("0").rstrip(".")


def same_inputs(a: engine.Inputs, b: engine.Inputs) -> None:
    for name in ("values", "denominators", "events", "vetoes"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.ballots.keys() == b.ballots.keys()
    for code in a.ballots:
        np.testing.assert_array_equal(a.ballots[code], b.ballots[code])


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_columnar_reader_reads_each_example_as_the_row_reader_does(example: str) -> None:
    ex = EX / example
    scheme = load_scheme(ex / "scheme.yaml")
    units = read_units_columnar(ex / "units.csv")
    assert units == read_units_rows(ex / "units.csv")
    fast = read_data_columnar(ex / "data.csv", scheme, units)
    assert fast is not None, "clean example data must take the fast path"
    slow = read_data_rows(ex / "data.csv", scheme, units)
    assert fast.keys() == slow.keys()
    for period in fast:
        same_inputs(fast[period], slow[period])


SCHEME = """code: s
name: 小方案
version: '1'
tree:
  code: T
  children:
    - {code: rate, name: 办结率, kind: percent, normalise: {method: target, target: 100}}
    - {code: cnt, name: 签约项目数, kind: count, normalise: {method: minmax}}
adjustments:
  items: [{code: b1, name: 加分, type: bonus, points: 1}]
vetoes: [{code: v1, name: 否决, effect: zero}]
"""
UNITS = "unit,name,category\nu1,甲,街道\nu2,乙,街道\nu3,丙,部门\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_percent_thousands_na_comments_and_blank_lines_read_alike(tmp_path: Path) -> None:
    """The cells polars does not read as plain numbers are read as the row reader reads them."""
    scheme = load_scheme_text(SCHEME)
    units = read_units(write(tmp_path / "u.csv", UNITS))
    data = write(tmp_path / "d.csv", (
        "\ufeffunit,indicator,value\n# a comment, with commas\nu1,rate,85%\nu1,cnt,\"1,234\"\n\n"
        "u2,rate,NA\nu2,cnt,12\nu3,rate,90.5\nu3,cnt,3\nu3,b1,2\nu2,v1,1\nu1,zz,\n"
    ))
    fast = read_data_columnar(data, scheme, units)
    assert fast is not None
    same_inputs(fast[""], read_data_rows(data, scheme, units)[""])
    assert fast[""].values[0].tolist() == [85.0, 1234.0] and np.isnan(fast[""].values[1, 0])


@pytest.mark.parametrize(("rows", "row", "column", "says"), [
    ("u1,rate,85\nu1,cnt,abc\n", 3, "value", "不是数值 / not a number: 'abc'"),
    ("u1,rate,85\nu9,cnt,3\n", 3, "unit", "未知单位 / unknown unit 'u9'"),
    ("u1,rate,85\nu1,zz,3\n", 3, "indicator", "未知指标代码 / unknown indicator code 'zz'"),
    ("u1,rate,85\nu1,rate,86\n", 3, "indicator", "重复的值 / duplicate value for 'rate'"),
    ("u1,rate,85\nu2,rate,150\n", 3, "value", "的值 150 超出取值规则（0–100）"),
    ("u1,cnt,2.5\n", 2, "value", "超出取值规则（≥ 0 的整数"),
    ("u1,v1,2\n", 2, "value", "一票否决应填 1"),
    ("u1,b1,-1\n", 2, "value", "奖惩事项次数不能为负"),
    ("u1,rate,inf\n", 2, "value", "不是有限数值 / not a finite number: 'inf'"),
    ("u1,rate,nan\n", 2, "value", "不是有限数值"),
    ("u1,cnt,\"12,5\"\n", 2, "value", "千分位分隔符位置不对"),
])
def test_what_the_fast_reader_refuses_the_row_reader_names_by_file_row_and_column(
        tmp_path: Path, capsys, rows: str, row: int, column: str, says: str) -> None:  # type: ignore[no-untyped-def]
    scheme = load_scheme_text(SCHEME)
    units = read_units(write(tmp_path / "u.csv", UNITS))
    data = write(tmp_path / "data.csv", "unit,indicator,value\n" + rows)
    assert read_data_columnar(data, scheme, units) is None
    write(tmp_path / "s.yaml", SCHEME)
    rc = main([str(tmp_path / "s.yaml"), str(data), "--units", str(tmp_path / "u.csv"),
               "--out", str(tmp_path / "r.csv"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and not (tmp_path / "r.csv").exists()
    assert f"data.csv, 第 {row} 行 / row {row}, 列 / column '{column}'" in err and says in err, err


def test_comment_lines_still_count_in_the_row_named(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "s.yaml", SCHEME)
    write(tmp_path / "u.csv", UNITS)
    data = write(tmp_path / "data.csv", "# 2024 年数据\nunit,indicator,value\n# 一\n# 二\nu1,rate,85\nu2,rate,x\n")
    rc = main([str(tmp_path / "s.yaml"), str(data), "--units", str(tmp_path / "u.csv"),
               "--out", str(tmp_path / "r.csv"), "--quiet"])
    assert rc == 2 and "第 6 行 / row 6, 列 / column 'value'" in capsys.readouterr().err


def test_padded_codes_and_a_quoted_comment_are_left_to_the_row_reader(tmp_path: Path) -> None:
    """Layouts the fast reader does not judge: the row reader reads them, with its own rules."""
    scheme = load_scheme_text(SCHEME)
    units = read_units(write(tmp_path / "u.csv", UNITS))
    padded = write(tmp_path / "p.csv", "unit,indicator,value\n u1 ,rate,85\nu2, cnt ,3\n")
    assert read_data_columnar(padded, scheme, units) is None
    assert read_data_rows(padded, scheme, units)[""].values[0, 0] == 85.0
    quoted = write(tmp_path / "q.csv", 'unit,indicator,value\n"# not data",rate,1\nu1,rate,85\n')
    assert read_data_columnar(quoted, scheme, units) is None
    assert read_data_rows(quoted, scheme, units)[""].values[0, 0] == 85.0


@pytest.mark.parametrize("text", [
    "unit,name,category\nu1,甲,街道\nu1,乙,街道\n",  # duplicate
    "unit,name,category\nu1,甲,街道\n,乙,街道\n",  # empty code
    "unit,name,category\n u1,甲,街道\n",  # padded
    "unit,name\nu1,甲\n",  # no category column
])
def test_units_the_fast_reader_does_not_vouch_for(tmp_path: Path, text: str) -> None:
    assert read_units_columnar(write(tmp_path / "u.csv", text)) is None


def test_units_with_groups_comments_and_blank_lines_read_alike(tmp_path: Path) -> None:
    path = write(tmp_path / "u.csv", "# 单位\nunit,name,category,tier\nu1,甲,街道,A\n\nu2,\"乙, 二\",部门,\n")
    assert read_units_columnar(path) == read_units_rows(path)


def test_periods_are_read_per_period(tmp_path: Path) -> None:
    scheme = load_scheme_text(SCHEME)
    units = read_units(write(tmp_path / "u.csv", UNITS))
    data = write(tmp_path / "d.csv", "unit,indicator,value,period\nu1,rate,80,Q2\nu1,rate,70,Q1\nu2,cnt,4\n")
    fast = read_data_columnar(data, scheme, units)
    slow = read_data_rows(data, scheme, units)
    assert fast is not None and list(fast) == list(slow) == ["Q2", "Q1", ""]
    for p in fast:
        same_inputs(fast[p], slow[p])


def test_xlsx_data_is_read_columnar_as_the_row_reader_reads_it(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    ex = EX / "daowai-2023"
    wb = openpyxl.Workbook()
    ws = wb.active
    with (ex / "data.csv").open(encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            ws.append(row if i == 0 else [row[0], row[1], float(row[2])])
    wb.save(tmp_path / "data.xlsx")
    scheme = load_scheme(ex / "scheme.yaml")
    units = read_units(ex / "units.csv")
    fast = read_data_columnar(tmp_path / "data.xlsx", scheme, units)
    assert fast is not None
    same_inputs(fast[""], read_data_rows(ex / "data.csv", scheme, units)[""])


EDGES = [0.0, -0.0, 1e-9, -1e-9, 5e-7, -5e-7, 4.9999999e-7, 2.5e-6, 0.0078125, 1 / 3, 2 / 3,
         99.9999995, 61.7821084, 2801.0, -1.0, 123456789.1234565, 1e15, -1e15, 1e300, 5e-324,
         float("nan"), float("inf"), float("-inf")]


def test_numbers_are_written_as_python_writes_them_at_the_edges() -> None:
    assert format_numbers(np.array(EDGES)).to_list() == [python_fmt(v) for v in EDGES]
    assert format_numbers(np.arange(-4000, 4000) / 128.0).to_list() == [
        python_fmt(v) for v in (np.arange(-4000, 4000) / 128.0).tolist()]  # exact ties


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=200),
       st.lists(st.floats(min_value=-1000, max_value=1000), min_size=1, max_size=200))
def test_numbers_are_written_as_python_writes_them(any_floats: list[float], scores: list[float]) -> None:
    for values in (any_floats, scores, [round(v, 7) for v in scores]):
        assert format_numbers(np.array(values)).to_list() == [python_fmt(v) for v in values]


def test_the_results_file_is_byte_for_byte_what_csv_writer_wrote(tmp_path: Path) -> None:
    """Text that needs quoting, empty text and missing numbers, as the csv module writes them."""
    names = ["甲", 'say "hi"', "a,b", "two\nlines", "", "cr\rhere", " padded "]
    cols = {"unit": names, "score": np.array([1.5, np.nan, -0.0, 2 / 3, 100.0, np.inf, 3.0])}
    write_results(tmp_path / "r.csv", cols)  # type: ignore[arg-type]
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(["unit", "score"])
    w.writerows([u, python_fmt(v) or ""] for u, v in zip(names, cols["score"].tolist(), strict=True))
    assert (tmp_path / "r.csv").read_bytes() == buf.getvalue().encode("utf-8")


@pytest.mark.parametrize("example", EXAMPLES)
def test_result_columns_are_the_tables_columns(example: str) -> None:
    ex = EX / example
    scheme = load_scheme(ex / "scheme.yaml")
    units = read_units(ex / "units.csv")
    inp = read_data_rows(ex / "data.csv", scheme, units)[""]
    res = engine.score(scheme, inp.values, units, **inp.as_kwargs())  # type: ignore[arg-type]
    table = res.table()
    cols = result_columns(res)
    assert list(cols) == list(table[0])
    for name, col in cols.items():
        want = [row[name] for row in table]
        if isinstance(col, list):
            assert col == want, name
        else:
            assert [None if math.isnan(v) else v for v in col.tolist()] == want, name


def test_the_terminal_gets_a_summary_not_every_row(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ex = EX / "daowai-2023"
    out = tmp_path / "r.csv"
    rc = main([str(ex / "scheme.yaml"), str(ex / "data.csv"), "--units", str(ex / "units.csv"),
               "--out", str(out), "--quiet", "--top", "3"])
    printed = capsys.readouterr().out
    assert rc == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    for cat in ("街道乡镇", "经济部门", "综合部门"):
        members = sorted((r for r in rows if r["category"] == cat), key=lambda r: float(r["rank"]))
        assert f"{cat}：{len(members)} 个单位 / units，其余 {len(members) - 3} 个" in printed
        assert members[0]["unit"] in printed  # the first of each category is shown
        shown = [r["unit"] for r in members if f"\n{r['unit']} " in printed]
        assert len(shown) == 3, shown
    assert f"结果 / results: {out} (52 个单位 / units" in printed
    assert len(printed.splitlines()) < 25  # a summary, not 52 rows


def test_windows_line_endings_take_the_fast_path_too(tmp_path: Path) -> None:
    ex = EX / "daowai-2023"
    scheme = load_scheme(ex / "scheme.yaml")
    units = read_units(ex / "units.csv")
    crlf = tmp_path / "data.csv"
    crlf.write_bytes((ex / "data.csv").read_bytes().replace(b"\n", b"\r\n"))
    fast = read_data_columnar(crlf, scheme, units)
    assert fast is not None
    same_inputs(fast[""], read_data_rows(ex / "data.csv", scheme, units)[""])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="0123456789.,+-eE_%xXinfaINFA \u00a0٣", max_size=8), min_size=1, max_size=40))
def test_a_value_is_read_as_the_row_reader_reads_it_or_handed_back(texts: list[str]) -> None:
    """Whatever polars makes of a value cell, the fast reader's number is the row reader's, or
    it hands the file back (for the row reader to name the cell it cannot read)."""
    from duibiao.scoring_cli.columnar import _values
    from duibiao.scoring_cli.rows import InputError, parse_value

    got = _values(pl.Series(texts, dtype=pl.String), "d.csv")
    try:
        want = [parse_value(t, "d.csv", 1) for t in texts]
    except InputError:
        assert got is None
        return
    assert got is not None
    assert [None if math.isnan(v) else v for v in got.tolist()] == want
