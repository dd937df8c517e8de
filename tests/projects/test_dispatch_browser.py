"""In Chromium: the office opens 项目调度 from its menu, arranges a daily meeting whose agenda
shows the red project, assigns a task with a working-day deadline; the clock is moved by the
next meeting's date (no sleeping): on the 区长三日调度 of 2026-10-12 the assignment, overdue,
stands among the escalated items with its history, and the unit sees it overdue on its list.

`dispatch_escalation` is the piece the end-to-end test of key projects reuses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import signed_in_page
from tests.projects.dispatch_fixtures import make_portfolio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "projects-dispatch.png"


def arrange(page, base: str, cadence: str, held_on: str) -> None:
    """From the menu's 项目调度, arrange a meeting of `cadence` (its Chinese name) on `held_on`."""
    page.goto(f"{base}/")
    page.get_by_role("link", name="项目调度").first.click()
    page.wait_for_url(f"{base}/projects/dispatch/meetings/")
    form = page.get_by_test_id("meeting-form")
    form.get_by_label("调度层级", exact=True).select_option(label=cadence)
    form.get_by_label("召开日期", exact=True).fill(held_on)
    with page.expect_navigation():
        form.get_by_role("button", name="安排").click()


def dispatch_escalation(browser, base: str, *, project: str = "XM-R", unit: str = "靖宇街道",
                        office: str = "khb", reporter: str = "tb_a"):
    """The daily meeting of 2026-09-30 shows `project` red; a task on it is assigned to `unit`
    for 2 working days (due 10-09, after National Day); the 区长三日调度 of 10-12 shows it
    escalated and overdue; the unit's reporter sees it 已逾期. Returns the office's page."""
    page = signed_in_page(browser, base, office)
    arrange(page, base, "经济专班日调度", "2026-09-30")
    red = page.get_by_test_id("agenda-project").filter(has_text=project)
    assert "红灯" in red.inner_text()
    form = page.get_by_test_id("assignment-form")
    form.get_by_label("交办内容", exact=True).fill("协调电力接入，限期完成")
    form.get_by_label("责任单位", exact=True).select_option(label=unit)
    form.locator("select[name=project]").select_option(label=f"{project} 项目{project}")
    form.get_by_label("办理期限（工作日）", exact=True).fill("2")
    with page.expect_navigation():
        form.get_by_role("button", name="交办").click()
    assignment = page.get_by_test_id("assignment").filter(has_text="协调电力接入")
    assert "2026-10-09" in assignment.inner_text()  # 10-01..10-07 off: 10-08, 10-09

    arrange(page, base, "区长三日调度", "2026-10-12")
    escalated = page.get_by_test_id("escalated-item").filter(has_text="协调电力接入")
    text = escalated.inner_text()
    assert "逾期 2 个工作日" in text  # 10-10 (调休上班), 10-12
    assert "经济专班日调度交办" in text and "升级至区长三日调度" in text

    unit_page = signed_in_page(browser, base, reporter)
    unit_page.get_by_role("link", name="交办与线索").first.click()
    unit_page.wait_for_url(f"{base}/projects/dispatch/assignments/")
    row = unit_page.get_by_test_id("assignment-row").filter(has_text="协调电力接入")
    expect(row).to_contain_text("已逾期")
    unit_page.context.close()
    return page


def test_overdue_assignment_escalates_to_the_next_cadence(browser, live_server, world):
    make_portfolio(world)
    page = dispatch_escalation(browser, live_server.url)
    if os.environ.get("DUIBIAO_SCREENSHOTS"):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.context.close()


def test_a_unit_pushes_a_lead_and_the_funnel_draws_it(browser, live_server, world):
    base = live_server.url
    page = signed_in_page(browser, base, "tb_a")
    page.get_by_role("link", name="交办与线索").first.click()
    page.wait_for_url(f"{base}/projects/dispatch/assignments/")
    page.get_by_role("link", name="项目线索").first.click()
    page.wait_for_url(f"{base}/projects/dispatch/leads/")
    form = page.get_by_test_id("lead-form")
    form.get_by_label("线索名称", exact=True).fill("冷链物流园")
    form.get_by_label("预计投资（万元）", exact=True).fill("很多")
    with page.expect_navigation():
        form.get_by_role("button", name="推送").click()
    assert "应为数字" in page.get_by_test_id("lead-form").inner_text()  # beside the field, the name kept
    assert page.get_by_label("线索名称", exact=True).input_value() == "冷链物流园"
    page.get_by_label("预计投资（万元）", exact=True).fill("8000")
    with page.expect_navigation():
        page.get_by_test_id("lead-form").get_by_role("button", name="推送").click()
    assert page.get_by_test_id("lead-stage").inner_text() == "发现线索"
    page.get_by_role("link", name="项目线索").first.click()
    page.wait_for_url(f"{base}/projects/dispatch/leads/")
    page.get_by_role("link", name="线索漏斗").click()
    page.wait_for_url(f"{base}/projects/dispatch/leads/funnel/")
    chart = page.get_by_test_id("funnel-chart")
    chart.locator("svg").first.wait_for()
    expect(chart).to_contain_text("发现线索")
    page.context.close()
