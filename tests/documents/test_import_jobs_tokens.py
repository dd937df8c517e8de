"""An integration token's reach holds in the worker too: a job queued by a token call keeps the
token, and the worker runs it as the token's owner narrowed to the token's units and actions —
checked again when the job runs, so a token revoked or expired while the job waits makes it
fail with its reason and write nothing. The rows the job writes name the token, as a token
call's rows do.

The jobs here are queued with tasks recorded but not run (as when the worker has not reached
them yet) and then run outside any request, as the worker runs them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.accounts.models import ApiToken
from duibiao.accounts.tokens import token_create, token_revoke
from duibiao.assessment.models import Submission
from duibiao.audit.models import AuditEntry
from duibiao.documents import exports
from duibiao.documents.export_jobs import export_job_run
from duibiao.documents.import_jobs import import_job_run
from duibiao.documents.models import ExportJob, ImportJob
from tests.documents.conftest import open_xlsx, padded, row_of, upload

ACTIONS = ["assessment.scheme.view", "assessment.report.view", "assessment.submission.report",
           "assessment.progress.view"]


@pytest.fixture
def queue_only(settings):
    """Tasks recorded, never run: the job waits for the worker, which the test plays."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _token(excel, units: list[str], actions: list[str] | None = None) -> tuple[ApiToken, Client]:
    held = [a for a in (actions or ACTIONS) if a in gate.actions(excel["office"])]
    token, secret = token_create(actor=excel["office"], name="对接", actions=held, units=units,
                                 expires_on=timezone.localdate() + timedelta(days=30))
    return token, Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _all_units_template(excel) -> bytes:
    """The office's all-units template with a value on every unit's sheet (over the background
    threshold)."""
    wb = open_xlsx(exports.reporting_template(user=excel["office"], period=excel["period"])[1])
    for ws in wb.worksheets:
        ws.cell(row_of(ws, "nl02"), 6).value = 95
    assert {"靖宇街道", "太古街道"} <= set(wb.sheetnames)
    return padded(wb)


def _queue_import(excel, client: Client) -> ImportJob:
    response = client.post(f"/api/documents/periods/{excel['period'].pk}/template",
                           {"file": upload(_all_units_template(excel))})
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == ImportJob.Status.QUEUED
    return job


def test_a_token_calls_import_job_runs_narrowed_to_the_token_and_its_rows_name_it(excel, queue_only):
    token, client = _token(excel, ["jingyu"])
    job = _queue_import(excel, client)
    assert job.api_token == token and job.created_by == excel["office"]

    done = import_job_run(job.pk)  # outside any request: only the job says which token acted
    assert done.status == ImportJob.Status.DONE, done.error
    # The office could import every unit's sheet; the token only 靖宇's: the others are refused
    # row by row and, the import being all or nothing, none of taigu's values is saved.
    assert not Submission.objects.filter(unit=excel["b"]).exists()
    assert any("太古街道" in p["sheet"] for p in done.report["problems"]), done.report
    rows = AuditEntry.objects.filter(action__in=["documents.import_queue", "documents.reporting_import"])
    assert rows.count() == 2
    assert {row.api_token_key for row in rows} == {token.key_id}


def test_a_token_revoked_before_its_job_runs_fails_the_job_and_nothing_is_written(excel, queue_only):
    token, client = _token(excel, ["jingyu"])
    job = _queue_import(excel, client)
    token_revoke(actor=excel["office"], token=token, version=token.version)
    before = AuditEntry.objects.count()

    failed = import_job_run(job.pk)
    assert failed.status == ImportJob.Status.FAILED and "接口令牌已撤销" in failed.error
    assert not failed.file and not Submission.objects.exists()
    assert AuditEntry.objects.count() == before  # no import row: nothing was imported


def test_a_token_expired_before_its_export_runs_fails_it_without_a_file(excel, queue_only):
    token, client = _token(excel, ["jingyu"])
    response = client.post("/api/documents/exports", {"kind": "reporting_template", "period": excel["period"].pk},
                           content_type="application/json")
    assert response.status_code == 202, response.content
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    failed = export_job_run(response.json()["id"])
    assert failed.status == ExportJob.Status.FAILED and "接口令牌已过期" in failed.error
    assert not failed.file and failed.size == 0


def test_an_owner_deactivated_before_the_job_runs_fails_it(excel, queue_only):
    _token_row, client = _token(excel, ["jingyu"])
    job = _queue_import(excel, client)
    excel["office"].__class__.objects.filter(pk=excel["office"].pk).update(is_active=False)
    failed = import_job_run(job.pk)
    assert failed.status == ImportJob.Status.FAILED and "账号已停用" in failed.error
    assert not Submission.objects.exists()


def test_a_unit_scoped_tokens_export_holds_only_its_units(excel, queue_only):
    token, client = _token(excel, ["jingyu"])
    response = client.post("/api/documents/exports", {"kind": "reporting_template", "period": excel["period"].pk},
                           content_type="application/json")
    assert response.status_code == 202, response.content
    job = export_job_run(response.json()["id"])
    assert job.status == ExportJob.Status.DONE and job.api_token == token
    with job.file.open("rb") as stored:
        sheets = open_xlsx(stored.read()).sheetnames
    # The office's own export has every unit's sheet; the token's, 靖宇's alone.
    assert "靖宇街道" in sheets and "太古街道" not in sheets


def test_a_page_job_runs_as_its_owner_with_no_token(excel, client_for, queue_only):
    client_for(excel["office"]).post(reverse("documents:template_import", args=[excel["period"].pk]),
                                     {"file": upload(_all_units_template(excel))})
    job = ImportJob.objects.get()
    assert job.api_token is None
    done = import_job_run(job.pk)
    assert done.status == ImportJob.Status.DONE and done.report["saved"], done.report
    assert Submission.objects.filter(unit=excel["b"]).exists()  # every unit's sheet: the office's reach
    assert all(row.api_token_key is None for row in AuditEntry.objects.filter(action="documents.reporting_import"))
