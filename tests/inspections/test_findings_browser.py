"""In Chromium, on a phone-sized page: an inspector records a finding with a photo; the unit
rectifies with an "after" photo; the inspector returns it once, then closes it; another
unit's user cannot open it. `record_rectify_return_close` is the piece other browser tests
(the issue's end-to-end test) reuse."""

from __future__ import annotations

import pytest

from duibiao.inspections.models import Finding
from tests.conftest import sign_in
from tests.inspections.findings_world import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def phone_page(browser, base: str, username: str):
    """A signed-in page on a phone-sized screen that accepts every confirmation dialog."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = sign_in(context.new_page(), base, username)
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def one_screen_wide(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def unit_reports(page, base: str, finding_pk: int, tmp_path, text: str) -> None:
    """The unit opens the finding from 整改任务 and reports with an "after" photo."""
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.get_by_role("heading", name="整改任务").click(force=True)  # the tile: its link covers the card
    with page.expect_navigation():
        page.locator(f'a[href="/inspections/findings/{finding_pk}/"]').click()
    after = tmp_path / "整改后.jpg"
    after.write_bytes(jpeg(gps=False, colour=(200, 200, 200)))
    page.get_by_label("整改后照片").set_input_files(str(after))
    page.get_by_label("整改情况").fill(text)
    with page.expect_navigation():
        page.get_by_test_id("report-submit").click()
    page.get_by_test_id("state").filter(has_text="待核查").wait_for()


def inspector_verifies(page, base: str, finding_pk: int, button: str, reason: str = "") -> None:
    """The inspector opens the finding from 待核查 and closes or returns it."""
    page.goto(f"{base}/inspections/verify/")
    with page.expect_navigation():
        page.locator(f'a[href="/inspections/findings/{finding_pk}/"]').first.click()
    if reason:
        page.get_by_label("核查意见（退回、未整改销号须填写原因）").fill(reason)
    with page.expect_navigation():
        page.get_by_test_id(button).click()


def record_rectify_return_close(browser, base: str, tmp_path) -> Finding:
    inspector = phone_page(browser, base, "duzhao")
    with inspector.expect_navigation():
        inspector.get_by_role("heading", name="督导检查").click(force=True)  # the tile: its link covers it
    with inspector.expect_navigation():
        inspector.get_by_role("link", name="记录问题").first.click()
    assert one_screen_wide(inspector)
    before = tmp_path / "现场.jpg"
    before.write_bytes(jpeg(gps=True))
    inspector.get_by_label("现场照片（整改前）").set_input_files(str(before))
    inspector.get_by_label("责任单位").select_option(label="靖宇街道")
    inspector.get_by_label("问题类别").fill("占道经营")
    inspector.get_by_label("问题描述").fill("店外占道经营，堆放杂物")
    inspector.get_by_label("地点").fill("靖宇街12号")
    inspector.get_by_label("发现日期").fill("2026-09-28")
    with inspector.expect_navigation():
        inspector.get_by_test_id("record-submit").click()
    finding = Finding.objects.get()
    assert finding.deadline.isoformat() == "2026-10-10" and one_screen_wide(inspector)
    assert "45.775" in inspector.get_by_test_id("exif").inner_text()  # the photo's GPS, for him only

    unit = phone_page(browser, base, "tb_a")
    unit_reports(unit, base, finding.pk, tmp_path, "已清理杂物")
    inspector_verifies(inspector, base, finding.pk, "verify-return", "门前仍有杂物")
    assert inspector.get_by_test_id("state").inner_text() == "被退回"
    unit_reports(unit, base, finding.pk, tmp_path, "杂物全部清运，已约谈店主")
    inspector_verifies(inspector, base, finding.pk, "verify-close")
    assert inspector.get_by_test_id("state").inner_text() == "已销号"
    timeline = inspector.get_by_test_id("timeline").inner_text()
    assert timeline.count("报告整改") == 2 and "退回重改" in timeline and "门前仍有杂物" in timeline
    unit.context.close()
    inspector.context.close()
    finding.refresh_from_db()
    return finding


def test_an_inspector_records_the_unit_rectifies_returned_once_then_closed(browser, live_server, insp, tmp_path):
    finding = record_rectify_return_close(browser, live_server.url, tmp_path)
    assert (finding.state, finding.outcome, finding.photos.filter(stage="after").count()) == ("closed", "closed", 2)
    assert [e.kind for e in finding.events.all()] == ["record", "report", "return", "report", "close"]
    outsider = phone_page(browser, live_server.url, "tb_b")
    response = outsider.goto(f"{live_server.url}/inspections/findings/{finding.pk}/")
    assert response.status == 404 and "靖宇街12号" not in outsider.content()
    outsider.context.close()


def test_the_phone_form_warns_of_a_likely_duplicate_while_filling_it(browser, live_server, insp):
    from tests.inspections.findings_world import record

    first = record(insp, address="靖宇街12号", lat=None, lng=None)
    page = phone_page(browser, live_server.url, "duzhao")
    page.goto(f"{live_server.url}/inspections/campaigns/{insp['campaign'].pk}/record/")
    page.get_by_label("问题类别").fill("占道经营")
    page.get_by_label("地点").fill("靖宇街 12 号")
    page.get_by_label("地点").blur()  # change fires when the field is left, as on a phone
    warning = page.get_by_test_id("live-duplicates")
    warning.get_by_role("link", name=f"#{first.pk}", exact=False).wait_for()
    assert "仍可记录" in warning.inner_text()
    page.context.close()
