"""In Chromium: the office starts a large export, leaves the page, comes back to 任务 through
the menu, sees the export finish once a worker runs and downloads the file; the screenshot of
the page for docs/jobs.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from duibiao.documents.models import ExportJob
from tests.conftest import sign_in
from tests.test_worker import WAIT_SECONDS, database_tasks, start_worker  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMG = Path(__file__).resolve().parents[1] / "docs" / "img"


def test_a_large_export_goes_on_while_away_and_is_downloaded_from_the_jobs_page(
        page, live_server, approved, start_worker, settings):  # noqa: F811
    settings.DUIBIAO_EXPORT_BACKGROUND_ROWS = 1
    # An earlier export that failed, as the page shows one.
    ExportJob.objects.create(kind=ExportJob.Kind.RANKING, title=f"{approved['period'].name} · 第 1 批排名表",
                             unit=approved["district"], params={"run": 999_999, "query": {}},
                             status=ExportJob.Status.FAILED, percent=10, created_by=approved["office"],
                             error="无权导出或导出的数据已不存在，未生成文件。")
    base = live_server.url
    sign_in(page, base, "khb")
    page.goto(f"{base}/documents/periods/{approved['period'].pk}/progress.xlsx")
    page.get_by_test_id("export-background").click()
    page.wait_for_url(f"{base}/jobs/")
    job = ExportJob.objects.get(kind=ExportJob.Kind.PROGRESS)
    row = page.get_by_test_id(f"job-export-{job.pk}")
    expect(row.get_by_test_id("job-status")).to_contain_text("排队中")

    page.goto(f"{base}/")  # leave the page; the job waits for a worker meanwhile
    worker = start_worker()
    page.get_by_role("link", name="任务").first.click()
    page.wait_for_url(f"{base}/jobs/")
    result = page.get_by_test_id(f"job-export-{job.pk}").get_by_test_id("job-result")
    try:
        result.wait_for(timeout=WAIT_SECONDS * 1000)  # the list polls until the worker is done
    except Exception as exc:
        raise AssertionError(f"the export did not finish on the page\n{worker.output()}") from exc
    expect(page.get_by_test_id(f"job-export-{job.pk}").get_by_test_id("job-status")).to_contain_text("已完成")
    page.screenshot(path=str(IMG / "jobs.png"), full_page=True)
    with page.expect_download() as download:
        result.click()
    assert download.value.suggested_filename.endswith("填报进度.xlsx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
