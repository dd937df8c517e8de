"""定时起草: the office sets a bulletin kind to be drafted at a fixed time — the 督导检查日通报
every working day, the 重点项目周通报 on one weekday — and the task worker drafts it then, as
the office member who set it. Only drafts: a person still rewrites and issues each one.

One occurrence is queued at a time (`next_due`, a deferred task of the database backend). The
task drafts every schedule that is due and whose `next_due` it can still claim, so a schedule
changed or switched off while its task waited, or two workers, draft nothing twice:

    schedule = bulletin_schedule_save(actor=office, kind="inspections", enabled=True, weekday=None,
                                      at=dt.time(17, 30), version=0)
    bulletin_schedules_fire(now=timezone.now())   # what the queued task calls; returns the drafts
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.audit.services import audit_record
from duibiao.documents.bulletin_services import EDIT, actor_district, bulletin_draft_create
from duibiao.documents.models import BulletinDoc, BulletinSchedule
from duibiao.engine.workdays import CalendarGap, WorkCalendar
from duibiao.org.models import Unit
from duibiao.workdays.selectors import work_calendar

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

WEEKLY = {BulletinSchedule.Kind.PROJECTS}
WEEKDAYS = [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")]


class ScheduleConflict(Exception):
    """The schedule changed since the page was loaded."""


def drafting_day(calendar: WorkCalendar, day: dt.date) -> bool:
    try:
        return calendar.is_workday(day)
    except CalendarGap:
        # Next year's arrangement is published in November or later: a schedule must not stop
        # at New Year for want of it, so until it is entered Monday to Friday are working days.
        return day.weekday() < 5


def next_occurrence(*, kind: str, weekday: int | None, at: dt.time, after: dt.datetime,
                    calendar: WorkCalendar) -> dt.datetime:
    """The first drafting time strictly after `after` (aware, in the site's time zone): a daily
    kind at `at` on the next working day; a weekly kind at `at` on `weekday`, or on the first
    working day after it when that day is a holiday."""
    local = timezone.localtime(after)
    day = local.date()
    for _step in range(400):
        if kind in WEEKLY:
            due_day = day
            if day.weekday() == weekday:
                while not drafting_day(calendar, due_day):
                    due_day += dt.timedelta(days=1)
                candidate = timezone.make_aware(dt.datetime.combine(due_day, at))
                if candidate > after:
                    return candidate
        elif drafting_day(calendar, day):
            candidate = timezone.make_aware(dt.datetime.combine(day, at))
            if candidate > after:
                return candidate
        day += dt.timedelta(days=1)
    raise ValueError("no drafting day within 400 days")  # a calendar without working days


def schedules_visible(*, user: User | AnonymousUser) -> dict[str, BulletinSchedule]:
    """The schedules of the user's district by kind (an office member's page)."""
    if not gate.allows(user, EDIT):
        return {}
    district = gate.units(user, EDIT).filter(kind=Unit.Kind.DISTRICT).order_by("path").first()
    if district is None:
        return {}
    return {s.kind: s for s in BulletinSchedule.objects.filter(district=district).select_related("last_doc", "owner")}


def _check(kind: str, weekday: int | None, at: dt.time | None) -> None:
    errors: dict[str, str] = {}
    if kind not in BulletinSchedule.Kind.values:
        errors["kind"] = _("只有督导检查日通报和重点项目周通报可以定时起草")
    elif kind in WEEKLY and (weekday is None or not 0 <= weekday <= 6):
        errors["weekday"] = _("请选择每周起草的星期")
    if at is None:
        errors["at"] = _("请填写起草时间，例如 17:30")
    if errors:
        raise ValidationError(errors)


def bulletin_schedule_save(*, actor: User, kind: str, enabled: bool, weekday: int | None, at: dt.time | None,
                           version: int) -> BulletinSchedule:
    """Set (version 0: create) the actor's district's schedule of `kind`; the actor becomes the
    one it drafts as. Queues the next occurrence once committed."""
    district = actor_district(actor)
    _check(kind, weekday, at)
    assert at is not None
    weekly_day = weekday if kind in WEEKLY else None
    with transaction.atomic():
        current = BulletinSchedule.objects.select_for_update().filter(district=district, kind=kind).first()
        if (current.version if current else 0) != version:
            raise ScheduleConflict(_("定时起草的设置已被他人修改，请刷新页面后再保存。"))
        before = _state(current) if current else None
        schedule = current or BulletinSchedule(district=district, kind=kind, owner=actor)
        schedule.enabled, schedule.weekday, schedule.at, schedule.owner = enabled, weekly_day, at, actor
        schedule.next_due = next_occurrence(kind=kind, weekday=weekly_day, at=at, after=timezone.now(),
                                            calendar=work_calendar()) if enabled else None
        schedule.version = version + 1
        schedule.save()
        audit_record(actor=actor, action="documents.bulletin_schedule", obj=schedule, unit=district,
                     before=before, after=_state(schedule))
        _queue_on_commit(schedule.next_due)
    return schedule


def _state(schedule: BulletinSchedule) -> dict[str, object]:
    return {"kind": schedule.kind, "enabled": schedule.enabled, "weekday": schedule.weekday,
            "at": schedule.at.strftime("%H:%M"),
            "next_due": schedule.next_due.isoformat() if schedule.next_due else None}


def _queue_on_commit(due: dt.datetime | None) -> None:
    """The deferred task that fires at `due` (the database backend keeps it across restarts).
    A backend that cannot defer (the immediate one of tests and `make demo` without a worker)
    queues nothing: `duibiao bulletin --due` or the next save fires what is due."""
    if due is None:
        return
    from duibiao.documents.tasks import bulletin_schedules_due

    def queue() -> None:
        task = bulletin_schedules_due
        if task.get_backend().supports_defer:
            task.using(run_after=due).enqueue()

    transaction.on_commit(queue)


def bulletin_schedules_fire(*, now: dt.datetime) -> list[BulletinDoc]:
    """Draft every enabled schedule due at `now` and move it to its next occurrence; returns
    the drafts. A schedule whose owner may no longer draft keeps the reason (shown on the page)
    and still moves on, so one refusal does not stop the days after it."""
    calendar = work_calendar()
    drafts: list[BulletinDoc] = []
    due = BulletinSchedule.objects.filter(enabled=True, next_due__lte=now).select_related("owner")
    for schedule in due:
        following = next_occurrence(kind=schedule.kind, weekday=schedule.weekday, at=schedule.at,
                                    after=max(now, schedule.next_due or now), calendar=calendar)
        # Claim the occurrence: only the worker that moves next_due on drafts it.
        claimed = BulletinSchedule.objects.filter(pk=schedule.pk, enabled=True, next_due=schedule.next_due).update(
            next_due=following, last_run_at=now)
        if not claimed:
            continue
        day = timezone.localtime(schedule.next_due or now).date()
        doc, error = None, ""
        try:
            doc = bulletin_draft_create(actor=schedule.owner, kind=schedule.kind, day=day)
        except (PermissionDenied, ValidationError) as exc:
            error = _("未能起草：%(reason)s（设置人 %(user)s 可能已没有起草通报的权限，请重新保存设置）") % {
                "reason": " ".join(getattr(exc, "messages", [str(exc)])), "user": schedule.owner}
        BulletinSchedule.objects.filter(pk=schedule.pk).update(last_doc=doc, last_error=error)
        if doc is not None:
            drafts.append(doc)
        _queue_on_commit(following)
    return drafts
