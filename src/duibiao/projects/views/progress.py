"""进度填报 (one screen, phone first), 难点堵点, the photos, and the 项目服务秘书's workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duibiao.accounts import gate
from duibiao.files.serve import file_response
from duibiao.files.viewer import viewer_response
from duibiao.org.models import Unit
from duibiao.params import int_param, version_param
from duibiao.projects import selectors as sel
from duibiao.projects.errors import ConflictError, PhotoRejected, ProjectError, ProjectInvalid
from duibiao.projects.models import Project
from duibiao.projects.selectors.forms import asked_units
from duibiao.projects.services.progress import problem_raise, problem_solve, progress_report
from duibiao.projects.views import actor
from duibiao.projects.views.library import detail_response


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, "projects.progress.report")
    items = sel.my_projects(user=request.user, today=timezone.localdate())
    return render(request, "projects/workspace.html", {
        "items": items, "due": sum(1 for i in items if i.due_this_week)})


def _asked_unit(request: HttpRequest, project: Project) -> Unit | None:
    unit_id = int_param(request.POST, "problem_unit", label=_("协调解决单位"), default=None, min_value=1)
    return asked_units(project=project).filter(pk=unit_id).first() if unit_id else None


@login_required
def progress_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = sel.project_for(user=request.user, pk=pk)
    gate.require(request.user, "projects.progress.report", unit=project.owner_unit, secretary=project.secretary_id)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            progress_report(
                actor=actor(request), project=project, version=version_param(request.POST),
                completed_ytd=request.POST.get("completed_ytd", ""),
                funds_in_place=request.POST.get("funds_in_place", ""), text=request.POST.get("text", ""),
                photos=request.FILES.getlist("photos"), problem_text=request.POST.get("problem_text", ""),
                problem_unit=_asked_unit(request, project),
            )
            messages.success(request, _("进度已提交"))
            return redirect(request.POST.get("next") == "mine" and reverse("projects:workspace")
                            or reverse("projects:project_detail", args=[project.pk]))
        except ProjectInvalid as exc:
            errors, status = exc.errors, 400
        except PhotoRejected as exc:
            errors, status = {"photos": str(exc)}, 400
        except ConflictError as exc:
            errors, status = {"form": str(exc)}, 409
    return render(request, "projects/progress.html", {
        "project": project, "errors": errors, "data": request.POST, "units": asked_units(project=project),
        "last": sel.last_report(project=project),
        "next": request.GET.get("next") or request.POST.get("next", ""),
    }, status=status)


@login_required
@require_POST
def problem_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = sel.project_for(user=request.user, pk=pk)
    try:
        problem_raise(actor=actor(request), project=project, text=request.POST.get("problem_text", ""),
                      asked_unit=_asked_unit(request, project))
    except ProjectInvalid as exc:
        return detail_response(request, project.pk, errors=exc.errors, status=400)
    messages.success(request, _("难点堵点已提出"))
    return redirect(reverse("projects:project_detail", args=[project.pk]) + "#problems")


@login_required
@require_POST
def problem_solved(request: HttpRequest, pk: int) -> HttpResponse:
    problem = sel.problem_for(user=request.user, pk=pk)
    try:
        problem_solve(actor=actor(request), problem=problem, version=version_param(request.POST),
                      solution=request.POST.get("solution", ""))
        messages.success(request, _("已标记为已解决"))
    except ProjectError as exc:
        messages.error(request, str(exc))
    if request.POST.get("next") == "asked":
        return redirect("projects:problems_asked")
    return redirect(reverse("projects:project_detail", args=[problem.project_id]) + "#problems")


@login_required
def problems_asked(request: HttpRequest) -> HttpResponse:
    """难点堵点 other units' projects ask the user's unit to solve, each answered in place."""
    gate.require(request.user, "projects.problem.answer")
    return render(request, "projects/problems_asked.html", {"problems": sel.problems_asked(user=request.user)})


@login_required
def photo_raw(request: HttpRequest, pk: int) -> FileResponse:
    photo = sel.photo_for(user=request.user, pk=pk)
    return file_response(photo.file.open("rb"), content_type=photo.content_type, filename=photo.original_name)


@login_required
def photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    photo = sel.photo_for(user=request.user, pk=pk)
    return viewer_response(request, filename=photo.original_name, content_type=photo.content_type,
                           raw_url=reverse("projects:photo_raw", args=[pk]))
