"""``duibiao project-rates`` end to end on CSV and XLSX ledgers, and the bad ledgers it refuses
(every problem named by row and column, nothing written). Plain files, no database."""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duibiao.projects.ledger import COLUMNS, LedgerError, read_ledger, write_ledger_csv
from duibiao.projects.rates import Funding, Kind, LedgerRow, Level, Stage
from duibiao.projects.rates_cli import main

HEADER = ",".join(COLUMNS)
# As of 2023-06-30 (序时进度 50 %), by hand:
#  P1 续建, started, 60/100 done, in the statistics            → green
#  P2 新开工, planned 2023-01-10, not started                   → red (more than 3 months)
#  P3 新开工, planned 2023-05-15, not started                   → yellow
#  P4 续建, started 2023-03-01, 600 total, not 入库, 25/100     → red (statistics) + yellow (25 behind)
#  P5 竣工投产, completed 2023-05-20, planned 2023-05-31        → no flag; on time
LEDGER = f"""{HEADER}
P1,滨江物流园,太古街道,省重点,商贸物流,续建,企业投资,3000,100,2022-03-01,2024-10-31,2022-03-10,,60,80,100,2022-04-20
P2,新区学校,太古街道,区,社会事业,新开工,政府投资,400,200,2023-01-10,2023-12-31,,,0,100,20,
P3,冷链仓储,靖宇街道,市,产业,new,enterprise,,100,2023-05-15,,,,,,,
P4,污水管网,靖宇街道,district,基础设施,continuing,政府投资,600,100,2023-02-01,2023-06-15,2023-03-01,,25,100,130,
P5,农产品市场,靖宇街道,区重点,农业,竣工投产,企业投资,900,0,2022-05-01,2023-05-31,2022-05-02,2023-05-20,0,,,2022-06-01
"""
# 开复工率: due P1 P2 P3 P4 P5, started P1 P4 P5 → 60.00; 投资: 85 / 500 → 17.00, gap −33.00;
# 资金: 250 / 280 → 89.29; 按期竣工: due P4 (not completed) and P5 (on time) → 50.00.
EXPECTED_ALL = ["全部", "5", "60.00", "17.00", "50.00", "-33.00", "89.29", "50.00", "2", "1", "1"]
EXPECTED_UNITS = [  # 太古: P1 P2; 靖宇: P3 P4 P5
    ["太古街道", "2", "50.00", "20.00", "50.00", "-30.00", "66.67", "", "1", "0", "1"],
    ["靖宇街道", "3", "66.67", "12.50", "50.00", "-37.50", "130.00", "50.00", "1", "1", "0"],
]


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    # No BOM: a reader that takes the file as plain UTF-8 must see the column "group", not
    # "\ufeffgroup" (the same as duibiao disposal-rates).
    assert not raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def run(tmp_path: Path, ledger: Path, *extra: str) -> tuple[int, Path, Path]:
    out, flags = tmp_path / "rates.csv", tmp_path / "flags.csv"
    code = main([str(ledger), "--as-of", "2023-06-30", "--out", str(out), "--projects-out", str(flags), *extra])
    return code, out, flags


def test_csv_ledger_by_unit_with_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    code, out, flags = run(tmp_path, ledger, "--by", "unit")
    assert code == 0
    rows = read_csv(out)
    assert rows[0] == ["group", "projects", "start_rate", "investment_rate", "schedule", "schedule_gap",
                       "funds_rate", "completion_rate", "red", "yellow", "green"]
    assert rows[1:] == [*EXPECTED_UNITS, EXPECTED_ALL]
    by_code = {r[0]: r for r in read_csv(flags)[1:]}
    assert {c: r[1] for c, r in by_code.items()} == {"P1": "green", "P2": "red", "P3": "yellow", "P4": "red", "P5": ""}
    assert by_code["P4"][2] == "投资完成25.00%，落后序时进度25.00个百分点；2023-03-01开工，2个月以上未入库入统"
    printed = capsys.readouterr().out
    assert "共 5 个项目" in printed and "投资完成率 17.00%" in printed and "落后序时进度 33.00 个百分点" in printed


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_with_bom_or_in_gb18030_as_wps_saves_it(tmp_path: Path, encoding: str) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_bytes(LEDGER.encode(encoding))
    code, out, _ = run(tmp_path, ledger)
    assert code == 0
    assert read_csv(out)[1:] == [EXPECTED_ALL]


@pytest.mark.parametrize(("by", "groups"), [
    # 区 is spelt three ways (区, district, 区重点): one group under its label; 市 only as "市"
    ("level", ["区重点", "市", "省重点"]), ("type", ["产业", "农业", "商贸物流", "基础设施", "社会事业"]),
    ("stage", ["新开工", "竣工投产", "续建"]), ("source", ["企业投资", "政府投资"]),
])
def test_every_grouping(tmp_path: Path, by: str, groups: list[str]) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    code, out, _ = run(tmp_path, ledger, "--by", by)
    assert code == 0
    rows = read_csv(out)[1:]
    assert [r[0] for r in rows] == [*sorted(groups), "全部"]
    assert sum(int(r[1]) for r in rows[:-1]) == 5 and rows[-1] == EXPECTED_ALL


def _xlsx(path: Path, body: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(COLUMNS))
    for row in body:
        ws.append(row)
    wb.save(path)
    return path


def _as_cells(line: str) -> list[object]:
    return [c or None for c in line.split(",")]


def test_xlsx_with_real_dates_datetimes_numbers_and_text(tmp_path: Path) -> None:
    body = [_as_cells(line) for line in LEDGER.strip().splitlines()[1:]]
    body[0][9], body[0][11] = date(2022, 3, 1), datetime(2022, 3, 10, 0, 0)  # real Excel dates
    body[0][7], body[0][8], body[0][13] = 3000, 100.0, 60  # numbers, not text
    body[3][14] = "1,00"  # separators as typed are dropped: 100
    path = _xlsx(tmp_path / "ledger.xlsx", body)
    code, out, flags = run(tmp_path, path, "--by", "unit")
    assert code == 0
    assert read_csv(out)[1:] == [*EXPECTED_UNITS, EXPECTED_ALL]
    assert [r[1] for r in read_csv(flags)[1:]] == ["green", "red", "yellow", "red", ""]


def test_a_numeric_code_typed_into_excel_keeps_its_digits(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "l.xlsx", [[1001, "项目", "u", "区", "产业", "续建", "政府投资"] + [None] * 10])
    assert [r.code for r in read_ledger(path)] == ["1001"]


# --- bad ledgers ------------------------------------------------------------------------------

def _bad(tmp_path: Path, capsys: pytest.CaptureFixture[str], ledger: Path) -> str:
    out, flags = tmp_path / "rates.csv", tmp_path / "flags.csv"
    out.write_text("earlier result", encoding="utf-8")
    code = main([str(ledger), "--as-of", "2023-06-30", "--out", str(out), "--projects-out", str(flags)])
    assert code == 2
    assert out.read_text(encoding="utf-8") == "earlier result"  # nothing written, nothing replaced
    assert not flags.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ledger.name, "rates.csv"])  # no temp file left
    err = capsys.readouterr().err
    assert "未写出任何文件" in err
    return err


@pytest.mark.parametrize(("line", "where", "what"), [
    ("P9,x,u,区,产业,在建,政府投资,,,,,,,,,,", "行 3，列 stage", "“在建”不是允许的值，允许：新开工（new）"),
    ("P9,x,u,县,产业,续建,政府投资,,,,,,,,,,", "行 3，列 level", "省重点（province）"),
    ("P9,x,u,区,产业,续建,,,,,,,,,,,", "行 3，列 source", "不能为空，允许：政府投资"),
    ("P9,x,u,区,产业,续建,政府投资,,,2023-02-30,,,,,,,", "行 3，列 planned_start", "“2023-02-30”不是日期"),
    ("P9,x,u,区,产业,续建,政府投资,,,,,明年,,,,,", "行 3，列 actual_start", "“明年”不是日期"),
    ("P9,x,u,区,产业,续建,政府投资,,,,,2023-05-01,2023-04-30,,,,",
     "行 3，列 actual_completion", "实际竣工日期 2023-04-30 早于实际开工日期 2023-05-01"),
    ("P9,x,u,区,产业,续建,政府投资,,,2023-05-01,2023-01-01,,,,,,",
     "行 3，列 planned_completion", "计划竣工日期 2023-01-01 早于计划开工日期"),
    ("P9,x,u,区,产业,续建,政府投资,,-5,,,,,,,,", "行 3，列 planned_annual", "金额不能为负数（-5）"),
    ("P9,x,u,区,产业,续建,政府投资,,,,,,,十万,,,", "行 3，列 completed_ytd", "“十万”不是数字"),
    ("P9,x,u,区,产业,续建,政府投资,,,,,,,,NaN,,", "行 3，列 funds_planned", "“NaN”不是数字"),
    ("P9,x,u,区,产业,续建,政府投资,1e15,,,,,,,,,", "行 3，列 planned_total", "金额过大"),
    (",x,u,区,产业,续建,政府投资,,,,,,,,,,", "行 3，列 code", "项目代码不能为空"),
    ("P1,again,u,区,产业,续建,政府投资,,,,,,,,,,", "行 3，列 code", "项目代码“P1”重复（第 2 行已有）"),
])
def test_a_bad_row_is_named_by_row_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              line: str, where: str, what: str) -> None:
    ledger = tmp_path / "bad.csv"
    ledger.write_text(f"{HEADER}\nP1,ok,u,区,产业,续建,政府投资,,,,,,,,,,\n{line}\n", encoding="utf-8")
    err = _bad(tmp_path, capsys, ledger)
    assert f"{where}：" in err and what in err


def test_every_problem_is_reported_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "bad.csv"
    ledger.write_text(f"{HEADER}\nP1,x,u,区,产业,在建,政府投资,-1,,,,,,,,,\nP2,x,u,区,产业,续建,政府投资,,,,,,,,,,2023-13-01\n",
                      encoding="utf-8")
    with pytest.raises(LedgerError) as info:
        read_ledger(ledger)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "stage"), (2, "planned_total"), (3, "in_stats_on")]
    err = _bad(tmp_path, capsys, ledger)
    assert "有 3 处问题" in err


def test_a_missing_column_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "bad.csv"
    ledger.write_text(HEADER.replace(",in_stats_on", "") + "\n", encoding="utf-8")
    assert "行 1，列 in_stats_on：缺少列 in_stats_on" in _bad(tmp_path, capsys, ledger)


def test_a_bad_xlsx_cell_is_named_by_row_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row: list[object] = ["P1", "x", "u", "区", "产业", "续建", "政府投资"] + [None] * 10
    row[10] = 45000  # a date column holding a bare number is not a date
    ledger = _xlsx(tmp_path / "bad.xlsx", [row])
    assert "行 2，列 planned_completion：“45000”不是日期" in _bad(tmp_path, capsys, ledger)


def test_a_zip_bomb_is_refused_before_openpyxl_unpacks_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(ledger, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))  # ~1000:1
    assert "疑似压缩炸弹" in _bad(tmp_path, capsys, ledger)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("notes.txt", b"x", "台账须为 .csv 或 .xlsx 文件"),
    ("broken.xlsx", b"not a zip", "不是有效的 Excel"),
    ("empty.csv", b"", "台账是空的"),
])
def test_files_that_are_no_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                                  content: bytes, message: str) -> None:
    ledger = tmp_path / name
    ledger.write_bytes(content)
    assert message in _bad(tmp_path, capsys, ledger)


def test_bad_arguments_exit_2_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    assert main([str(ledger), "--as-of", "2023-06-31", "--out", str(tmp_path / "r.csv")]) == 2
    assert "“2023-06-31”不是日期" in capsys.readouterr().err
    assert main([str(ledger), "--as-of", "2023-06-30", "--by", "owner", "--out", str(tmp_path / "r.csv")]) == 2
    assert main([str(ledger), "--as-of", "2023-06-30", "--out", str(tmp_path / "r.csv"),
                 "--projects-out", str(tmp_path / "r.csv")]) == 2
    assert not (tmp_path / "r.csv").exists()
    assert main(["--help"]) == 0


def test_the_command_runs_without_django(tmp_path: Path) -> None:
    """A fresh interpreter: the command works and never imports Django (no database, no settings)."""
    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    out = tmp_path / "r.csv"
    script = ("import sys; from duibiao.projects.rates_cli import main; "
              f"code = main([{str(ledger)!r}, '--as-of', '2023-06-30', '--out', {str(out)!r}]); "
              "assert 'django' not in sys.modules, 'django imported'; sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert read_csv(out)[1:] == [EXPECTED_ALL]


def test_stage_codes_read_back_as_codes(tmp_path: Path) -> None:
    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    rows = read_ledger(ledger)
    assert [r.stage for r in rows] == [Stage.CONTINUING, Stage.NEW, Stage.NEW, Stage.CONTINUING, Stage.COMPLETED]
    assert rows[2].row == 4 and rows[0].planned_total == 3000 and rows[2].planned_total is None


def test_the_duibiao_command_dispatches_project_rates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from duibiao.cli import main as duibiao

    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    out = tmp_path / "r.csv"
    assert duibiao(["project-rates", str(ledger), "--as-of", "2023-06-30", "--out", str(out)]) == 0
    assert read_csv(out)[1:] == [EXPECTED_ALL]
    assert duibiao(["project-rates", str(tmp_path / "missing.csv"), "--as-of", "2023-06-30", "--out", str(out)]) == 2
    assert "找不到台账文件" in capsys.readouterr().err
    duibiao(["--help"])
    assert "duibiao project-rates LEDGER" in capsys.readouterr().out


def test_a_written_ledger_reads_back_the_same_rows(tmp_path: Path) -> None:
    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    rows = read_ledger(ledger)
    again = tmp_path / "again.csv"
    write_ledger_csv(rows, again)
    assert read_ledger(again) == rows  # row numbers too: one line per project after the header
    assert again.read_text(encoding="utf-8-sig").splitlines()[3].startswith("P3,冷链仓储,靖宇街道,city,industry,new,")
    write_ledger_csv([LedgerRow("X")], again)
    assert read_ledger(again) == [LedgerRow("X", row=2)]


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=8)
amounts = st.none() | st.decimals(min_value=0, max_value=10**9, places=3)
dates = st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(names, names, st.sampled_from(list(Level)), st.sampled_from(list(Kind)),
                          st.sampled_from(list(Stage)), st.sampled_from(list(Funding)),
                          st.lists(amounts, min_size=5, max_size=5), st.lists(dates, min_size=5, max_size=5)),
                max_size=12))
def test_any_ledger_round_trips_through_the_file(tmp_path: Path, drawn: list[tuple]) -> None:  # type: ignore[type-arg]
    rows = []
    for i, (name, unit, level, kind, stage, source, money, (ps, pc, as_, ac, st_on)) in enumerate(drawn):
        if ps and pc and pc < ps:
            ps, pc = pc, ps
        if as_ and ac and ac < as_:
            as_, ac = ac, as_
        rows.append(LedgerRow(f"P{i}", name=name, unit=unit, level=level, type=kind, stage=stage, source=source,
                              planned_total=money[0], planned_annual=money[1], completed_ytd=money[2],
                              funds_planned=money[3], funds_in_place=money[4], planned_start=ps,
                              planned_completion=pc, actual_start=as_, actual_completion=ac, in_stats_on=st_on,
                              row=i + 2))
    path = tmp_path / "round.csv"
    write_ledger_csv(rows, path)
    assert read_ledger(path) == rows


def test_an_output_that_cannot_be_written_exits_2_and_leaves_no_half_result(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    out = tmp_path / "r.csv"
    code = main([str(ledger), "--as-of", "2023-06-30", "--out", str(out),
                 "--projects-out", str(tmp_path / "no-such-folder" / "f.csv")])
    assert code == 2 and "无法写出结果" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.csv"]  # RATES not written either


def test_xlsx_rows_are_numbered_as_excel_shows_them(tmp_path: Path) -> None:
    """Blank rows above the header: the message names the sheet's own row 6."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.cell(row=1, column=1, value=None)
    for j, column in enumerate(COLUMNS, start=1):
        ws.cell(row=3, column=j, value=column)
    for j, value in enumerate(["P1", "x", "u", "区", "产业", "在建", "政府投资"], start=1):
        ws.cell(row=6, column=j, value=value)
    wb.save(tmp_path / "gap.xlsx")
    with pytest.raises(LedgerError) as info:
        read_ledger(tmp_path / "gap.xlsx")
    assert [(p.row, p.column) for p in info.value.problems] == [(6, "stage")]


def test_groups_keep_the_ledgers_own_spelling(tmp_path):
    """A ledger that writes 省 / 市 (or codes) throughout gets groups named as it wrote them, so
    RATES lines up with the ledger it came from; a value spelt two ways in one ledger is one
    group under its Chinese label. The 全部 row is unchanged."""
    header = ("code,name,unit,level,type,stage,source,planned_total,planned_annual,planned_start,"
              "planned_completion,actual_start,actual_completion,completed_ytd,funds_planned,"
              "funds_in_place,in_stats_on")
    lines = [header,
             "A1,甲,靖宇街道,省,产业,续建,政府投资,1000,100,2023-01-10,,2023-01-10,,50,100,100,2023-01-20",
             "A2,乙,靖宇街道,市,industry,new,enterprise,1000,100,2023-02-10,,,,0,100,50,",
             "A3,丙,太古街道,省,产业,continuing,政府投资,1000,100,2023-01-10,,2023-01-10,,25,100,100,2023-01-20"]
    ledger = tmp_path / "l.csv"
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    assert main([str(ledger), "--as-of", "2023-06-30", "--by", "level", "--out", str(out)]) == 0
    rows = read_csv(out)
    assert [r[0] for r in rows[1:]] == ["市", "省", "全部"]
    assert rows[2][:2] == ["省", "2"] and rows[3][:2] == ["全部", "3"]
    out2 = tmp_path / "s.csv"
    assert main([str(ledger), "--as-of", "2023-06-30", "--by", "stage", "--out", str(out2)]) == 0
    assert [r[:2] for r in read_csv(out2)[1:]] == [["new", "1"], ["续建", "2"], ["全部", "3"]]
