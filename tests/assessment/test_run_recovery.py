"""A run whose task worker died (security review item 8): marked failed after
DUIBIAO_RUN_TIMEOUT_SECONDS with its reason shown, started again on the same snapshot; the
progress poll stops once a run is finished or failed, and polls keep no session alive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from duibiao.assessment.models import RunResult, ScoringRun
from duibiao.assessment.services.run_recovery import run_restart, runs_fail_stale
from duibiao.assessment.services.runs import run_compute
from duibiao.audit.models import AuditEntry

POLL = {"HTTP_X_DUIBIAO_POLL": "1", "HTTP_HX_REQUEST": "true"}


@pytest.fixture
def stuck(approved, settings):
    """A run queued from the page, whose worker then died mid-computation (12 minutes ago)."""
    from duibiao.assessment.services.runs import run_start

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.DUIBIAO_RUN_TIMEOUT_SECONDS = 600
    run = run_start(actor=approved["office"], period=approved["period"], note="试算")
    assert run.status == ScoringRun.Status.QUEUED  # nothing computed it
    ScoringRun.objects.filter(pk=run.pk).update(
        status=ScoringRun.Status.RUNNING, progress=50, started_at=timezone.now() - timedelta(minutes=12))
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return run


def _progress(client, run):
    return client.get(reverse("assessment:run_progress", args=[run.pk]), **POLL)


def test_a_run_within_its_timeout_is_left_alone(stuck):
    ScoringRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(minutes=5))
    assert runs_fail_stale() == 0
    assert ScoringRun.objects.get(pk=stuck.pk).status == ScoringRun.Status.RUNNING


def test_a_stale_run_fails_with_its_reason_and_the_poll_stops(client_for, stuck):
    client = client_for(stuck.started_by)
    response = _progress(client, stuck)
    run = ScoringRun.objects.get(pk=stuck.pk)
    assert run.status == ScoringRun.Status.FAILED and "计算超时" in run.error
    body = response.content.decode()
    assert response["HX-Refresh"] == "true"  # the page reloads once, to show the failure
    assert "hx-trigger" not in body and "计算超时" in body  # and nothing polls any more
    assert AuditEntry.objects.filter(action="run.timeout", object_id=str(run.pk)).count() == 1
    page = client.get(reverse("assessment:run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="run-error"' in page and 'data-testid="restart-run"' in page
    assert "hx-trigger=\"every" not in page


def test_a_running_run_is_polled_and_a_finished_one_is_not(client_for, stuck):
    ScoringRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now())
    client = client_for(stuck.started_by)
    assert 'hx-trigger="every 1s"' in _progress(client, stuck).content.decode()
    ScoringRun.objects.filter(pk=stuck.pk).update(status=ScoringRun.Status.DONE, progress=100)
    done = _progress(client, stuck)
    assert "hx-trigger" not in done.content.decode() and done["HX-Refresh"] == "true"


def test_a_failed_run_is_started_again_on_its_own_snapshot(client_for, stuck):
    runs_fail_stale()
    client = client_for(stuck.started_by)
    response = client.post(reverse("assessment:run_restart", args=[stuck.pk]))
    assert response.status_code == 302
    run = ScoringRun.objects.get(pk=stuck.pk)
    assert run.status == ScoringRun.Status.DONE and run.error == ""
    assert RunResult.objects.filter(run=run).count() == 3 and run.inputs == stuck.inputs
    assert AuditEntry.objects.filter(action="run.restart", object_id=str(run.pk)).exists()


def test_only_the_office_restarts_and_only_a_failed_run(client_for, approved, stuck):
    runs_fail_stale()
    leader = client_for(approved["leader"])
    leader.post(reverse("assessment:run_restart", args=[stuck.pk]))
    assert ScoringRun.objects.get(pk=stuck.pk).status == ScoringRun.Status.FAILED
    reporter = client_for(approved["reporter_a"])
    assert reporter.post(reverse("assessment:run_restart", args=[stuck.pk])).status_code in (403, 404)
    run_restart(actor=approved["office"], run=stuck)
    from duibiao.assessment.errors import AssessmentError

    with pytest.raises(AssessmentError):
        run_restart(actor=approved["office"], run=ScoringRun.objects.get(pk=stuck.pk))  # done now


def test_a_task_left_in_the_queue_does_not_revive_a_failed_run(stuck):
    runs_fail_stale()
    run_compute(stuck.pk)  # the dead worker's task, picked up by the next worker
    run = ScoringRun.objects.get(pk=stuck.pk)
    assert run.status == ScoringRun.Status.FAILED and not RunResult.objects.filter(run=run).exists()


def test_polls_do_not_keep_an_idle_session_alive(client_for, stuck):
    ScoringRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now())
    client = client_for(stuck.started_by)
    client.get(reverse("web:home"))
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=2)  # the idle user's session ends in 2 minutes
    Session.objects.filter(session_key=key).update(expire_date=soon)
    for _ in range(3):
        assert _progress(client, stuck).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == soon
    client.get(reverse("web:home"))  # a real request is activity: the expiry moves on
    assert Session.objects.get(session_key=key).expire_date > soon + timedelta(minutes=20)
