"""Background work as it runs in production (issue 9 item 9): the database task backend, and
`duibiao db_worker` (django-tasks-db) in a process of its own on the test database, as
`duibiao serve` starts it. Tasks are queued when the services' transactions really commit
(the test is transactional), and the worker computes scoring runs and imports a workbook
through the same services as the pages. A run whose snapshot cannot be scored stays FAILED
with its error on its page, and is computed again once started again.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from duibiao.assessment.models import RunResult, ScoringRun, Submission
from duibiao.assessment.services.runs import run_start
from duibiao.audit.models import AuditEntry
from duibiao.documents import exports
from duibiao.documents.excel.problems import ImportReport
from duibiao.documents.import_jobs import import_job_create
from duibiao.documents.models import ImportJob
from tests.conftest import sign_in
from tests.documents.conftest import open_xlsx, padded, row_of, to_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 60


def database_url() -> str:
    """The test database as a DUIBIAO_DATABASE_URL, for the worker process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    return f"postgres://{user}:{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One `duibiao db_worker` process on the test database; `wait` polls for a condition
    and fails with the worker's output if it exits or time runs out."""

    def __init__(self, settings, log_path, *, module: str = "duibiao.cli", env: dict[str, str] | None = None):
        env = {
            **os.environ, "DUIBIAO_DATABASE_URL": database_url(), "DUIBIAO_TASKS_BACKEND": "database",
            "DUIBIAO_VAR_DIR": str(settings.VAR_DIR), "DUIBIAO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **(env or {}),
        }
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "db_worker", "--interval", "0.2", "--no-startup-delay",
             "--no-reload"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait(self, condition, what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            assert self.process.poll() is None, f"the worker exited ({self.process.returncode}):\n{self.output()}"
            assert time.monotonic() < deadline, f"{what}: not within {WAIT_SECONDS} s\n{self.output()}"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the worker finishes its task, then exits
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def database_tasks(settings):
    """The production backend in this process too: tasks are rows the worker picks up."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def start_worker(approved, database_tasks, settings, tmp_path):
    """Starts a worker when called; every worker started is terminated at the end."""
    started: list[Worker] = []

    def start() -> Worker:
        started.append(Worker(settings, tmp_path / f"worker-{len(started)}.log"))
        return started[-1]

    try:
        yield start
    finally:
        for one in started:
            one.stop()  # always: a worker left running would hold the test database


@pytest.fixture
def worker(start_worker):
    return start_worker()


def status(model, pk) -> str:
    return model.objects.values_list("status", flat=True).get(pk=pk)


def corrected_workbook(approved):
    """靖宇街道's template with a corrected value for nl02, which the office has returned."""
    Submission.objects.filter(unit=approved["a"], indicator__code="nl02").update(
        status=Submission.Status.RETURNED)
    wb = open_xlsx(exports.reporting_template(user=approved["reporter_a"], period=approved["period"],
                                                unit=approved["a"])[1])
    ws = wb.active
    ws.cell(row_of(ws, "nl02"), 6).value = 96
    return wb


def test_runs_and_an_import_through_a_real_worker(approved, worker, client_for):
    office, period = approved["office"], approved["period"]
    good = run_start(actor=office, period=period, note="试算")
    broken = run_start(actor=office, period=period, note="快照有误")
    # Data that cannot be scored, put into the second run's stored snapshot: a value of an
    # indicator the scheme does not have.
    snapshot = broken.inputs
    ScoringRun.objects.filter(pk=broken.pk).update(
        inputs={**snapshot, "data": [*snapshot["data"], ["jingyu", "zz99", 1.0]]})
    queued = import_job_create(actor=approved["reporter_a"], upload=upload(to_bytes(corrected_workbook(approved))),
                               period=period, unit=approved["a"])
    assert queued.job is not None and queued.report.ok

    worker.wait(lambda: status(ScoringRun, good.pk) == "done", "the first run")
    assert RunResult.objects.filter(run=good).count() == 3
    assert ScoringRun.objects.get(pk=good.pk).sensitivity["runs"] == 1000

    worker.wait(lambda: status(ScoringRun, broken.pk) == "failed", "the broken run")
    failed = ScoringRun.objects.get(pk=broken.pk)
    assert "zz99" in failed.error and failed.finished_at and not RunResult.objects.filter(run=failed).exists()
    client = client_for(office)
    page = client.get(reverse("assessment:run_detail", args=[failed.pk])).content.decode()
    assert 'data-testid="run-error"' in page and "zz99" in page and 'data-testid="restart-run"' in page

    worker.wait(lambda: status(ImportJob, queued.job.pk) == "done", "the import")
    job = ImportJob.objects.get(pk=queued.job.pk)
    report = ImportReport.from_dict(job.report)
    assert report.saved and report.counts == {"靖宇街道": 1} and not job.file
    assert Submission.objects.get(unit=approved["a"], indicator__code="nl02").value == 96
    assert AuditEntry.objects.filter(action="documents.reporting_import", success=True,
                                     user=approved["reporter_a"]).count() == 1

    # Still failed a moment later: nothing rolled its FAILED back, nothing retried it.
    time.sleep(1)
    assert status(ScoringRun, broken.pk) == "failed"
    # The office corrects the snapshot and starts the run again, from its page.
    ScoringRun.objects.filter(pk=broken.pk).update(inputs=snapshot)
    response = client.post(reverse("assessment:run_restart", args=[broken.pk]))
    assert response.status_code == 302
    worker.wait(lambda: status(ScoringRun, broken.pk) == "done", "the restarted run")
    restarted = ScoringRun.objects.get(pk=broken.pk)
    assert restarted.error == "" and RunResult.objects.filter(run=restarted).count() == 3
    assert {r.unit.code: r.score for r in RunResult.objects.filter(run=restarted)} == {
        r.unit.code: r.score for r in RunResult.objects.filter(run=good)}


@pytest.mark.browser
def test_a_large_import_in_the_page_polls_until_the_worker_has_done_it(page, live_server, approved,
                                                                        start_worker, tmp_path):
    path = tmp_path / "填报.xlsx"
    path.write_bytes(padded(corrected_workbook(approved)))
    polls: list[dict[str, str]] = []
    page.on("request", lambda r: polls.append(r.headers) if r.url.endswith("/progress/") else None)
    base = live_server.url
    sign_in(page, base, "tb_a")
    page.goto(f"{base}/documents/periods/{approved['period'].pk}/")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="导入", exact=True).click()
    page.wait_for_url(re.compile(r"/documents/imports/\d+/$"))
    # No worker yet: the job waits, and its page keeps asking, marked as a poll. Wait for two
    # polls themselves rather than for a while (a busy machine can stretch the page's timer).
    expect(page.get_by_test_id("import-job-progress")).to_contain_text("排队等待后台处理")
    for _ in range(2):
        page.wait_for_event("request", predicate=lambda r: r.url.endswith("/progress/"))
    assert len(polls) >= 2 and all(headers.get("x-duibiao-poll") == "1" for headers in polls)

    worker = start_worker()
    saved = page.get_by_test_id("import-job-saved")
    try:
        saved.wait_for(timeout=WAIT_SECONDS * 1000)  # the poll sees it done and reloads the page
    except Exception as exc:
        raise AssertionError(f"no outcome on the page\n{worker.output()}") from exc
    expect(saved).to_contain_text("1 个单位共 1 项数据保存为草稿")
    assert Submission.objects.get(unit=approved["a"], indicator__code="nl02").value == 96
    seen = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == seen  # done: the page stopped asking


def test_token_queued_imports_run_narrowed_in_the_worker_and_a_revoked_ones_fails(approved, worker):
    """Two imports queued by two tokens of 靖宇街道's reporter; the second token is revoked before
    the worker reaches its job. The worker runs the first as the token would act (its audit row
    names the token) and fails the second with the reason, writing nothing for it."""
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from duibiao.accounts.tokens import token_create, token_revoke

    reporter, period = approved["reporter_a"], approved["period"]
    actions = ["assessment.scheme.view", "assessment.report.view", "assessment.submission.report"]
    queued = []
    for name in ("对接一", "对接二"):
        token, secret = token_create(actor=reporter, name=name, actions=actions, units=[],
                                     expires_on=timezone.localdate() + timedelta(days=5))
        response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").post(
            f"/api/documents/periods/{period.pk}/template?unit=jingyu",
            {"file": upload(padded(corrected_workbook(approved)))})
        assert response.status_code == 202, response.content
        queued.append((token, response.json()["id"]))
    (kept, kept_job), (revoked, revoked_job) = queued
    token_revoke(actor=reporter, token=revoked, version=revoked.version)

    worker.wait(lambda: status(ImportJob, kept_job) == "done", "the kept token's import")
    worker.wait(lambda: status(ImportJob, revoked_job) == "failed", "the revoked token's import")
    assert "接口令牌已撤销" in ImportJob.objects.get(pk=revoked_job).error
    assert not ImportJob.objects.get(pk=revoked_job).file
    rows = AuditEntry.objects.filter(action="documents.reporting_import")
    assert [row.api_token_key for row in rows] == [kept.key_id]  # one import, under the kept token
    assert Submission.objects.get(unit=approved["a"], indicator__code="nl02").value == 96
