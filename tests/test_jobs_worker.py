"""Background exports through a real worker (`duibiao db_worker` in a process of its own, as
tests/test_worker.py runs it): the 任务 page shows a queued export at 0 % and keeps polling,
the worker builds it, the page shows it done at 100 % and stops polling, its owner downloads
it; an export that cannot be built fails with its reason in Chinese and is retried as a new
job, the failed one kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from duibiao.documents.export_jobs import export_job_create
from duibiao.documents.models import ExportJob
from duibiao.files.uploads import XLSX
from tests.test_worker import database_tasks, start_worker, status  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_export_job_shows_its_progress_and_outcome_through_a_real_worker(
        approved, start_worker, client_for, settings):  # noqa: F811
    settings.DUIBIAO_EXPORT_BACKGROUND_ROWS = 1
    office = client_for(approved["office"])
    response = office.post(reverse("documents:progress_download", args=[approved["period"].pk]))
    assert response.status_code == 302 and response["Location"] == reverse("web:jobs")
    job = ExportJob.objects.get()
    # No worker yet: queued at 0 %, and the list asks again (marked as a poll).
    page = office.get(reverse("web:jobs")).content.decode()
    assert status(ExportJob, job.pk) == "queued" and 'data-width-percent="0"' in page
    assert 'hx-get="' + reverse("web:jobs_progress") in page

    worker = start_worker()
    worker.wait(lambda: status(ExportJob, job.pk) == "done", "the export")
    job.refresh_from_db()
    assert job.percent == 100 and job.file and job.started_at and job.finished_at >= job.started_at
    part = office.get(reverse("web:jobs_progress"), headers={"X-Duibiao-Poll": "1"}).content.decode()
    assert 'data-width-percent="100"' in part and "hx-get" not in part  # done: no more polling
    got = office.get(reverse("web:job_download", args=[job.pk]))
    assert got.status_code == 200 and got["Content-Type"] == XLSX and b"".join(got.streaming_content)[:2] == b"PK"

    # A period that no longer exists: the job fails with the reason, the retry is a new job.
    lost = export_job_create(actor=approved["office"], kind=ExportJob.Kind.PROGRESS,
                             params={"period": 999_999, "query": {}}, title="已删除的周期", unit=approved["district"])
    worker.wait(lambda: status(ExportJob, lost.pk) == "failed", "the failing export")
    page = office.get(reverse("web:jobs")).content.decode()
    assert f'data-testid="job-export-{lost.pk}"' in page and "无权导出或导出的数据已不存在" in page
    assert office.post(reverse("web:job_retry", args=[lost.pk])).status_code == 302
    retried = ExportJob.objects.get(retry_of=lost)
    worker.wait(lambda: status(ExportJob, retried.pk) == "failed", "the retried export")
    assert status(ExportJob, lost.pk) == "failed" and ExportJob.objects.count() == 3
