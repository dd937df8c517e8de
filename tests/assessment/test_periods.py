"""考核周期: deadlines in working days across holidays and 调休, the uncovered-year error,
open / close rules, office-only actions through pages and the API, and the home reminders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Period, Submission
from duibiao.assessment.selectors.periods import deadline_preview
from duibiao.assessment.selectors.reminders import home_reminders
from duibiao.assessment.services.calendar import holiday_year_import
from duibiao.assessment.services.periods import period_create, period_set_status
from duibiao.assessment.services.schemes import scheme_create
from duibiao.audit.models import AuditEntry
from duibiao.org.models import TaskForce

SCHEME = Path(__file__).resolve().parents[2] / "examples" / "daowai-2023" / "scheme.yaml"
TEXT_2027 = "2027-01-01 元旦 休\n2027-01-31 春节调休 班\n2027-02-08 春节 休\n2027-02-09 春节 休"


@pytest.fixture
def scheme(world):
    for code in ("zb2", "zb3", "zb4"):
        TaskForce.objects.create(code=code, name=f"{code}专班", district=world["district"])
    return scheme_create(actor=None, code="s", name="道外区考核方案", year=2026,
                         district=world["district"], document=SCHEME.read_text())


@pytest.fixture
def version(scheme):
    return scheme.versions.get()


def make(world, version, **kw):
    args = {"kind": "quarter", "year": 2026, "number": 3, "opens_on": date(2026, 9, 30),
            "deadline_workdays": 5} | kw
    return period_create(actor=world["office"], version=version, **args)


# ── deadlines ──────────────────────────────────────────────────────────────────────────


def test_deadline_crosses_national_day_and_counts_the_makeup_saturday(world, version):
    # Opens Wed 2026-09-30; 10-01..10-07 off; 10-08, 10-09, 10-10 (Sat, 调休上班), 10-12, 10-13.
    period = make(world, version)
    assert period.deadline == date(2026, 10, 13)
    assert period.name == "2026年第三季度"
    assert make(world, version, number=4, deadline_workdays=3).deadline == date(2026, 10, 10)


def test_deadline_preview_names_the_holidays_and_the_makeup_day(db):
    preview = deadline_preview(opens_on=date(2026, 9, 30), workdays=5)
    assert preview.deadline == date(2026, 10, 13) and not preview.error
    assert [d for d, _ in preview.skipped] == [date(2026, 10, d) for d in (1, 2, 5, 6, 7)]
    assert preview.skipped[0][1] == "国庆节"
    assert preview.makeup == [(date(2026, 10, 10), "国庆节")]


def test_uncovered_year_is_an_error_and_creates_nothing(world, version):
    with pytest.raises(AssessmentError, match="2027 年的节假日安排尚未录入"):
        make(world, version, year=2027, number=1, opens_on=date(2027, 1, 4))
    # A deadline that runs from December into January needs the next year too.
    with pytest.raises(AssessmentError, match="2027"):
        make(world, version, number=4, opens_on=date(2026, 12, 28))
    assert not Period.objects.exists()
    assert not AuditEntry.objects.filter(action="period.create").exists()


def test_entering_2027_makes_the_uncovered_deadline_work(world, version):
    holiday_year_import(actor=world["office"], year=2027, text=TEXT_2027)
    # 2026-12-28 Mon: 29, 30, 31, (2027-01-01 元旦 off), 01-04 Mon.
    period = make(world, version, number=4, opens_on=date(2026, 12, 28), deadline_workdays=4)
    assert period.deadline == date(2027, 1, 4)
    # 2027-01-29 Fri: 01-31 Sun 调休上班, 02-01 … 02-05, (02-08, 02-09 off), 02-10.
    period = make(world, version, kind="month", year=2027, number=1, opens_on=date(2027, 1, 29),
                  deadline_workdays=7)
    assert period.deadline == date(2027, 2, 10)


def test_create_checks_its_inputs(world, version):
    with pytest.raises(AssessmentError, match="季度"):
        make(world, version, number=5)
    with pytest.raises(AssessmentError, match="月份"):
        make(world, version, kind="month", number=13)
    with pytest.raises(AssessmentError, match="工作日"):
        make(world, version, deadline_workdays=0)
    make(world, version)
    with pytest.raises(AssessmentError, match="已存在"):
        make(world, version)


# ── open / close ───────────────────────────────────────────────────────────────────────


def test_open_close_reopen_and_refused_moves(world, version):
    period = make(world, version)
    office = world["office"]
    with pytest.raises(AssessmentError):
        period_set_status(actor=office, period=period, status=Period.Status.CLOSED)  # planned
    period_set_status(actor=office, period=period, status=Period.Status.OPEN)
    with pytest.raises(AssessmentError):
        period_set_status(actor=office, period=period, status=Period.Status.OPEN)
    with pytest.raises(AssessmentError):
        period_set_status(actor=office, period=period, status="bogus")
    period_set_status(actor=office, period=period, status=Period.Status.CLOSED)
    period_set_status(actor=office, period=period, status=Period.Status.OPEN)  # 重新开放
    period.refresh_from_db()
    assert period.status == Period.Status.OPEN
    assert AuditEntry.objects.filter(action="period.status").count() == 3


def test_only_the_office_opens_and_creates(world, version):
    period = make(world, version)
    for who in ("reporter_a", "head_a", "leader", "taskforce"):
        with pytest.raises(PermissionDenied):
            period_set_status(actor=world[who], period=period, status=Period.Status.OPEN)
        with pytest.raises(PermissionDenied):
            make(world | {"office": world[who]}, version, number=4)


# ── pages ──────────────────────────────────────────────────────────────────────────────


def test_everyone_with_the_scheme_reads_the_list_and_only_the_office_acts(client_for, world, version):
    period = make(world, version)
    office = client_for(world["office"]).get(reverse("assessment:period_list")).content.decode()
    assert "2026年第三季度" in office and "2026年10月13日" in office and "开始填报" in office
    reader = client_for(world["reporter_a"]).get(reverse("assessment:period_list")).content.decode()
    assert "2026年第三季度" in reader and 'name="status"' not in reader and "新建考核周期" not in reader
    url = reverse("assessment:period_status", args=[period.pk])
    assert client_for(world["reporter_a"]).post(url, {"status": "open"}).status_code == 403
    assert client_for(world["reporter_a"]).get(reverse("assessment:period_create")).status_code == 403
    period.refresh_from_db()
    assert period.status == Period.Status.PLANNED
    response = client_for(world["office"]).post(url, {"status": "open"})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.status == Period.Status.OPEN


def test_another_districts_user_does_not_see_the_period(client_for, world, version):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create

    period = make(world, version)
    outsider = user_create(actor=None, username="ng_khb", password="Xx@12345678",
                           unit=world["other_district"])
    role_grant(actor=None, user=outsider, role=Role.OFFICE, units=[world["other_district"]])
    client = client_for(outsider)
    assert "2026年第三季度" not in client.get(reverse("assessment:period_list")).content.decode()
    url = reverse("assessment:period_status", args=[period.pk])
    assert client.post(url, {"status": "open"}).status_code == 404


def test_create_page_saves_and_shows_the_deadline(client_for, world, version):
    client = client_for(world["office"])
    assert "道外区考核方案" in client.get(reverse("assessment:period_create")).content.decode()
    response = client.post(reverse("assessment:period_create"), {
        "scheme": version.scheme.pk, "kind": "quarter", "year": 2026, "number": 3,
        "opens_on": "2026-09-30", "deadline_workdays": 5, "name": "",
    })
    assert response.status_code == 302
    assert Period.objects.get().deadline == date(2026, 10, 13)


def test_create_page_shows_the_uncovered_year_error_in_the_form(client_for, world, version):
    response = client_for(world["office"]).post(reverse("assessment:period_create"), {
        "scheme": version.scheme.pk, "kind": "month", "year": 2027, "number": 1,
        "opens_on": "2027-01-04", "deadline_workdays": 10,
    })
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="form-error"' in text and "2027 年的节假日安排尚未录入" in text
    assert not Period.objects.exists()


def test_htmx_preview(client_for, world, db):
    client = client_for(world["office"])
    url = reverse("assessment:period_preview")
    text = client.post(url, {"opens_on": "2026-09-30", "deadline_workdays": "5"}).content.decode()
    assert "2026年10月13日" in text and "10月1日（国庆节）" in text and "10月10日" in text
    text = client.post(url, {"opens_on": "2027-03-01", "deadline_workdays": "5"}).content.decode()
    assert 'data-testid="deadline-error"' in text and "2027" in text
    assert client_for(world["reporter_a"]).post(url, {"opens_on": "2026-09-30"}).status_code == 403


# ── API ────────────────────────────────────────────────────────────────────────────────


def test_api_lists_creates_opens_and_closes(client_for, world, version):
    office = client_for(world["office"])
    created = office.post("/api/periods", {
        "scheme": "s", "kind": "quarter", "year": 2026, "number": 3, "opens_on": "2026-09-30",
        "deadline_workdays": 5}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["deadline"] == "2026-10-13" and body["status"] == "planned" and body["scheme"] == "s"
    pk = body["id"]
    assert office.post(f"/api/periods/{pk}/close").status_code == 422
    assert office.post(f"/api/periods/{pk}/open").json()["status"] == "open"
    assert office.get(f"/api/periods/{pk}").json()["name"] == "2026年第三季度"
    assert [p["id"] for p in office.get("/api/periods?status=open").json()["items"]] == [pk]
    gap = office.post("/api/periods", {"scheme": "s", "kind": "year", "year": 2027,
                                       "opens_on": "2027-01-04"}, content_type="application/json")
    assert gap.status_code == 422 and "2027" in gap.json()["detail"]
    preview = office.get("/api/periods/deadline?opens_on=2026-09-30&workdays=5").json()
    assert preview["deadline"] == "2026-10-13" and "2026-10-10" in preview["makeup"]


def test_api_refuses_a_reporter_writes_but_lets_it_read(client_for, world, version):
    period = make(world, version)
    reporter = client_for(world["reporter_a"])
    assert reporter.post("/api/periods", {"scheme": "s", "kind": "quarter", "year": 2026, "number": 4,
                                          "opens_on": "2026-10-09"},
                         content_type="application/json").status_code == 403
    assert reporter.post(f"/api/periods/{period.pk}/open").status_code == 403
    assert reporter.get(f"/api/periods/{period.pk}").status_code == 200
    period.refresh_from_db()
    assert period.status == Period.Status.PLANNED and Period.objects.count() == 1


# ── reminders ──────────────────────────────────────────────────────────────────────────


def _open(world, version, **kw):
    period = make(world, version, **kw)
    return period_set_status(actor=world["office"], period=period, status=Period.Status.OPEN)


def test_reporter_reminder_counts_its_unsubmitted_indicators(world, version):
    period = _open(world, version)  # deadline 2026-10-13
    unit = world["a"]
    mine = [i for i in version.indicators.all() if i.entered_by_units and i.applies_to(unit)]
    Submission.objects.create(period=period, unit=unit, indicator=mine[0], status="submitted")
    Submission.objects.create(period=period, unit=unit, indicator=mine[1], status="draft")
    before = home_reminders(user=world["reporter_a"], today=date(2026, 10, 9))
    [r] = before.units
    assert (r.pending, r.total, r.days_left, r.overdue) == (len(mine) - 1, len(mine), 3, False)
    after = home_reminders(user=world["reporter_a"], today=date(2026, 10, 14))
    assert after.units[0].days_left == -1 and after.units[0].overdue
    assert not after.office


def test_office_reminder_counts_units_not_done(world, version):
    period = _open(world, version)
    for unit in (world["a"],):
        for i in version.indicators.all():
            if i.entered_by_units and i.applies_to(unit):
                Submission.objects.create(period=period, unit=unit, indicator=i, status="approved")
    [r] = home_reminders(user=world["office"], today=date(2026, 10, 12)).office
    assert (r.units_pending, r.units_total, r.days_left) == (2, 3, 1)


def test_home_page_shows_the_reminders(client_for, world, version):
    period = _open(world, version)
    text = client_for(world["reporter_a"]).get(reverse("web:home")).content.decode()
    assert 'data-testid="reminders"' in text and period.name in text and "项未提交" in text
    text = client_for(world["office"]).get(reverse("web:home")).content.decode()
    assert "个单位未报齐" in text and reverse("assessment:progress", args=[period.pk]) in text
    assert 'data-testid="reminders"' not in client_for(world["auditor"]).get(reverse("web:home")).content.decode()
