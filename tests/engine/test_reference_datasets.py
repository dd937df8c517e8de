"""The engine reproduces published results: Doing Business 2019 and COINr's ASEM example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from duibiao import engine
from duibiao.schemes import load_scheme
from duibiao.scoring_cli import read_data, read_units

from .conftest import read_csv


def _score(example: Path) -> engine.Result:
    scheme = load_scheme(example / "scheme.yaml")
    units = read_units(example / "units.csv")
    inp = read_data(example / "data.csv", scheme, units)[""]
    return engine.score(scheme, inp.values, units, **inp.as_kwargs())  # type: ignore[arg-type]


def test_db2019_reproduces_every_published_component_and_topic(examples: Path) -> None:
    ex = examples / "db2019-starting-a-business"
    res = _score(ex)
    expected = read_csv(ex / "expected.csv")
    assert len(expected) == 213 and len(res.units) == 213
    idx = {u: i for i, u in enumerate(res.units.codes)}
    comps = ["proc_men", "proc_women", "time_men", "time_women", "cost_men", "cost_women"]
    comps.append("min_capital")
    for row in expected:
        i = idx[row["unit"]]
        for c in comps:
            assert abs(res.node_scores[c][i] - float(row[c])) <= 0.03, (row["unit"], c)
        assert abs(res.score[i] - float(row["SAB"])) <= 0.01, row["unit"]
    # the topic score is a plain mean of the four components
    comp_mean = np.mean([res.node_scores[c] for c in ("procedures", "time", "cost", "capital")], 0)
    np.testing.assert_allclose(res.score, comp_mean)


@pytest.fixture(scope="module")
def asem(examples: Path) -> engine.Result:
    return _score(examples / "coinr-asem")


def test_coinr_asem_top_six_index_and_subindex(asem: engine.Result, examples: Path) -> None:
    expected = read_csv(examples / "coinr-asem" / "expected-aggregates-published.csv")
    idx = {u: i for i, u in enumerate(asem.units.codes)}
    top = [asem.units.codes[i] for i in np.argsort(-asem.score)[:6]]
    assert top == [r["uCode"] for r in expected]
    for row in expected:
        i = idx[row["uCode"]]
        assert asem.rank[i] == float(row["Rank"])
        for code, val in row.items():
            if code in ("uCode", "Rank") or val == "":
                continue
            # printed to 2 decimals: agreement within half a unit of the last digit
            assert abs(asem.node_scores[code][i] - float(val)) <= 0.005 + 1e-9, (row["uCode"], code)


def test_coinr_asem_normalised_values(asem: engine.Result, examples: Path) -> None:
    expected = read_csv(examples / "coinr-asem" / "expected-normalised-published.csv")
    idx = {u: i for i, u in enumerate(asem.units.codes)}
    for row in expected:
        for code, val in row.items():
            if code == "uCode":
                continue
            decimals = len(val.split(".")[1]) if "." in val else 0
            got = asem.node_scores[code][idx[row["uCode"]]]
            assert abs(got - float(val)) <= 0.5 * 10**-decimals + 1e-12, (row["uCode"], code)


def test_coinr_asem_pipeline_steps_are_visible(asem: engine.Result) -> None:
    # 65 missing values imputed by the unit's EurAsia group mean; nobody screened out
    assert int(asem.imputed.sum()) == 65
    assert not asem.screened_out.any()
    # the treatment winsorised some indicators and needed no log fallback for this data
    kinds = {v["treatment"] for v in asem.treatment.values()}
    assert "winsorise" in kinds
    assert asem.treatment["Bord"]["winsorised"] == 3
    # normalised values span exactly 0–100 per indicator (min–max over all units)
    assert np.allclose(np.nanmin(asem.normalised, 0), 0) and np.allclose(
        np.nanmax(asem.normalised, 0), 100
    )


def test_trace_contributions_add_up_exactly(asem: engine.Result) -> None:
    tr = asem.trace("CHE")
    for node in tr["nodes"]:
        total = sum(c["contribution"] for c in node["children"] if c["contribution"] is not None)
        assert total == pytest.approx(node["score"], abs=1e-9)
    ind_total = sum(i["contribution_to_total"] for i in tr["indicators"])
    assert ind_total == pytest.approx(tr["base_score"], abs=1e-9)


def test_gap_between_two_units_sums_to_score_gap(asem: engine.Result) -> None:
    g = asem.gap("CHE", "NLD")
    assert sum(x["difference"] for x in g["items"]) == pytest.approx(g["gap"], abs=1e-9)
    assert g["gap"] == pytest.approx(68.38 - 64.82, abs=0.01)
