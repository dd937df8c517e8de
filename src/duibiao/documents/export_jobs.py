"""后台导出: the services of an export too large to build inside the request.

A page asks `export_size` how many rows a workbook will have; at DUIBIAO_EXPORT_BACKGROUND_ROWS
or more it calls `export_job_create` instead of building the file, and sends the user to the
任务 page. The task worker then calls the very function the page would have called
(`EXPORTS[kind]`), as the job's owner, so the gate decides again when the job runs (rights
may change while a job waits); the file is stored and offered to its owner alone.

    job = export_job_create(actor=user, kind=ExportJob.Kind.RANKING, params={"run": run.pk, "query": {}},
                            title="2026年第一季度-排名-第1批", unit=district)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Indicator, Period, RunResult, ScoringRun
from duibiao.audit.services import audit_record
from duibiao.documents import exports
from duibiao.documents.bulletin_batch import bulletin_batch
from duibiao.documents.models import ExportJob
from duibiao.documents.project_ledger import ledger_workbook
from duibiao.documents.selectors import period_get, period_units
from duibiao.files.uploads import XLSX, ZIP
from duibiao.org.models import Unit
from duibiao.projects.selectors.portfolio import visible_projects

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

UNFINISHED = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)


class JobConflict(Exception):
    """A retry of a job that is not (or no longer) failed: the page answers 409 with it."""


Step = Callable[[int, str], None]  # (percent, what is in hand): moves the 任务 page's bar


def _reporting_template(user: User, params: dict[str, Any], step: Step) -> tuple[str, bytes]:
    return exports.reporting_template(user=user, period=period_get(user=user, pk=int(params["period"])))


def _progress(user: User, params: dict[str, Any], step: Step) -> tuple[str, bytes]:
    return exports.progress_workbook(user=user, period_id=int(params["period"]), query=dict(params.get("query", {})))


def _ranking(user: User, params: dict[str, Any], step: Step) -> tuple[str, bytes]:
    return exports.ranking_workbook(user=user, run_id=int(params["run"]), query=dict(params.get("query", {})))


def _ledger(user: User, params: dict[str, Any], step: Step) -> tuple[str, bytes]:
    return ledger_workbook(user=user, as_of=date.fromisoformat(str(params["as_of"])))


# The one function per kind, the same the page calls for a small export; a long one reports
# its steps through `step`.
EXPORTS: dict[str, Callable[[User, dict[str, Any], Step], tuple[str, bytes]]] = {
    ExportJob.Kind.REPORTING_TEMPLATE: _reporting_template,
    ExportJob.Kind.PROGRESS: _progress,
    ExportJob.Kind.RANKING: _ranking,
    ExportJob.Kind.PROJECT_LEDGER: _ledger,
    ExportJob.Kind.BULLETIN_BATCH: bulletin_batch,
}


def export_content_type(job: ExportJob) -> str:
    """The fixed type a finished export is served with: a zip of Word drafts, else a workbook."""
    return ZIP if job.kind == ExportJob.Kind.BULLETIN_BATCH else XLSX


def period_rows(*, user: User | AnonymousUser, period: Period) -> int:
    """Rows of a period's workbook for every unit in scope (units × indicators)."""
    return len(period_units(user=user, period=period)) * Indicator.objects.filter(version=period.version_id).count()


def ranking_rows(*, user: User | AnonymousUser, run: ScoringRun) -> int:
    """Rows of a run's ranking workbook (units × indicators: each unit's per-indicator scores)."""
    return RunResult.objects.filter(run=run).count() * Indicator.objects.filter(version=run.period.version_id).count()


def ledger_rows_count(*, user: User | AnonymousUser) -> int:
    return visible_projects(user=user).count()


def scope_unit(*, user: User | AnonymousUser, action: str) -> Unit | None:
    """The highest unit of the user's scope for `action`: what a ledger export is filed under."""
    return gate.units(user, action).order_by("path").first()


def export_in_background(rows: int) -> bool:
    """Whether an export of about `rows` rows is built by the worker (0: every export).
    Smaller ones are built in the request: the file comes at once."""
    return rows >= settings.DUIBIAO_EXPORT_BACKGROUND_ROWS


@transaction.atomic
def export_job_create(*, actor: User, kind: str, params: dict[str, Any], title: str, unit: Unit,
                      retry_of: ExportJob | None = None) -> ExportJob:
    """Queue an export for the worker. The caller has read what it exports through the gate
    (the page it came from); the worker reads it again as `actor`."""
    if kind not in EXPORTS:
        raise ValueError(f"unknown export: {kind}")
    if gate.narrowing(actor) is not None:
        # The worker exports as the job's owner with every grant he holds: an API token's
        # narrower units and actions would not follow the job there (as import_job_create).
        raise PermissionDenied(_("接口令牌的请求不能排队后台处理。"))
    job = ExportJob.objects.create(kind=kind, params=params, title=title[:200], unit=unit, created_by=actor,
                                   retry_of=retry_of, message=_("排队等待后台处理"))
    audit_record(actor=actor, action="documents.export_queue", obj=job, unit=unit,
                 after={"job": job.pk, "kind": kind, "title": job.title, "retry_of": retry_of.pk if retry_of else None})
    from duibiao.documents.tasks import export_workbook

    # Queued once the job is committed: a worker never looks for a job it cannot read yet.
    transaction.on_commit(partial(export_workbook.enqueue, job.pk))
    return job


def export_job_retry(*, actor: User, job: ExportJob) -> ExportJob:
    """A new job for a failed one of the actor's own (the failed one is kept with its error).
    Refused (JobConflict, 409) when the job is not failed or has been retried already: two
    clicks, or two tabs, make one retry."""
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().filter(pk=job.pk, created_by=actor).first()
        if locked is None:
            raise Http404
        if locked.status != ExportJob.Status.FAILED:
            raise JobConflict(_("该任务未出错（当前状态：%(s)s），无需重试。") % {"s": locked.get_status_display()})
        if locked.retries.exists():
            raise JobConflict(_("该任务已重试过，请查看新的任务。"))
        return export_job_create(actor=actor, kind=locked.kind, params=locked.params, title=locked.title,
                                 unit=locked.unit, retry_of=locked)


# ---------------------------------------------------------------------------------------
# The task body (documents.tasks.export_workbook)


def export_job_run(job_id: int) -> ExportJob:
    """Build a queued job's workbook as its owner and store it; a failure is kept as the
    job's error, in Chinese. Each step commits on its own, so the 任务 page sees it."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now(), percent=10, message=_("正在读取数据"))
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:  # failed as stale meanwhile, or taken by another worker
        return job
    try:
        filename, data = EXPORTS[job.kind](job.created_by, job.params, partial(_step, job.pk))
    except (PermissionDenied, Http404):
        # Django's 404 text is English and names models: the reason alone, in Chinese.
        _fail(job, _("无权导出或导出的数据已不存在，未生成文件。"))
        return _reloaded(job)
    except AssessmentError as exc:
        _fail(job, str(exc))
        return _reloaded(job)
    except ValidationError as exc:  # the bulletins of a batch, refused as on the page
        _fail(job, " ".join(exc.messages))
        return _reloaded(job)
    except Exception as exc:  # the owner sees why on the 任务 page; the worker logs it too
        _fail(job, _("后台导出出错（%(error)s），未生成文件。可以重试；如仍出错，请联系系统管理员。")
              % {"error": f"{type(exc).__name__}: {exc}"[:500]})
        raise
    ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        percent=90, message=_("正在保存文件"))
    stored = ContentFile(data, name=filename)
    job.file.save(filename, stored, save=False)
    done = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.DONE, percent=100, message="", file=job.file.name, filename=filename[:200],
        size=len(data), finished_at=timezone.now())
    if not done:  # marked failed (timed out) meanwhile: the file is not offered
        job.file.delete(save=False)
    return _reloaded(job)


def _step(job_id: int, percent: int, message: str) -> None:
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        percent=max(10, min(percent, 90)), message=message[:200])


def _fail(job: ExportJob, error: str) -> None:
    ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.FAILED, message="", error=error, finished_at=timezone.now())


def _reloaded(job: ExportJob) -> ExportJob:
    job.refresh_from_db()
    return job


def export_jobs_fail_stale(*, now: datetime | None = None) -> int:
    """Mark failed every export unfinished DUIBIAO_IMPORT_TIMEOUT_SECONDS after it was queued
    (its worker died). Called when the 任务 page is read. Returns how many were marked."""
    timeout = settings.DUIBIAO_IMPORT_TIMEOUT_SECONDS
    if timeout <= 0:
        return 0
    now = now or timezone.now()
    error = _("导出超时：%(s)d 秒内未完成，后台处理进程可能已中断。请重试。") % {"s": timeout}
    return ExportJob.objects.filter(status__in=UNFINISHED, created_at__lt=now - timedelta(seconds=timeout)).update(
        status=ExportJob.Status.FAILED, message="", error=error, finished_at=now)
