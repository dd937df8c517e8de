"""Large exports run as background jobs and are followed on the 任务 page (issue 13, "long
work shows its progress"): the link's GET writes nothing, the button queues the job, the
file is its owner's alone, a failed job shows its error and is retried as a new job."""

from __future__ import annotations

import pytest
from django.urls import reverse

from duibiao.assessment.models import ScoringRun
from duibiao.assessment.services.runs import run_start
from duibiao.audit.models import AuditEntry
from duibiao.documents import export_jobs
from duibiao.documents.models import ExportJob
from duibiao.files.uploads import XLSX
from tests.documents.conftest import open_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(settings):
    settings.DUIBIAO_EXPORT_BACKGROUND_ROWS = 1  # every export of a row or more is large


@pytest.fixture
def run(approved):
    started = run_start(actor=approved["office"], period=approved["period"], note="试算")
    assert ScoringRun.objects.get(pk=started.pk).status == "done"
    return started


def test_a_small_export_is_sent_at_once(approved, run, client_for, settings):
    settings.DUIBIAO_EXPORT_BACKGROUND_ROWS = 10**9
    response = client_for(approved["office"]).get(reverse("documents:ranking_download", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert not ExportJob.objects.exists()


def test_a_large_export_becomes_a_job_its_owner_downloads(approved, run, client_for, large):
    office = client_for(approved["office"])
    url = reverse("documents:ranking_download", args=[run.pk])
    offer = office.get(url)
    # The link only offers the job: a GET queues nothing.
    assert offer.status_code == 200 and 'data-testid="export-background"' in offer.content.decode()
    assert not ExportJob.objects.exists()

    response = office.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("web:jobs")
    job = ExportJob.objects.get()
    assert (job.kind, job.status, job.percent, job.created_by) == ("ranking", "done", 100, approved["office"])
    assert job.unit == approved["district"] and job.filename.endswith(".xlsx") and job.size > 0
    assert AuditEntry.objects.filter(action="documents.export_queue", user=approved["office"]).count() == 1

    page = office.get(reverse("web:jobs")).content.decode()
    assert f'data-testid="job-export-{job.pk}"' in page and "已完成" in page
    download = reverse("web:job_download", args=[job.pk])
    assert download in page
    assert 'hx-get="' + reverse("web:jobs_progress") not in page  # nothing running: no polling

    got = office.get(download)
    assert got.status_code == 200 and got["Content-Type"] == XLSX and "attachment" in got["Content-Disposition"]
    workbook = open_xlsx(b"".join(got.streaming_content))
    assert workbook.active.max_row > 1  # the same ranking the page would have sent


def test_another_user_neither_sees_nor_downloads_someones_export(approved, run, client_for, large):
    client_for(approved["office"]).post(reverse("documents:ranking_download", args=[run.pk]))
    job = ExportJob.objects.get()
    download = reverse("web:job_download", args=[job.pk])
    for who in ("reporter_a", "reporter_b", "leader", "head_a"):
        client = client_for(approved[who])
        assert client.get(download).status_code == 404, who
        assert f"job-export-{job.pk}" not in client.get(reverse("web:jobs")).content.decode(), who
    # The office of the district sees its people's jobs, but the file is the owner's alone.
    leader = client_for(approved["leader"])
    leader.post(reverse("documents:progress_download", args=[approved["period"].pk]))
    theirs = ExportJob.objects.get(created_by=approved["leader"])
    office = client_for(approved["office"])
    page = office.get(reverse("web:jobs")).content.decode()
    assert f"job-export-{theirs.pk}" in page
    assert reverse("web:job_download", args=[theirs.pk]) not in page
    assert office.get(reverse("web:job_download", args=[theirs.pk])).status_code == 404
    assert leader.get(reverse("web:job_download", args=[theirs.pk])).status_code == 200
    assert client_for(approved["leader"]).get(reverse("web:jobs")).status_code == 200


def test_a_failed_job_shows_its_error_and_is_retried_as_a_new_job(approved, client_for, large, monkeypatch):
    def broken(user, params, step):
        raise RuntimeError("磁盘已满")

    working = export_jobs.EXPORTS[ExportJob.Kind.PROGRESS]
    monkeypatch.setitem(export_jobs.EXPORTS, ExportJob.Kind.PROGRESS, broken)
    office = client_for(approved["office"])
    url = reverse("documents:progress_download", args=[approved["period"].pk])
    assert office.post(url).status_code == 302  # the worker logs the exception; the job keeps it
    failed = ExportJob.objects.get()
    assert failed.status == "failed" and "磁盘已满" in failed.error and "未生成文件" in failed.error
    page = office.get(reverse("web:jobs")).content.decode()
    assert 'data-testid="job-error"' in page and "磁盘已满" in page
    retry = reverse("web:job_retry", args=[failed.pk])
    assert retry in page and "data-confirm" in page

    # Someone else cannot retry it; a GET does nothing.
    assert client_for(approved["leader"]).post(retry).status_code == 404
    assert office.get(retry).status_code == 405
    assert ExportJob.objects.count() == 1

    monkeypatch.setitem(export_jobs.EXPORTS, ExportJob.Kind.PROGRESS, working)  # the disk has room again
    response = office.post(retry)
    assert response.status_code == 302
    new = ExportJob.objects.exclude(pk=failed.pk).get()
    assert new.retry_of == failed and new.status == "done" and new.params == failed.params
    failed.refresh_from_db()
    assert failed.status == "failed" and "磁盘已满" in failed.error  # the old one is kept

    # A second retry of the same job (another tab, a double click) is refused with the reason.
    again = office.post(retry)
    assert again.status_code == 409 and "该任务已重试过" in again.content.decode()
    assert ExportJob.objects.count() == 2
    # A job that has not failed is not retried either.
    refused = office.post(reverse("web:job_retry", args=[new.pk]))
    assert refused.status_code == 409 and "无需重试" in refused.content.decode()


def test_rights_are_checked_again_when_the_job_runs(approved, client_for, large):
    job = export_jobs.export_job_create(actor=approved["reporter_a"], kind=ExportJob.Kind.PROGRESS,
                                        params={"period": approved["period"].pk, "query": {}}, title="进度",
                                        unit=approved["a"])
    job.refresh_from_db()
    # A reporter does not read the district's progress: the job fails, no file is made.
    assert job.status == "failed" and not job.file and "无权导出" in job.error


def test_the_jobs_page_lists_runs_and_imports_for_the_office(approved, run, client_for):
    page = client_for(approved["office"]).get(reverse("web:jobs")).content.decode()
    assert f'data-testid="job-run-{run.pk}"' in page and reverse("assessment:run_detail", args=[run.pk]) in page
    reporter = client_for(approved["reporter_a"]).get(reverse("web:jobs")).content.decode()
    assert f"job-run-{run.pk}" not in reporter and 'data-testid="jobs-empty"' in reporter


def test_an_unfinished_job_is_polled_and_a_dead_one_times_out(approved, client_for, settings):
    job = ExportJob.objects.create(kind=ExportJob.Kind.PROGRESS, title="进度", unit=approved["district"],
                                   params={"period": approved["period"].pk}, created_by=approved["office"])
    office = client_for(approved["office"])
    page = office.get(reverse("web:jobs")).content.decode()
    assert 'hx-get="' + reverse("web:jobs_progress") in page and '"X-Duibiao-Poll": "1"' in page
    assert 'data-width-percent="0"' in page
    settings.DUIBIAO_IMPORT_TIMEOUT_SECONDS = 1
    ExportJob.objects.filter(pk=job.pk).update(created_at=job.created_at.replace(year=2020))
    part = office.get(reverse("web:jobs_progress"), headers={"X-Duibiao-Poll": "1"}).content.decode()
    assert "导出超时" in part and "hx-get" not in part


def test_the_office_of_another_district_does_not_see_the_jobs(approved, client_for, large):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create

    client_for(approved["office"]).post(reverse("documents:progress_download", args=[approved["period"].pk]))
    job = ExportJob.objects.get()
    nangang = user_create(actor=None, username="khb_ng", password="Nangang@Pass2026", unit=None)
    role_grant(actor=None, user=nangang, role=Role.OFFICE, units=[approved["other_district"]])
    client = client_for(nangang)
    assert f"job-export-{job.pk}" not in client.get(reverse("web:jobs")).content.decode()
    assert client.get(reverse("web:job_download", args=[job.pk])).status_code == 404
    assert client.post(reverse("web:job_retry", args=[job.pk])).status_code == 404


def test_an_import_job_is_on_the_jobs_page_and_the_import_page_leads_there(approved, client_for):
    from duibiao.documents.models import ImportJob

    job = ImportJob.objects.create(kind=ImportJob.Kind.REPORTING, status=ImportJob.Status.FAILED,
                                   period=approved["period"], unit=approved["a"], original_name="填报.xlsx",
                                   content_type=XLSX, size=1, error="导入超时", created_by=approved["reporter_a"])
    reporter = client_for(approved["reporter_a"])
    index = reporter.get(reverse("documents:index")).content.decode()
    assert 'data-testid="to-jobs"' in index and reverse("web:jobs") in index
    page = reporter.get(reverse("web:jobs")).content.decode()
    assert f'data-testid="job-import-{job.pk}"' in page and "导入超时" in page
    # The file is not kept: the way to try again is a new upload, from the period's page.
    assert 'data-testid="job-again"' in page and reverse("documents:period", args=[approved["period"].pk]) in page
    assert f"job-import-{job.pk}" not in client_for(approved["reporter_b"]).get(reverse("web:jobs")).content.decode()
