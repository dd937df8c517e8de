"""任务 over the API: the user's background jobs as the 任务 page lists them, an export started
as the page starts it, its state and its file. The same selectors (documents.jobs) and
services (documents.export_jobs) as the page; a token call's jobs run narrowed to its token
and are the token's to read (another user's, or another token's, answer 404).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from duibiao.api.errors import FieldErrors
from duibiao.api.pagination import paged
from duibiao.documents import export_jobs, import_jobs
from duibiao.documents.jobs import JobRow, export_job_download, export_job_own, job_list
from duibiao.documents.models import ExportJob
from duibiao.files.serve import file_response

router = Router(tags=["jobs"])

ExportKind = Literal["reporting_template", "progress", "ranking", "project_ledger"]


class JobOut(Schema):
    key: str  # "export-12", "import-3", "run-7": unique across kinds
    kind: str  # export, import, run
    id: int
    title: str
    owner: str
    status: str  # queued, running, done, failed
    status_label: str
    percent: int
    message: str
    error: str
    created_at: datetime
    finished_at: datetime | None
    url: str  # the job's state over the API


class ExportIn(Schema):
    kind: ExportKind
    period: int | None = None  # reporting_template, progress
    run: int | None = None  # ranking
    filters: dict[str, str] = {}  # the page's filters: progress (category, status, taskforce, q, overdue),
    # ranking (category, grade, sort); others are dropped


class ExportJobOut(Schema):
    id: int
    kind: str
    title: str
    status: str  # queued, running, done, failed
    percent: int
    message: str
    error: str  # why a failed job failed (no file was made)
    filename: str
    size: int
    created_at: datetime
    finished_at: datetime | None
    retry_of: int | None
    file: str | None  # once done: where the file is downloaded (its owner only)


_STATE_URL = {"export": "api:export_job", "import": "api:import_job", "run": "api:run"}


def _row_out(row: JobRow) -> dict[str, Any]:
    kind, _, pk = row.key.partition("-")
    return {
        "key": row.key, "kind": kind, "id": int(pk), "title": row.title, "owner": row.owner,
        "status": row.status, "status_label": row.status_label, "percent": row.percent, "message": row.message,
        "error": row.error, "created_at": row.created_at, "finished_at": row.finished_at,
        "url": reverse(_STATE_URL[kind], kwargs={"job_id" if kind != "run" else "pk": int(pk)}),
    }


def _export_out(job: ExportJob) -> dict[str, Any]:
    done = job.status == ExportJob.Status.DONE and bool(job.file)
    return {
        "id": job.pk, "kind": job.kind, "title": job.title, "status": job.status, "percent": job.percent,
        "message": job.message, "error": job.error, "filename": job.filename if done else "", "size": job.size,
        "created_at": job.created_at, "finished_at": job.finished_at, "retry_of": job.retry_of_id,
        "file": reverse("api:export_job_file", kwargs={"job_id": job.pk}) if done else None,
    }


@router.get("/jobs", response=list[JobOut], summary="后台任务（导出、导入、计分），与“任务”页同一列表")
@paged
def jobs(request):
    # A job whose worker died is shown failed (with its reason), as on the page.
    import_jobs.import_jobs_fail_stale()
    export_jobs.export_jobs_fail_stale()
    return [_row_out(row) for row in job_list(user=request.user)]


@router.post("/exports", response={202: ExportJobOut}, summary="发起后台导出（与页面的导出同一内容）")
def export_start(request, payload: ExportIn):
    target = payload.run if payload.kind == "ranking" else payload.period
    try:
        plan = export_jobs.export_plan(user=request.user, kind=payload.kind, target=target, query=payload.filters)
    except ValidationError as exc:  # the period or run missing: said beside its field
        raise FieldErrors(exc.message_dict) from None
    job = export_jobs.export_job_start(actor=request.user, plan=plan)
    job.refresh_from_db()  # an immediate backend has built it at the commit
    return Status(202, _export_out(job))


@router.get("/exports/{job_id}", response=ExportJobOut, url_name="export_job",
            summary="后台导出的进度与结果（仅发起人本人）")
def export_job(request, job_id: int):
    export_jobs.export_jobs_fail_stale()
    return _export_out(export_job_own(user=request.user, pk=job_id))


@router.post("/exports/{job_id}/retry", response={202: ExportJobOut},
             summary="重试出错的导出（新任务，原任务保留；仅发起人本人）")
def export_job_retry(request, job_id: int):
    job = export_job_own(user=request.user, pk=job_id)
    try:
        again = export_jobs.export_job_retry(actor=request.user, job=job)
    except export_jobs.JobConflict as exc:  # not failed, or retried already: as the page answers
        raise HttpError(409, str(exc)) from None
    again.refresh_from_db()  # an immediate backend has built it at the commit
    return Status(202, _export_out(again))


@router.get("/exports/{job_id}/file", response={200: None}, url_name="export_job_file",
            summary="下载已完成的导出文件（仅发起人本人）")
def export_job_file(request, job_id: int):
    job = export_job_download(user=request.user, pk=job_id)
    return file_response(job.file.open("rb"), content_type=export_jobs.export_content_type(job),
                         filename=job.filename, attachment=True)
