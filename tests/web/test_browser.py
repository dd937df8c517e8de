"""The real browser: a reporter logs in and sees its unit's home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import sign_in

pytestmark = pytest.mark.browser



@pytest.mark.django_db(transaction=True)
def test_reporter_logs_in_and_sees_its_unit(page, live_server, world):
    sign_in(page, live_server.url, "tb_a")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_test_id("my-unit").inner_text().count("靖宇街道") == 1
    assert "太古街道" not in page.content()
    page.get_by_role("link", name="查看本单位").click()
    page.wait_for_url(f"{live_server.url}/org/units/jingyu/")
    expect(page.get_by_test_id("unit-name")).to_have_text("靖宇街道")
    # Another unit's page is refused even when typed in.
    response = page.goto(f"{live_server.url}/org/units/taigu/")
    assert response.status == 404


@pytest.mark.django_db(transaction=True)
def test_phone_layout_collapses_the_menu(browser, live_server, world):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "khb")
    page.wait_for_url(f"{live_server.url}/")
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    page.locator("#mainnav.show").wait_for()
    assert page.locator("#mainnav").get_by_role("link", name="单位名录").is_visible()
    context.close()
