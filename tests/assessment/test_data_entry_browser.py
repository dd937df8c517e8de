"""In a real browser: a reporter fills the 填报 page field by field, as in DHIS2. A value is
saved on leaving its field (no button), a refused one stays in view with its reason beside
it, Tab goes on to the next field, and on a 390 px phone the page is cards, not a table
wider than the screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from duibiao.assessment.models import Submission
from tests.conftest import htmx_settled, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("DUIBIAO_SCREENSHOTS", "") == "1"  # also write docs/img/ (see docs/reporting.md)
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def report_page(browser, base, assessed, width=1280, height=900):
    page = signed_in_page(browser, base, "tb_a")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base}/assessment/periods/{assessed['period'].pk}/report/jingyu/")
    page.get_by_test_id("report-title").wait_for()
    return page


def test_errors_show_beside_the_field_and_nothing_is_saved(browser, live_server, assessed):
    page = report_page(browser, live_server.url, assessed)
    assert page.get_by_role("button", name="保存").count() == 0  # no per-row button with JavaScript on

    field = page.locator("#value-nl02")
    field.fill("一百")
    field.press("Tab")
    row = page.get_by_test_id("row-nl02")
    error = row.get_by_test_id("row-error")
    expect(error).to_contain_text("不是数字")
    assert "⚠" in error.inner_text()
    assert row.get_attribute("data-cell") == "error"
    assert page.locator("#value-nl02").input_value() == "一百"  # what was typed stays, beside its reason
    # The message is the field's description, next to it in the same cell (not in a banner).
    assert page.locator("#value-nl02").get_attribute("aria-describedby") == "msg-nl02"
    assert page.locator("#msg-nl02").get_by_test_id("row-error").is_visible()
    assert page.locator("#page-alerts").inner_text().strip() == ""

    # A rate of 150: the scheme's 0–100 rule refuses it, in words, and nothing is stored. The
    # row was swapped in: its form answers a change only once htmx has settled it.
    htmx_settled(page)
    page.locator("#value-nl02").fill("150")
    page.locator("#value-nl02").press("Tab")
    page.get_by_test_id("row-nl02").get_by_test_id("row-error").filter(has_text="100").wait_for()
    assert not Submission.objects.filter(indicator__code="nl02").exists()

    # Corrected, it saves on leaving the field and the cell turns to ✓ 已保存.
    htmx_settled(page)
    page.locator("#value-nl02").fill("98")
    page.locator("#value-nl02").press("Tab")
    saved = page.get_by_test_id("row-nl02").get_by_test_id("row-saved")
    expect(saved).to_contain_text("✓")
    assert page.get_by_test_id("row-nl02").get_attribute("data-cell") == "saved"
    assert page.get_by_test_id("row-nl02").get_by_test_id("row-error").count() == 0
    assert Submission.objects.get(indicator__code="nl02").value == 98
    if SHOTS:  # the picture shows both states: nl02 saved, nl03 refused
        htmx_settled(page)
        page.locator("#value-nl03").fill("一百")
        page.locator("#value-nl03").press("Tab")
        page.get_by_test_id("row-nl03").get_by_test_id("row-error").wait_for()
        page.screenshot(path=IMG / "report-entry.png")
    page.context.close()


def test_values_save_on_blur_tab_moves_on_and_the_version_follows(browser, live_server, assessed):
    page = report_page(browser, live_server.url, assessed)
    field = page.locator("#value-nl03")
    field.fill("92")
    field.press("Tab")
    page.get_by_test_id("row-nl03").get_by_test_id("row-saved").wait_for()
    # Tab went on to the next field (the row's note) and stayed there after the row was redrawn.
    assert page.evaluate("document.activeElement.id") == "note-nl03"
    assert Submission.objects.get(indicator__code="nl03").value == 92
    assert page.get_by_test_id("row-nl03").locator("input[name=version]").input_value() == "1"

    # The redrawn row carries the new version: a second edit is saved, not refused as stale.
    htmx_settled(page)
    page.locator("#value-nl03").fill("93")
    page.locator("#value-nl03").press("Tab")
    page.get_by_test_id("row-nl03").locator("input[name=version][value='2']").wait_for(state="attached")
    assert page.get_by_test_id("row-nl03").get_by_test_id("row-error").count() == 0
    # The note saves the same way, on leaving it.
    htmx_settled(page)
    page.locator("#note-nl03").fill("以12345平台月报为准")
    page.locator("#note-nl03").press("Tab")
    page.get_by_test_id("row-nl03").locator("input[name=version][value='3']").wait_for(state="attached")
    submission = Submission.objects.get(indicator__code="nl03")
    assert (submission.value, submission.note, submission.version) == (93, "以12345平台月报为准", 3)

    page.reload()
    expect(page.locator("#value-nl03")).to_have_value("93")
    expect(page.get_by_test_id("row-nl03").get_by_test_id("row-stored")).to_be_visible()
    page.context.close()


def test_returned_value_is_marked_by_icon_and_word(browser, live_server, assessed):
    from duibiao.assessment.services.submissions import ValueInput, submission_save

    sub = submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                          item=ValueInput(indicator=assessed["ind"]["nl02"], value="80", expected_version=0))
    Submission.objects.filter(pk=sub.pk).update(status="returned", return_reason="与台账不一致")
    page = report_page(browser, live_server.url, assessed)
    row = page.get_by_test_id("row-nl02")
    expect(row).to_have_attribute("data-cell", "returned")
    expect(row.get_by_test_id("row-returned")).to_contain_text("↩")
    page.context.close()


def test_phone_layout_has_no_horizontal_overflow(browser, live_server, assessed):
    page = report_page(browser, live_server.url, assessed, width=390, height=844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # One card per indicator: the row is a block, its name, field and status stacked inside it.
    row = page.get_by_test_id("row-nl02")
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    assert page.locator("table.report-table thead").evaluate("el => getComputedStyle(el).display") == "none"
    box = row.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= 390, f"an element reaches {widest}px on a 390px screen"
    # The field still works on the phone.
    page.locator("#value-nl03").fill("91")
    page.locator("#value-nl03").press("Tab")
    page.get_by_test_id("row-nl03").get_by_test_id("row-saved").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if SHOTS:
        page.locator("#value-nl02").scroll_into_view_if_needed()
        page.screenshot(path=IMG / "report-phone.png")  # one screenful, as the phone shows it
    page.context.close()
