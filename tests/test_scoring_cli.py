"""``duibiao score`` end to end on the examples (plain pytest; no Django)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

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
    rows = []
    for period, factor in periods.items():
        for r in base:
            value = float(r["value"]) * (factor if ":" not in r["indicator"] else 1)
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
