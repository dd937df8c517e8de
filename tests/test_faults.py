"""Faults (issue 15): a task worker killed with SIGKILL in the middle of a scoring run and of an
Excel import leaves the database as it was, and the job can be done again.

"In the middle" is made certain, not left to timing: a trigger the test adds for the test makes
the job's writes of its results (a run's result rows, an import's values) wait on a lock the test
holds, inside the job's transaction; once PostgreSQL shows the worker waiting there, the test kills
it, then lets go. PostgreSQL only (advisory locks and pg_blocking_pids).
"""

from __future__ import annotations

import signal
import time

import psycopg
import pytest
from django.db import connection

from duibiao.assessment.models import RunResult, ScoringRun, Submission
from duibiao.assessment.services.run_recovery import run_restart, runs_fail_stale
from duibiao.assessment.services.runs import run_start
from duibiao.audit.models import AuditEntry
from duibiao.documents.import_jobs import import_job_create, import_jobs_fail_stale
from duibiao.documents.models import ImportJob
from tests.backup.helpers import database_url
from tests.documents.conftest import to_bytes, upload
from tests.test_worker import WAIT_SECONDS, Worker, corrected_workbook, database_tasks, status  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Hold:
    """Makes every `event` (INSERT, UPDATE) on `table` wait, inside the writer's statement and so
    inside its transaction, until `release`: a trigger that takes a shared advisory lock which
    this object holds exclusively from a connection of its own. Removed again by `release`."""

    KEY = 15_4242

    def __init__(self, table: str, event: str) -> None:
        self.table = table
        self.db = psycopg.connect(database_url().replace("postgres://", "postgresql://", 1), autocommit=True)
        self.db.execute(f"SELECT pg_advisory_lock({self.KEY})")
        self.pid = self.db.execute("SELECT pg_backend_pid()").fetchone()[0]
        self.db.execute(f"""CREATE OR REPLACE FUNCTION test_fault_hold() RETURNS trigger AS $$
            BEGIN PERFORM pg_advisory_xact_lock_shared({self.KEY}); RETURN NEW; END $$ LANGUAGE plpgsql""")
        self.db.execute(f"CREATE TRIGGER test_fault_hold BEFORE {event} ON {table} "
                        "FOR EACH ROW EXECUTE FUNCTION test_fault_hold()")

    def blocking(self) -> bool:
        """Whether another session (the worker's) waits for the lock."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [self.pid])
            return cursor.fetchone()[0] > 0

    def release(self) -> None:
        if self.db.closed:
            return
        self.db.execute(f"SELECT pg_advisory_unlock({self.KEY})")
        self.db.execute(f"DROP TRIGGER IF EXISTS test_fault_hold ON {self.table}")
        self.db.execute("DROP FUNCTION IF EXISTS test_fault_hold()")
        self.db.close()


def wait_for(condition, what: str, worker: Worker) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert worker.process.poll() is None, f"the worker exited ({worker.process.returncode}):\n{worker.output()}"
        assert time.monotonic() < deadline, f"{what}: not within {WAIT_SECONDS} s\n{worker.output()}"
        time.sleep(0.1)


def killed(worker: Worker) -> None:
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(timeout=30)
    assert worker.process.returncode == -signal.SIGKILL


@pytest.fixture
def workers(approved, database_tasks, settings, tmp_path):  # noqa: F811
    started: list[Worker] = []

    def start() -> Worker:
        started.append(Worker(settings, tmp_path / f"worker-{len(started)}.log"))
        return started[-1]

    try:
        yield start
    finally:
        for one in started:
            one.stop()


def test_a_worker_killed_in_the_middle_of_a_run_leaves_nothing_and_the_run_is_computed_again(
        approved, workers, settings):
    office = approved["office"]
    lock = Hold("assessment_runresult", "INSERT")
    try:
        run = run_start(actor=office, period=approved["period"], note="计算中被中断")
        worker = workers()
        wait_for(lock.blocking, "the run's result rows waiting", worker)
        assert status(ScoringRun, run.pk) == "running"
        killed(worker)
    finally:
        lock.release()
    # Nothing of the run's results was kept; the run is still marked as computing.
    assert not RunResult.objects.filter(run=run).exists()
    assert status(ScoringRun, run.pk) == "running"

    # Its worker is gone: after the timeout it is marked failed, and the office starts it again.
    settings.DUIBIAO_RUN_TIMEOUT_SECONDS = 1
    time.sleep(1.1)
    assert runs_fail_stale() == 1 and status(ScoringRun, run.pk) == "failed"
    run_restart(actor=office, run=ScoringRun.objects.get(pk=run.pk))
    again = workers()
    again.wait(lambda: status(ScoringRun, run.pk) == "done", "the run computed again")
    assert RunResult.objects.filter(run=run).count() == 3


def test_a_worker_killed_in_the_middle_of_an_import_leaves_the_values_and_the_upload_can_be_made_again(
        approved, workers, settings):
    reporter, period, unit = approved["reporter_a"], approved["period"], approved["a"]
    workbook = to_bytes(corrected_workbook(approved))  # nl02 returned by the office, corrected to 96
    before = Submission.objects.get(unit=unit, indicator__code="nl02")
    audit_rows = AuditEntry.objects.count()
    lock = Hold("assessment_submission", "UPDATE")
    try:
        queued = import_job_create(actor=reporter, upload=upload(workbook), period=period, unit=unit)
        assert queued.job is not None
        worker = workers()
        wait_for(lock.blocking, "the import's transaction waiting", worker)
        killed(worker)
    finally:
        lock.release()
    after = Submission.objects.get(pk=before.pk)
    assert (after.value, after.version, after.status) == (before.value, before.version, before.status)
    assert not AuditEntry.objects.filter(action="documents.reporting_import").exists()
    assert AuditEntry.objects.count() == audit_rows + 1  # the queueing's own row only
    assert status(ImportJob, queued.job.pk) == "running"

    settings.DUIBIAO_IMPORT_TIMEOUT_SECONDS = 1
    time.sleep(1.1)
    assert import_jobs_fail_stale() == 1
    failed = ImportJob.objects.get(pk=queued.job.pk)
    assert failed.status == "failed" and "未做任何修改" in failed.error and not failed.file

    # Uploaded again, it is imported whole.
    again = import_job_create(actor=reporter, upload=upload(workbook), period=period, unit=unit)
    worker = workers()
    worker.wait(lambda: status(ImportJob, again.job.pk) == "done", "the import made again")
    assert Submission.objects.get(pk=before.pk).value == 96
