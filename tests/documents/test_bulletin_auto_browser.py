"""批量与定时起草 in Chromium: from 通报 the office opens 批量与定时起草 by clicking, sets the
daily bulletin to be drafted at 17:30 (the next time shown), queues a batch of two days' daily
bulletins, and finds it finished on the 任务 page with its zip to download; the office's long
menu wraps rather than making the page scroll sideways. The page's
screenshot is docs/img/bulletin-auto.png."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from duibiao.documents.models import BulletinSchedule
from tests.conftest import sign_in
from tests.documents.test_bulletins import district  # noqa: F401  (fixture)
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def test_the_office_schedules_and_batches_bulletins(browser, live_server, district, tmp_path):  # noqa: F811
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = sign_in(context.new_page(), base, "khb")
    page.locator("nav").get_by_role("link", name="通报", exact=True).first.click()
    page.wait_for_url(f"{base}/documents/bulletins/")
    page.get_by_test_id("auto-link").click()
    page.wait_for_url(f"{base}/documents/bulletins/auto/")

    row = page.get_by_test_id("schedule-inspections")
    row.get_by_label("启用").check()
    row.get_by_label("起草时间").fill("17:30")
    with page.expect_navigation():  # a plain form: the answer is the page again, loaded
        row.get_by_role("button", name="保存").click()
    expect(page.get_by_text("自动起草督导检查日通报")).to_be_visible()
    saved = BulletinSchedule.objects.get(kind="inspections")
    expect(page.get_by_test_id("next-inspections")).to_contain_text(saved.next_due.astimezone().strftime("%H:%M"))

    form = page.get_by_test_id("batch-form")
    form.get_by_label("开始日期").fill("2026-10-19")
    form.get_by_label("结束日期").fill(D.isoformat())
    # The office's menu (over twenty pages) wraps instead of pushing the page sideways at 1280 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    IMG.mkdir(exist_ok=True)
    page.screenshot(path=str(IMG / "bulletin-auto.png"), full_page=True)
    form.get_by_role("button", name="后台批量起草").click()
    page.wait_for_url(f"{base}/jobs/")
    expect(page.get_by_text("已在后台起草 2 份通报")).to_be_visible()
    job = page.locator("[data-testid^=job-export-]").first
    expect(job).to_contain_text("已完成")
    with page.expect_download() as caught:
        job.get_by_role("link", name="通报草稿（2份）.zip").click()
    saved_zip = tmp_path / "drafts.zip"
    caught.value.save_as(saved_zip)
    names = zipfile.ZipFile(io.BytesIO(saved_zip.read_bytes())).namelist()
    assert len(names) == 2 and all("督导检查" in n and n.endswith(".docx") for n in names), names
    context.close()
