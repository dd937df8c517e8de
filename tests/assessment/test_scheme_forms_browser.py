"""In a real browser: the office edits an indicator through the form, sees the live check
when the dimension's points stop adding up, saves, and finds version 2 with the change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLE = Path(__file__).parents[2] / "examples" / "daowai-2023" / "scheme.yaml"


@pytest.fixture
def scheme(world):
    """The 道外 example with 基层党建工作 (nl09) for every unit, so 深化能力作风建设 adds up to 30."""
    from duibiao.assessment.services.schemes import scheme_create
    from duibiao.org.models import TaskForce

    for code, name in (("zb2", "营商环境专班"), ("zb3", "高质量发展专班"), ("zb4", "项目攻坚专班")):
        TaskForce.objects.create(code=code, name=name, district=world["district"])
    document = EXAMPLE.read_text(encoding="utf-8").replace(
        "taskforce: zb1,\n           applies_to: {categories: [街道乡镇]},", "taskforce: zb1,", 1)
    return scheme_create(actor=None, code="daowai-2023", name="道外区2023年度对标晋位考核评价方案", year=2023,
                         district=world["district"], document=document)



def test_office_edits_an_indicator_in_the_form(browser, live_server, scheme):
    base = live_server.url
    page = signed_in_page(browser, base, "khb")
    page.goto(f"{base}/assessment/schemes/{scheme.code}/")
    page.get_by_test_id("edit-nl02").click()
    page.get_by_test_id("indicator-form").wait_for()
    # The form is in the DOM before htmx (a deferred script) has wired it at DOMContentLoaded: a
    # choice made in that moment was sent nowhere (a CI run caught it). Wait for the page's load.
    page.wait_for_load_state("load")
    findings = page.get_by_test_id("findings")
    expect(findings).to_contain_text("方案文档校验通过")

    # The method's parameters swap with the method (htmx), and come back with it.
    page.get_by_label("计分方法").select_option("goalposts")
    page.locator("[data-testid=method-params][data-method=goalposts]").wait_for()
    assert page.get_by_label("门槛值（0 分）").is_visible()
    page.get_by_label("计分方法").select_option("target")
    page.locator("[data-testid=method-params][data-method=target]").wait_for()
    assert page.get_by_label("目标值").input_value() == "100"

    page.get_by_label("牵头专班").select_option(label="营商环境专班")
    page.get_by_label("分值/权重").fill("4")
    warning = findings.locator("li.text-warning-emphasis")
    warning.wait_for()
    assert "“深化能力作风建设”分值为 30，下级指标分值合计 31" in warning.inner_text()
    assert scheme.versions.count() == 1  # checking saves nothing

    page.get_by_role("button", name="保存为新版本").click()
    page.wait_for_url(re.compile(rf".*/assessment/schemes/{scheme.code}/$"))
    assert "第 2 版" in page.locator("h1 + div").inner_text()
    history = page.locator("ul.list-group").inner_text()
    assert "修改指标 nl02：权重 3→4；牵头专班 zb1→zb2" in history
    row = page.locator("tr", has=page.get_by_test_id("edit-nl02"))
    assert "营商环境专班" in row.inner_text() and "\t4\t" in row.inner_text()

    v1, v2 = scheme.versions.get(number=1), scheme.versions.get(number=2)
    assert v1.indicators.get(code="nl02").taskforce.code == "zb1"
    new = v2.indicators.get(code="nl02")
    assert (new.weight, new.taskforce.code) == (4, "zb2")
