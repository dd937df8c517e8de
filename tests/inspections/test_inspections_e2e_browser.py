"""The inspection loop in Chromium, end to end (issue 12, "Done when"):
an inspector records a finding with a photo on a phone-sized page; the unit rectifies with an
"after" photo; the inspector returns it once, then closes it (F's piece,
`record_rectify_return_close`); the daily page and the unit's 处置率 update; a user of another
unit cannot see the finding; a scoring run picks up the unit's 处置率 without anyone typing it,
and the unit's result names the finding it came from.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from duibiao.assessment.models import Period, RunResult, ScoringRun
from duibiao.assessment.selectors.traces import result_trace
from duibiao.assessment.services.schemes import scheme_version_save
from tests.conftest import build_assessed, signed_in_page
from tests.inspections.test_findings_browser import phone_page, record_rectify_return_close

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NL02 = "{code: nl02, name: 督查问题整改率,"


@pytest.fixture
def loop(insp):
    """The campaign over 靖宇街道 and 太古街道 (insp), and the open quarter whose nl02 (督查问题
    整改率) takes each unit's 问题处置率 from the findings."""
    assessed = build_assessed(insp)
    document = assessed["version"].document
    assert document.count(NL02) == 1
    version = scheme_version_save(actor=None, scheme=assessed["scheme"], note="nl02 取自督导检查",
                                  document=document.replace(NL02, NL02 + " value_from: inspections.disposal_rate,"))
    Period.objects.filter(pk=assessed["period"].pk).update(version=version)
    return {**assessed, "period": Period.objects.get(pk=assessed["period"].pk)}


def _rate_of(page, code: str) -> str:
    return page.get_by_test_id(f"rate-{code}").get_by_test_id("disposal").inner_text().strip()


def test_a_finding_closed_on_the_phone_moves_the_daily_page_the_units_rate_and_its_score(
        browser, live_server, loop, tmp_path):
    base = live_server.url
    today = timezone.localdate()
    leader = signed_in_page(browser, base, "leader")
    with leader.expect_navigation():
        # The leader's home is the cockpit: its rectification part links to the daily page.
        leader.get_by_test_id("cockpit-findings").get_by_role("link", name="督导日报 →").click()
    assert leader.get_by_test_id("daily-title").inner_text() == f"督导检查日通报（{today:%Y年%-m月%-d日}）"
    unit_row = str(loop["a"].pk)  # the ranking's rows are keyed by the unit
    assert leader.get_by_test_id(f"rate-{unit_row}").count() == 0
    assert leader.get_by_test_id("closed-count").inner_text() == "0"

    finding = record_rectify_return_close(browser, base, tmp_path)
    assert finding.closed_on == today

    # The daily page: closed today, and 靖宇街道's 处置率 (1 closed of 1 due) at the top.
    leader.reload()
    assert leader.get_by_test_id("closed-count").inner_text() == "1"
    assert leader.get_by_test_id("closed").get_by_test_id(f"finding-{finding.pk}").count() == 1
    assert _rate_of(leader, unit_row) == "100.00%"
    leader.context.close()

    # The unit's own 处置率, on its phone, from its menu's 督导日报 → 问题处置率.
    unit = phone_page(browser, base, "tb_a")
    with unit.expect_navigation():
        unit.locator(".card", has=unit.get_by_role("heading", name="督导日报")).click()
    with unit.expect_navigation():
        unit.get_by_test_id("nav-rates").click()
    assert _rate_of(unit, unit_row) == "100.00%"
    unit.context.close()

    # Another unit's reporter: not the finding, not the unit's rate.
    other = phone_page(browser, base, "tb_b")
    assert other.goto(f"{base}/inspections/findings/{finding.pk}/").status == 404
    other.goto(f"{base}/inspections/daily/")
    assert other.get_by_test_id(f"rate-{unit_row}").count() == 0 and "靖宇街12号" not in other.content()
    other.goto(f"{base}/inspections/rates/")
    assert other.get_by_test_id(f"rate-{unit_row}").count() == 0
    other.context.close()

    # The office scores the quarter: nl02 of 靖宇街道 is its 处置率, read from the finding.
    office = signed_in_page(browser, base, "khb")
    office.goto(f"{base}/assessment/periods/{loop['period'].pk}/runs/")
    with office.expect_navigation():
        office.get_by_test_id("start-run").click()
    run = ScoringRun.objects.get(period=loop["period"])
    assert run.status == ScoringRun.Status.DONE, run.error
    assert [v for u, c, v in run.inputs["data"] if (u, c) == ("jingyu", "nl02")] == [100.0]
    entry = next(e for e in result_trace(RunResult.objects.get(run=run, unit__code="jingyu"), run)["indicators"]
                 if e["code"] == "nl02")
    assert entry["raw"] == 100.0 and entry["source"]["name"] == "inspections.disposal_rate"
    office.goto(f"{base}/assessment/runs/{run.pk}/units/jingyu/")
    line = office.get_by_test_id("source-nl02").inner_text()
    assert "问题处置率" in line and f"问题 #{finding.pk} 占道经营（2026年秋季城市管理检查，靖宇街12号）已销号" in line
    office.context.close()
