"""A run whose stored arrays (RunArrays) are damaged: the unit's result page, its what-if and the
API answer the reason in Chinese, naming the run and what the office does — never a 500. The
damage is logged and audited; a draft run is marked failed so its page offers 重新计算, which
computes it again from its snapshot and the page works again. Tested by corrupting the bytes."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from duibiao.assessment.models import RunArrays, ScoringRun
from duibiao.assessment.selectors.traces import forget_runs
from duibiao.assessment.services.runs import run_release, run_start
from duibiao.audit.models import AuditEntry


@pytest.fixture(autouse=True)
def _fresh_store():
    forget_runs()
    yield
    forget_runs()


@pytest.fixture
def run(approved):
    run = run_start(actor=approved["office"], period=approved["period"])
    assert run.status == ScoringRun.Status.DONE, run.error
    return run


def _stored(run) -> bytes:
    return bytes(RunArrays.objects.get(run=run).data)


def _damage(run, how: str) -> None:
    data = bytearray(_stored(run))
    if how == "garbage":
        data = bytearray(b"not a zip at all" * 8)
    elif how == "truncated":
        data = data[: len(data) // 2]
    elif how == "flipped":  # one byte inside the first stored array: its CRC no longer matches
        at = data.index(b"\x93NUMPY") + 200
        data[at] ^= 0xFF
    elif how == "empty":
        data = bytearray()
    RunArrays.objects.filter(run=run).update(data=bytes(data))
    forget_runs()


@pytest.mark.parametrize("how", ["garbage", "truncated", "flipped", "empty"])
def test_the_unit_page_of_a_damaged_run_says_why_and_marks_it_for_restart(approved, run, client_for, how, caplog):
    _damage(run, how)
    office = client_for(approved["office"])
    office.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="duibiao.assessment"):
        page = office.get(reverse("assessment:unit_result", args=[run.pk, "jingyu"]))
    assert page.status_code == 409
    text = page.content.decode()
    assert f"计分批次 #{run.pk}" in text and "已损坏" in text and "重新计算" in text
    assert reverse("assessment:run_detail", args=[run.pk]) in text  # the way to the restart action
    assert any(f"run {run.pk}" in r.getMessage() for r in caplog.records)
    row = AuditEntry.objects.get(action="run.damaged")
    assert not row.success and row.object_id == str(run.pk) and row.after["status"] == "failed"
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED and "已损坏" in run.error


def test_the_office_restarts_the_damaged_run_and_the_page_works_again(approved, run, client_for):
    _damage(run, "flipped")
    office = client_for(approved["office"])
    assert office.get(reverse("assessment:unit_result", args=[run.pk, "jingyu"])).status_code == 409
    detail = office.get(reverse("assessment:run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="restart-run"' in detail and "已损坏" in detail
    office.post(reverse("assessment:run_restart", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE, run.error
    assert office.get(reverse("assessment:unit_result", args=[run.pk, "jingyu"])).status_code == 200


def test_a_unit_user_sees_the_reason_too_and_gets_nothing_else(approved, run, client_for):
    _damage(run, "garbage")
    reporter = client_for(approved["reporter_a"])
    code = approved["a"].code
    page = reporter.get(reverse("assessment:unit_result", args=[run.pk, code]))
    # Draft results are the office's: the unit's user is refused as before, not told more.
    assert page.status_code in (403, 404, 409)
    assert "Traceback" not in page.content.decode()


def test_the_api_answers_the_error_body_with_the_reason(approved, run, client_for):
    _damage(run, "truncated")
    office = client_for(approved["office"])
    for path in (f"/api/results/runs/{run.pk}/results/jingyu",
                 f"/api/results/runs/{run.pk}/results/jingyu/analysis"):
        answer = office.get(path)
        assert answer.status_code == 409, path
        body = answer.json()
        assert body["code"] == "conflict" and body["errors"] == {}
        assert f"计分批次 #{run.pk}" in body["detail"] and "重新计算" in body["detail"]
    forget_runs()
    simulated = office.post(f"/api/results/runs/{run.pk}/results/jingyu/what-if",
                            {"values": {}}, content_type="application/json")
    assert simulated.status_code in (409, 422) and "detail" in simulated.json()


def test_the_what_if_of_a_damaged_run_shows_the_reason_in_the_alerts(approved, run, client_for):
    _damage(run, "garbage")
    office = client_for(approved["office"])
    answer = office.post(reverse("assessment:what_if", args=[run.pk, "jingyu"]), {}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 409 and answer["HX-Retarget"] == "#page-alerts"
    assert f"计分批次 #{run.pk}" in answer.content.decode()


def test_a_released_run_keeps_its_stage_and_the_office_is_told_to_score_again(approved, run, client_for):
    released = run_release(actor=approved["office"], run=run)
    _damage(released, "garbage")
    office = client_for(approved["office"])
    page = office.get(reverse("assessment:unit_result", args=[run.pk, "jingyu"]))
    assert page.status_code == 409 and "重新计分" in page.content.decode()
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE and run.stage == ScoringRun.Stage.RELEASED
    assert AuditEntry.objects.get(action="run.damaged").after["status"] == "done"
