"""后台导入: the services of an import too large to parse inside the request.

The page checks the upload as every import is checked (type by content, size, zip caps:
`services.upload_check`), stores it as an `ImportJob` and queues a task once the job is
committed; the task worker then runs the very import the page would have run
(`services.reporting_import_check` / `reporting_import_save`, `services.scheme_workbook_import`):
all or nothing, the same report by sheet, row and column, the same audit row. The job keeps the
report; the stored file is deleted as soon as the worker has read it. A job queued by an API
token's call keeps the token and runs narrowed to it, if the token still holds then
(`accounts.tokens.token_job_actor`).

    queued = import_job_create(actor=user, upload=upload, period=period)  # or scheme=scheme
    queued.job  # None when the file was refused before it was stored: see queued.report
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts.tokens import TokenLapsed, token_job_actor, token_job_audit, token_of
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Period, Scheme
from duibiao.audit.services import audit_record
from duibiao.documents import services
from duibiao.documents.excel.problems import ImportReport
from duibiao.documents.models import ImportJob
from duibiao.documents.selectors import reportable_units
from duibiao.files.uploads import XLSX
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from duibiao.accounts.models import User

UNFINISHED = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


def import_in_background(upload: UploadedFile) -> bool:
    """Whether an upload is large enough to be parsed by the worker (DUIBIAO_IMPORT_BACKGROUND_KB;
    0: every upload). Smaller ones are imported in the request: the answer comes at once."""
    return (upload.size or 0) >= settings.DUIBIAO_IMPORT_BACKGROUND_KB * 1024


@dataclass
class QueuedImport:
    report: ImportReport  # the reason the file was refused; empty when it was queued
    job: ImportJob | None = None


def import_job_create(*, actor: User, upload: UploadedFile, period: Period | None = None,
                      unit: Unit | None = None, scheme: Scheme | None = None) -> QueuedImport:
    """Check an upload and queue it for the worker: a 填报模板 for `period` (limited to `unit`
    if given) or a 考核细则 for `scheme`. A file that fails the upload check is not stored."""
    _require_importer(actor, period=period, unit=unit, scheme=scheme)
    report = ImportReport()
    if not services.upload_check(upload, report):
        action, obj, scope = _audit_target(period=period, unit=unit, scheme=scheme)
        services.import_refused_audit(actor=actor, action=action, obj=obj, unit=scope, report=report)
        return QueuedImport(report)
    with transaction.atomic():
        job = ImportJob(
            kind=ImportJob.Kind.SCHEME if scheme is not None else ImportJob.Kind.REPORTING,
            period=period, unit=unit, scheme=scheme, original_name=report.filename[:200],
            content_type=XLSX, size=upload.size or 0, created_by=actor, progress=_("排队等待后台处理"),
            api_token=token_of(actor),  # a token call's job runs narrowed to it (token_job_actor)
        )
        job.file.save(report.filename or "import.xlsx", upload, save=False)
        job.save()
        _action, obj, scope = _audit_target(period=period, unit=unit, scheme=scheme)
        audit_record(actor=actor, action="documents.import_queue", obj=obj, unit=scope,
                     after={"job": job.pk, "kind": job.kind, "file": job.original_name, "size": job.size})
        from duibiao.documents.tasks import import_workbook

        # Queued once the job is committed: a worker never looks for a job it cannot read yet.
        transaction.on_commit(partial(import_workbook.enqueue, job.pk))
    job.refresh_from_db()  # an immediate backend has imported it at the commit
    return QueuedImport(report, job)


def _require_importer(actor: User, *, period: Period | None, unit: Unit | None, scheme: Scheme | None) -> None:
    """Refuse before storing anything whom the import itself would refuse outright (it checks
    again when it runs: rights may change while a job waits)."""
    if scheme is not None:
        services.scheme_import_require(actor=actor, scheme=scheme)
        return
    if period is None:
        raise ValueError("an import job needs a period or a scheme")
    allowed = {u.pk for u in reportable_units(user=actor, period=period)}
    if not allowed:
        raise PermissionDenied(_("无权导入该考核周期的填报数据"))
    if unit is not None and unit.pk not in allowed:
        raise Http404


def _audit_target(*, period: Period | None, unit: Unit | None,
                  scheme: Scheme | None) -> tuple[str, Model, Unit]:
    """(action, object, unit) of the audit rows, as the import services write them."""
    if scheme is not None:
        return "documents.scheme_import", scheme, scheme.district
    assert period is not None  # a job has a period or a scheme (import_job_create)
    return "documents.reporting_import", period, unit or period.version.scheme.district


# ---------------------------------------------------------------------------------------
# The task body (documents.tasks.import_workbook)


class JobAbandoned(Exception):
    """An import finished after its job had been marked failed (its worker timed out)."""


def import_job_run(job_id: int) -> ImportJob:
    """Import a queued job's file as the page would have, keep the report, delete the file.
    The job is claimed, advanced and finished in transactions of its own; the import's writes
    and the job's DONE commit together, so a job marked failed meanwhile keeps nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), progress=_("正在读取和校验工作簿"))
    job = ImportJob.objects.select_related("created_by", "period__version__scheme", "scheme", "unit").get(pk=job_id)
    if not claimed:  # failed as stale meanwhile, or taken by another worker
        return job
    try:
        actor = token_job_actor(owner=job.created_by, token_id=job.api_token_id)
    except TokenLapsed as exc:  # revoked or expired while the job waited: nothing is imported
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED, progress="", finished_at=timezone.now(), error=str(exc))
        _discard_file(job)
        job.refresh_from_db()
        return job
    try:
        with job.file.open("rb") as stored, token_job_audit(actor):
            _import(job, actor, File(stored.file, name=job.original_name))
    except JobAbandoned:
        pass
    except Exception as exc:  # the job records why; its uploader sees it on the job's page
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED, progress="", finished_at=timezone.now(),
            error=_("后台导入出错（%(error)s），未做任何修改。请重新上传；如仍出错，请联系系统管理员。")
            % {"error": f"{type(exc).__name__}: {exc}"[:500]},
        )
        raise
    finally:
        _discard_file(job)
    job.refresh_from_db()
    return job


def _import(job: ImportJob, actor: User, upload: File) -> None:
    if job.kind == ImportJob.Kind.REPORTING:
        assert job.period is not None  # a reporting job has its period (import_job_create)
        plan = services.reporting_import_check(actor=actor, period=job.period, upload=upload, unit=job.unit)
        if plan.report.ok:
            ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
                progress=_("校验通过，正在保存 %(n)s 个单位的数据") % {"n": len(plan.units)})
        with transaction.atomic():
            report = services.reporting_import_save(actor=actor, period=job.period, plan=plan, unit=job.unit)
            _finish(job, report)
        return
    assert job.scheme is not None  # a scheme job has its scheme
    with transaction.atomic():
        try:
            outcome = services.scheme_workbook_import(actor=actor, scheme=job.scheme, upload=upload)
        except (AssessmentError, PermissionDenied) as exc:  # as the page shows them: in the report
            report = ImportReport(filename=job.original_name)
            report.file_problem(str(exc) or _("您已无权导入该方案的考核细则"))
            outcome = services.SchemeImportOutcome(report)
        _finish(job, outcome.report, version=outcome.version.number if outcome.version else None)


def _finish(job: ImportJob, report: ImportReport, *, version: int | None = None) -> None:
    finished = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.DONE, progress="", report=report.as_dict(), saved_version=version,
        finished_at=timezone.now(), file="",  # with DONE: a finished job never names its upload
    )
    if not finished:
        raise JobAbandoned(job.pk)  # rolls the import back with it


def _discard_file(job: ImportJob) -> None:
    """The uploaded file is needed only until the worker has read it; the report stays."""
    if job.file:
        job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="")


def import_jobs_fail_stale(*, now: datetime | None = None) -> int:
    """Mark failed every job unfinished DUIBIAO_IMPORT_TIMEOUT_SECONDS after it was queued (its
    worker died; nothing was imported, since an import commits with its job). Called when a
    job's page or its progress is asked for. Returns how many were marked."""
    timeout = settings.DUIBIAO_IMPORT_TIMEOUT_SECONDS
    if timeout <= 0:
        return 0
    now = now or timezone.now()
    stale = ImportJob.objects.filter(status__in=UNFINISHED, created_at__lt=now - timedelta(seconds=timeout))
    marked = 0
    for job in stale.select_related("period__version__scheme", "scheme", "unit"):
        error = _("导入超时：%(s)d 秒内未完成，后台处理进程可能已中断，未做任何修改。请重新上传。") % {"s": timeout}
        with transaction.atomic():
            if not ImportJob.objects.filter(pk=job.pk, status__in=UNFINISHED).update(
                    status=ImportJob.Status.FAILED, progress="", error=error, finished_at=now):
                continue  # a worker finished it since it was read
            _action, obj, scope = _audit_target(period=job.period, unit=job.unit, scheme=job.scheme)
            audit_record(actor=None, action="documents.import_timeout", obj=obj, unit=scope,
                         before={"job": job.pk, "status": job.status}, detail=error)
        _discard_file(job)
        marked += 1
    return marked
