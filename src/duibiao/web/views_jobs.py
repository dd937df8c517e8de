"""任务: the user's background work (exports, imports, scoring runs) with its progress, the
outcome, the file of a finished export and a retry of a failed one. Thin: documents.jobs
decides what is seen, documents.export_jobs does the work."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from duibiao.accounts.models import User
from duibiao.documents import export_jobs, import_jobs
from duibiao.documents.jobs import export_job_download, export_job_own, job_list
from duibiao.files.serve import file_response


def _context(request: HttpRequest, error: str = "") -> dict[str, object]:
    # A job whose worker died is shown failed (with its reason) rather than running for ever.
    import_jobs.import_jobs_fail_stale()
    export_jobs.export_jobs_fail_stale()
    rows = job_list(user=request.user)
    return {"jobs": rows, "polling": any(not row.finished for row in rows), "error": error}


@login_required
@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    return render(request, "web/jobs.html", _context(request))


@login_required
@require_GET
def jobs_progress(request: HttpRequest) -> HttpResponse:
    """The list alone, polled every two seconds while a job is unfinished (htmx, marked as a
    poll so it does not keep an idle session alive); the answer without a trigger stops it."""
    return render(request, "web/_jobs_table.html", _context(request))


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = export_job_download(user=request.user, pk=pk)
    return file_response(job.file.open("rb"), content_type=export_jobs.export_content_type(job), filename=job.filename)


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_job_own(user=request.user, pk=pk)
    try:
        export_jobs.export_job_retry(actor=cast(User, request.user), job=job)
    except export_jobs.JobConflict as exc:
        return render(request, "web/jobs.html", _context(request, error=str(exc)), status=409)
    messages.success(request, _("已重新发起“%(title)s”，原任务保留。") % {"title": job.title})
    return redirect("web:jobs")
