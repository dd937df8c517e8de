"""批量与定时起草 (issue 13: bulletins "on demand and on a schedule", bulletin batches as
background jobs): the next drafting time over weekends and holidays, a schedule drafting once
per occurrence as its owner, a batch of drafts as a job with its zip, and the pages' errors and
refusals."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from docx import Document

from duibiao.accounts.roles import Role
from duibiao.accounts.services import role_grant, role_revoke, user_create
from duibiao.audit.models import AuditEntry
from duibiao.documents.bulletin_batch import batch_plan
from duibiao.documents.bulletin_schedules import (
    ScheduleConflict,
    bulletin_schedule_save,
    bulletin_schedules_fire,
    next_occurrence,
)
from duibiao.documents.models import BulletinDoc, BulletinSchedule, DocumentNumber, ExportJob
from duibiao.engine.workdays import WorkCalendar
from tests.conftest import PASSWORD
from tests.documents.test_bulletins import district  # noqa: F401  (fixture)
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)

# 2026: National Day 1–7 October off, Saturday 10 October worked (as published).
CAL = WorkCalendar(holidays={dt.date(2026, 10, d) for d in range(1, 8)}, workdays={dt.date(2026, 10, 10)},
                   covered_years={2026})
AUTO = reverse("documents:bulletin_auto")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_the_daily_bulletin_is_drafted_on_working_days_only():
    nxt = lambda after: next_occurrence(kind="inspections", weekday=None, at=dt.time(17, 30),  # noqa: E731
                                        after=after, calendar=CAL)
    assert nxt(at(dt.date(2026, 9, 29), 9)) == at(dt.date(2026, 9, 29), 17, 30)  # later that day
    assert nxt(at(dt.date(2026, 9, 29), 17, 30)) == at(dt.date(2026, 9, 30), 17, 30)  # strictly after
    # Wednesday 30 September after the time: the holiday week and Sunday pass, the worked Saturday counts.
    assert nxt(at(dt.date(2026, 9, 30), 18)) == at(dt.date(2026, 10, 8), 17, 30)
    assert nxt(at(dt.date(2026, 10, 9), 18)) == at(dt.date(2026, 10, 10), 17, 30)
    assert nxt(at(dt.date(2026, 10, 10), 18)) == at(dt.date(2026, 10, 12), 17, 30)
    # A year whose arrangement is not entered yet: Monday to Friday, so the schedule goes on.
    assert nxt(at(dt.date(2031, 1, 3), 18)) == at(dt.date(2031, 1, 6), 17, 30)


def test_the_weekly_bulletin_keeps_its_weekday_and_moves_off_a_holiday():
    nxt = lambda after: next_occurrence(kind="projects", weekday=4, at=dt.time(16), after=after,  # noqa: E731
                                        calendar=CAL)
    assert nxt(at(dt.date(2026, 9, 21), 9)) == at(dt.date(2026, 9, 25), 16)  # Monday → that Friday
    assert nxt(at(dt.date(2026, 9, 25), 16, 1)) == at(dt.date(2026, 10, 8), 16)  # Friday 2 Oct is off → Thursday 8th
    assert nxt(at(dt.date(2026, 10, 8), 17)) == at(dt.date(2026, 10, 9), 16)  # …and the next Friday is worked


def test_a_schedule_drafts_each_occurrence_once_as_its_owner(district):  # noqa: F811
    office = district["office"]
    schedule = bulletin_schedule_save(actor=office, kind="inspections", enabled=True, weekday=None,
                                      at=dt.time(17, 30), version=0)
    due = schedule.next_due
    assert due is not None and due > timezone.now() and timezone.localtime(due).time() == dt.time(17, 30)
    assert AuditEntry.objects.filter(action="documents.bulletin_schedule", user=office).count() == 1
    assert bulletin_schedules_fire(now=due - dt.timedelta(minutes=1)) == []  # not yet

    drafts = bulletin_schedules_fire(now=due)
    assert len(drafts) == 1
    doc = drafts[0]
    assert (doc.kind, doc.status, doc.created_by, doc.day) == ("inspections", "draft", office,
                                                               timezone.localtime(due).date())
    assert doc.number is None and DocumentNumber.objects.count() == 0  # a draft: no number taken
    schedule.refresh_from_db()
    assert schedule.next_due > due and schedule.last_doc == doc and schedule.last_error == ""
    # The same occurrence again (a second worker, a task run twice): nothing more.
    assert bulletin_schedules_fire(now=due) == [] and BulletinDoc.objects.count() == 1

    # Switched off: its queued occurrence drafts nothing.
    off = bulletin_schedule_save(actor=office, kind="inspections", enabled=False, weekday=None,
                                 at=dt.time(17, 30), version=schedule.version)
    assert off.next_due is None
    assert bulletin_schedules_fire(now=schedule.next_due + dt.timedelta(days=30)) == []


def test_a_stale_or_bad_schedule_form_is_refused(district):  # noqa: F811
    office = district["office"]
    bulletin_schedule_save(actor=office, kind="projects", enabled=True, weekday=4, at=dt.time(16), version=0)
    with pytest.raises(ScheduleConflict):
        bulletin_schedule_save(actor=office, kind="projects", enabled=True, weekday=3, at=dt.time(16), version=0)
    with pytest.raises(ValidationError) as caught:
        bulletin_schedule_save(actor=office, kind="projects", enabled=True, weekday=None, at=None, version=1)
    assert set(caught.value.message_dict) == {"weekday", "at"}
    with pytest.raises(ValidationError, match="只有督导检查日通报和重点项目周通报"):
        bulletin_schedule_save(actor=office, kind="results", enabled=True, weekday=None, at=dt.time(9), version=0)
    assert BulletinSchedule.objects.get().weekday == 4


def test_an_owner_who_lost_the_right_gets_the_reason_and_the_schedule_goes_on(district):  # noqa: F811
    owner = user_create(actor=None, username="khb_2", password=PASSWORD)
    grant = role_grant(actor=None, user=owner, role=Role.OFFICE, units=[district["district"]])
    schedule = bulletin_schedule_save(actor=owner, kind="inspections", enabled=True, weekday=None,
                                      at=dt.time(17, 30), version=0)
    role_revoke(actor=None, grant=grant)
    assert bulletin_schedules_fire(now=schedule.next_due) == []
    schedule.refresh_from_db()
    assert "未能起草" in schedule.last_error and schedule.last_doc is None and BulletinDoc.objects.count() == 0
    page = _client(district["office"]).get(AUTO).content.decode()
    assert 'data-testid="last-error-inspections"' in page and "未能起草" in page


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_saving_a_schedule_queues_its_occurrence_for_the_worker(district):  # noqa: F811
    from django_tasks_db.models import DBTaskResult

    schedule = bulletin_schedule_save(actor=district["office"], kind="inspections", enabled=True, weekday=None,
                                      at=dt.time(17, 30), version=0)
    queued = DBTaskResult.objects.get(task_path="duibiao.documents.tasks.bulletin_schedules_due")
    assert queued.run_after == schedule.next_due and queued.status == "READY"


def test_a_batch_plan_names_what_is_wrong():
    plan = batch_plan(kinds=["inspections", "projects"], start=dt.date(2026, 10, 7), end=dt.date(2026, 10, 10),
                      calendar=CAL)
    assert plan == [("projects", dt.date(2026, 10, 8)), ("inspections", dt.date(2026, 10, 8)),
                    ("projects", dt.date(2026, 10, 9)), ("inspections", dt.date(2026, 10, 9)),
                    ("projects", dt.date(2026, 10, 10)), ("inspections", dt.date(2026, 10, 10))]
    for kinds, start, end, field in (([], D, D, "kinds"), (["bogus"], D, D, "kinds"),
                                     (["inspections"], D, D - dt.timedelta(days=1), "end"),
                                     (["inspections"], D, D + dt.timedelta(days=31), "end"),
                                     (["inspections"], dt.date(2026, 10, 3), dt.date(2026, 10, 4), "start")):
        with pytest.raises(ValidationError) as caught:
            batch_plan(kinds=kinds, start=start, end=end, calendar=CAL)
        assert field in caught.value.message_dict, (kinds, start, end)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        batch_plan(kinds=["inspections"], start=tomorrow, end=tomorrow, calendar=CAL)


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_batch_runs_as_a_job_and_its_drafts_come_in_one_zip(district):  # noqa: F811
    office = _client(district["office"])
    assert 'data-testid="auto-link"' in office.get(reverse("documents:bulletins")).content.decode()
    response = office.post(reverse("documents:bulletin_batch"),
                           {"kinds": ["projects", "inspections"], "start": "2026-10-19", "end": "2026-10-20"})
    assert response.status_code == 302 and response["Location"] == reverse("web:jobs")
    job = ExportJob.objects.get()
    assert (job.kind, job.status, job.percent) == ("bulletin_batch", "done", 100), job.error
    drafts = BulletinDoc.objects.order_by("pk")
    assert [(d.kind, d.day) for d in drafts] == [("projects", dt.date(2026, 10, 19)), ("inspections", dt.date(2026, 10, 19)),
                                                 ("projects", D), ("inspections", D)]
    assert all(d.status == "draft" and d.number is None for d in drafts)
    assert AuditEntry.objects.filter(action="documents.bulletin.draft").count() == 4

    download = office.get(reverse("web:job_download", args=[job.pk]))
    assert download["Content-Type"] == "application/zip" and "attachment" in download["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert len(names) == 4 and all(n.endswith("（草稿）.docx") for n in names)
    text = "\n".join(p.text for p in Document(io.BytesIO(archive.read(names[-1]))).paragraphs)
    assert drafts.last().title in text or "督导检查" in text


def test_the_pages_show_errors_beside_their_fields(district):  # noqa: F811
    office = _client(district["office"])
    page = office.get(AUTO)
    assert page.status_code == 200 and 'data-testid="batch-form"' in page.content.decode()
    bad = office.post(reverse("documents:bulletin_batch"), {"start": "2026-10-20", "end": "2026-10-19"})
    body = bad.content.decode()
    assert bad.status_code == 400 and 'data-testid="error-kinds"' in body and 'data-testid="error-end"' in body
    bad = office.post(reverse("documents:bulletin_schedule", args=["inspections"]),
                      {"enabled": "on", "at": "25:99", "version": "0"})
    assert bad.status_code == 400 and 'data-testid="error-at-inspections"' in bad.content.decode()
    stale = office.post(reverse("documents:bulletin_schedule", args=["inspections"]), {"enabled": "on", "at": "17:30"})
    assert stale.status_code == 400 and 'data-testid="error-page"' in stale.content.decode()
    ok = office.post(reverse("documents:bulletin_schedule", args=["projects"]),
                     {"enabled": "on", "weekday": "4", "at": "16:00", "version": "0"})
    assert ok.status_code == 302
    shown = office.get(AUTO).content.decode()
    saved = BulletinSchedule.objects.get()
    assert timezone.localtime(saved.next_due).strftime("%Y-%m-%d %H:%M") in shown and saved.weekday == 4
    assert not ExportJob.objects.exists()


def test_other_roles_and_districts_are_refused(district):  # noqa: F811
    reporter = _client(district["reporter_a"])
    assert reporter.get(AUTO).status_code == 403
    assert reporter.post(reverse("documents:bulletin_batch"),
                         {"kinds": ["inspections"], "start": "2026-10-20", "end": "2026-10-20"}).status_code == 403
    assert reporter.post(reverse("documents:bulletin_schedule", args=["inspections"]),
                         {"enabled": "on", "at": "17:30", "version": "0"}).status_code == 403
    bulletin_schedule_save(actor=district["office"], kind="inspections", enabled=True, weekday=None,
                           at=dt.time(17, 30), version=0)
    other = user_create(actor=None, username="khb_ng", password=PASSWORD)
    role_grant(actor=None, user=other, role=Role.OFFICE, units=[district["other_district"]])
    theirs = _client(other)
    assert 'data-testid="next-inspections">未启用' in theirs.get(AUTO).content.decode().replace("\n", "")
    # Its own schedule is its own district's; ours is untouched.
    assert theirs.post(reverse("documents:bulletin_schedule", args=["inspections"]),
                       {"enabled": "on", "at": "08:00", "version": "0"}).status_code == 302
    mine, its = BulletinSchedule.objects.order_by("pk")
    assert (mine.district, mine.at, its.district, its.at) == (
        district["district"], dt.time(17, 30), district["other_district"], dt.time(8))
    assert ExportJob.objects.count() == 0 and BulletinDoc.objects.count() == 0
