"""The office issues a weekly projects bulletin in Chromium: 通报 from the menu → draft →
rewrite the opening → 印发 with its number → download; the DOCX has the rewritten text and
the number 〔2026〕n号; then a district leader's cockpit, at the bulletin's date, shows the four
rates and the red / yellow / green counts the bulletin states. The draft page's screenshot is docs/img/bulletin-draft.png."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from duibiao.documents.models import BulletinDoc
from tests.conftest import sign_in
from tests.documents.test_bulletins import district  # noqa: F401  (fixture)
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
OPENING = "本周全区重点项目建设总体平稳，现将推进情况通报如下（测试改写）。"


def test_the_office_issues_a_weekly_projects_bulletin(browser, live_server, district, tmp_path):  # noqa: F811
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = sign_in(context.new_page(), base, "khb")
    page.locator("nav").get_by_role("link", name="通报", exact=True).first.click()
    page.wait_for_url(f"{base}/documents/bulletins/")
    page.get_by_label("通报类型").select_option("projects")
    page.get_by_label("统计日期（周通报、日通报）").fill(D.isoformat())
    page.get_by_role("button", name="起草").click()
    page.wait_for_url(re.compile(r".*/documents/bulletins/\d+/$"))
    expect(page.get_by_test_id("figures")).to_contain_text("投资完成率")

    # An empty opening is refused beside the field; then the rewrite is saved.
    # The form posts the whole page: wait for each answer, loaded, before acting in it.
    page.get_by_label("开头").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("error-opening")).to_contain_text("开头不能为空")
    page.get_by_label("开头").fill(OPENING)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存通报的文字部分")).to_be_visible()
    IMG.mkdir(exist_ok=True)
    page.screenshot(path=str(IMG / "bulletin-draft.png"), full_page=True)

    page.get_by_test_id("issue").click()
    page.wait_for_url(re.compile(r".*/documents/bulletins/\d+/issue/$"))
    expect(page.get_by_text("取下一个发文字号")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("confirm-issue").click()
    expect(page.get_by_test_id("number")).to_contain_text(f"〔{timezone.localdate().year}〕1号")
    with page.expect_download() as caught:
        page.get_by_test_id("download-docx").click()
    saved = tmp_path / "bulletin.docx"
    caught.value.save_as(saved)
    text = "\n".join(p.text for p in Document(io.BytesIO(saved.read_bytes())).paragraphs)
    doc = BulletinDoc.objects.get()
    assert OPENING in text and doc.number.text in text
    assert re.search(r"道外考核办〔\d{4}〕1号", text)
    context.close()

    # The leader's home is the cockpit; at the bulletin's date its figures are the bulletin's.
    total = doc.figures["total"]
    assert total["projects"] == 3 and total["red"] >= 1  # the fixture's portfolio, so the check bites
    leader = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    home = sign_in(leader.new_page(), base, "leader")
    part = home.get_by_test_id("cockpit-projects")
    expect(part).to_be_visible()
    home.get_by_label("统计日期").fill(D.isoformat())
    home.get_by_role("button", name="查看").click()
    home.wait_for_url(re.compile(rf".*as_of={D.isoformat()}"))
    for testid, name in (("start-rate", "start_rate"), ("investment-rate", "investment_rate"),
                         ("funds-rate", "funds_rate"), ("completion-rate", "completion_rate")):
        expect(part.get_by_test_id(testid)).to_have_text(total[name] or "—")
        if total[name]:
            assert f"{total[name]}%" in text  # the bulletin's sentence states the same figure
    for colour in ("red", "yellow", "green"):
        expect(part.locator(f'[data-figure="projects.{colour}"]')).to_have_text(str(total[colour]))
    leader.close()
