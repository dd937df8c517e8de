"""Migration 0009 rekeys stored category (and tier) names to codes without changing a result.

A filled database (a scheme, its indicators, a computed run with results) is taken back to
0008, where the reverse migration stores names as the code before it did; migrating forward
gives back exactly the rows the current code wrote, and the rekeyed snapshot scores to the
stored results. Runs on SQLite and on PostgreSQL (CI runs both).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from duibiao.assessment.models import Indicator, RunArrays, RunResult, SchemeVersion, ScoringRun
from duibiao.assessment.scoring import previous_context, score_snapshot
from duibiao.assessment.selectors.traces import result_trace
from duibiao.assessment.services.runs import run_start
from duibiao.schemes.categories import category_labels
from tests.conftest import build_approved, build_assessed, build_world

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("assessment", "0008_indicator_item_kind")]


def _migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def _stored() -> dict:
    # Only the columns 0008 already had: later migrations add columns the old table lacks.
    run = ScoringRun.objects.values("document", "inputs", "benchmarks").get()
    return {
        "documents": list(SchemeVersion.objects.order_by("pk").values_list("document", flat=True)),
        "applies": list(Indicator.objects.order_by("pk").values_list("code", "applies_categories")),
        "run": (run["document"], run["inputs"], run["benchmarks"]),
        "results": list(RunResult.objects.order_by("pk").values_list("category", "legacy_trace", "score", "rank")),
    }


def test_names_stored_before_come_back_as_codes_and_score_the_same():
    approved = build_approved(build_assessed(build_world()))
    run = run_start(actor=approved["office"], period=approved["period"])
    # A run computed before runs stored their arrays: its traces are JSON, which 0009 rekeys.
    for result in RunResult.objects.filter(run=run).select_related("unit"):
        RunResult.objects.filter(pk=result.pk).update(legacy_trace=result_trace(result, run))
    RunArrays.objects.filter(run=run).delete()
    now = _stored()
    assert now["results"][0][0] in ("street", "economic")

    _migrate(BEFORE)  # as the code before 0009 stored them: display names
    try:
        old = _stored()
    finally:  # forward again, whatever happens: later tests need the latest tables
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert category_labels(old["documents"][0])[:2] == ["街道乡镇", "经济部门"]
    assert "# 哈尔滨市道外区" in old["documents"][0]  # the text itself is kept
    assert dict(old["applies"])["nl09"] == ["街道乡镇"]
    assert {u["category"] for u in old["run"][1]["units"]} == {"街道乡镇", "经济部门"}
    assert {u["groups"]["tier"] for u in old["run"][1]["units"]} == {"街道", ""}
    assert set(old["run"][2]) == {"街道乡镇", "经济部门"}
    assert {c for c, trace, *_ in old["results"]} == {"街道乡镇", "经济部门"}
    assert all(trace["category"] == c for c, trace, *_ in old["results"])

    assert _stored() == now  # migrated forward: the codes are back, nothing else changed
    run = ScoringRun.objects.get()
    rescored = score_snapshot(run.document, run.inputs, **previous_context(run))
    for result in RunResult.objects.filter(run=run).select_related("unit"):
        i = rescored.units.index(result.unit.code)
        assert float(rescored.score[i]) == pytest.approx(result.score) and rescored.grades[i] == result.grade
