"""``duibiao disposal-rates`` and its FINDINGS reader: CSV (UTF-8 with or without BOM, GB18030)
and real XLSX, every bad file refused naming row and column with nothing written, and the
command running without Django or a database. Plain pytest."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duibiao.cli import main as duibiao_main
from duibiao.inspections.rates import FindingsError, Outcome, read_findings
from duibiao.inspections.rates_cli import main

HEADER = "id,unit,campaign,found_on,deadline,extended_to,closed_on,outcome"
GOOD = [
    HEADER,
    "a1,城管局,春季绿化,2026-06-01,2026-06-10,,2026-06-05,closed",
    "a2,城管局,春季绿化,2026-06-01,2026-06-20,,,",
    "a3,城管局,餐饮整治,2026-06-20,2026-07-10,,2026-06-25,closed",
    "b1,市场监管局,餐饮整治,2026-06-01,2026-06-10,2026-07-05,,",
    "b2,市场监管局,餐饮整治,2026-06-01,2026-06-10,,2026-06-12,closed_not_fixed",
    "b3,市场监管局,餐饮整治,2026-07-02,2026-07-10,,,",
]
EXPECTED_BY_UNIT = [
    ["group", "findings", "due", "closed", "disposal_rate", "on_time_rate", "overdue", "avg_days"],
    ["城管局", "3", "3", "2", "66.67", "66.67", "1", "4.50"],  # a2 overdue; (4 + 5) / 2
    ["市场监管局", "2", "1", "0", "0.00", "0.00", "0", ""],  # b1 extended; b3 found after D
    ["全部", "5", "4", "2", "50.00", "50.00", "1", "4.50"],
]


def write(tmp_path: Path, lines: list[str], name: str = "findings.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return path


def read_out(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def test_command_writes_rates_by_unit_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rates.csv"
    rc, printed, _ = run(capsys, str(write(tmp_path, GOOD)), "--as-of", "2026-06-30", "--by", "unit", "--out", str(out))
    assert rc == 0
    assert read_out(out) == EXPECTED_BY_UNIT
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")  # plain UTF-8: `group` is the first header
    assert "截至 2026-06-30：问题 5 个，应整改 4 个，已销号 2 个，问题处置率 50.00%" in printed
    assert "逾期 1 个" in printed and "按单位分 2 组" in printed


def test_through_the_duibiao_command_by_campaign_and_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path, GOOD)
    by_campaign, only_all = tmp_path / "c.csv", tmp_path / "a.csv"
    assert duibiao_main(["disposal-rates", str(src), "--as-of", "2026-06-30", "--by", "campaign",
                         "--out", str(by_campaign)]) == 0
    assert duibiao_main(["disposal-rates", str(src), "--as-of", "2026-06-30", "--out", str(only_all)]) == 0
    capsys.readouterr()
    campaign_rows = read_out(by_campaign)
    assert [r[0] for r in campaign_rows] == ["group", "春季绿化", "餐饮整治", "全部"]
    assert campaign_rows[1] == ["春季绿化", "2", "2", "1", "50.00", "50.00", "1", "4.00"]
    assert read_out(only_all) == [EXPECTED_BY_UNIT[0], EXPECTED_BY_UNIT[-1]]


def test_utf8_bom_and_gb18030_read_alike(tmp_path: Path) -> None:
    plain = read_findings(write(tmp_path, GOOD, "plain.csv"))
    bom = read_findings(write(tmp_path, GOOD, "bom.csv", "utf-8-sig"))
    gbk = read_findings(write(tmp_path, GOOD, "gb.csv", "gb18030"))
    assert plain == bom == gbk
    assert plain[0].unit == "城管局" and plain[0].outcome is Outcome.CLOSED and plain[0].row == 2


def test_columns_in_any_order_extra_columns_and_no_extended_to(tmp_path: Path) -> None:
    lines = ["备注,outcome,closed_on,deadline,found_on,campaign,unit,id",
             "x,closed,2026-06-05,2026-06-10,2026-06-01,春季,城管局,1",
             "y,,,2026-06-10,2026-06-01,春季,城管局,2"]
    rows = read_findings(write(tmp_path, lines))
    assert [(r.id, r.closed_on, r.extended_to) for r in rows] == [
        ("1", date(2026, 6, 5), None), ("2", None, None)]


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_real_xlsx_with_date_cells_iso_text_and_numeric_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = HEADER.split(",")
    book = _xlsx(tmp_path / "findings.xlsx", [
        head,
        [1001, "城管局", "春季绿化", date(2026, 6, 1), date(2026, 6, 10), None, datetime(2026, 6, 5), "closed"],
        ["a2", "城管局", "春季绿化", "2026-06-01", "2026-06-20", None, None, None],
        ["a3", "城管局", "餐饮整治", date(2026, 6, 20), date(2026, 7, 10), None, date(2026, 6, 25), "closed"],
        ["b1", "市场监管局", "餐饮整治", date(2026, 6, 1), date(2026, 6, 10), date(2026, 7, 5), None, None],
        ["b2", "市场监管局", "餐饮整治", date(2026, 6, 1), date(2026, 6, 10), None, date(2026, 6, 12), "closed_not_fixed"],
        ["b3", "市场监管局", "餐饮整治", date(2026, 7, 2), date(2026, 7, 10), None, None, None],
    ])
    rows = read_findings(book)
    assert rows[0].id == "1001" and rows[0].closed_on == date(2026, 6, 5) and rows[1].deadline == date(2026, 6, 20)
    out = tmp_path / "rates.csv"
    rc, _, _ = run(capsys, str(book), "--as-of", "2026-06-30", "--by", "unit", "--out", str(out))
    assert rc == 0 and read_out(out) == EXPECTED_BY_UNIT


BAD_CASES = [
    # (the bad row, the column named, words of the message)
    ("x1,城管局,春季,2026-06-10,2026-06-20,,2026-06-05,closed", "closed_on", "早于发现日期"),
    ("x1,城管局,春季,2026-06-01,2026-06-20,,2026-06-05,done", "outcome", "未知的办结结果“done”"),
    ("x1,城管局,春季,2026-06-01,2026-06-20,,2026-06-05,已销号", "outcome", "未知的办结结果"),
    ("x1,城管局,春季,2026/06/01,2026-06-20,,,", "found_on", "不是日期"),
    ("x1,城管局,春季,2026-06-01,next week,,,", "deadline", "不是日期"),
    ("x1,城管局,春季,2026-06-01,2026-02-30,,,", "deadline", "不是有效日期"),
    ("x1,城管局,春季,2026-06-01,2026-06-20,2026-13-01,,", "extended_to", "不是有效日期"),
    ("x1,城管局,春季,2026-06-01,2026-06-20,,2026-06-05,", "outcome", "缺少办结结果"),
    ("x1,城管局,春季,2026-06-01,2026-06-20,,,closed", "closed_on", "缺少销号日期"),
    (",城管局,春季,2026-06-01,2026-06-20,,,", "id", "缺少问题编号"),
    ("a1,城管局,春季,2026-06-01,2026-06-20,,,", "id", "问题编号 a1 重复（与行 2 相同）"),
    ("x1,城管局,春季,2026-06-01,2026-05-20,,,", "deadline", "早于发现日期"),
    ("x1,城管局,春季,2026-06-01,2026-06-20,2026-05-20,,", "extended_to", "早于发现日期"),
    ("x1,城管局,春季,,2026-06-20,,,", "found_on", "缺少发现日期"),
]


@pytest.mark.parametrize(("bad", "column", "words"), BAD_CASES)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str, column: str, words: str
) -> None:
    # The bad row sits fourth (file row 4) between good ones: all or nothing.
    src = write(tmp_path, [*GOOD[:3], bad, *GOOD[3:]])
    out = tmp_path / "rates.csv"
    rc, printed, err = run(capsys, str(src), "--as-of", "2026-06-30", "--out", str(out))
    assert rc == 2
    assert not out.exists() and printed == ""
    assert f"行 4，列 {column}：" in err and words in err
    with pytest.raises(FindingsError) as caught:
        read_findings(src)
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, column)]


def test_every_problem_is_listed_and_an_old_result_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write(tmp_path, [HEADER, "1,A,c,2026-06-10,2026-06-20,,2026-06-05,closed",
                           "2,A,c,2026-06-01,soon,,,", "3,A,c,2026-06-01,2026-06-20,,,maybe"])
    out = tmp_path / "rates.csv"
    out.write_text("an earlier result\n", encoding="utf-8")
    rc, _, err = run(capsys, str(src), "--as-of", "2026-06-30", "--out", str(out))
    assert rc == 2
    assert "有 4 处问题" in err  # row 4 has two: the unknown outcome and no closed_on
    assert "行 2，列 closed_on" in err and "行 3，列 deadline" in err and "行 4，列 outcome" in err
    assert out.read_text(encoding="utf-8") == "an earlier result\n"


def test_a_bad_xlsx_names_row_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _xlsx(tmp_path / "f.xlsx", [HEADER.split(","),
                                       ["a", "U", "c", date(2026, 6, 1), 45000, None, None, None],
                                       ["b", "U", "c", "2026-06-01", "tomorrow", None, None, None]])
    rc, _, err = run(capsys, str(book), "--as-of", "2026-06-30", "--out", str(tmp_path / "r.csv"))
    assert rc == 2
    assert "行 2，列 deadline：“45000”不是日期" in err and "行 3，列 deadline：“tomorrow”不是日期" in err


def test_missing_columns_are_named_on_the_header_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path, ["id,unit,found_on,deadline,closed_on", "1,A,2026-06-01,2026-06-10,"])
    rc, _, err = run(capsys, str(src), "--as-of", "2026-06-30", "--out", str(tmp_path / "r.csv"))
    assert rc == 2
    assert "行 1，列 campaign：缺少此列" in err and "行 1，列 outcome：缺少此列" in err


@pytest.mark.parametrize(("name", "content", "words"), [
    ("empty.csv", b"", "文件为空"),
    ("fake.xlsx", b"id,unit\n1,2\n", "不是有效的 Excel"),
    ("binary.csv", bytes(range(128, 256)) * 4, "编码无法识别"),
])
def test_unreadable_files_are_refused_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, words: str
) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    rc, _, err = run(capsys, str(src), "--as-of", "2026-06-30", "--out", str(tmp_path / "r.csv"))
    assert rc == 2 and words in err
    assert not (tmp_path / "r.csv").exists()


def test_a_missing_file_and_a_bad_as_of_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, str(tmp_path / "nope.csv"), "--as-of", "2026-06-30", "--out", str(tmp_path / "r.csv"))
    assert rc == 2 and "文件不存在" in err
    with pytest.raises(SystemExit) as stop:
        main([str(write(tmp_path, GOOD)), "--as-of", "30/06/2026", "--out", str(tmp_path / "r.csv")])
    assert stop.value.code == 2
    assert "不是日期，应为 YYYY-MM-DD" in capsys.readouterr().err


def test_a_zip_bomb_is_refused_before_openpyxl_inflates_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(book, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))  # ~1000:1
    assert book.stat().st_size < 1024 * 1024
    rc, _, err = run(capsys, str(book), "--as-of", "2026-06-30", "--out", str(tmp_path / "r.csv"))
    assert rc == 2 and "疑似压缩炸弹" in err


def test_runs_without_django_and_without_a_database(tmp_path: Path) -> None:
    src = write(tmp_path, GOOD)
    out = tmp_path / "rates.csv"
    code = (
        "import sys\n"
        "from duibiao.cli import main\n"
        f"rc = main(['disposal-rates', {str(src)!r}, '--as-of', '2026-06-30', '--by', 'unit', '--out', {str(out)!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja'))\n"
        "print(rc, loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DUIBIAO"))}
    env["DUIBIAO_DATABASE_URL"] = "postgres://nobody:wrong@127.0.0.1:1/none"  # unreachable on purpose
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "0 []"
    assert read_out(out) == EXPECTED_BY_UNIT


def test_output_is_quoted_csv_when_a_name_has_a_comma(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path, [HEADER, '1,"城管局,一队",c,2026-06-01,2026-06-10,,2026-06-02,closed'])
    out = tmp_path / "r.csv"
    rc, _, _ = run(capsys, str(src), "--as-of", "2026-06-30", "--by", "unit", "--out", str(out))
    assert rc == 0
    assert list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))[1][0] == "城管局,一队"


DATE_TEXTS = ["", "2026-06-01", "2026-06-10", "2026-05-20", "2026-02-30", "soon", " 2026-06-05 "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["", " ", "x1", "城管局"]), min_size=3, max_size=3),
       st.lists(st.sampled_from(DATE_TEXTS), min_size=4, max_size=4),
       st.sampled_from(["", "closed", "closed_not_fixed", "done", " closed "]))
def test_the_quick_path_takes_only_rows_the_full_check_accepts(
    names: list[str], dates: list[str], outcome: str
) -> None:
    from duibiao.inspections.rates import NAMES, _quick, _row

    vals: list[object] = [*names, *dates, outcome]
    quick = _quick(7, vals)  # type: ignore[arg-type]
    full, faults = _row(7, dict(zip(NAMES, vals, strict=True)))  # type: ignore[arg-type]
    if quick is not None:
        assert faults == [] and quick == full
    else:
        assert faults or full is None


def _outcome_of(call):  # type: ignore[no-untyped-def]
    try:
        return call(), None
    except FindingsError as exc:
        return None, [(p.row, p.column, p.message) for p in exc.problems]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    # rows shaped like findings (most of them valid, duplicates and faults among them) …
    st.tuples(st.sampled_from(["x1", "x2", "x3", "x4", ""]), st.sampled_from(["城管局", " 城管局 "]),
              st.just("春季"), *[st.sampled_from(DATE_TEXTS[:4] + [DATE_TEXTS[6]])] * 4,
              st.sampled_from(["", "", "closed", "closed_not_fixed", "done"])).map(list),
    # … and rows of anything, short or long
    st.lists(st.sampled_from(["", "x1", " 城管局 ", *DATE_TEXTS, "closed", "done"]), min_size=0, max_size=9),
), max_size=8), st.booleans())
def test_the_csv_way_and_the_workbook_way_read_the_same(body: list[list[str]], with_extension: bool) -> None:
    from duibiao.inspections.rates import _parse

    header = HEADER.split(",") if with_extension else [c for c in HEADER.split(",") if c != "extended_to"]
    if not with_extension:
        body = [[*row[:5], *row[6:]] for row in body]
    table = [(1, list(header)), *((r, list(cells)) for r, cells in enumerate(body, start=2))]
    as_text = _outcome_of(lambda: _parse([(r, list(c)) for r, c in table], text_only=True))
    as_cells = _outcome_of(lambda: _parse([(r, list(c)) for r, c in table]))
    assert as_text == as_cells


def test_both_ways_read_a_valid_file_alike() -> None:
    from duibiao.inspections.rates import _parse

    table = [(r, line.split(",")) for r, line in enumerate(GOOD, start=1)]
    as_text = _parse([(r, list(c)) for r, c in table], text_only=True)
    assert len(as_text) == 6 and as_text == _parse([(r, list(c)) for r, c in table])


def test_the_garbage_collector_is_back_on_after_a_read_good_or_bad(tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    read_findings(write(tmp_path, GOOD))
    assert gc.isenabled()
    with pytest.raises(FindingsError):
        read_findings(write(tmp_path, [HEADER, "1,A,c,soon,,,,"], "bad.csv"))
    assert gc.isenabled()


def test_a_file_with_no_findings_gives_the_all_row_blank(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.csv"
    rc, printed, _ = run(capsys, str(write(tmp_path, [HEADER])), "--as-of", "2026-06-30", "--by", "unit", "--out", str(out))
    assert rc == 0
    assert read_out(out) == [EXPECTED_BY_UNIT[0], ["全部", "0", "0", "0", "", "", "0", ""]]
    assert "问题处置率 —，按期整改率 —，逾期 0 个，平均整改天数 —。" in printed


def test_a_workbook_whose_declared_sizes_lie_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _xlsx(tmp_path / "f.xlsx", [HEADER.split(","), ["a", "U", "c", date(2026, 6, 1), None, None, None, None]])
    data = bytearray(book.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    central = data.find(b"PK\x01\x02")  # the central directory: the sizes zipfile believes
    while central >= 0 and data[central + 46:central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    assert central >= 0
    declared = int.from_bytes(data[central + 24:central + 28], "little")
    data[central + 24:central + 28] = (declared + 10).to_bytes(4, "little")  # claims 10 bytes more
    book.write_bytes(bytes(data))
    rc, _, err = run(capsys, str(book), "--as-of", "2026-06-30", "--out", str(tmp_path / "r.csv"))
    assert rc == 2
    assert "xl/worksheets/sheet1.xml 的大小与声明不符" in err
    assert not (tmp_path / "r.csv").exists()
