"""The real browser: the office imports a 考核细则 workbook, a reporter uploads a broken
template and reads the error table, then a good one.

With DUIBIAO_SCREENSHOTS=1 the pages are also saved to docs/img/ for docs/excel.md:
    DUIBIAO_SCREENSHOTS=1 .venv/bin/pytest tests/documents/test_browser.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from duibiao.assessment.models import SchemeVersion, Submission
from duibiao.documents import exports
from tests.conftest import sign_in
from tests.documents.conftest import ROOT, open_xlsx, row_of, to_bytes

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("DUIBIAO_SCREENSHOTS", "") == "1"



def shot(page, name):
    if SHOTS:
        page.screenshot(path=ROOT / "docs" / "img" / name, full_page=True)


def choose(page, tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    page.set_input_files("#file", str(path))
    # The form posts the whole page: wait for the answer's page, loaded, before reading or
    # choosing again (the old page has a #file and an import button too).
    with page.expect_navigation():
        page.get_by_role("button", name="导入", exact=True).click()


@pytest.mark.django_db(transaction=True)
def test_office_imports_the_scheme_workbook(page, live_server, excel, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server.url, "khb")
    page.get_by_role("link", name="Excel 导入导出").first.click()
    page.wait_for_url(f"{live_server.url}/documents/")
    page.get_by_role("link", name="导入考核细则").click()
    page.wait_for_url(re.compile(r".*/documents/schemes/\d+/import/$"))
    wb = open_xlsx(exports.scheme_workbook(user=excel["office"], scheme=excel["scheme"])[1])
    ws = wb.active
    ws["D5"].value = 4  # 督查问题整改率 3 → 4
    good = to_bytes(wb)
    ws["D6"].value = "三分"
    ws["F7"].value = "第九专班"
    choose(page, tmp_path, "考核细则-有误.xlsx", to_bytes(wb))
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text("分值“三分”不是数字")
    expect(report).to_contain_text("未知的牵头专班“第九专班”")
    shot(page, "excel-scheme-import-errors.png")
    assert SchemeVersion.objects.filter(scheme=excel["scheme"]).count() == 1
    choose(page, tmp_path, "考核细则-修订.xlsx", good)
    page.get_by_text("保存为第 2 版").wait_for()
    assert SchemeVersion.objects.filter(scheme=excel["scheme"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_reporter_uploads_a_template_and_reads_the_report(page, live_server, excel, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server.url, "tb_a")
    page.goto(f"{live_server.url}/documents/periods/{excel['period'].pk}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载模板").click()
    wb = open_xlsx(Path(info.value.path()).read_bytes())
    ws = wb.active
    ws.cell(row_of(ws, "nl02"), 6).value = 95
    ws.cell(row_of(ws, "nl10"), 6).value = "是"
    good = to_bytes(wb)
    ws.cell(row_of(ws, "nl03"), 6).value = "九十"
    ws.cell(row_of(ws, "gz06"), 6).value = -2
    ws.cell(row_of(ws, "nl04"), 1).value = "zz99"
    choose(page, tmp_path, "靖宇街道-有误.xlsx", to_bytes(wb))
    report = page.get_by_test_id("import-report")
    for message in ("“九十”不是数字", "应为非负整数", "未知的指标代码“zz99”"):
        expect(report).to_contain_text(message)
    shot(page, "excel-import-errors.png")
    assert not Submission.objects.exists()
    choose(page, tmp_path, "靖宇街道.xlsx", good)
    page.get_by_text("1 个单位共 2 项数据保存为草稿").wait_for()
    shot(page, "excel-import-ok.png")
    assert Submission.objects.count() == 2
