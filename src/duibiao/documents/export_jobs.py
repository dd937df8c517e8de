"""后台导出: the services of an export too large to build inside the request.

A page asks `export_size` how many rows a workbook will have; at DUIBIAO_EXPORT_BACKGROUND_ROWS
or more it calls `export_job_create` instead of building the file, and sends the user to the
任务 page. The task worker then calls the very function the page would have called
(`EXPORTS[kind]`), as the job's owner, so the gate decides again when the job runs (rights
may change while a job waits); the file is stored and offered to its owner alone. A job queued
by an API token's call keeps the token and is built narrowed to it, if the token still holds
then (`accounts.tokens.token_job_actor`).

    job = export_job_create(actor=user, kind=ExportJob.Kind.RANKING, params={"run": run.pk, "query": {}},
                            title="2026年第一季度-排名-第1批", unit=district)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
from duibiao.accounts.tokens import TokenLapsed, token_job_actor, token_job_audit, token_of
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Indicator, Period, RunResult, ScoringRun
from duibiao.assessment.selectors.progress import progress_period_get
from duibiao.assessment.selectors.results import run_get
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


@dataclass(frozen=True)
class ExportPlan:
    """What an export of `kind` is, read through the gate as the requester: the parameters the
    worker calls EXPORTS[kind] with, the job's title, the unit it is filed under (whose office
    sees the job) and about how many rows it has (whether the page builds it in the request)."""

    kind: str
    params: dict[str, Any]
    title: str
    unit: Unit | None
    rows: int


# The filters each page passes on to its export (its query string); anything else is dropped.
FILTERS: dict[str, tuple[str, ...]] = {
    ExportJob.Kind.PROGRESS: ("category", "status", "taskforce", "q", "overdue"),
    ExportJob.Kind.RANKING: ("category", "grade", "sort"),
}
# The exports a page offers and the API starts (a bulletin batch is started by its own form).
PLANNED = (ExportJob.Kind.REPORTING_TEMPLATE, ExportJob.Kind.PROGRESS, ExportJob.Kind.RANKING,
           ExportJob.Kind.PROJECT_LEDGER)


def export_plan(*, user: User | AnonymousUser, kind: str, target: int | None = None,
                query: Mapping[str, str] | None = None, as_of: date | None = None) -> ExportPlan:
    """The plan of an export as the page that offers it makes it: `target` is the period
    (templates, progress) or the run (ranking); `query` the page's filters. What the user may
    not read is refused here, before anything is queued: 404 for an object outside his scope
    (a token's units included), PermissionDenied for an export he may not make at all."""
    query = _filters(kind, query or {})
    if kind == ExportJob.Kind.REPORTING_TEMPLATE:
        period = period_get(user=user, pk=_target(kind, target))
        return ExportPlan(kind, {"period": period.pk}, _("%(period)s · 全部单位填报模板") % {"period": period.name},
                          period.version.scheme.district, period_rows(user=user, period=period))
    if kind == ExportJob.Kind.PROGRESS:
        period, _periods = progress_period_get(user=user, pk=_target(kind, target))
        return ExportPlan(kind, {"period": period.pk, "query": query}, _("%(period)s · 填报进度表") % {
            "period": period.name}, period.version.scheme.district, period_rows(user=user, period=period))
    if kind == ExportJob.Kind.RANKING:
        run = run_get(user=user, pk=_target(kind, target))
        title = _("%(period)s · 第 %(n)s 批排名表") % {"period": run.period.name, "n": run.number}
        return ExportPlan(kind, {"run": run.pk, "query": query}, title, run.period.version.scheme.district, ranking_rows(user=user, run=run))
    if kind == ExportJob.Kind.PROJECT_LEDGER:
        gate.require(user, "projects.project.view")
        day = as_of or timezone.localdate()
        return ExportPlan(kind, {"as_of": day.isoformat()}, _("项目台账（截至 %(d)s）") % {"d": day.isoformat()},
                          scope_unit(user=user, action="projects.project.view"), ledger_rows_count(user=user))
    raise ValueError(f"not an export a page offers: {kind}")


def _target(kind: str, target: int | None) -> int:
    """The period or run an export is of; said beside its field when it is missing."""
    if target is not None:
        return target
    if kind == ExportJob.Kind.RANKING:
        raise ValidationError({"run": [_("请指定要导出排名表的计分批次。")]})
    raise ValidationError({"period": [_("请指定要导出的考核周期。")]})


def _filters(kind: str, query: Mapping[str, str]) -> dict[str, str]:
    """The page's filters the export keeps (as plain text: no NUL, which no database column
    stores), everything else dropped."""
    return {key: str(value).replace("\x00", "")[:100] for key, value in query.items() if key in FILTERS.get(kind, ())}


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
    # A token call's job keeps its token: the worker exports narrowed to it (token_job_actor).
    job = ExportJob.objects.create(kind=kind, params=params, title=title[:200], unit=unit, created_by=actor,
                                   api_token=token_of(actor), retry_of=retry_of, message=_("排队等待后台处理"))
    audit_record(actor=actor, action="documents.export_queue", obj=job, unit=unit,
                 after={"job": job.pk, "kind": kind, "title": job.title, "retry_of": retry_of.pk if retry_of else None})
    from duibiao.documents.tasks import export_workbook

    # Queued once the job is committed: a worker never looks for a job it cannot read yet.
    transaction.on_commit(partial(export_workbook.enqueue, job.pk))
    return job


def export_job_start(*, actor: User, plan: ExportPlan) -> ExportJob:
    """Queue the export a plan describes (`export_plan`, read as the actor): the page's button
    and the API call this. An export with no unit to file it under reaches no data to export."""
    if plan.unit is None:
        raise PermissionDenied(_("您的范围内没有可导出的数据。"))
    return export_job_create(actor=actor, kind=plan.kind, params=plan.params, title=plan.title, unit=plan.unit)


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
        actor = token_job_actor(owner=job.created_by, token_id=job.api_token_id)
    except TokenLapsed as exc:  # revoked or expired while the job waited: nothing is built
        _fail(job, str(exc))
        return _reloaded(job)
    try:
        with token_job_audit(actor):
            filename, data = EXPORTS[job.kind](actor, job.params, partial(_step, job.pk))
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
