"""One engine version per meaning of a score: a fingerprint of results, recorded per version.

A run stores ``engine.__version__`` so that a published result can be explained years later.
That only works if the version changes whenever a result can change. This test hashes the
results (total, rank, rank change, grade and every node and indicator score, rounded to 9
decimals) of every example under ``examples/`` — scored by ``duibiao score`` itself — and of
a fixed synthetic case that exercises the methods, weightings, adjustments, vetoes and
grading the examples leave out, and compares the hash with the one recorded for the version.

When it fails on purpose (you changed what a score means): bump ``__version__`` in
``src/duibiao/engine/_version.py`` and add the new pair to ``FINGERPRINTS`` below; never edit
a recorded pair. See docs/engine.md, "引擎版本".
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from duibiao import engine, scoring_cli

from .conftest import EXAMPLES

#: version → SHA-256 of the canonical results. Append only.
FINGERPRINTS: dict[str, str] = {
    "1.0.0": "81819af29d14fadd61e52021e5612f820e8b5430e5b2715b05efb691a1dcf46a",
    # 1.0.1: grade quotas within the ranking's group column (the synthetic:tier case is new;
    # the examples and the synthetic case score as under 1.0.0); a negative value on a
    # lower-is-better target scores 0 instead of full marks; zero weights are an error.
    "1.0.1": "a334b9145f2ffb57aa0809dfe2352ae7066393747cdbb7669d24536ccd2b68fd",
}

BUMP_HINT = (
    "Engine results changed under an unchanged version {version}: fingerprint {actual}, "
    "recorded {expected}. If the change is intended, bump __version__ in "
    "src/duibiao/engine/_version.py and add {{\"<new version>\": \"{actual}\"}} to FINGERPRINTS "
    "in tests/engine/test_fingerprint.py (docs/engine.md, 引擎版本). If it is not intended, the "
    "change broke scoring."
)


def _num(value: Any) -> str | None:
    """A score as text rounded to 9 decimals (NaN / missing → None, −0 → 0)."""
    if value is None:
        return None
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        return None
    return f"{round(v, 9) + 0.0:.9f}"


def canonical(traces: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The fingerprinted part of each unit's trace, in unit-code order."""
    rows = []
    for unit in sorted(traces):
        t = traces[unit]
        scores = {n["code"]: _num(n["score"]) for n in t["nodes"]}
        scores |= {i["code"]: _num(i["normalised"]) for i in t["indicators"]}
        rows.append(
            {
                "unit": unit,
                "total": _num(t["score"]),
                "rank": _num(t["rank"]),
                "rank_change": _num(t["rank_change"]),
                "grade": t["grade"],
                "scores": scores,
            }
        )
    return rows


def fingerprint(cases: dict[str, list[dict[str, Any]]]) -> str:
    text = json.dumps(cases, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def example_dirs() -> list[Path]:
    return sorted(p.parent for p in EXAMPLES.glob("*/scheme.yaml"))


def score_example(folder: Path, out: Path) -> dict[str, dict[str, Any]]:
    """Score one example exactly as ``duibiao score … --explain`` does; the per-unit traces."""
    trace = out / f"{folder.name}.json"
    argv = [
        str(folder / "scheme.yaml"),
        str(folder / "data.csv"),
        "--units",
        str(folder / "units.csv"),
        "--out",
        str(out / f"{folder.name}.csv"),
        "--explain",
        str(trace),
        "--quiet",
    ]
    assert scoring_cli.main(argv) == 0
    units: dict[str, dict[str, Any]] = json.loads(trace.read_text(encoding="utf-8"))["units"]
    return units


# --- the synthetic case -----------------------------------------------------------------

N_UNITS = 36
CATEGORIES = ("街道乡镇", "经济部门", "综合部门")
BALLOT_GRADES = {"优秀": 100, "称职": 80, "基本称职": 60, "不称职": 0}


def _leaf(code: str, weight: float, normalise: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"code": code, "weight": weight, "normalise": normalise, **extra}


def synthetic_document() -> dict[str, Any]:
    """A scheme using what the examples do not: most methods, AHP / entropy / CRITIC /
    combined weights, a geometric node, imputation, a denominator, outlier treatment,
    screening, capped adjustments, both veto effects and quota grading."""
    d1 = [
        _leaf("a_minmax", 3, {"method": "minmax", "scope": "category"}),
        _leaf("a_frontier", 2, {"method": "frontier", "best": "p90", "worst": "peers"},
              direction="lower", prepare={"impute": "mean"}),
        _leaf("a_zscore", 2, {"method": "zscore"},
              prepare={"denominator": "population", "scale": 10000}),
        _leaf("a_skewed", 1, {"method": "minmax"},
              prepare={"treat": "skew_kurtosis", "impute": {"method": "group_median",
                                                            "group": "tier"}}),
    ]
    d2 = [
        _leaf("b_percentile", 2, {"method": "percentile", "scope": "tier"}),
        _leaf("b_target", 2, {"method": "target", "target": 80, "cap": 1.2}),
        _leaf("b_goalposts", 1, {"method": "goalposts", "threshold": 100, "target": 10},
              direction="lower"),
        _leaf("b_rank_steps", 1, {"method": "rank_steps", "scope": "category", "step": 5}),
    ]
    d3 = [
        _leaf("c_bands", 2, {"method": "bands", "else": 10,
                             "bands": [{"at": 90, "score": 100}, {"at": 70, "score": 75}]}),
        _leaf("c_manual", 2, {"method": "manual", "full": 50}),
        _leaf("c_ballot", 3, {"method": "ballot", "grades": BALLOT_GRADES}),
        _leaf("c_growth", 2, {"method": "growth", "threshold": -5, "target": 12}),
        _leaf("c_binary", 1, {"method": "binary"}, missing="zero"),
        _leaf("c_economic", 2, {"method": "goalposts", "threshold": 0, "target": 100},
              applies_to={"categories": ["经济部门"]}),
    ]
    ahp = [[1, 3, 5, 2], [1 / 3, 1, 2, 1 / 2], [1 / 5, 1 / 2, 1, 1 / 3], [1 / 2, 2, 3, 1]]
    return {
        "code": "fingerprint",
        "name": "fingerprint",
        "version": "1",
        "groups": ["tier"],
        "denominators": ["population"],
        "screening": {"min_coverage": 0.5},
        "tree": {
            "code": "total",
            "weights": {"method": "combine", "alpha": 0.6, "first": {"method": "fixed"},
                        "second": {"method": "critic"}},
            "children": [
                {"code": "D1", "weight": 30, "weights": {"method": "ahp", "matrix": ahp},
                 "children": d1},
                {"code": "D2", "weight": 30, "aggregation": "geometric",
                 "weights": {"method": "entropy"}, "children": d2},
                {"code": "D3", "weight": 40, "aggregation": "power", "power": 2,
                 "weights": {"method": "combine", "first": {"method": "fixed"},
                             "second": {"method": "equal"}}, "children": d3},
            ],
        },
        "adjustments": {
            "order": ["bonus", "penalty", "clip"],
            "bonus_cap": 4, "penalty_cap": 6, "floor": 0, "ceiling": 100,
            "items": [
                {"code": "plus1", "type": "bonus", "points": 1.5, "cap": 3},
                {"code": "plus2", "type": "bonus", "points": 0.5},
                {"code": "minus1", "type": "penalty", "points": 2, "cap": 4},
                {"code": "minus2", "type": "penalty", "points": 0.25},
            ],
        },
        "vetoes": [
            {"code": "v_zero", "effect": "zero"},
            {"code": "v_cap", "effect": "cap_grade", "grade": "一般"},
        ],
        "ranking": {"scope": "category", "ties": "min", "basis": "rounded", "decimals": 2},
        "grading": {
            "scope": "category",
            "quota_rounding": "round",
            "grades": [
                {"name": "优秀", "min": 60, "quota": 0.25},
                {"name": "良好", "min": 50},
                {"name": "一般", "min": 40},
                {"name": "较差"},
            ],
        },
    }


def score_synthetic(document: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Score the seeded synthetic case; every input comes from one generator seed."""
    rng = np.random.default_rng(20230917)
    scheme = engine.build_scheme(document or synthetic_document())
    n, k = N_UNITS, len(scheme.indicators)
    codes = tuple(f"u{i:02d}" for i in range(n))
    units = engine.Units(
        codes=codes,
        categories=tuple(CATEGORIES[i % 3] for i in range(n)),
        groups={"tier": tuple("AB"[i % 2] for i in range(n))},
    )
    values = rng.uniform(0.0, 100.0, size=(n, k))
    col = {c: j for j, c in enumerate(scheme.indicator_codes)}
    values[:, col["a_skewed"]] = rng.lognormal(2.0, 1.2, size=n)  # long right tail to treat
    values[:, col["c_binary"]] = rng.integers(0, 2, size=n)
    values[rng.random((n, k)) < 0.08] = np.nan  # scattered gaps: imputation, missing → 0
    values[3, :] = np.nan  # a unit too empty to score: screened out
    values[3, :2] = 50.0
    previous = values * rng.uniform(0.8, 1.25, size=(n, k))
    ballots = {"c_ballot": rng.integers(0, 30, size=(n, len(BALLOT_GRADES))).astype(float)}
    events = rng.poisson(0.7, size=(n, 4)).astype(float)
    vetoes = np.zeros((n, 2))
    vetoes[[5, 20], 0] = 1.0
    vetoes[[0, 7, 13], 1] = 1.0
    res = engine.score(
        scheme,
        values,
        units,
        denominators=rng.uniform(2e4, 9e4, size=(n, 1)),
        events=events,
        vetoes=vetoes,
        ballots=ballots,
        previous_values=previous,
        previous_ranks=rng.permutation(np.arange(1.0, n + 1.0)),
    )
    return {u: res.trace(u) for u in codes}


def tier_document() -> dict[str, Any]:
    """The synthetic scheme ranked by a group column (tier) with no scope of its own under
    grading: the quotas follow the ranking's tiers (engine 1.0.1; before, they were counted
    across all units)."""
    doc = synthetic_document()
    doc["ranking"] = {**doc["ranking"], "scope": "tier"}
    doc["grading"] = {k: v for k, v in doc["grading"].items() if k != "scope"}
    return doc


def current_fingerprint(tmp: Path) -> str:
    cases = {f"example:{d.name}": canonical(score_example(d, tmp)) for d in example_dirs()}
    cases["synthetic"] = canonical(score_synthetic())
    cases["synthetic:tier"] = canonical(score_synthetic(tier_document()))
    return fingerprint(cases)


def check_recorded(version: str, actual: str, table: dict[str, str]) -> None:
    """Fail, telling the developer what to do, unless ``actual`` is recorded for ``version``."""
    expected = table.get(version)
    if expected is None:
        raise AssertionError(
            f"Engine version {version} has no recorded fingerprint: add "
            f"{{\"{version}\": \"{actual}\"}} to FINGERPRINTS in tests/engine/test_fingerprint.py."
        )
    if expected != actual:
        raise AssertionError(BUMP_HINT.format(version=version, actual=actual, expected=expected))


# --- tests ------------------------------------------------------------------------------


def test_results_match_the_fingerprint_recorded_for_this_engine_version(tmp_path: Path) -> None:
    check_recorded(engine.__version__, current_fingerprint(tmp_path), FINGERPRINTS)


def test_the_current_version_is_the_newest_recorded() -> None:
    """A version number is never reused for other results: the current one is the last."""

    def key(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split("."))

    assert engine.__version__ == max(FINGERPRINTS, key=key)
    assert all(len(fp) == 64 for fp in FINGERPRINTS.values())


def test_every_example_is_fingerprinted() -> None:
    names = {d.name for d in example_dirs()}
    assert {"coinr-asem", "daowai-2023", "db2019-starting-a-business"} <= names


def test_the_synthetic_case_exercises_what_it_claims() -> None:
    traces = score_synthetic()
    methods = {i["method"] for i in traces["u00"]["indicators"]}
    assert methods >= {"minmax", "frontier", "zscore", "percentile", "target", "goalposts",
                       "rank_steps", "bands", "manual", "ballot", "growth", "binary"}
    assert traces["u03"]["screened_out"] and traces["u03"]["score"] is None
    assert traces["u05"]["score"] == 0.0 and traces["u05"]["vetoes"][0]["code"] == "v_zero"
    assert all(traces[u]["grade"] in ("一般", "较差") for u in ("u00", "u07", "u13"))
    assert any(t["adjustments"] for t in traces.values())
    assert {t["grade"] for t in traces.values()} >= {"优秀", "良好", "一般", "较差"}
    assert any(i["imputed"] for t in traces.values() for i in t["indicators"])
    assert any(t["rank_change"] not in (None, 0.0) for t in traces.values())


def test_a_tiny_change_of_results_changes_the_fingerprint() -> None:
    base = canonical(score_synthetic())
    doc = synthetic_document()
    doc["tree"]["children"][2]["children"][1]["normalise"]["full"] = 50.0001
    changed = canonical(score_synthetic(doc))
    assert changed != base
    assert fingerprint({"synthetic": changed}) != fingerprint({"synthetic": base})


def test_a_changed_result_under_the_same_version_fails_with_the_bump_hint() -> None:
    with pytest.raises(AssertionError, match=r"bump __version__.*FINGERPRINTS"):
        check_recorded("9.9.9", "b" * 64, {"9.9.9": "a" * 64})
    with pytest.raises(AssertionError, match="has no recorded fingerprint"):
        check_recorded("9.9.10", "b" * 64, {"9.9.9": "a" * 64})
    check_recorded("9.9.9", "a" * 64, {"9.9.9": "a" * 64})  # recorded: passes


def test_the_engine_has_one_version_name_and_every_result_carries_it(tmp_path: Path) -> None:
    for alias in ("ENGINE_VERSION", "SCHEME_ENGINE_VERSION"):
        assert not hasattr(engine, alias), f"engine.{alias} is back: use engine.__version__"
    assert "__version__" in engine.__all__
    assert score_synthetic()["u00"]["engine_version"] == engine.__version__
    folder = EXAMPLES / "daowai-2023"
    score_example(folder, tmp_path)
    payload = json.loads((tmp_path / "daowai-2023.json").read_text(encoding="utf-8"))
    assert payload["engine_version"] == engine.__version__
