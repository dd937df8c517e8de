"""In a real browser: a task force member finds a unit's appeal from his home page, by
clicking only, and decides it; a task force that does not own the indicator sees no count."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from duibiao.assessment.models import Appeal
from tests.conftest import signed_in_page
from tests.files import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def appealed(approved):
    """A released run of the period with unit A's head appealing nl02 (task force zb1's)."""
    from duibiao.assessment.services.appeals import appeal_file
    from duibiao.assessment.services.runs import run_release, run_start

    office = approved["office"]
    run = run_release(actor=office, run=run_start(actor=office, period=approved["period"]))
    appeal = appeal_file(actor=approved["head_a"], run=run, unit=approved["a"],
                         indicator=approved["ind"]["nl02"], reason="整改台账已补充，请复核",
                         upload=SimpleUploadedFile("台账.pdf", samples.PDF, content_type="application/pdf"))
    return {**approved, "run": run, "appeal": appeal}


def test_task_force_finds_the_appeal_from_its_home_page(browser, live_server, appealed):
    page = signed_in_page(browser, live_server.url, "zb1")
    card = page.get_by_test_id("pending-appeals")
    assert "待复核申诉 1 件" in card.inner_text()
    with page.expect_navigation():
        card.get_by_role("link", name="查看申诉").click()
    row = page.get_by_test_id(f"appeal-row-{appealed['appeal'].pk}")
    assert "靖宇街道" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name="去复核").click()
    assert f"/runs/{appealed['run'].pk}/" in page.url
    assert "整改台账已补充，请复核" in page.content()
    page.context.close()
    assert Appeal.objects.get().status == Appeal.Status.PENDING  # reading decides nothing


def test_a_task_force_without_the_indicator_sees_no_pending_appeal(browser, live_server, appealed):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.org.models import TaskForce
    from tests.conftest import PASSWORD

    other = TaskForce.objects.create(code="zb9", name="营商环境考核评价专班", district=appealed["district"])
    user = user_create(actor=None, username="zb9", password=PASSWORD)
    role_grant(actor=None, user=user, role=Role.TASKFORCE, units=[appealed["district"]], taskforce=other)
    page = signed_in_page(browser, live_server.url, "zb9")
    assert "待复核申诉 0 件" in page.get_by_test_id("pending-appeals").inner_text()
    page.goto(f"{live_server.url}/assessment/appeals/")
    assert page.get_by_test_id(f"appeal-row-{appealed['appeal'].pk}").count() == 0
    page.context.close()
