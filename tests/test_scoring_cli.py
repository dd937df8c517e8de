"""``duibiao score`` end to end on the examples (plain pytest; no Django)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from duibiao.schemes import load_scheme
from duibiao.scoring_cli import main

EX = Path(__file__).resolve().parents[1] / "examples"



def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return {r["unit"]: r for r in csv.DictReader(x for x in f if not x.startswith("#"))}


def test_db2019_prints_and_writes_published_scores(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ex = EX / "db2019-starting-a-business"
    out, trace = tmp_path / "r.csv", tmp_path / "t.json"
    rc = main(
        [
            str(ex / "scheme.yaml"),
            str(ex / "data.csv"),
            "--units",
            str(ex / "units.csv"),
            "--out",
            str(out),
            "--explain",
            str(trace),
            "--quiet",
        ]
    )
    assert rc == 0
    got, exp = _rows(out), _rows(ex / "expected.csv")
    assert len(got) == 213
    assert all(abs(float(got[u]["score"]) - float(e["SAB"])) <= 0.01 for u, e in exp.items())
    header = next(csv.reader(out.open(encoding="utf-8")))
    assert header[:5] == ["unit", "category", "score", "rank", "grade"]
    assert "SAB" in header and "proc_men" in header
    printed = capsys.readouterr().out
    assert "NZL" in printed and "99.98" in printed  # New Zealand, published 99.97539
    t = json.loads(trace.read_text(encoding="utf-8"))
    assert t["units"]["NZL"]["score"] == pytest.approx(99.97539, abs=0.01)


def test_coinr_asem_with_previous_and_sensitivity(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ex = EX / "coinr-asem"
    out = tmp_path / "r.csv"
    prev = tmp_path / "prev.csv"
    prev.write_text("unit,rank\nCHE,3\nNLD,1\n", encoding="utf-8")
    trace = tmp_path / "t.json"
    rc = main(
        [
            str(ex / "scheme.yaml"),
            str(ex / "data.csv"),
            "--units",
            str(ex / "units.csv"),
            "--out",
            str(out),
            "--previous",
            str(prev),
            "--sensitivity",
            "200",
            "--seed",
            "7",
            "--explain",
            str(trace),
            "--quiet",
        ]
    )
    assert rc == 0
    got = _rows(out)
    assert got["CHE"]["score"].startswith("68.38") and got["CHE"]["rank"] == "1"
    assert got["CHE"]["rank_change"] == "2" and got["NLD"]["rank_change"] == "-1"
    sa = json.loads(trace.read_text(encoding="utf-8"))["sensitivity"]
    assert sa["runs"] == 200 and sa["seed"] == 7
    che = next(u for u in sa["units"] if u["unit"] == "CHE")
    assert che["rank_min"] <= 1 <= che["rank_max"]


def test_xlsx_input_and_output(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    ex = EX / "db2019-starting-a-business"
    wb = openpyxl.Workbook()
    ws = wb.active
    with (ex / "data.csv").open(encoding="utf-8") as f:
        for row in csv.reader(f):
            ws.append(row)
    wb.save(tmp_path / "data.xlsx")
    rc = main(
        [
            str(ex / "scheme.yaml"),
            str(tmp_path / "data.xlsx"),
            "--units",
            str(ex / "units.csv"),
            "--out",
            str(tmp_path / "r.xlsx"),
            "--quiet",
        ]
    )
    assert rc == 0
    ws2 = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert [c.value for c in ws2[1]][:5] == ["unit", "category", "score", "rank", "grade"]


def score_files(example: Path, data: Path, out_dir: Path) -> int:
    """`duibiao score` on an example's scheme and units with the given data file."""
    return main([str(example / "scheme.yaml"), str(data), "--units", str(example / "units.csv"),
                 "--out", str(out_dir / "r.csv"), "--quiet"])


def test_errors_name_file_row_and_column(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ex = EX / "db2019-starting-a-business"
    bad = tmp_path / "data.csv"
    bad.write_text("unit,indicator,value\nAFG,proc_men,4\nAFG,time_men,abc\n", encoding="utf-8")
    rc = score_files(ex, bad, tmp_path)
    err = capsys.readouterr().err
    assert rc != 0
    assert "data.csv" in err and "row 3" in err and "'value'" in err and "Traceback" not in err
    bad.write_text("unit,indicator,value\nXXX,proc_men,4\n", encoding="utf-8")
    rc = score_files(ex, bad, tmp_path)
    err = capsys.readouterr().err
    assert rc != 0 and "row 2" in err and "'unit'" in err and "XXX" in err
    bad_scheme = tmp_path / "s.yaml"
    bad_scheme.write_text(
        "code: x\nname: x\nversion: '1'\ntree: {code: T, children: [{code: a, weight: lots}]}\n",
        encoding="utf-8",
    )
    rc = main(
        [
            str(bad_scheme),
            str(ex / "data.csv"),
            "--units",
            str(ex / "units.csv"),
            "--out",
            str(tmp_path / "r.csv"),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert rc != 0 and "tree.children[0].weight: must be a number" in err


def test_daowai_example_runs_with_quotas_and_vetoes(tmp_path: Path) -> None:
    ex = EX / "daowai-2023"
    out = tmp_path / "r.csv"
    rc = main(
        [
            str(ex / "scheme.yaml"),
            str(ex / "data.csv"),
            "--units",
            str(ex / "units.csv"),
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert rc == 0
    got = _rows(out)
    assert len(got) == 52
    by_cat: dict[str, list[dict[str, str]]] = {}
    for r in got.values():
        by_cat.setdefault(r["category"], []).append(r)
    for rows in by_cat.values():  # 优秀 ≤ 20 % of each category (floor)
        assert sum(r["grade"] == "优秀" for r in rows) <= int(0.2 * len(rows))
    assert got["ziguan"]["grade"] == "较差" and got["ziguan"]["veto"] == "fj01"
    assert got["binjiang"]["grade"] == "一般"  # capped by fj03 despite its score
    assert float(got["jingyu"]["bonus"]) == 5.0  # 3 + 2 capped at 5 per unit


def test_growth_against_previous_data(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "s.yaml").write_text(
        "code: g\nname: g\nversion: '1'\ntree:\n  code: T\n  children:\n"
        "    - {code: inv, name: 固定资产投资, normalise: {method: growth, threshold: 0, target: 15}}\n",
        encoding="utf-8",
    )
    (tmp_path / "units.csv").write_text("unit,name,category\na,甲,x\nb,乙,x\n", encoding="utf-8")
    (tmp_path / "now.csv").write_text("unit,indicator,value\na,inv,115\nb,inv,105\n", encoding="utf-8")
    (tmp_path / "before.csv").write_text("unit,indicator,value\na,inv,100\nb,inv,100\n", encoding="utf-8")
    rc = main([str(tmp_path / "s.yaml"), str(tmp_path / "now.csv"), "--units", str(tmp_path / "units.csv"),
               "--previous-data", str(tmp_path / "before.csv"), "--out", str(tmp_path / "r.csv"), "--quiet"])
    assert rc == 0
    rows = _rows(tmp_path / "r.csv")
    assert float(rows["a"]["score"]) == 100.0  # +15 % reaches the target
    assert abs(float(rows["b"]["score"]) - 100 * 5 / 15) < 1e-6  # +5 %: a third of the way (6 decimals written)


def test_combined_annual_result_from_quarters_and_the_annual_review(tmp_path: Path) -> None:
    """多考合一 on files: four quarterly results averaged at 40 %, the annual review at 60 %,
    equal to combining the separately scored periods by hand."""
    ex = EX / "daowai-2023"
    scheme = (ex / "scheme.yaml").read_text(encoding="utf-8") + (
        "combination:\n  parts:\n"
        "    - {code: routine, name: 平时考核, weight: 40, periods: [Q1, Q2, Q3, Q4]}\n"
        "    - {code: annual, name: 年度考核, weight: 60, periods: [Y]}\n"
    )
    (tmp_path / "s.yaml").write_text(scheme, encoding="utf-8")
    base = list(csv.DictReader((ex / "data.csv").open(encoding="utf-8")))
    periods = {"Q1": 0.9, "Q2": 0.95, "Q3": 1.0, "Q4": 1.05, "Y": 1.02}
    rules = {i.code: i.values for i in load_scheme(ex / "scheme.yaml").indicators}
    rows = []
    for period, factor in periods.items():
        for r in base:
            value = float(r["value"])
            rule = rules.get(r["indicator"])
            # scaled where the scaled value keeps its rule (not a 是/否, a count or a rate past 100 %)
            if rule is not None and rule.allows(round(value * factor, 4)):
                value = value * factor
            rows.append({"unit": r["unit"], "indicator": r["indicator"], "value": f"{value:.4f}", "period": period})

    def write(path: Path, subset: list[dict[str, str]]) -> None:
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["unit", "indicator", "value", "period"])
            writer.writeheader()
            writer.writerows(subset)

    write(tmp_path / "all.csv", rows)
    units = str(ex / "units.csv")
    assert main([str(tmp_path / "s.yaml"), str(tmp_path / "all.csv"), "--units", units,
                 "--out", str(tmp_path / "combined.csv"), "--quiet"]) == 0
    combined = _rows(tmp_path / "combined.csv")
    single = {}
    for period in periods:
        write(tmp_path / f"{period}.csv", [r for r in rows if r["period"] == period])
        assert main([str(ex / "scheme.yaml"), str(tmp_path / f"{period}.csv"), "--units", units,
                     "--out", str(tmp_path / f"{period}-r.csv"), "--quiet"]) == 0
        single[period] = _rows(tmp_path / f"{period}-r.csv")
    for unit in ("jingyu", "taigu", "fagai"):
        quarters = [float(single[q][unit]["score"]) for q in ("Q1", "Q2", "Q3", "Q4")]
        expected = 0.4 * sum(quarters) / len(quarters) + 0.6 * float(single["Y"][unit]["score"])
        assert abs(float(combined[unit]["score"]) - expected) < 1e-4
        assert abs(float(combined[unit]["routine"]) - sum(quarters) / 4) < 1e-4


# --- stricter numbers (issue 10, item 9): each rule as `duibiao score` meets it --------------

SMALL = """code: s
name: 小方案
version: '1'
groups: [tier]
tree:
  code: T
  children:
    - {code: rate, name: 办结率, kind: percent, unit_of_measure: "%", normalise: {method: target, target: 100}}
    - {code: days, name: 办理时限, unit_of_measure: 工作日, direction: lower, normalise: {method: target, target: 2}}
    - {code: cnt, name: 签约项目数, kind: count, unit_of_measure: 个, normalise: {method: minmax}}
"""
UNITS = "unit,name,category,tier\nu1,甲,街道,A\nu2,乙,街道,A\nu3,丙,街道,B\nu4,丁,街道,B\n"
DATA = [("u1", "rate", "90"), ("u1", "days", "1"), ("u1", "cnt", "5"), ("u2", "rate", "80"),
        ("u2", "days", "3"), ("u2", "cnt", "4"), ("u3", "rate", "70"), ("u3", "days", "2"),
        ("u3", "cnt", "6"), ("u4", "rate", "60"), ("u4", "days", "4"), ("u4", "cnt", "3")]


def run_small(tmp_path: Path, capsys, scheme: str = SMALL, data=DATA, units: str = UNITS,  # type: ignore[no-untyped-def]
              extra: tuple[str, ...] = ()) -> tuple[int, str, dict[str, dict[str, str]]]:
    """`duibiao score` on files written from the arguments: exit code, stderr, result rows."""
    (tmp_path / "s.yaml").write_text(scheme, encoding="utf-8")
    (tmp_path / "units.csv").write_text(units, encoding="utf-8")
    with (tmp_path / "data.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["unit", "indicator", "value", *(["period"] if data and len(data[0]) > 3 else [])])
        writer.writerows(data)
    out = tmp_path / "r.csv"
    out.unlink(missing_ok=True)
    rc = main([str(tmp_path / "s.yaml"), str(tmp_path / "data.csv"), "--units", str(tmp_path / "units.csv"),
               "--out", str(out), "--quiet", *extra])
    err = capsys.readouterr().err
    return rc, err, _rows(out) if out.exists() else {}


def replaced(code: str, unit: str, value: str) -> list[tuple[str, ...]]:
    return [(u, c, value) if (u, c) == (unit, code) else (u, c, v) for u, c, v in DATA]


@pytest.mark.parametrize(("unit", "code", "value", "rule"), [
    ("u2", "rate", "150", "超出取值规则（0–100 %）"),
    ("u3", "cnt", "2.5", "超出取值规则（≥ 0 的整数，单位：个）"),
    ("u4", "days", "-3", "超出取值规则（≥ 0 工作日）"),
])
def test_a_value_outside_its_rule_is_an_error_naming_unit_indicator_file_and_row(
        tmp_path: Path, capsys, unit: str, code: str, value: str, rule: str) -> None:  # type: ignore[no-untyped-def]
    rc, err, rows = run_small(tmp_path, capsys, data=replaced(code, unit, value))
    row = 2 + DATA.index(next(r for r in DATA if r[:2] == (unit, code)))
    assert rc == 2 and not rows  # no results written: never a silent score
    assert f"data.csv, 第 {row} 行 / row {row}, 列 / column 'value'" in err
    assert f"单位 {unit} 指标 {code}" in err and f"的值 {value} {rule}" in err
    assert f"unit {unit}, indicator {code}: {value} is outside the indicator's rule" in err


def test_the_schemes_own_rule_lifts_a_default(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    scheme = SMALL.replace('kind: percent, unit_of_measure: "%",', 'kind: percent, unit_of_measure: "%", max: 200,')
    rc, err, rows = run_small(tmp_path, capsys, scheme=scheme, data=replaced("rate", "u2", "150"))
    assert rc == 0 and float(rows["u2"]["rate"]) == 100.0 and err == ""
    rc, err, _ = run_small(tmp_path, capsys, scheme=scheme, data=replaced("rate", "u2", "201"))
    assert rc == 2 and "超出取值规则（0–200 %）" in err


def test_grade_quotas_follow_a_ranking_by_tier(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    graded = SMALL + ("ranking: {scope: tier}\n"
                      "grading: {grades: [{name: 优秀, min: 0, quota: 0.5}, {name: 良好}]}\n")
    rc, err, rows = run_small(tmp_path, capsys, scheme=graded)
    assert rc == 0, err
    by_tier: dict[str, list[str]] = {"A": [], "B": []}
    for unit, tier in (("u1", "A"), ("u2", "A"), ("u3", "B"), ("u4", "B")):
        by_tier[tier].append(rows[unit]["grade"])
        assert rows[unit]["rank"] in ("1", "2")  # ranked within the tier
    assert sorted(by_tier["A"]) == sorted(by_tier["B"]) == ["优秀", "良好"]  # one 优秀 in each tier


def test_combined_periods_rank_and_grade_by_tier_too(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    graded = SMALL + ("ranking: {scope: tier}\n"
                      "grading: {grades: [{name: 优秀, min: 0, quota: 0.5}, {name: 良好}]}\n"
                      "combination: {parts: [{code: routine, weight: 40, periods: [Q1]}, "
                      "{code: annual, weight: 60, periods: [Y]}]}\n")
    data = [(u, c, v, p) for p in ("Q1", "Y") for u, c, v in DATA]
    rc, err, rows = run_small(tmp_path, capsys, scheme=graded, data=data)
    assert rc == 0, err
    assert {rows[u]["rank"] for u in ("u1", "u2")} == {rows[u]["rank"] for u in ("u3", "u4")} == {"1", "2"}
    assert sorted(rows[u]["grade"] for u in ("u3", "u4")) == ["优秀", "良好"]


def test_ahp_judgements_written_as_fractions(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ahp = SMALL.replace("  code: T\n", "  code: T\n  weights: {method: ahp, matrix: MATRIX}\n")
    rc, err, rows = run_small(tmp_path, capsys, scheme=ahp.replace("MATRIX", '[[1, 3, "5"], [1/3, 1, " 3 "], ["1 / 5", "1/3", 1]]'))
    assert rc == 0, err
    first = rows["u1"]["score"]
    rc, err, rows = run_small(tmp_path, capsys, scheme=ahp.replace("MATRIX", "[[1, 3, 5], [0.333333, 1, 3], [0.2, 0.333333, 1]]"))
    assert rc == 0 and abs(float(rows["u1"]["score"]) - float(first)) < 1e-4
    rc, err, rows = run_small(tmp_path, capsys, scheme=ahp.replace("MATRIX", '[[1, 3, 5], ["1:3", 1, 3], [0.2, "1/3", 1]]'))
    assert rc == 2 and not rows
    assert "tree.weights.matrix[1][0]: '1:3' 不是判断值：应为正数或分数，如 3、1/3" in err


def test_weights_that_sum_to_zero_are_a_scheme_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    zero = SMALL.replace("{code: rate, name: 办结率,", "{code: rate, name: 办结率, weight: 0,")
    zero = zero.replace("{code: days, name: 办理时限,", "{code: days, name: 办理时限, weight: 0,")
    zero = zero.replace("{code: cnt, name: 签约项目数,", "{code: cnt, name: 签约项目数, weight: 0,")
    rc, err, rows = run_small(tmp_path, capsys, scheme=zero)
    assert rc == 2 and not rows
    assert "tree.children: 节点 T 的下级权重合计为 0，无法汇总 / the weights of node T sum to zero" in err


@pytest.mark.parametrize("bad", ["12,5", "1,23", "1,2345"])
def test_thousands_separators_only_in_groups_of_three(tmp_path: Path, capsys, bad: str) -> None:  # type: ignore[no-untyped-def]
    rc, err, rows = run_small(tmp_path, capsys, data=replaced("cnt", "u2", bad))
    assert rc == 2 and not rows
    assert f"data.csv, 第 7 行 / row 7, 列 / column 'value': 千分位分隔符位置不对 / misplaced thousands separator: '{bad}'" in err


def test_thousands_separators_in_valid_groups_are_read(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = replaced("cnt", "u2", "1,234,567")
    data = [(u, c, "1,234" if (u, c) == ("u3", "cnt") else v) for u, c, v in data]
    rc, err, rows = run_small(tmp_path, capsys, data=data)
    assert rc == 0, err
    assert float(rows["u2"]["cnt"]) == 100.0 and 0 < float(rows["u3"]["cnt"]) < 0.1  # 1,234 of 1,234,567


def test_a_unit_with_no_data_is_warned_about_even_when_quiet(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rc, err, rows = run_small(tmp_path, capsys, units=UNITS + "u5,戊,街道,B\n")
    assert rc == 0 and rows["u5"]["score"] == ""
    assert err.strip() == (
        "警告 / warning: 单位 u5（戊） 没有任何指标数据，按方案的缺失值规则计分：各指标 missing: skip，无得分 / "
        "unit u5 has no indicator data at all; scored by the scheme's missing rule: every indicator is "
        "missing: skip, so no score"
    )
    zero = SMALL.replace("tree:\n", "defaults: {missing: zero}\ntree:\n")
    rc, err, rows = run_small(tmp_path, capsys, scheme=zero, units=UNITS + "u5,戊,街道,B\n")
    assert rc == 0 and float(rows["u5"]["score"]) == 0.0
    assert "3 项 missing: zero 的指标计 0 分，得分 0" in err


def test_error_messages_show_plain_values(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Several errors, each read as a person would: no numpy or Python reprs."""
    texts = []
    for data in (replaced("rate", "u2", "150"), [*DATA, ("u9", "rate", "50")], [*DATA, ("u1", "zz", "1")],
                 [*DATA, ("u1", "rate", "91")], replaced("cnt", "u1", "12,5"), replaced("cnt", "u1", "abc")):
        rc, err, _ = run_small(tmp_path, capsys, data=data)
        assert rc == 2
        texts.append(err)
    rc, err, _ = run_small(tmp_path, capsys, scheme=SMALL + "ranking: {scope: zone}\n")
    assert rc == 2
    texts.append(err)
    assert "'u9'" in texts[1] and "'zz'" in texts[2] and "'rate' (unit 'u1')" in texts[3] and "'zone'" in texts[6]
    for text in texts:
        assert "np." not in text and "str_(" not in text and "Traceback" not in text, text


def test_a_negative_value_on_a_lower_is_better_target_never_scores_full_marks(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rc, err, rows = run_small(tmp_path, capsys, data=replaced("days", "u1", "-2"))
    assert rc == 2 and not rows and "的值 -2 超出取值规则（≥ 0 工作日）" in err
    rc, err, rows = run_small(tmp_path, capsys, data=replaced("days", "u1", "0"))
    assert rc == 0 and float(rows["u1"]["days"]) == 100.0  # zero days is the best there is
    bad = SMALL.replace("direction: lower, normalise:", "direction: lower, min: -10, normalise:")
    rc, err, rows = run_small(tmp_path, capsys, scheme=bad)
    assert rc == 2 and "tree.children[1].min" in err and "min 不能小于 0" in err
