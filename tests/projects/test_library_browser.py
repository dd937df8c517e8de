"""The 项目服务秘书 on a phone (Chromium at 390×844): from his home he opens 我的项目, sees the
project due this week, takes the one-screen progress update with a photo (set_input_files on
the camera input), and the project's page shows the new figure and the photo, which opens in
the viewer. A file that is not a photo is refused beside the photo field, nothing stored.
Screenshots for docs/projects.md are written to docs/img/projects-library-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from duibiao.projects.models import ProgressPhoto, ProgressReport
from tests.conftest import sign_in
from tests.files import samples
from tests.projects.library import build_library

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def lib(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_library(world)


def _phone(browser, base: str, username: str):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    return sign_in(context.new_page(), base, username)


def test_the_secretary_updates_a_project_with_a_photo_from_his_phone(browser, live_server, lib, tmp_path):
    base = live_server.url
    page = _phone(browser, base, "mishu")
    page.locator(".card", has=page.get_by_role("heading", name="我的项目")).click()  # the home tile
    page.wait_for_url(f"{base}/projects/mine/")
    card = page.locator("[data-project='XM-001']")
    expect(card.get_by_test_id("due")).to_be_visible()
    expect(page.locator("[data-project='XM-002']")).to_have_count(0)  # his colleague's project
    IMG.mkdir(exist_ok=True)
    page.screenshot(path=str(IMG / "projects-library-workspace.png"), full_page=True)

    card.get_by_role("link", name="填报进度").click()
    page.wait_for_url(re.compile(r".*/projects/\d+/report/\?next=mine$"))
    camera = page.locator("input[type=file][capture=environment]")
    expect(camera).to_have_attribute("accept", "image/*")
    # first a renamed executable: refused beside the photo field, nothing stored
    bad = tmp_path / "现场.jpg"
    bad.write_bytes(b"MZ\x90\x00" + b"\x00" * 400)
    page.get_by_label("本年累计完成投资（万元）").fill("2100")
    camera.set_input_files(str(bad))
    with page.expect_navigation():  # refused: the same page again, with the reason
        page.get_by_role("button", name="提交进度").click()
    expect(page.locator("[data-error-for=photos]")).to_contain_text("现场.jpg")
    assert not ProgressReport.objects.exists()

    photo = tmp_path / "工地.png"
    photo.write_bytes(samples.image("PNG", (160, 120)))
    page.get_by_label("本年累计完成投资（万元）").fill("2100")
    page.get_by_label("累计到位资金（万元）").fill("1800")
    page.get_by_label("形象进度").fill("主体结构封顶")
    page.locator("input[type=file][capture=environment]").set_input_files(str(photo))
    page.screenshot(path=str(IMG / "projects-library-progress.png"), full_page=True)
    page.get_by_role("button", name="提交进度").click()
    page.wait_for_url(f"{base}/projects/mine/")
    expect(page.locator("[data-project='XM-001']")).to_contain_text("本期已填报")

    page.locator("[data-project='XM-001']").get_by_role("link", name="靖宇街道老旧小区改造").click()
    page.wait_for_url(re.compile(r".*/projects/\d+/$"))
    expect(page.get_by_test_id("completed-ytd")).to_have_text("2100.00")
    history = page.get_by_test_id("progress-history")
    expect(history).to_contain_text("主体结构封顶")
    expect(history.get_by_test_id("file-view")).to_have_text("工地.png")
    with page.context.expect_page() as opened:
        history.get_by_test_id("file-view").click()
    viewer = opened.value
    expect(viewer.locator("img")).to_be_visible()
    assert ProgressPhoto.objects.get().report.completed_ytd == 2100


def test_the_office_reads_the_portfolio(browser, live_server, lib):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = sign_in(context.new_page(), base, "khb")
    page.get_by_role("link", name="重点项目").first.click()
    page.wait_for_url(f"{base}/projects/")
    expect(page.get_by_test_id("portfolio-totals")).to_contain_text("投资完成率")
    expect(page.locator("[data-project='XM-003']")).to_contain_text("红灯")
    page.screenshot(path=str(IMG / "projects-library-portfolio.png"), full_page=True)
    page.get_by_label("项目类型").select_option("logistics")
    page.wait_for_url("**/projects/?**type=logistics**")
    expect(page.locator("[data-project]")).to_have_count(1)
    context.close()
