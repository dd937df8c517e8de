"""In Chromium, as the office: publication is refused before the deadlines have passed, then
published with an override reason that shows on the ranking and on a unit's result; then
withdrawn with a reason, which the unit's head reads on the result page.

DUIBIAO_SCREENSHOTS=1 also writes docs/img/publish-confirm.png (see docs/results.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from duibiao.assessment.models import Period, ScoringRun
from duibiao.assessment.services.runs import run_release, run_start
from duibiao.audit.models import AuditEntry
from tests.conftest import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("DUIBIAO_SCREENSHOTS", "") == "1"
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
REASON = "市委考核办要求本月底前报送，经主任办公会研究提前公布"


def test_refused_before_the_deadline_then_published_with_a_reason(browser, live_server, approved):
    office_user = approved["office"]
    run = run_release(actor=office_user, run=run_start(actor=office_user, period=approved["period"]))
    base = live_server.url

    office = signed_in_page(browser, base, "khb")
    office.set_viewport_size({"width": 1280, "height": 900})
    office.goto(f"{base}/assessment/runs/{run.pk}/")
    office.get_by_test_id("publish").click()
    office.get_by_test_id("publish-frozen").wait_for()
    assert office.get_by_test_id("publish-units").inner_text() == "3"
    assert "申诉期" in office.get_by_test_id("publish-waivable").inner_text()
    assert "还有" in office.get_by_test_id("publish-appeal-deadline").inner_text()
    if SHOTS:
        office.screenshot(path=IMG / "publish-confirm.png", full_page=True)

    office.get_by_test_id("publish-confirm").click()  # no reason: refused, next to the field
    error = office.get_by_test_id("publish-error")
    error.wait_for()
    assert "如确需提前公布，请填写理由" in error.inner_text()
    assert ScoringRun.objects.get(pk=run.pk).stage == ScoringRun.Stage.RELEASED

    office.get_by_label("提前公布理由").fill(REASON)
    office.get_by_test_id("publish-confirm").click()
    office.get_by_text("考核结果已公布").wait_for()
    assert REASON in office.get_by_test_id("publish-override").inner_text()
    run.refresh_from_db()
    assert run.stage == ScoringRun.Stage.PUBLISHED and run.publish_override == REASON
    assert AuditEntry.objects.get(action="run.publish").after["override_reason"] == REASON

    office.goto(f"{base}/assessment/runs/{run.pk}/publish/")  # the confirmation again: nothing to submit
    assert office.get_by_test_id("publish-confirm").count() == 0
    assert "已公布" in office.get_by_test_id("publish-blockers").inner_text()

    leader = signed_in_page(browser, base, "leader")
    leader.goto(f"{base}/assessment/runs/{run.pk}/")
    assert REASON in leader.get_by_test_id("publish-override").inner_text()
    head = signed_in_page(browser, base, "fzr_a")
    head.goto(f"{base}/assessment/runs/{run.pk}/units/jingyu/")
    assert REASON in head.get_by_test_id("publish-override").inner_text()

    office.goto(f"{base}/assessment/runs/{run.pk}/")
    office.get_by_test_id("withdraw").click()
    office.get_by_test_id("withdraw-confirm").click()  # no reason: refused
    assert "请填写撤回理由" in office.get_by_test_id("withdraw-error").inner_text()
    office.get_by_label("撤回理由").fill("靖宇街道整改率录入有误，更正后重新公布")
    office.get_by_test_id("withdraw-confirm").click()
    office.get_by_test_id("publish-withdrawn").wait_for()
    assert Period.objects.get(pk=approved["period"].pk).status == Period.Status.OPEN

    head.reload()
    assert "靖宇街道整改率录入有误" in head.get_by_test_id("publish-withdrawn").inner_text()
