"""The working-day calendar in force: published 2004–2026, the office's table for later
years, the text the office types, and the calendar page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.services.calendar import (
    HolidayTextError,
    holiday_year_import,
    parse_holiday_text,
)
from duibiao.audit.models import AuditEntry
from duibiao.engine import CalendarGap
from duibiao.workdays.models import HolidayDate, HolidayYear
from duibiao.workdays.selectors import holiday_text, work_calendar

# 2027's arrangement as an office would type it (illustrative dates, not the official notice).
TEXT_2027 = """\
# 2027 年放假安排
2027-01-01 元旦 休
2027-01-31 春节调休 班
2027-02-08 春节 休
2027-02-09 春节 休
2027-02-10 春节 休
2027-02-11 春节 休
2027-02-12 春节 休
2027-02-20 春节调休 班
2027-10-01 国庆节 休
"""


def test_published_2026_makeup_workdays_count_and_holidays_do_not(db):
    cal = work_calendar()
    for day in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"):
        assert cal.is_workday(date.fromisoformat(day)), day
    for day in ("2026-01-01", "2026-02-17", "2026-05-01", "2026-10-01", "2026-10-07"):
        assert not cal.is_workday(date.fromisoformat(day)), day
    assert cal.covers(2004) and cal.covers(2026) and not cal.covers(2027)
    with pytest.raises(CalendarGap):
        cal.is_workday(date(2027, 1, 4))


def test_parse_reads_dates_names_and_both_kinds():
    days = parse_holiday_text(TEXT_2027, year=2027)
    assert (date(2027, 1, 1), False, "元旦") in days
    assert (date(2027, 1, 31), True, "春节调休") in days
    assert len(days) == 9
    assert parse_holiday_text("2027-1-1 休", year=2027) == [(date(2027, 1, 1), False, "")]


def test_parse_names_every_bad_line():
    text = "\n".join([
        "2027-01-01 元旦 休",  # 1 fine
        "2027-13-01 错 休",  # 2 bad date
        "2027-02-08 春节",  # 3 no 休/班
        "2026-10-01 国庆 休",  # 4 wrong year
        "2027-01-01 元旦 休",  # 5 duplicate of line 1
        "2027-02-09 春节 班",  # 6 a Tuesday marked 班
    ])
    with pytest.raises(HolidayTextError) as info:
        parse_holiday_text(text, year=2027)
    problems = info.value.problems
    assert [p.split("：")[0] for p in problems] == [f"第 {n} 行" for n in (2, 3, 4, 5, 6)]
    assert "与第 1 行重复" in problems[3]
    assert "星期二" in problems[4]


def test_parse_refuses_an_empty_year():
    with pytest.raises(HolidayTextError):
        parse_holiday_text("# nothing yet\n\n", year=2027)


def test_entering_2027_covers_it_with_makeup_days(world):
    entry = holiday_year_import(actor=world["office"], year=2027, text=TEXT_2027, note="国办发明电〔2026〕X号")
    assert entry.note.startswith("国办发明电")
    cal = work_calendar()
    assert cal.covers(2027)
    assert cal.is_workday(date(2027, 1, 31))  # Sunday, 调休上班
    assert not cal.is_workday(date(2027, 2, 8))
    assert cal.is_workday(date(2027, 3, 1))
    audit = AuditEntry.objects.filter(action="calendar.year").get()
    assert audit.username == "khb" and len(audit.after) == 9
    assert "2027-01-31 春节调休 班" in holiday_text(2027)


def test_reentering_a_year_replaces_it_whole(world):
    holiday_year_import(actor=world["office"], year=2027, text=TEXT_2027)
    holiday_year_import(actor=world["office"], year=2027, text="2027-01-01 元旦 休")
    assert list(HolidayDate.objects.values_list("date", flat=True)) == [date(2027, 1, 1)]
    assert HolidayYear.objects.count() == 1


def test_bad_text_saves_nothing(world):
    with pytest.raises(HolidayTextError):
        holiday_year_import(actor=world["office"], year=2027, text="2027-01-01 元旦 休\n2027-02-30 x 休")
    assert not HolidayYear.objects.exists() and not HolidayDate.objects.exists()


def test_only_the_office_enters_the_calendar(world):
    with pytest.raises(PermissionDenied):
        holiday_year_import(actor=world["reporter_a"], year=2027, text=TEXT_2027)
    with pytest.raises(AssessmentError):
        holiday_year_import(actor=world["office"], year=1999, text="1999-01-01 元旦 休")


def test_table_entry_corrects_a_published_year(world):
    # e.g. a local extra day off: the table wins over the package for that date.
    holiday_year_import(actor=world["office"], year=2026, text="2026-11-26 地方假日 休")
    assert not work_calendar().is_workday(date(2026, 11, 26))
    assert work_calendar().is_workday(date(2026, 10, 10))  # the rest of 2026 is untouched


# ── the page ───────────────────────────────────────────────────────────────────────────


def test_calendar_page_shows_coverage_and_suggests_the_gap(client_for, world):
    text = client_for(world["office"]).get(reverse("assessment:calendar")).content.decode()
    assert "2004–2026" in text
    assert 'data-testid="calendar-gap"' in text and "2027" in text
    assert 'value="2027"' in text  # the year field starts on the first uncovered year


def test_calendar_page_saves_a_year(client_for, world):
    client = client_for(world["office"])
    response = client.post(reverse("assessment:calendar"), {"year": 2027, "note": "通知", "text": TEXT_2027})
    assert response.status_code == 302
    text = client.get(reverse("assessment:calendar")).content.decode()
    assert 'data-testid="entered-years">2027' in text
    edit = client.get(reverse("assessment:calendar") + "?year=2027").content.decode()
    assert "2027-02-20 春节调休 班" in edit


def test_calendar_page_shows_line_numbered_errors_and_keeps_the_text(client_for, world):
    client = client_for(world["office"])
    response = client.post(reverse("assessment:calendar"),
                           {"year": 2027, "text": "2027-01-01 元旦 休\n2027-02-08 春节 放"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "第 2 行" in text and "2027-02-08 春节 放" in text
    assert not HolidayYear.objects.exists()


def test_calendar_page_is_the_offices(client_for, world):
    for who in ("reporter_a", "leader", "taskforce"):
        assert client_for(world[who]).get(reverse("assessment:calendar")).status_code == 403
        assert client_for(world[who]).post(
            reverse("assessment:calendar"), {"year": 2027, "text": TEXT_2027}).status_code == 403
    assert not HolidayYear.objects.exists()


def test_calendar_api(client_for, world):
    client = client_for(world["office"])
    years = client.get("/api/periods/calendar/years").json()["items"]
    assert years[0]["year"] == 2004 and years[-1] == {"year": 2026, "published": True, "entered": False, "note": ""}
    bad = client.put("/api/periods/calendar/years/2027", {"text": "2027-02-30 x 休"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["problems"][0].startswith("第 1 行")
    ok = client.put("/api/periods/calendar/years/2027", {"text": TEXT_2027}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["entered"] is True
    reporter = client_for(world["reporter_a"])
    assert reporter.get("/api/periods/calendar/years").status_code == 403
