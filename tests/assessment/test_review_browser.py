"""In a real browser: a task force filters its review list to the streets' submitted
values, sees the outliers, ticks two rows and approves them in one click.

DUIBIAO_SCREENSHOTS=1 also writes docs/img/review-list.png (see docs/reporting.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from duibiao.assessment.models import Submission
from duibiao.audit.models import AuditEntry
from tests.assessment.test_review_tools import build_compared
from tests.conftest import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("DUIBIAO_SCREENSHOTS", "") == "1"
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def test_task_force_bulk_approves_from_a_filtered_list(browser, live_server, assessed):
    data = build_compared(assessed)
    page = signed_in_page(browser, live_server.url, "zb1")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/assessment/periods/{data['period'].pk}/review/nl03/")
    page.get_by_label("分类").select_option("street")
    page.get_by_label("状态").select_option("submitted")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    assert "category=street" in page.url and "status=submitted" in page.url
    assert page.get_by_test_id("sub-fagai").count() == 0  # the department: another category
    assert page.get_by_test_id("outlier").count() == 2  # 99 against a median of 92; 靖宇 +80 %
    assert "92" in page.get_by_test_id("sub-s5").get_by_test_id("median").inner_text()
    assert "50" in page.get_by_test_id("sub-jingyu").get_by_test_id("previous").inner_text()

    page.get_by_test_id("pick-taigu").check()
    page.get_by_test_id("pick-s4").check()
    if SHOTS:
        page.screenshot(path=IMG / "review-list.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="批量通过").click()
    page.get_by_text("已通过 2 条数据").wait_for()
    assert "category=street" in page.url  # back on the same filtered list
    assert page.get_by_test_id("sub-taigu").count() == 0 and page.get_by_test_id("sub-s5").count() == 1
    statuses = dict(Submission.objects.filter(period=data["period"], indicator__code="nl03")
                    .values_list("unit__code", "status"))
    assert statuses["taigu"] == statuses["s4"] == "approved" and statuses["s5"] == statuses["jingyu"] == "submitted"
    assert AuditEntry.objects.filter(action="review.approve").count() == 2  # one row each
    page.context.close()


def test_task_force_records_a_bonus_with_its_evidence_file(browser, live_server, assessed, tmp_path):
    from duibiao.assessment.models import Evidence
    from tests.files.samples import PDF

    page = signed_in_page(browser, live_server.url, "zb1")
    page.goto(f"{live_server.url}/assessment/periods/{assessed['period'].pk}/review/jl02/")
    row = page.get_by_test_id("score-jingyu")
    assert "保存后可上传佐证材料" in row.inner_text()
    row.get_by_label("分值").fill("1")
    row.get_by_label("理由").fill("获省级表彰（省政府文件）")
    row.get_by_role("button", name="保存").click()
    page.get_by_test_id("score-jingyu").get_by_text("已保存").wait_for()
    path = tmp_path / "省级表彰文件.pdf"
    path.write_bytes(PDF)
    page.get_by_test_id("score-jingyu").get_by_label("上传佐证材料").set_input_files(str(path))
    page.get_by_test_id("score-jingyu").get_by_role("link", name="省级表彰文件.pdf").first.wait_for()
    evidence = Evidence.objects.get(submission__indicator__code="jl02", submission__unit__code="jingyu")
    assert evidence.original_name == "省级表彰文件.pdf" and evidence.uploaded_by.username == "zb1"
    page.context.close()
