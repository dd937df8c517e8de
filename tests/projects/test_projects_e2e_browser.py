"""The key-project loop in Chromium, end to end (issue 11, "Done when"):

a service secretary updates a project with a photo from a phone-sized page; the dispatch agenda
shows the project turning red; an assignment is made at the daily meeting, goes overdue and
escalates to the next cadence's meeting; a scoring run picks up the unit's new 投资完成率 without
anyone typing it, and the unit's result says which project it came from.

The clock is moved, never waited for: `timezone.localdate` is set to the day of each step
(the pages, the services and the sources all read the date through it).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from duibiao.accounts.roles import Role
from duibiao.accounts.services import role_grant, user_create
from duibiao.assessment.models import Period, RunResult, ScoringRun
from duibiao.assessment.selectors.traces import result_trace
from duibiao.assessment.services.schemes import scheme_version_save
from duibiao.projects.models import Assignment, ProgressPhoto, ProgressReport, Project
from tests.conftest import PASSWORD, build_assessed, sign_in, signed_in_page
from tests.files import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRIDAY = date(2026, 11, 20)  # 序时进度 83.33 % (ten months completed)
TWO_WORKDAYS_LATER = date(2026, 11, 24)
OVERDUE_DAY = date(2026, 11, 26)  # the assignment's deadline passed two days ago
GZ03 = "{code: gz03, name: 重点项目投资完成率,"


class Clock:
    """What `timezone.localdate()` answers while the test runs."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self, *args, **kwargs) -> date:
        return self.day


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(FRIDAY)
    monkeypatch.setattr(timezone, "localdate", fake)
    return fake


@pytest.fixture
def loop(world, clock):
    """靖宇街道's project on track (green) until its secretary's report; a quarter whose gz03
    (重点项目投资完成率) takes its value from the projects."""
    assessed = build_assessed(world)
    secretary = user_create(actor=None, username="mishu", password=PASSWORD, full_name="陈思远")
    role_grant(actor=None, user=secretary, role=Role.SECRETARY, units=[world["district"]])
    project = Project.objects.create(
        code="XM-101", name="道外智能装备产业园", level="city", type="industry", stage="continuing",
        source="enterprise", owner_unit=world["a"], secretary=secretary, planned_total=Decimal(6000),
        planned_annual=Decimal(1000), funds_planned=Decimal(900), planned_start=date(2025, 4, 1),
        actual_start=date(2025, 4, 8), planned_completion=date(2027, 10, 30), in_stats_on=date(2025, 4, 30),
    )
    ProgressReport.objects.create(project=project, reported_on=date(2026, 11, 13), year=2026,
                                  completed_ytd=Decimal(850), funds_in_place=Decimal(700))  # 85 %: green
    document = assessed["version"].document
    version = scheme_version_save(
        actor=None, scheme=assessed["scheme"], note="gz03 取自重点项目",
        document=document.replace(GZ03, GZ03 + " value_from: projects.investment_completion_rate,"))
    Period.objects.filter(pk=assessed["period"].pk).update(version=version)
    return {**assessed, "secretary": secretary, "project": project, "period": Period.objects.get(pk=assessed["period"].pk)}


def _agenda_codes(page) -> dict[str, str]:
    rows = page.get_by_test_id("agenda-project")
    return {rows.nth(i).locator("td").nth(1).inner_text().split()[0]: rows.nth(i).locator("td").first.inner_text()
            for i in range(rows.count())}


def _arrange(office, base, cadence, day) -> str:
    office.goto(f"{base}/projects/dispatch/meetings/")
    form = office.get_by_test_id("meeting-form")
    form.get_by_label("调度层级", exact=True).select_option(cadence)
    form.get_by_label("召开日期").fill(day.isoformat())
    with office.expect_navigation():
        form.get_by_role("button", name="安排").click()
    return office.url


def test_secretary_report_turns_the_project_red_an_overdue_assignment_escalates_and_the_run_reads_it(
        browser, live_server, loop, clock, tmp_path):
    base = live_server.url
    office = signed_in_page(browser, base, "khb")
    daily = _arrange(office, base, "daily", FRIDAY)
    assert "XM-101" not in _agenda_codes(office)  # on track: not on the agenda

    # The secretary, on a phone, reports a verified figure far behind 序时进度, with a photo.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
    mobile = sign_in(phone.new_page(), base, "mishu")
    mobile.goto(f"{base}/projects/mine/")
    card = mobile.locator('[data-project="XM-101"]')
    with mobile.expect_navigation():
        card.get_by_role("link", name="填报进度").click()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390  # one screen wide
    mobile.get_by_label("本年累计完成投资（万元）").fill("400")
    mobile.get_by_label("累计到位资金（万元）").fill("720")
    mobile.get_by_label("形象进度").fill("经统计部门核实，累计完成投资调减为400万元，主体结构施工中")
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(samples.image("jpeg"))
    mobile.get_by_label("现场照片（可拍照上传）").set_input_files(str(photo))
    with mobile.expect_navigation():
        mobile.get_by_role("button", name="提交进度").click()
    report = ProgressReport.objects.get(project=loop["project"], reported_on=FRIDAY)
    assert report.completed_ytd == Decimal(400) and report.reporter == loop["secretary"]
    assert ProgressPhoto.objects.filter(report=report).count() == 1
    phone.close()

    # The daily meeting's agenda now has it, red, with the reason.
    office.goto(daily)
    agenda = _agenda_codes(office)
    assert agenda.get("XM-101", "").startswith("红")
    assert "落后序时进度" in office.get_by_test_id("agenda-projects").inner_text()

    # The meeting assigns 靖宇街道 a task on the project, due in two working days.
    form = office.get_by_test_id("assignment-form")
    form.get_by_label("交办内容").fill("约谈项目法人，一周内拿出赶工计划")
    form.get_by_label("责任单位").select_option(label="靖宇街道")
    form.get_by_label("关联项目（可不选）").select_option(label="XM-101 道外智能装备产业园")
    form.get_by_label("办理期限（工作日）").fill("2")
    with office.expect_navigation():
        form.get_by_role("button", name="交办").click()
    assignment = Assignment.objects.get(project=loop["project"])
    assert assignment.deadline == TWO_WORKDAYS_LATER  # Friday + 2 working days: Tuesday
    assert "约谈项目法人" in office.get_by_test_id("assignments").inner_text()

    # Two days past the deadline and not done: it is on the district head's three-day agenda.
    clock.day = OVERDUE_DAY
    _arrange(office, base, "three_day", OVERDUE_DAY)
    escalated = office.get_by_test_id("escalated-item")
    assert escalated.count() == 1
    text = escalated.inner_text()
    assert "约谈项目法人" in text and "逾期" in text and "升级至区长三日调度" in text

    # The office scores the quarter: gz03 of 靖宇街道 is 40 %, read from the project.
    office.goto(f"{base}/assessment/periods/{loop['period'].pk}/runs/")
    with office.expect_navigation():
        office.get_by_test_id("start-run").click()
    run = ScoringRun.objects.get(period=loop["period"])
    assert run.status == ScoringRun.Status.DONE, run.error
    assert [v for u, c, v in run.inputs["data"] if (u, c) == ("jingyu", "gz03")] == [40.0]
    entry = next(e for e in result_trace(RunResult.objects.get(run=run, unit__code="jingyu"), run)["indicators"]
                 if e["code"] == "gz03")
    assert entry["raw"] == 40.0
    office.goto(f"{base}/assessment/runs/{run.pk}/units/jingyu/")
    line = office.get_by_test_id("source-gz03").inner_text()
    assert "投资完成率" in line and "XM-101 道外智能装备产业园 投资完成 400 / 1 000 万元" in line
    office.context.close()
