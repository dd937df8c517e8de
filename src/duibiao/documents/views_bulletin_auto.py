"""通报 批量与定时 page: a batch of drafts run as a background job (then the 任务 page shows
its bar), and the schedules that draft the daily and weekly bulletins by themselves. Thin: parse,
call the services, render; errors beside their fields (400), a stale form at the top (409)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from duibiao.accounts import gate
from duibiao.accounts.models import User
from duibiao.documents.bulletin_batch import ORDER, bulletin_batch_start
from duibiao.documents.bulletin_schedules import (
    WEEKDAYS,
    WEEKLY,
    ScheduleConflict,
    bulletin_schedule_save,
    schedules_visible,
)
from duibiao.documents.bulletin_services import EDIT
from duibiao.documents.models import BulletinDoc, BulletinSchedule
from duibiao.params import BadParameter, date_param, version_param

DEFAULT_AT = {"inspections": "17:30", "projects": "16:00"}


def _page(request: HttpRequest, *, errors: dict[str, str] | None = None, form: dict[str, object] | None = None,
          schedule_form: dict[str, object] | None = None, status: int = 200) -> HttpResponse:
    gate.require(request.user, EDIT)
    today = timezone.localdate().isoformat()
    schedules = schedules_visible(user=request.user)
    rows = []
    for kind, label in BulletinSchedule.Kind.choices:
        current = schedules.get(kind)
        posted = schedule_form if schedule_form and schedule_form.get("kind") == kind else None
        rows.append({
            "kind": kind, "label": label, "weekly": kind in WEEKLY, "schedule": current,
            "enabled": posted["enabled"] if posted else (current.enabled if current else False),
            "weekday": posted["weekday"] if posted else (current.weekday if current and current.weekday is not None else 4),
            "at": posted["at"] if posted else (current.at.strftime("%H:%M") if current else DEFAULT_AT[kind]),
            "version": current.version if current else 0,
            "errors": (errors or {}) if posted else {},
        })
    return render(request, "documents/bulletins/auto.html", {
        "kinds": [(k, label) for k, label in BulletinDoc.Kind.choices if k in ORDER],
        "form": form or {"kinds": ["inspections"], "start": today, "end": today},
        "errors": errors if schedule_form is None else {}, "rows": rows,
        "page_error": (errors or {}).get("page", ""),
        "weekdays": list(enumerate(WEEKDAYS)),
    }, status=status)


@login_required
def bulletin_auto(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_http_methods(["POST"])
def bulletin_batch_new(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, EDIT)
    actor = cast(User, request.user)
    kinds = request.POST.getlist("kinds")
    form: dict[str, object] = {"kinds": kinds, "start": request.POST.get("start", ""), "end": request.POST.get("end", "")}
    errors: dict[str, str] = {}
    dates: dict[str, dt.date] = {}
    for name, label in (("start", _("开始日期")), ("end", _("结束日期"))):
        try:
            dates[name] = date_param(request.POST, name, label=label)
        except BadParameter as exc:
            errors[name] = exc.message
    if not errors:
        try:
            _job, drafts = bulletin_batch_start(actor=actor, kinds=kinds, start=dates["start"], end=dates["end"])
        except ValidationError as exc:
            errors = {name: " ".join(msgs) for name, msgs in exc.message_dict.items()}
    if errors:
        return _page(request, errors=errors, form=form, status=400)
    messages.success(request, _("已在后台起草 %(n)d 份通报，可在“任务”页查看进度并下载。") % {"n": drafts})
    return redirect("web:jobs")


@login_required
@require_http_methods(["POST"])
def bulletin_schedule(request: HttpRequest, kind: str) -> HttpResponse:
    gate.require(request.user, EDIT)
    weekday_text = request.POST.get("weekday", "")
    at_text = request.POST.get("at", "").strip()
    form: dict[str, object] = {"kind": kind, "enabled": request.POST.get("enabled") == "on",
                               "weekday": int(weekday_text) if weekday_text.isdigit() else None, "at": at_text}
    at = None
    errors: dict[str, str] = {}
    try:
        at = dt.time.fromisoformat(at_text) if at_text else None
    except ValueError:
        errors["at"] = _("起草时间应为“时:分”，例如 17:30")
    try:
        version = version_param(request.POST)
    except BadParameter as exc:
        errors["page"] = exc.message
    if not errors:
        try:
            saved = bulletin_schedule_save(actor=cast(User, request.user), kind=kind, enabled=bool(form["enabled"]),
                                           weekday=form["weekday"] if isinstance(form["weekday"], int) else None,
                                           at=at, version=version)
        except ValidationError as exc:
            errors = {name: " ".join(msgs) for name, msgs in exc.message_dict.items()}
        except ScheduleConflict as exc:
            return _page(request, errors={"page": str(exc)}, schedule_form=form, status=409)
        else:
            if saved.enabled and saved.next_due:
                messages.success(request, _("已保存：下次将于 %(at)s 自动起草%(kind)s。") % {
                    "at": timezone.localtime(saved.next_due).strftime("%Y-%m-%d %H:%M"),
                    "kind": saved.get_kind_display()})
            else:
                messages.success(request, _("已停用%(kind)s的定时起草。") % {"kind": saved.get_kind_display()})
            return redirect("documents:bulletin_auto")
    return _page(request, errors=errors, schedule_form=form, status=400)
