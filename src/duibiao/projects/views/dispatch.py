"""调度会 and 交办事项 pages: parse, call one selector or service, render. A refusal of the
rules (ProjectInvalid, ProjectError, ConflictError) is shown on the same page beside what
caused it, with the values typed kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duibiao.params import BadParameter, date_param, int_param, version_param
from duibiao.projects.errors import ConflictError, ProjectError, ProjectInvalid
from duibiao.projects.models import Cadence, DispatchMeeting
from duibiao.projects.selectors import dispatch as sel
from duibiao.projects.services import dispatch as svc
from duibiao.projects.views import actor


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """render() with the tabs' flags: which of these pages the user has (from the gate)."""
    context["dispatch_actions"] = sel.dispatch_actions(user=request.user)
    return render(request, template, context, status=status)


def form_values(data: Any, *names: str, **defaults: str) -> dict[str, str]:
    """The form's values to show again (every name present, blank when not sent), so a
    refused form keeps what was typed and a fresh one shows its defaults."""
    return {name: str(data.get(name, defaults.get(name, "")) if data else defaults.get(name, "")) for name in names}


MEETING_FIELDS = ("district", "cadence", "held_on", "chair")
ASSIGNMENT_FIELDS = ("text", "unit", "project", "workdays")


def _refusal(exc: ProjectError, place: str) -> dict[str, Any]:
    """The errors to show: by field for ProjectInvalid, else beside `place` (a button)."""
    if isinstance(exc, ProjectInvalid):
        return dict(exc.errors)
    return {place: str(exc)}


def _status(exc: ProjectError) -> int:
    return 409 if isinstance(exc, ConflictError) else 400


# ---------------------------------------------------------------------------- meetings


def _list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    districts = list(sel.meeting_districts(user=request.user))
    context = {"meetings": sel.meeting_list(user=request.user)[:200], "districts": districts,
               "cadences": Cadence.choices, "rules": sel.cadence_rules(), "errors": {}, **extra}
    context["form"] = form_values(extra.get("form"), *MEETING_FIELDS, held_on=sel.today().isoformat())
    return context


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request)
    if not sel.holds(user=request.user, action="projects.meeting.view"):
        raise PermissionDenied
    return _render(request, "projects/dispatch/meeting_list.html", context)


@login_required
@require_POST
def meeting_new(request: HttpRequest) -> HttpResponse:
    districts = {d.pk: d for d in sel.meeting_districts(user=request.user)}
    if not districts:
        raise PermissionDenied
    form = request.POST
    errors: dict[str, str] = {}
    district = districts.get(int_param(form, "district", label=_("区县"), default=0))
    if district is None:
        errors["district"] = _("请选择区县。")
    try:
        held_on = date_param(form, "held_on", label=_("召开日期"))
    except BadParameter as bad:
        errors["held_on"] = bad.message
    if not errors:
        assert district is not None
        try:
            meeting = svc.meeting_create(actor=actor(request), district=district, cadence=form.get("cadence", ""),
                                         held_on=held_on, chair=form.get("chair", ""))
        except ProjectError as exc:
            errors = _refusal(exc, "cadence")
        else:
            return redirect("dispatch:meeting_detail", pk=meeting.pk)
    return _render(request, "projects/dispatch/meeting_list.html",
                  _list_context(request, errors=errors, form=form), status=400)


def _detail_context(request: HttpRequest, meeting: DispatchMeeting, **extra: Any) -> dict[str, Any]:
    can_manage = sel.can_manage(user=request.user, meeting=meeting)
    planned = meeting.status == DispatchMeeting.Status.PLANNED
    context: dict[str, Any] = {
        "meeting": meeting, "agenda": sel.meeting_agenda(meeting),
        "assignments": sel.meeting_assignments(meeting), "can_edit": can_manage and planned,
        "errors": {}, "minutes": meeting.minutes,
    }
    if can_manage and planned:
        context.update(units=sel.meeting_units(meeting), projects=sel.district_projects(meeting.district),
                       default_workdays=sel.default_workdays(meeting))
    context.update(extra)
    context["form"] = form_values(extra.get("form"), *ASSIGNMENT_FIELDS,
                                  workdays=str(context.get("default_workdays", "")))
    return context


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = sel.meeting_get(user=request.user, pk=pk)
    return _render(request, "projects/dispatch/meeting_detail.html", _detail_context(request, meeting))


def _manage(request: HttpRequest, pk: int) -> DispatchMeeting:
    meeting = sel.meeting_get(user=request.user, pk=pk)
    if not sel.can_manage(user=request.user, meeting=meeting):
        raise PermissionDenied(_("您的角色不能安排调度会、记录纪要、交办事项、结束会议。"))
    return meeting


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manage(request, pk)
    version = version_param(request.POST)
    try:
        svc.meeting_minutes_save(actor=actor(request), meeting=meeting, version=version,
                                 minutes=request.POST.get("minutes", ""))
    except ProjectError as exc:
        return _render(request, "projects/dispatch/meeting_detail.html", _detail_context(
            request, meeting, errors=_refusal(exc, "minutes"), minutes=request.POST.get("minutes", "")),
            status=_status(exc))
    messages.success(request, _("会议纪要已保存。"))
    return redirect("dispatch:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manage(request, pk)
    form = request.POST
    version = version_param(form)
    errors: dict[str, str] = {}
    unit = sel.meeting_units(meeting).filter(pk=int_param(form, "unit", label=_("责任单位"), default=0)).first()
    if unit is None:
        errors["unit"] = _("请选择本区县的责任单位。")
    project_id = int_param(form, "project", label=_("项目"), default=None)
    project = sel.district_projects(meeting.district).filter(pk=project_id).first() if project_id else None
    if project_id and project is None:
        errors["project"] = _("只能关联本区县的项目。")
    workdays = int_param(form, "workdays", label=_("办理期限（工作日）"), default=0, min_value=0, max_value=1000)
    if not errors:
        assert unit is not None
        try:
            svc.assignment_create(actor=actor(request), meeting=meeting, version=version, text=form.get("text", ""),
                                  unit=unit, workdays=workdays, project=project)
        except ProjectError as exc:
            errors = _refusal(exc, "assignment")
        else:
            messages.success(request, _("已交办。"))
            return redirect("dispatch:meeting_detail", pk=meeting.pk)
    return _render(request, "projects/dispatch/meeting_detail.html",
                  _detail_context(request, meeting, errors=errors, form=form), status=400)


@login_required
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manage(request, pk)
    version = version_param(request.POST)
    try:
        svc.meeting_close(actor=actor(request), meeting=meeting, version=version)
    except ProjectError as exc:
        return _render(request, "projects/dispatch/meeting_detail.html",
                      _detail_context(request, meeting, errors=_refusal(exc, "close")), status=_status(exc))
    messages.success(request, _("会议已结束，议程与交办事项已存档。"))
    return redirect("dispatch:meeting_detail", pk=meeting.pk)


# ---------------------------------------------------------------------------- assignments


def _assignments_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    assignments = list(sel.assignment_list(user=request.user)[:500])
    rows = sel.assignment_rows(assignments)
    for row, a in zip(rows, assignments, strict=True):
        row["can_reply"] = sel.can_reply(user=request.user, assignment=a)
    context = {"rows": rows, "errors": {}, "failed": None, **extra}
    context["form"] = form_values(extra.get("form"), "reply")
    return context


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    if not sel.holds(user=request.user, action="projects.assignment.view"):
        raise PermissionDenied
    return _render(request, "projects/dispatch/assignment_list.html", _assignments_context(request))


@login_required
@require_POST
def assignment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = sel.assignment_get(user=request.user, pk=pk)
    version = version_param(request.POST)
    try:
        svc.assignment_reply(actor=actor(request), assignment=assignment, version=version,
                             reply=request.POST.get("reply", ""), done=request.POST.get("done") == "1")
    except ProjectError as exc:
        return _render(request, "projects/dispatch/assignment_list.html", _assignments_context(
            request, errors=_refusal(exc, "reply"), form=request.POST, failed=assignment.pk), status=_status(exc))
    messages.success(request, _("办理情况已报送。"))
    return redirect("dispatch:assignment_list")
