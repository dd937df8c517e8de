"""调度会 services and selectors on the database: agenda composition from the projects' own
flags, 复盘 of the previous meeting, escalation of an overdue assignment to the next cadence,
working-day deadlines across National Day and its make-up Saturday, the unit's reply, stale
versions and other units refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from duibiao.audit.models import AuditEntry
from duibiao.projects.errors import ConflictError, ProjectError, ProjectInvalid
from duibiao.projects.models import Assignment, DispatchMeeting, Problem
from duibiao.projects.selectors import dispatch as sel
from duibiao.projects.services.dispatch import (
    assignment_create,
    assignment_reply,
    meeting_close,
    meeting_create,
    meeting_minutes_save,
)
from tests.projects.dispatch_fixtures import DAY, make_meeting, make_portfolio


@pytest.fixture
def w(world):
    return make_portfolio(world)


def codes(items):
    return [item["project"] if "project" in item and "code" not in item else item["code"] for item in items]


def assign(w, meeting, text="协调电力接入", unit=None, workdays=3, project=None):
    meeting.refresh_from_db()
    return assignment_create(actor=w["office"], meeting=meeting, version=meeting.version, text=text,
                             unit=unit or w["a"], workdays=workdays, project=project)


def close(w, meeting, minutes="研究了红黄灯项目。"):
    meeting.refresh_from_db()
    meeting = meeting_minutes_save(actor=w["office"], meeting=meeting, version=meeting.version, minutes=minutes)
    return meeting_close(actor=w["office"], meeting=meeting, version=meeting.version)


def test_daily_agenda_lists_red_then_yellow_projects_and_open_problems(w):
    Problem.objects.create(project=w["p_green"], text="用地指标未落实", asked_unit=w["fagai"], raised_on=DAY)
    Problem.objects.create(project=w["p_red"], text="已解决的", asked_unit=w["fagai"], raised_on=DAY,
                           status=Problem.Status.SOLVED)
    agenda = sel.agenda_build(make_meeting(w, "daily"))
    assert [(p["code"], p["flag"]) for p in agenda["projects"]] == [
        ("XM-C", "red"), ("XM-R", "red"), ("XM-Y", "yellow")]
    assert agenda["projects"][1]["reasons"] == ["计划2026-05-10开工，逾期3个月以上未开工"]
    assert [(p["project"], p["text"]) for p in agenda["problems"]] == [("XM-G", "用地指标未落实")]


def test_three_day_takes_red_only_and_weekly_red_city_and_province_only(w):
    assert [p["code"] for p in sel.agenda_build(make_meeting(w, "three_day"))["projects"]] == ["XM-C", "XM-R"]
    assert [p["code"] for p in sel.agenda_build(make_meeting(w, "weekly"))["projects"]] == ["XM-C"]


def test_office_rule_changes_what_a_cadence_takes(w):
    from duibiao.projects.models import CadenceRule

    CadenceRule.objects.create(cadence="weekly", levels=["district"], flags=["yellow"], every_workdays=5)
    assert [p["code"] for p in sel.agenda_build(make_meeting(w, "weekly"))["projects"]] == ["XM-Y"]


def test_another_districts_projects_are_not_on_the_agenda(w):
    from tests.projects.dispatch_fixtures import make_project

    make_project(w["other_district"], "NG-1", planned_start=date(2026, 1, 5))
    assert "NG-1" not in [p["code"] for p in sel.agenda_build(make_meeting(w))["projects"]]


def test_deadline_counts_working_days_across_national_day_and_the_makeup_saturday(w):
    meeting = make_meeting(w, held_on=date(2026, 9, 30))
    # 10-01..10-07 off; 10-08 Thu, 10-09 Fri, 10-10 Sat (调休上班) → the third working day.
    assert assign(w, meeting, workdays=3).deadline == date(2026, 10, 10)
    assert assign(w, meeting, workdays=4).deadline == date(2026, 10, 12)


def test_assignment_made_is_audited_once_and_bumps_the_meeting_version(w):
    meeting = make_meeting(w)
    before = meeting.version
    a = assign(w, meeting, project=w["p_red"])
    meeting.refresh_from_db()
    assert meeting.version == before + 1
    rows = AuditEntry.objects.filter(action="dispatch.assignment.create")
    assert rows.count() == 1 and rows.get().after["project"] == "XM-R"
    assert a.unit == w["a"] and a.assigned_on == DAY


def test_review_opens_with_the_previous_same_cadence_meetings_assignments(w):
    first = make_meeting(w, "daily", held_on=date(2026, 10, 8))
    done = assign(w, first, text="完成环评批复", workdays=1)
    late = assign(w, first, text="落实施工许可", workdays=1)  # due 10-09
    assign(w, make_meeting(w, "three_day", held_on=date(2026, 10, 9)), text="别的层级")
    assignment_reply(actor=w["reporter_a"], assignment=done, version=done.version, reply="已批复", done=True,
                     on=date(2026, 10, 9))
    second = make_meeting(w, "daily", held_on=date(2026, 10, 12))
    review = sel.agenda_build(second)["review"]
    assert review["meeting"] == first.pk
    statuses = {item["text"]: item["status"] for item in review["items"]}
    assert statuses == {"完成环评批复": "done", "落实施工许可": "overdue"}
    assert late.deadline == date(2026, 10, 9)


def test_an_overdue_daily_assignment_escalates_to_the_three_day_agenda_with_its_history(w):
    daily = make_meeting(w, "daily", held_on=date(2026, 9, 30))
    assign(w, daily, text="协调电力接入", workdays=2)  # due 10-09
    on_time = assign(w, daily, text="按期的", workdays=10)
    three_day = make_meeting(w, "three_day", held_on=date(2026, 10, 12))
    agenda = sel.agenda_build(three_day)
    assert [item["text"] for item in agenda["escalated"]] == ["协调电力接入"]
    item = agenda["escalated"][0]
    assert item["deadline"] == "2026-10-09" and item["overdue_workdays"] == 2  # 10-10 (调休), 10-12
    assert [h["text"] for h in item["history"]] == [
        "经济专班日调度交办，限2个工作日", "办结期限", "逾期未办结，升级至区长三日调度"]
    # Not on the weekly agenda yet, nor on the daily one (that is 复盘's place).
    assert sel.agenda_build(make_meeting(w, "weekly", held_on=date(2026, 10, 12)))["escalated"] == []
    assert on_time.status == Assignment.Status.OPEN


def test_still_overdue_it_climbs_to_the_weekly_agenda_and_leaves_the_three_day_one(w):
    daily = make_meeting(w, "daily", held_on=date(2026, 9, 30))
    assign(w, daily, text="协调电力接入", workdays=2)  # due 10-09; 4th working day late is 10-14
    weekly = make_meeting(w, "weekly", held_on=date(2026, 10, 14))
    assert [i["text"] for i in sel.agenda_build(weekly)["escalated"]] == ["协调电力接入"]
    assert sel.agenda_build(make_meeting(w, "three_day", held_on=date(2026, 10, 14)))["escalated"] == []


def test_a_done_assignment_does_not_escalate(w):
    daily = make_meeting(w, "daily", held_on=date(2026, 9, 30))
    a = assign(w, daily, workdays=2)
    assignment_reply(actor=w["head_a"], assignment=a, version=a.version, reply="已接入", done=True,
                     on=date(2026, 10, 12))
    assert sel.agenda_build(make_meeting(w, "three_day", held_on=date(2026, 10, 12)))["escalated"] == []


def test_closing_keeps_the_agenda_as_it_stood(w):
    meeting = make_meeting(w)
    held = close(w, meeting)
    assert held.status == DispatchMeeting.Status.HELD
    assert [p["code"] for p in held.agenda["projects"]] == ["XM-C", "XM-R", "XM-Y"]
    w["p_red"].actual_start = date(2026, 10, 1)
    w["p_red"].save()
    assert [p["code"] for p in sel.meeting_agenda(held)["projects"]] == ["XM-C", "XM-R", "XM-Y"]
    assert [p["code"] for p in sel.agenda_build(make_meeting(w))["projects"]] == ["XM-C", "XM-Y"]


def test_closing_checks_its_preconditions_on_the_server(w):
    meeting = make_meeting(w)
    with pytest.raises(ProjectInvalid) as missing:
        meeting_close(actor=w["office"], meeting=meeting, version=meeting.version)
    assert "纪要" in missing.value.errors["minutes"]
    future = make_meeting(w, held_on=date(2099, 1, 5))
    future = meeting_minutes_save(actor=w["office"], meeting=future, version=future.version, minutes="预备")
    with pytest.raises(ProjectError, match="召开后才能结束"):
        meeting_close(actor=w["office"], meeting=future, version=future.version)
    held = close(w, meeting)
    with pytest.raises(ProjectError, match="会议已结束"):
        meeting_close(actor=w["office"], meeting=held, version=held.version)
    with pytest.raises(ProjectError, match="会议已结束"):
        assign(w, held)
    assert DispatchMeeting.objects.get(pk=future.pk).status == DispatchMeeting.Status.PLANNED


def test_stale_versions_are_refused_and_nothing_is_written(w):
    meeting = make_meeting(w)
    stale = meeting.version
    meeting_minutes_save(actor=w["office"], meeting=meeting, version=stale, minutes="第一稿")
    with pytest.raises(ConflictError):
        meeting_minutes_save(actor=w["office"], meeting=meeting, version=stale, minutes="覆盖")
    with pytest.raises(ConflictError):
        assignment_create(actor=w["office"], meeting=meeting, version=stale, text="x", unit=w["a"], workdays=1)
    assert DispatchMeeting.objects.get(pk=meeting.pk).minutes == "第一稿"
    assert not Assignment.objects.exists()
    a = assign(w, meeting)
    read = a.version
    assignment_reply(actor=w["reporter_a"], assignment=a, version=read, reply="在办", done=False)
    with pytest.raises(ConflictError):
        assignment_reply(actor=w["reporter_a"], assignment=a, version=read, reply="覆盖", done=True)
    assert Assignment.objects.get(pk=a.pk).reply == "在办"


def test_another_unit_cannot_reply_nor_see_the_assignment(w):
    a = assign(w, make_meeting(w))
    with pytest.raises(Http404):
        assignment_reply(actor=w["reporter_b"], assignment=a, version=a.version, reply="冒名答复", done=True)
    assert not sel.assignment_list(user=w["reporter_b"]).exists()
    assert list(sel.assignment_list(user=w["reporter_a"])) == [a]
    assert Assignment.objects.get(pk=a.pk).reply == ""


def test_units_and_leaders_cannot_arrange_meetings_or_assign(w):
    for who in ("reporter_a", "head_a", "leader", "taskforce"):
        with pytest.raises(PermissionDenied):
            meeting_create(actor=w[who], district=w["district"], cadence="daily", held_on=DAY)
    meeting = make_meeting(w)
    with pytest.raises(PermissionDenied):
        assignment_create(actor=w["leader"], meeting=meeting, version=meeting.version, text="x", unit=w["a"],
                          workdays=1)
    with pytest.raises(Http404):  # another district's office: the district is outside its scope
        from duibiao.accounts.roles import Role
        from duibiao.accounts.services import role_grant, user_create

        other = user_create(actor=None, username="khb_ng", password="Pass@word2026x")
        role_grant(actor=None, user=other, role=Role.OFFICE, units=[w["other_district"]])
        meeting_create(actor=other, district=w["district"], cadence="daily", held_on=DAY)


def test_assignment_to_a_unit_or_project_outside_the_district_is_refused(w):
    from tests.projects.dispatch_fixtures import make_project

    meeting = make_meeting(w)
    with pytest.raises(ProjectInvalid) as bad_unit:
        assign(w, meeting, unit=w["other_district"])
    assert "unit" in bad_unit.value.errors
    with pytest.raises(ProjectInvalid) as bad_project:
        assign(w, meeting, project=make_project(w["other_district"], "NG-2"))
    assert "project" in bad_project.value.errors
    with pytest.raises(ProjectInvalid) as too_long:
        assign(w, meeting, workdays=0)
    assert "workdays" in too_long.value.errors
    with pytest.raises(ProjectInvalid) as blank:
        assign(w, meeting, text="   ")
    assert blank.value.errors == {"text": "请填写交办内容。"}


def test_overdue_is_derived_from_the_date_not_stored(w):
    a = assign(w, make_meeting(w, held_on=date(2026, 9, 30)), workdays=2)  # due 10-09
    assert a.status == Assignment.Status.OPEN  # what is stored
    row = lambda day: sel.assignment_rows([a], as_of=day)[0]  # noqa: E731
    assert row(date(2026, 10, 9))["status"] == "open"
    assert row(date(2026, 10, 10))["status"] == "overdue"
    assert row(date(2026, 10, 10))["overdue_workdays"] == 1


def test_a_done_assignment_cannot_be_replied_again(w):
    a = assign(w, make_meeting(w))
    a = assignment_reply(actor=w["reporter_a"], assignment=a, version=a.version, reply="办结", done=True)
    with pytest.raises(ProjectError, match="已办结"):
        assignment_reply(actor=w["reporter_a"], assignment=a, version=a.version, reply="再改", done=False)
    assert AuditEntry.objects.filter(action="dispatch.assignment.reply").count() == 1
