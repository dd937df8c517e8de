"""A run stores what it computed once (RunArrays) and every unit's trace is rebuilt from it:
the same trace the run would have written (sources' provenance included), on the page and in
the API; kept per process by run and finished_at, so a recomputed run never shows the figures
of its earlier computation; runs stored before keep their JSON traces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duibiao.assessment.models import RunArrays, RunResult, ScoringRun
from duibiao.assessment.scoring import clean_json, previous_context, score_snapshot
from duibiao.assessment.selectors import traces
from duibiao.assessment.selectors.traces import forget_runs, result_trace, stored_run
from duibiao.assessment.services.runs import run_start
from duibiao.assessment.sources import source_trace
from duibiao.engine import stored


@pytest.fixture(autouse=True)
def _fresh_store():
    forget_runs()  # ids are reused by rolled-back tests on SQLite; each test starts empty
    yield
    forget_runs()


@pytest.fixture
def run(approved):
    return run_start(actor=approved["office"], period=approved["period"])


def test_a_run_stores_its_arrays_once_and_no_trace_per_result(run):
    assert run.status == ScoringRun.Status.DONE, run.error
    assert len(RunArrays.objects.get(run=run).data) > 0
    results = list(RunResult.objects.filter(run=run).select_related("unit"))
    assert results and all(r.legacy_trace == {} for r in results)
    # each rebuilt trace is the one the run computed: scored again from its snapshot
    again = score_snapshot(run.document, run.inputs, **previous_context(run))
    for result in results:
        code = result.unit.code
        expected = source_trace(clean_json(again.trace(code)), run.inputs.get("sources"), code)
        assert result_trace(result, run) == expected
        assert expected["unit"] == code and expected["score"] == pytest.approx(result.score)


def test_the_unit_page_and_the_api_show_the_rebuilt_trace(approved, run, client_for):
    office = client_for(approved["office"])
    page = office.get(reverse("assessment:unit_result", args=[run.pk, "jingyu"]))
    assert page.status_code == 200
    trace = result_trace(RunResult.objects.select_related("unit").get(run=run, unit__code="jingyu"), run)
    applicable = [i for i in trace["indicators"] if i["applicable"]]
    assert applicable and all(i["name"] in page.content.decode() for i in applicable)
    explained = office.get(f"/api/results/runs/{run.pk}/results/jingyu").json()
    assert explained["trace"] == trace


def test_a_run_stored_before_the_arrays_keeps_its_json_trace(approved, run, client_for):
    # as a run computed before the arrays were stored: every result with its JSON trace
    for result in RunResult.objects.filter(run=run).select_related("unit"):
        RunResult.objects.filter(pk=result.pk).update(legacy_trace=result_trace(result, run))
    RunArrays.objects.filter(run=run).delete()
    result = RunResult.objects.get(run=run, unit__code="jingyu")
    old = result.legacy_trace
    first = next(i for i in old["indicators"] if i["applicable"])
    first["name"] = "旧批次保存的指标名称"  # only the JSON trace says this
    RunResult.objects.filter(pk=result.pk).update(legacy_trace=old)
    forget_runs()
    page = client_for(approved["office"]).get(reverse("assessment:unit_result", args=[run.pk, "jingyu"]))
    assert page.status_code == 200 and "旧批次保存的指标名称" in page.content.decode()
    explained = client_for(approved["office"]).get(f"/api/results/runs/{run.pk}/results/jingyu").json()
    assert explained["trace"] == old


def test_a_kept_run_is_read_without_loading_its_arrays_again(approved, run, client_for):
    office = client_for(approved["office"])
    url = reverse("assessment:unit_result", args=[run.pk, "jingyu"])
    with CaptureQueriesContext(connection) as first:
        assert office.get(url).status_code == 200
    assert any("runarrays" in q["sql"].lower() for q in first.captured_queries)
    with CaptureQueriesContext(connection) as second:
        assert office.get(url).status_code == 200
    assert not any("runarrays" in q["sql"].lower() for q in second.captured_queries)
    # nor the run's ~MB input snapshot: only the sources' provenance, once, on the first read
    assert not any('"inputs"' in q["sql"] for q in second.captured_queries)


def test_a_recomputed_run_never_shows_its_earlier_figures(run):
    """Same run id, new computation (a failed run computed again gets a new finished_at):
    the kept arrays of the first computation are not used."""
    result = RunResult.objects.select_related("unit").get(run=run, unit__code="jingyu")
    before = result_trace(result, run)
    changed = score_snapshot(run.document, run.inputs, **previous_context(run),
                             overrides={("jingyu", "nl02"): 1.0})
    RunArrays.objects.filter(run=run).update(data=stored.pack(changed))
    ScoringRun.objects.filter(pk=run.pk).update(finished_at=run.finished_at + timedelta(seconds=1))
    run.refresh_from_db()
    after = result_trace(result, run)
    raw = {i["code"]: i["raw"] for i in after["indicators"]}
    assert raw["nl02"] == 1.0 and before != after


def test_the_runs_kept_are_bounded(approved, run, monkeypatch):
    monkeypatch.setattr(traces, "RUNS_KEPT", 1)
    second = run_start(actor=approved["office"], period=approved["period"])
    assert stored_run(run) is not None and stored_run(second) is not None
    assert list(traces._kept) == [(second.pk, second.finished_at)]
    assert stored_run(run) is not None  # read again from the database when asked
    assert list(traces._kept) == [(run.pk, run.finished_at)]


def test_another_unit_user_gets_no_trace_from_the_kept_arrays(approved, run, client_for):
    """The arrays hold every unit's figures; the gate still decides whose trace is shown.
    A reporter of one unit asks for another unit's result after the office has read it
    (the run's arrays are kept in this process): refused."""
    from duibiao.assessment.services.runs import run_release

    run_release(actor=approved["office"], run=run)
    assert client_for(approved["office"]).get(
        reverse("assessment:unit_result", args=[run.pk, "taigu"])).status_code == 200
    assert stored_run(run) is not None
    reporter = approved["reporter_a"]  # 靖宇街道's reporter
    other = "taigu"
    page = client_for(reporter).get(reverse("assessment:unit_result", args=[run.pk, other]))
    assert page.status_code == 404
    own = client_for(reporter).get(reverse("assessment:unit_result", args=[run.pk, "jingyu"]))
    assert own.status_code == 200  # its own, from the same kept arrays
    api = client_for(reporter).get(f"/api/results/runs/{run.pk}/results/{other}")
    assert api.status_code == 404


# --- the snapshot handed from run_start to its computation in the same process ----------------

def test_a_run_computed_in_process_takes_its_fresh_snapshot_once(run):
    from duibiao.assessment.services import runs

    assert run.status == ScoringRun.Status.DONE and not runs._FRESH  # taken by its computation
    assert RunResult.objects.filter(run=run).count() == 3


def test_a_snapshot_kept_for_another_run_of_the_same_id_is_never_used(approved, run):
    """A failed run restarted (new started_at) with an entry left under its id from before: the
    computation reads its own snapshot from the database and scores as the first time."""
    from duibiao.assessment.services import runs
    from duibiao.assessment.services.run_recovery import run_restart

    before = dict(RunResult.objects.filter(run=run).values_list("unit__code", "score"))
    ScoringRun.objects.filter(pk=run.pk).update(status=ScoringRun.Status.FAILED, error="worker died")
    run.refresh_from_db()
    poisoned = {"units": run.inputs["units"], "data": [[u, c, 0.0] for u, c, _ in run.inputs["data"]]}
    runs._FRESH[run.pk] = (run.started_at, poisoned)
    again = run_restart(actor=approved["office"], run=run)
    assert again.status == ScoringRun.Status.DONE, again.error
    assert dict(RunResult.objects.filter(run=run).values_list("unit__code", "score")) == before
    assert run.pk not in runs._FRESH


def test_a_run_start_rolled_back_keeps_no_snapshot(approved):
    from django.db import transaction

    from duibiao.assessment.services import runs

    with pytest.raises(RuntimeError), transaction.atomic():
        run_start(actor=approved["office"], period=approved["period"])
        raise RuntimeError("the caller's transaction fails")
    assert not runs._FRESH and not ScoringRun.objects.exists()
