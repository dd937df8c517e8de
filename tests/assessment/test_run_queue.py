"""A run's computation is queued when the run is committed, never inside its transaction
(issue 9 item 9): a worker cannot pick up a run it cannot read yet, and a run rolled back with
its caller's transaction leaves no task behind. tests/test_worker.py runs the real worker."""

from __future__ import annotations

import pytest
from django.db import transaction

from duibiao.assessment.models import ScoringRun
from duibiao.assessment.services.run_recovery import run_restart
from duibiao.assessment.services.runs import run_start


@pytest.fixture
def queue(settings):
    """The dummy backend: tasks are recorded, never run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend


def test_the_computation_is_queued_when_the_run_commits(approved, queue):
    with transaction.atomic():  # e.g. a caller's own transaction
        run = run_start(actor=approved["office"], period=approved["period"])
        assert queue.results == []  # not while the run row is uncommitted
    (queued,) = queue.results
    assert queued.task.name == "compute_run" and queued.args == [run.pk]
    assert ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.QUEUED


def test_a_run_rolled_back_with_its_caller_queues_nothing(approved, queue):
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        run_start(actor=approved["office"], period=approved["period"])
        raise Abandon
    assert queue.results == [] and not ScoringRun.objects.exists()


def test_a_restart_is_queued_when_it_commits(approved, queue):
    run = run_start(actor=approved["office"], period=approved["period"])
    ScoringRun.objects.filter(pk=run.pk).update(status=ScoringRun.Status.FAILED, error="x")
    queue.clear()
    with transaction.atomic():
        run_restart(actor=approved["office"], run=run)
        assert queue.results == []
    assert [r.args for r in queue.results] == [[run.pk]]
