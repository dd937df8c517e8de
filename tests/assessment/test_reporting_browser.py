"""In a real browser: the office imports the 考核细则 workbook and opens a period on it; a
unit reports with evidence, its task force returns one value and approves another, the unit
sees why and resubmits; another unit sees and changes nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from duibiao.assessment.models import Evidence, Period, SchemeVersion, Submission
from duibiao.assessment.services.submissions import ValueInput, submission_save
from duibiao.documents import exports
from tests.conftest import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"



def save_row(page, code, value):
    row = page.get_by_test_id(f"row-{code}")
    row.locator("input[name=value]").fill(value)
    row.locator("input[name=value]").press("Tab")  # saved on leaving the field: no button
    page.get_by_test_id(f"row-{code}").get_by_test_id("row-saved").wait_for()


def import_scheme_and_open_period(browser, base, assessed, tmp_path) -> int:
    """The office raises 督查问题整改率 from 3 to 4 points in the workbook, imports it, and
    opens a quarter on the new version."""
    office = signed_in_page(browser, base, "khb")
    book = load_workbook(io.BytesIO(exports.scheme_workbook(user=assessed["office"], scheme=assessed["scheme"])[1]))
    sheet = book.active
    row = next(r[0].row for r in sheet.iter_rows(min_col=1, max_col=sheet.max_column)
               if any(c.value == "nl02" for c in r))
    points = next(c for c in sheet[3] if c.value == "分值").column
    sheet.cell(row=row, column=points).value = 4
    path = tmp_path / "考核细则.xlsx"
    book.save(path)
    office.goto(f"{base}/documents/schemes/{assessed['scheme'].pk}/import/")
    office.set_input_files("#file", str(path))
    office.get_by_role("button", name="导入", exact=True).click()
    office.get_by_text("保存为第 2 版").wait_for()
    assert SchemeVersion.objects.get(scheme=assessed["scheme"], number=2).indicators.get(code="nl02").weight == 4

    office.goto(f"{base}/assessment/periods/new/")
    office.get_by_label("周期类型").select_option("quarter")
    office.get_by_label("年度").fill("2026")
    office.get_by_label("序号（月份或季度）").fill("3")
    office.get_by_label("开始填报日期").fill("2026-09-30")
    office.get_by_label("填报时限（工作日）").fill("5")
    office.get_by_role("button", name="创建").click()
    with office.expect_navigation():
        office.get_by_role("button", name="开始填报").first.click()
    period = Period.objects.get(year=2026, number=3)
    assert period.status == Period.Status.OPEN
    assert period.version.number == 2 and str(period.deadline) == "2026-10-13"  # 国庆 skipped, 10-10 worked
    office.context.close()
    # The fixture's own quarter is closed, so the reporter has exactly one period to report in.
    Period.objects.filter(pk=assessed["period"].pk).update(status=Period.Status.CLOSED)
    return period.pk


def test_report_review_resubmit(browser, live_server, assessed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    pid = import_scheme_and_open_period(browser, base, assessed, tmp_path)

    reporter = signed_in_page(browser, base, "tb_a")
    reporter.get_by_role("link", name="数据填报").first.click()
    reporter.get_by_test_id("report-title").wait_for()
    assert "靖宇街道" in reporter.get_by_test_id("report-title").inner_text()
    save_row(reporter, "nl02", "95")
    save_row(reporter, "nl03", "92")
    reporter.get_by_test_id("row-nl02").locator("input[type=file]").set_input_files(
        {"name": "督查台账.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    reporter.get_by_test_id("row-nl02").get_by_role("link", name="督查台账.pdf").wait_for()
    reporter.get_by_test_id("submit-all").click()
    reporter.get_by_test_id("submit-anyway").click()  # 19 indicators are still blank: confirmed
    reporter.get_by_text("已提交 2 项数据").wait_for()
    assert Evidence.objects.get().submission.indicator.code == "nl02"

    reviewer = signed_in_page(browser, base, "zb1")
    reviewer.goto(f"{base}/assessment/periods/{pid}/review/nl02/")
    row = reviewer.get_by_test_id("sub-jingyu")
    assert row.get_by_role("link", name="督查台账.pdf").is_visible()
    row.get_by_label("退回原因").fill("整改率与台账不一致，请核对")
    row.get_by_role("button", name="退回").click()
    reviewer.get_by_test_id("sub-jingyu").get_by_text("已退回").wait_for()
    reviewer.goto(f"{base}/assessment/periods/{pid}/review/nl03/")
    reviewer.get_by_test_id("sub-jingyu").get_by_role("button", name="通过").click()
    reviewer.get_by_test_id("sub-jingyu").get_by_text("已审核").wait_for()

    reporter.reload()
    reason = reporter.get_by_test_id("row-nl02").get_by_test_id("return-reason")
    assert "整改率与台账不一致" in reason.inner_text()
    assert reporter.get_by_test_id("row-nl03").locator("input[name=value]").count() == 0  # locked
    save_row(reporter, "nl02", "93")
    reporter.get_by_test_id("submit-all").click()
    reporter.get_by_test_id("submit-anyway").click()
    reporter.get_by_text("已提交 1 项数据").wait_for()
    nl02 = Submission.objects.get(indicator__code="nl02")
    assert (nl02.status, nl02.value) == ("submitted", 93)

    outsider = signed_in_page(browser, base, "tb_b")
    response = outsider.goto(f"{base}/assessment/periods/{pid}/report/jingyu/")
    assert response.status == 404
    assert "靖宇街道" not in outsider.content()
    csrf = next(c["value"] for c in outsider.context.cookies() if c["name"] == "csrftoken")
    api = outsider.request.put(
        f"{base}/api/assessment/periods/{pid}/units/jingyu/values/nl02",
        data={"value": 1, "version": 2}, headers={"X-CSRFToken": csrf, "Referer": base},
    )
    assert api.status == 404
    assert outsider.request.get(f"{base}/api/assessment/periods/{pid}/units/jingyu/rows").status == 404
    evidence = Evidence.objects.get()
    assert outsider.request.get(f"{base}/assessment/evidence/{evidence.pk}/").status == 404
    assert Submission.objects.get(indicator__code="nl02").value == 93
    for page in (reporter, reviewer, outsider):
        page.context.close()


def test_refused_saves_are_explained_where_they_happened(browser, live_server, assessed):
    """A value out of bounds (422), a stale form (409) and a form without its version (400)
    are each shown to the reporter in Chinese; nothing is saved by any of them."""
    base = live_server.url
    reporter = signed_in_page(browser, base, "tb_a")
    reporter.goto(f"{base}/assessment/periods/{assessed['period'].pk}/report/jingyu/")
    gz07 = reporter.get_by_test_id("row-gz07")
    gz07.locator("input[name=value]").fill("1e15")
    gz07.locator("input[name=value]").press("Tab")
    error = reporter.get_by_test_id("row-gz07").get_by_test_id("row-error")
    error.wait_for()
    assert "整数部分最多 14 位" in error.inner_text()
    assert not Submission.objects.exists()

    # Someone else saves nl02 after this page was loaded: the page's save must not overwrite it.
    submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                    item=ValueInput(indicator=assessed["ind"]["nl02"], value="80", expected_version=0))
    nl02 = reporter.get_by_test_id("row-nl02")
    nl02.locator("input[name=value]").fill("95")
    nl02.locator("input[name=value]").press("Tab")
    stale = reporter.get_by_test_id("row-nl02").get_by_test_id("row-error")
    stale.wait_for()
    assert "已被他人修改" in stale.inner_text()
    assert Submission.objects.get().value == 80

    # A form whose version field is gone (a tampered or very old page) is refused at the top.
    nl03 = reporter.get_by_test_id("row-nl03")
    nl03.locator("input[name=version]").evaluate("input => input.remove()")
    nl03.locator("input[name=value]").fill("90")
    nl03.locator("input[name=value]").press("Tab")
    alert = reporter.locator("#page-alerts").get_by_test_id("bad-request")
    alert.wait_for()
    assert "页面已过期" in alert.inner_text()
    assert Submission.objects.count() == 1
    reporter.context.close()
