"""Excel in and out over the API: the same selectors and services as the pages.

Downloads answer with the xlsx itself; an import answers 200 with what it saved, or 400
with the report (sheet, row, column, reason) when anything is wrong and nothing changed. A
file of at least DUIBIAO_IMPORT_BACKGROUND_KB is imported by the task worker instead: 202 with
the job, whose outcome (the same report) `GET /imports/{job_id}` gives once it is done.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from duibiao.api.jobs import router as jobs_router
from duibiao.documents import exports, import_jobs, selectors, services
from duibiao.documents.excel.problems import ImportReport
from duibiao.documents.import_jobs import QueuedImport
from duibiao.documents.models import ImportJob
from duibiao.documents.views import xlsx_response

router = Router(tags=["documents"])
# 任务 (background jobs: the list, exports started, their state and files) under /documents too.
router.add_router("", jobs_router)


class ProblemOut(Schema):
    sheet: str
    row: int | None
    column: str
    header: str
    reason: str


class ImportOut(Schema):
    ok: bool
    saved: bool
    filename: str
    problems: list[ProblemOut]
    counts: dict[str, int]
    total: int
    notes: list[str]
    truncated: bool
    version: int | None = None


class ImportRefusedOut(ImportOut):
    # The first problem and how many there are, as the page's report opens; every problem
    # stays in `problems`.
    detail: str


def import_answer(report: ImportReport, **extra) -> Status:
    """200 with what an import saved, or 400 with its report and a one-sentence `detail`."""
    body = {**report.as_dict(), **extra}
    return Status(200, body) if report.ok else Status(400, {**body, "detail": report.summary()})


class ImportJobOut(Schema):
    id: int
    kind: str
    status: str  # queued, running, done, failed
    progress: str
    filename: str
    size: int
    created_at: datetime
    finished_at: datetime | None
    error: str  # why a failed job failed (nothing was imported)
    report: ImportOut | None  # once done: what was saved, or every problem (nothing changed)
    page: str  # the job's page, which polls its progress


def _in_background(request, file: UploadedFile) -> bool:
    """A large file goes to the worker, a token call's too: the job keeps the token and the
    worker imports narrowed to it, if the token still holds when the job runs."""
    return import_jobs.import_in_background(file)


def _job_out(job: ImportJob) -> dict:
    # Through ImportReport, so a stored report always comes out with every field.
    report = {**ImportReport.from_dict(job.report).as_dict(), "version": job.saved_version} if job.report else None
    return {
        "id": job.pk, "kind": job.kind, "status": job.status, "progress": job.progress,
        "filename": job.original_name, "size": job.size, "created_at": job.created_at,
        "finished_at": job.finished_at, "error": job.error, "report": report,
        "page": reverse("documents:import_job", args=[job.pk]),
    }


def _queued(queued: QueuedImport) -> Status:
    if queued.job is None:  # refused before it was stored: the report says why
        return import_answer(queued.report)
    return Status(202, _job_out(queued.job))


@router.get("/imports/{job_id}", response=ImportJobOut, summary="后台导入的进度与结果（仅上传者本人）")
def import_job(request, job_id: int):
    import_jobs.import_jobs_fail_stale()
    return _job_out(selectors.import_job_get(user=request.user, pk=job_id))


@router.get("/schemes/{scheme_id}/workbook", summary="下载考核细则工作簿", response={200: None})
def scheme_workbook(request, scheme_id: int, version: int | None = None):
    scheme = selectors.scheme_get_by_id(user=request.user, pk=scheme_id)
    return xlsx_response(*exports.scheme_workbook(user=request.user, scheme=scheme, number=version))


@router.post("/schemes/{scheme_id}/workbook", response={200: ImportOut, 202: ImportJobOut, 400: ImportRefusedOut},
             summary="导入考核细则工作簿（考核办），生成方案新版本（大文件：202，后台导入）")
def scheme_workbook_import(request, scheme_id: int, file: File[UploadedFile]):
    scheme = selectors.scheme_get_by_id(user=request.user, pk=scheme_id)
    if _in_background(request, file):
        return _queued(import_jobs.import_job_create(actor=request.user, upload=file, scheme=scheme))
    outcome = services.scheme_workbook_import(actor=request.user, scheme=scheme, upload=file)
    return import_answer(outcome.report, version=outcome.version.number if outcome.version else None)


@router.get("/periods/{period_id}/template", summary="下载填报模板（一个单位，或范围内全部单位）",
            response={200: None})
def reporting_template(request, period_id: int, unit: str | None = None):
    period = selectors.period_get(user=request.user, pk=period_id)
    target = selectors.unit_for_period(user=request.user, period=period, code=unit) if unit else None
    return xlsx_response(*exports.reporting_template(user=request.user, period=period, unit=target))


@router.post("/periods/{period_id}/template", response={200: ImportOut, 202: ImportJobOut, 400: ImportRefusedOut},
             summary="导入填好的填报模板（全部成功或全部不导入；大文件：202，后台导入）")
def reporting_template_import(request, period_id: int, file: File[UploadedFile],
                              unit: str | None = None):
    period = selectors.period_get(user=request.user, pk=period_id)
    target = selectors.unit_for_import(user=request.user, period=period, code=unit) if unit else None
    if _in_background(request, file):
        return _queued(import_jobs.import_job_create(actor=request.user, upload=file, period=period, unit=target))
    report = services.reporting_workbook_import(actor=request.user, period=period, upload=file, unit=target)
    return import_answer(report)
