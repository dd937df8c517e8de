"""Faults (issue 15): a task worker killed (SIGKILL) in the middle of a scoring run, an Excel
import and a bulletin batch — inside the transaction that writes their outcome — leaves the
database as it was; the job is then marked failed as stale (its worker is gone) and run again
by a new worker, once, with nothing doubled.

The worker is the real `duibiao db_worker` on the test database, stopped dead at its first
write of the outcome's table (tests/faults/stalling_worker.py), so the kill always lands
half-way, never before or after by luck of timing.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from pathlib import Path

import pytest
from django.utils import timezone

from duibiao.assessment.models import RunArrays, RunResult, ScoringRun, Submission
from duibiao.assessment.services.run_recovery import run_restart, runs_fail_stale
from duibiao.assessment.services.runs import run_start
from duibiao.documents.bulletin_batch import batch_params
from duibiao.documents.export_jobs import (
    export_job_create,
    export_job_retry,
    export_jobs_fail_stale,
)
from duibiao.documents.import_jobs import import_job_create, import_jobs_fail_stale
from duibiao.documents.models import BulletinDoc, ExportJob, ImportJob
from tests.documents.conftest import to_bytes, upload
from tests.documents.test_bulletins import district  # noqa: F401  (fixture)
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)
from tests.test_worker import WAIT_SECONDS, Worker, corrected_workbook, status

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
LATER = dt.timedelta(days=1)  # long past every stale timeout


@pytest.fixture
def workers(settings, tmp_path):
    """start(table=None): a worker; with a table, one that stalls at its first write of it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started: list[Worker] = []

    def start(table: str | None = None) -> tuple[Worker, Path]:
        mark = tmp_path / f"stalled-{len(started)}"
        env = {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        if table:
            env |= {"DUIBIAO_FAULT_TABLE": table, "DUIBIAO_FAULT_MARK": str(mark)}
        worker = Worker(settings, tmp_path / f"worker-{len(started)}.log",
                        module="tests.faults.stalling_worker" if table else "duibiao.cli", env=env)
        started.append(worker)
        return worker, mark

    try:
        yield start
    finally:
        for one in started:
            one.stop()


def kill_when_stalled(worker: Worker, mark: Path) -> None:
    """SIGKILL the worker once it is inside its transaction, and wait for it to be gone."""
    worker.wait(mark.exists, "the worker reaching the middle of its transaction")
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(timeout=WAIT_SECONDS)
    assert worker.process.returncode == -signal.SIGKILL


def test_a_scoring_run_killed_half_way_stores_nothing_and_is_computed_again(approved, workers):
    office, period = approved["office"], approved["period"]
    stalling, mark = workers("assessment_runresult")
    run = run_start(actor=office, period=period, note="计算中断")
    kill_when_stalled(stalling, mark)

    # The results' transaction died with the worker: no result nor stored arrays, the run still
    # shown running.
    assert not RunResult.objects.filter(run=run).exists() and not RunArrays.objects.filter(run=run).exists()
    assert status(ScoringRun, run.pk) == "running"
    assert runs_fail_stale(now=timezone.now() + LATER) == 1 and status(ScoringRun, run.pk) == "failed"

    worker, _ = workers()
    run_restart(actor=office, run=ScoringRun.objects.get(pk=run.pk))
    worker.wait(lambda: status(ScoringRun, run.pk) == "done", "the run started again")
    assert RunResult.objects.filter(run=run).count() == 3  # each unit once
    assert ScoringRun.objects.get(pk=run.pk).error == ""


def test_an_import_killed_half_way_changes_no_value_and_is_done_again(approved, workers):
    reporter, period, unit = approved["reporter_a"], approved["period"], approved["a"]
    workbook = to_bytes(corrected_workbook(approved))  # nl02 becomes 96
    before = dict(Submission.objects.filter(unit=unit).values_list("indicator__code", "value"))
    stalling, mark = workers("assessment_submission")
    queued = import_job_create(actor=reporter, upload=upload(workbook), period=period, unit=unit)
    assert queued.job is not None
    kill_when_stalled(stalling, mark)

    assert dict(Submission.objects.filter(unit=unit).values_list("indicator__code", "value")) == before
    assert status(ImportJob, queued.job.pk) == "running"
    assert import_jobs_fail_stale(now=timezone.now() + LATER) == 1
    assert status(ImportJob, queued.job.pk) == "failed"

    # The file is not kept: the import is run again by uploading it again, as the 任务 page says.
    worker, _ = workers()
    again = import_job_create(actor=reporter, upload=upload(workbook), period=period, unit=unit)
    worker.wait(lambda: status(ImportJob, again.job.pk) == "done", "the import run again")
    after = dict(Submission.objects.filter(unit=unit).values_list("indicator__code", "value"))
    assert after == {**before, "nl02": 96}
    assert Submission.objects.filter(unit=unit, indicator__code="nl02").count() == 1


def test_a_bulletin_batch_killed_half_way_leaves_no_draft_and_is_retried(district, workers):  # noqa: F811
    office = district["office"]
    params = batch_params(kinds=["projects", "inspections"], start=D - dt.timedelta(days=1), end=D)
    stalling, mark = workers("documents_bulletindoc")
    job = export_job_create(actor=office, kind=ExportJob.Kind.BULLETIN_BATCH, params=params,
                            title="通报批量起草（测试）", unit=district["district"])
    kill_when_stalled(stalling, mark)

    assert not BulletinDoc.objects.exists()  # the first draft's INSERT went with the worker
    assert status(ExportJob, job.pk) == "running"
    assert export_jobs_fail_stale(now=timezone.now() + LATER) == 1 and status(ExportJob, job.pk) == "failed"

    worker, _ = workers()
    retry = export_job_retry(actor=office, job=ExportJob.objects.get(pk=job.pk))
    worker.wait(lambda: status(ExportJob, retry.pk) == "done", "the batch retried")
    drafts = list(BulletinDoc.objects.order_by("pk").values_list("kind", "day"))
    assert drafts == [("projects", D - dt.timedelta(days=1)), ("inspections", D - dt.timedelta(days=1)),
                      ("projects", D), ("inspections", D)]
    time.sleep(0.5)
    assert BulletinDoc.objects.count() == 4  # nothing drafted twice by a late first worker
