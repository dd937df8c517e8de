"""In a real browser: a reporter is asked before submitting an incomplete report, and a unit
head is refused sign-off with a blank indicator and sees why beside the button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from duibiao.assessment.models import Submission, UnitSignoff
from tests.assessment.test_completeness import fill
from tests.conftest import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_incomplete_report_asks_first_and_the_head_is_refused_with_the_reason(
        browser, live_server, assessed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fill(assessed, skip=("nl03",))
    blank = assessed["ind"]["nl03"].name
    url = f"{live_server.url}/assessment/periods/{assessed['period'].pk}/report/jingyu/"

    reporter = signed_in_page(browser, live_server.url, "tb_a")
    reporter.goto(url)
    reporter.get_by_test_id("submit-all").click()
    expect(reporter.get_by_test_id("gap-nl03")).to_contain_text(f"{blank}：未填写")
    assert not Submission.objects.filter(status="submitted").exists()  # asked, not yet done
    reporter.get_by_test_id("submit-anyway").click()
    reporter.wait_for_url(url)
    assert Submission.objects.filter(status="submitted").exists()

    head = signed_in_page(browser, live_server.url, "fzr_a")
    head.goto(url)
    head.get_by_test_id("signoff").click()
    refusal = head.get_by_test_id("signoff-refusal")
    expect(refusal).to_contain_text("不能签发")
    expect(refusal).to_contain_text(f"{blank}：未填写")
    # the refusal sits beside the button it answers, inside the same form
    expect(head.locator("form").filter(has=head.get_by_test_id("signoff")).get_by_test_id("signoff-refusal")).to_be_visible()
    assert not UnitSignoff.objects.exists()
