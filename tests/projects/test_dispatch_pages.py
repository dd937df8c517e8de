"""调度会, 交办事项 and 线索 pages: what each role sees and does, errors shown beside their
cause in Chinese, another unit refused (page and API), stale versions refused (409)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from duibiao.projects.models import Assignment, DispatchMeeting, Lead, Project
from duibiao.projects.services.dispatch import assignment_create
from duibiao.projects.services.leads import lead_advance, lead_create
from tests.projects.dispatch_fixtures import DAY, make_meeting, make_portfolio


@pytest.fixture
def w(world):
    return make_portfolio(world)


def html(response) -> str:
    return response.content.decode()


def test_office_arranges_a_meeting_and_its_agenda_shows_the_red_project(w, client_for):
    office = client_for(w["office"])
    response = office.post(reverse("dispatch:meeting_new"), {
        "district": w["district"].pk, "cadence": "daily", "held_on": DAY.isoformat(), "chair": ""})
    meeting = DispatchMeeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("dispatch:meeting_detail", args=[meeting.pk])
    page = html(office.get(response.url))
    assert "XM-R 项目XM-R" in page and "逾期3个月以上未开工" in page and "红灯" in page
    assert meeting.chair == "经济专班"


def test_a_bad_date_is_shown_beside_its_field_and_nothing_is_made(w, client_for):
    response = client_for(w["office"]).post(reverse("dispatch:meeting_new"), {
        "district": w["district"].pk, "cadence": "daily", "held_on": "2026-13-45"})
    assert response.status_code == 400
    assert "召开日期" in html(response) and "invalid-feedback" in html(response)
    assert not DispatchMeeting.objects.exists()


def test_assignment_form_errors_show_beside_their_fields(w, client_for):
    meeting = make_meeting(w)
    response = client_for(w["office"]).post(reverse("dispatch:assignment_add", args=[meeting.pk]), {
        "version": meeting.version, "text": "", "unit": w["a"].pk, "workdays": "3"})
    assert response.status_code == 400 and "请填写交办内容。" in html(response)
    assert not Assignment.objects.exists()


def test_closing_without_minutes_is_refused_beside_the_button(w, client_for):
    meeting = make_meeting(w)
    response = client_for(w["office"]).post(reverse("dispatch:meeting_close", args=[meeting.pk]),
                                            {"version": meeting.version})
    assert response.status_code == 400 and "请先保存会议纪要" in html(response)
    assert DispatchMeeting.objects.get().status == "planned"


def test_stale_minutes_are_refused_with_409_and_kept_in_the_box(w, client_for):
    meeting = make_meeting(w)
    office = client_for(w["office"])
    url = reverse("dispatch:meeting_minutes", args=[meeting.pk])
    assert office.post(url, {"version": meeting.version, "minutes": "第一稿"}).status_code == 302
    response = office.post(url, {"version": meeting.version, "minutes": "我的修改"})
    assert response.status_code == 409 and "已被他人修改" in html(response) and "我的修改" in html(response)
    assert DispatchMeeting.objects.get().minutes == "第一稿"


def test_the_unit_replies_from_its_assignment_list(w, client_for):
    meeting = make_meeting(w)
    a = assignment_create(actor=w["office"], meeting=meeting, version=meeting.version, text="协调电力接入",
                          unit=w["a"], workdays=3)
    reporter = client_for(w["reporter_a"])
    page = html(reporter.get(reverse("dispatch:assignment_list")))
    assert "协调电力接入" in page and "报送办理情况" in page
    response = reporter.post(reverse("dispatch:assignment_reply", args=[a.pk]),
                             {"version": a.version, "reply": "已接入", "done": "1"})
    assert response.status_code == 302
    assert Assignment.objects.get().status == "done"


def test_another_unit_neither_sees_nor_replies_page_and_api(w, client_for):
    meeting = make_meeting(w)
    a = assignment_create(actor=w["office"], meeting=meeting, version=meeting.version, text="协调电力接入",
                          unit=w["a"], workdays=3)
    other = client_for(w["reporter_b"])
    assert "协调电力接入" not in html(other.get(reverse("dispatch:assignment_list")))
    assert other.post(reverse("dispatch:assignment_reply", args=[a.pk]),
                      {"version": a.version, "reply": "冒名", "done": "1"}).status_code == 404
    api = other.post(f"/api/projects/assignments/{a.pk}/reply", {"version": a.version, "reply": "冒名", "done": True},
                     content_type="application/json")
    assert api.status_code == 404
    assert other.get(f"/api/projects/assignments/{a.pk}").status_code == 404
    assert Assignment.objects.get().reply == ""
    # Nor the meeting itself: units see their assignments, not the district's meetings.
    assert other.get(reverse("dispatch:meeting_detail", args=[meeting.pk])).status_code == 404


def test_api_reply_without_version_is_422_and_stale_is_409(w, client_for):
    meeting = make_meeting(w)
    a = assignment_create(actor=w["office"], meeting=meeting, version=meeting.version, text="协调", unit=w["a"],
                          workdays=3)
    reporter = client_for(w["reporter_a"])
    url = f"/api/projects/assignments/{a.pk}/reply"
    missing = reporter.post(url, {"reply": "x"}, content_type="application/json")
    assert missing.status_code == 422 and "version" in missing.json()["detail"]
    assert reporter.post(url, {"version": a.version, "reply": "在办"}, content_type="application/json").status_code == 200
    stale = reporter.post(url, {"version": a.version, "reply": "覆盖"}, content_type="application/json")
    assert stale.status_code == 409
    assert Assignment.objects.get().reply == "在办"


def test_the_lead_pages_push_advance_and_convert(w, client_for):
    reporter, office = client_for(w["reporter_a"]), client_for(w["office"])
    response = reporter.post(reverse("dispatch:lead_new"), {
        "unit": w["a"].pk, "name": "冷链物流园", "expected_investment": "8000", "legal_person": "李某", "contact": ""})
    lead = Lead.objects.get()
    assert response.status_code == 302
    bad = reporter.post(reverse("dispatch:lead_new"), {"unit": w["a"].pk, "name": "x", "expected_investment": "很多"})
    assert bad.status_code == 400 and "应为数字" in html(bad)
    for _ in range(3):
        lead.refresh_from_db()
        assert reporter.post(reverse("dispatch:lead_advance", args=[lead.pk]),
                             {"version": lead.version, "note": "已对接"}).status_code == 302
    lead.refresh_from_db()
    assert lead.stage == "evidence"
    assert reporter.post(reverse("dispatch:lead_convert", args=[lead.pk]), {
        "version": lead.version, "code": "XM-L9", "level": "district", "type": "logistics",
        "source": "enterprise"}).status_code == 403
    page = html(office.get(reverse("dispatch:lead_detail", args=[lead.pk])))
    assert "转为重点项目" in page and "data-confirm" in page
    response = office.post(reverse("dispatch:lead_convert", args=[lead.pk]), {
        "version": lead.version, "code": "XM-L9", "level": "district", "type": "logistics", "source": "enterprise"})
    assert response.status_code == 302
    assert Project.objects.get(code="XM-L9").lead == Lead.objects.get()
    detail = html(office.get(reverse("dispatch:lead_detail", args=[lead.pk])))
    assert "XM-L9" in detail
    assert reverse("projects:project_detail", args=[Project.objects.get(code="XM-L9").pk]) in detail


def test_the_funnel_page_draws_from_a_data_attribute(w, client_for):
    lead = lead_create(actor=w["reporter_a"], unit=w["a"], name="甲", expected_investment="100", on=date(2026, 10, 8))
    lead_advance(actor=w["reporter_a"], lead=lead, version=lead.version)
    page = html(client_for(w["leader"]).get(reverse("dispatch:lead_funnel")))
    assert 'data-lead-funnel="funnel-data"' in page and 'id="funnel-data"' in page
    assert "projects/funnel.js" in page and "<script>" not in page


def test_the_api_lists_meetings_with_agenda_and_leads(w, client_for):
    meeting = make_meeting(w)
    office = client_for(w["office"])
    listed = office.get("/api/projects/meetings").json()["items"]
    assert [m["id"] for m in listed] == [meeting.pk]
    agenda = office.get(f"/api/projects/meetings/{meeting.pk}").json()["agenda"]
    assert [p["code"] for p in agenda["projects"]] == ["XM-C", "XM-R", "XM-Y"]
    created = office.post(f"/api/projects/meetings/{meeting.pk}/assignments", {
        "version": meeting.version, "text": "协调", "unit": "jingyu", "workdays": 3}, content_type="application/json")
    assert created.status_code == 201 and created.json()["deadline"] == "2026-10-15"
    assert client_for(w["leader"]).post(f"/api/projects/meetings/{meeting.pk}/close", {"version": 1},
                                        content_type="application/json").status_code == 403


def test_the_system_administrator_sets_a_cadence_rule_and_the_agenda_follows(w, client_for):
    from duibiao.projects.models import CadenceRule
    from duibiao.projects.selectors.dispatch import agenda_build

    admin = client_for(w["sysadmin"])
    bad = admin.post("/admin/projects/cadencerule/add/", {
        "cadence": "weekly", "chair": "", "every_workdays": "5", "assignment_workdays": "5",
        "levels": ["county"], "flags": ["red"]})
    assert bad.status_code == 200 and not CadenceRule.objects.exists()  # the form again, with the error
    response = admin.post("/admin/projects/cadencerule/add/", {
        "cadence": "weekly", "chair": "区委书记", "every_workdays": "5", "assignment_workdays": "4",
        "levels": ["district"], "flags": ["yellow"]})
    assert response.status_code == 302
    meeting = make_meeting(w, "weekly")
    assert meeting.chair == "区委书记"
    assert [p["code"] for p in agenda_build(meeting)["projects"]] == ["XM-Y"]
    assert client_for(w["office"]).get("/admin/projects/cadencerule/").status_code == 302  # to the login page


def test_the_unit_home_page_counts_its_open_and_overdue_assignments(w, client_for):
    meeting = make_meeting(w, held_on=date(2026, 9, 30))
    for text, workdays in (("已逾期的", 2), ("未到期的", 60)):
        meeting.refresh_from_db()
        assignment_create(actor=w["office"], meeting=meeting, version=meeting.version, text=text, unit=w["a"],
                          workdays=workdays)
    home = html(client_for(w["reporter_a"]).get("/"))
    assert 'data-testid="pending-assignments"' in home
    assert "待办交办事项 2 项" in home and "其中逾期 1 项" in home
    assert reverse("dispatch:assignment_list") in home
    assert 'data-testid="pending-assignments"' not in html(client_for(w["reporter_b"]).get("/"))
    assert 'data-testid="pending-assignments"' not in html(client_for(w["office"]).get("/"))
