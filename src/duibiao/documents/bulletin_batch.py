"""通报批量起草: several drafts in one background job — the kinds chosen, for every working day
of a date range (the daily bulletins of a week missed over a holiday, say), and the results
bulletin of the latest published run once — with the job's bar moving one draft at a time, and
their Word files in one zip on the 任务 page. Each draft is an ordinary draft on the 通报 page,
to be rewritten and issued there; nothing here takes a number.

    plan = batch_plan(kinds=["inspections", "projects"], start=d1, end=d2, calendar=work_calendar())
    job = export_job_create(actor=office, kind=ExportJob.Kind.BULLETIN_BATCH,
                            params=batch_params(kinds=[...], start=d1, end=d2), title=..., unit=district)
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.documents.bulletin_schedules import drafting_day
from duibiao.documents.bulletin_selectors import published_runs
from duibiao.documents.bulletin_services import (
    EDIT,
    actor_district,
    bulletin_draft_prepare,
    bulletin_draft_save,
)
from duibiao.documents.bulletins.kinds import KINDS, layout
from duibiao.documents.models import ExportJob
from duibiao.engine.workdays import WorkCalendar
from duibiao.workdays.selectors import work_calendar

if TYPE_CHECKING:
    from duibiao.accounts.models import User

MAX_DAYS = 31  # a month of daily bulletins at most: a batch is a catch-up, not an archive
ORDER = ("results", "projects", "inspections")


def batch_plan(*, kinds: list[str], start: dt.date, end: dt.date, calendar: WorkCalendar) -> list[tuple[str, dt.date]]:
    """(kind, day) of every draft of a batch, in order: the results bulletin once (dated by its
    run), the projects and inspections bulletins on each working day from `start` to `end`.
    Raises ValidationError naming the field."""
    errors: dict[str, str] = {}
    chosen = [k for k in ORDER if k in kinds]
    if not chosen or any(k not in KINDS for k in kinds):
        errors["kinds"] = _("请至少选择一种通报")
    if end < start:
        errors["end"] = _("结束日期不能早于开始日期")
    elif (end - start).days + 1 > MAX_DAYS:
        errors["end"] = _("一次最多起草 %(n)d 天的通报") % {"n": MAX_DAYS}
    elif end > timezone.localdate():
        errors["end"] = _("结束日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    working = [d for d in days if drafting_day(calendar, d)]
    plan = [("results", end)] if "results" in chosen else []
    plan += [(kind, day) for day in working for kind in chosen if kind != "results"]
    if not plan:
        raise ValidationError({"start": _("所选日期内没有工作日")})
    return plan


def batch_params(*, kinds: list[str], start: dt.date, end: dt.date) -> dict[str, Any]:
    return {"kinds": [k for k in ORDER if k in kinds], "start": start.isoformat(), "end": end.isoformat()}


def bulletin_batch_start(*, actor: User, kinds: list[str], start: dt.date, end: dt.date) -> tuple[ExportJob, int]:
    """Queue a batch of drafts (the 批量与定时 page's form and the API): the job and how many
    drafts it will make. ValidationError names the field; nothing is queued then."""
    gate.require(actor, EDIT)
    plan = batch_plan(kinds=kinds, start=start, end=end, calendar=work_calendar())
    title = _("通报批量起草（%(start)s 至 %(end)s，%(n)d份）") % {
        "start": start.isoformat(), "end": end.isoformat(), "n": len(plan)}
    # export_jobs runs bulletin_batch (its EXPORTS table imports this module): imported here.
    from duibiao.documents.export_jobs import export_job_create

    job = export_job_create(actor=actor, kind=ExportJob.Kind.BULLETIN_BATCH, title=title, unit=actor_district(actor),
                            params=batch_params(kinds=kinds, start=start, end=end))
    return job, len(plan)


def bulletin_batch(user: User, params: dict[str, Any], step: Callable[[int, str], None]) -> tuple[str, bytes]:
    """The task body: read and lay out each bulletin of the plan as `user` (through the gate),
    the bar moving per bulletin, then save every draft in one transaction — a worker stopped
    half-way leaves no half batch behind, and the job is simply run again."""
    plan = batch_plan(kinds=list(params["kinds"]), start=dt.date.fromisoformat(params["start"]),
                      end=dt.date.fromisoformat(params["end"]), calendar=work_calendar())
    run = published_runs(user=user).first() if any(kind == "results" for kind, _day in plan) else None
    if any(kind == "results" for kind, _day in plan) and run is None:
        raise ValidationError({"kinds": _("没有已公布的考核结果，不能起草考核结果通报")})
    buffer = io.BytesIO()
    today = timezone.localdate()
    drafts = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (kind, day) in enumerate(plan):
            step(10 + 80 * i // len(plan), _("正在起草第 %(i)d 份，共 %(n)d 份") % {"i": i + 1, "n": len(plan)})
            draft = bulletin_draft_prepare(actor=user, kind=kind, run=run if kind == "results" else None, day=day)
            data = layout(kind, user=user, district=draft.district, run=draft.run, figures=draft.figures,
                          texts=draft.texts, date=today).save()
            archive.writestr(f"{i + 1:02d}-{draft.title}（草稿）.docx", data)
            drafts.append(draft)
    step(90, _("正在保存草稿"))
    bulletin_draft_save(actor=user, drafts=drafts)
    return _("通报草稿（%(n)d份）.zip") % {"n": len(plan)}, buffer.getvalue()
