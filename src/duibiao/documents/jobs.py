"""任务: the one list of a user's background work — exports (ExportJob), imports (ImportJob)
and scoring runs (ScoringRun) — read through the gate.

Each kind keeps its state and progress on its own record, written in the transactions in
which its work commits (an import commits with its job, a run with its results), so a job
can never show DONE without its outcome. This module is the one place that reads them all
and says, the same way for every kind, what the user sees: status, a percentage, the step in
hand, the outcome link, the error, and whether and how it can be retried.

A job is its owner's; the office (documents.job.view_all) also sees every job of the units
in its scope, but only the owner downloads an export's file. A call with an API token sees,
of its owner's own jobs, those the token queued: work done on the pages or under another
token is not the token's to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.accounts.tokens import token_of
from duibiao.assessment.models import ScoringRun
from duibiao.assessment.selectors.results import run_list
from duibiao.documents.models import ExportJob, ImportJob

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

VIEW_ALL = "documents.job.view_all"
LIMIT = 100  # newest first; older work is on its own pages (runs, imports)
# An import's record keeps the step in words only: a bar at a fixed point per status.
_IMPORT_PERCENT = {"queued": 0, "running": 50, "done": 100, "failed": 100}


@dataclass(frozen=True)
class JobRow:
    key: str  # "export-12": unique across kinds (the page's test ids)
    kind: str
    title: str
    owner: str
    status: str  # queued / running / done / failed, for every kind
    status_label: str
    percent: int
    message: str
    created_at: datetime
    finished_at: datetime | None
    result_url: str = ""
    result_label: str = ""
    error: str = ""
    retry_pk: int | None = None  # an export the viewer may retry (POST web:job_retry)
    again_url: str = ""  # where a failed import or run is started again (its own page)
    retried: bool = False

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


def _signed_in(user: User | AnonymousUser) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def own_jobs(user: User | AnonymousUser) -> Q:
    """The user's own jobs, as a filter on ExportJob or ImportJob: a token call's, those its
    token queued."""
    token = token_of(user)
    mine = Q(created_by=user.pk)
    return mine & Q(api_token=token.pk) if token is not None else mine


def export_jobs_visible(*, user: User | AnonymousUser) -> QuerySet[ExportJob]:
    """The user's exports, and for the office every export of a unit in its scope."""
    if not _signed_in(user):
        return ExportJob.objects.none()
    mine = own_jobs(user)
    if gate.allows(user, VIEW_ALL):
        mine |= Q(unit__in=gate.units(user, VIEW_ALL))
    return ExportJob.objects.filter(mine).select_related("created_by").prefetch_related("retries")


def export_job_download(*, user: User | AnonymousUser, pk: int) -> ExportJob:
    """A finished export's file, for its owner alone: anyone else, the office included, 404."""
    if not _signed_in(user):
        raise ExportJob.DoesNotExist
    return get_object_or_404(ExportJob.objects.exclude(file="").filter(own_jobs(user)), pk=pk,
                             status=ExportJob.Status.DONE)


def export_job_own(*, user: User | AnonymousUser, pk: int) -> ExportJob:
    """One of the user's own exports (to retry it); 404 for anyone else's."""
    if not _signed_in(user):
        raise ExportJob.DoesNotExist
    return get_object_or_404(ExportJob.objects.filter(own_jobs(user)), pk=pk)


def _import_jobs(user: User | AnonymousUser) -> QuerySet[ImportJob]:
    mine = own_jobs(user)
    if gate.allows(user, VIEW_ALL):
        units = gate.units(user, VIEW_ALL)
        mine |= Q(period__version__scheme__district__in=units) | Q(scheme__district__in=units)
    return ImportJob.objects.filter(mine).select_related("created_by", "period", "scheme")


def _runs(user: User | AnonymousUser) -> QuerySet[ScoringRun]:
    runs = run_list(user=user).select_related("started_by", "period")
    return runs if gate.allows(user, VIEW_ALL) else runs.filter(started_by=user.pk)


def job_list(*, user: User | AnonymousUser) -> list[JobRow]:
    """Every background job the user may see, newest first (at most LIMIT)."""
    if not _signed_in(user):
        return []
    rows = [_export_row(job, user) for job in export_jobs_visible(user=user)[:LIMIT]]
    rows += [_import_row(job) for job in _import_jobs(user)[:LIMIT]]
    rows += [_run_row(run) for run in _runs(user).order_by("-started_at", "-pk")[:LIMIT]]
    rows.sort(key=lambda row: row.created_at, reverse=True)
    return rows[:LIMIT]


def _owner(user: object) -> str:
    if user is None:
        return ""
    name = f"{getattr(user, 'last_name', '')}{getattr(user, 'first_name', '')}".strip()
    return name or str(getattr(user, "username", ""))


def _export_row(job: ExportJob, viewer: User | AnonymousUser) -> JobRow:
    own = job.created_by_id == viewer.pk
    done = job.status == ExportJob.Status.DONE and bool(job.file)
    retried = bool(job.retries.all())
    return JobRow(
        key=f"export-{job.pk}", kind=_("导出"), title=job.title, owner=_owner(job.created_by),
        status=job.status, status_label=job.get_status_display(), percent=job.percent, message=job.message,
        created_at=job.created_at, finished_at=job.finished_at,
        result_url=reverse("web:job_download", args=[job.pk]) if done and own else "",
        result_label=job.filename if done else "", error=job.error,
        retry_pk=job.pk if own and job.status == ExportJob.Status.FAILED and not retried else None,
        retried=retried,
    )


def _import_row(job: ImportJob) -> JobRow:
    again = ""
    if job.status == ImportJob.Status.FAILED:  # the file is not kept: a retry is a new upload
        again = (reverse("documents:period", args=[job.period_id]) if job.period_id
                 else reverse("documents:scheme_import", args=[job.scheme_id]))
    return JobRow(
        key=f"import-{job.pk}", kind=_("导入"), title=f"{job.get_kind_display()} · {job.original_name}",
        owner=_owner(job.created_by), status=job.status, status_label=job.get_status_display(),
        percent=_IMPORT_PERCENT.get(job.status, 0), message=job.progress, created_at=job.created_at,
        finished_at=job.finished_at, result_url=reverse("documents:import_job", args=[job.pk]),
        result_label=_("导入结果") if job.finished else _("查看进度"), error=job.error, again_url=again,
    )


def _run_row(run: ScoringRun) -> JobRow:
    return JobRow(
        key=f"run-{run.pk}", kind=_("计分"), title=_("%(period)s · 第 %(n)s 批计分") % {"period": run.period.name, "n": run.number},
        owner=_owner(run.started_by), status=run.status, status_label=run.get_status_display(),
        percent=100 if run.status in ("done", "failed") else run.progress, message="",
        created_at=run.started_at, finished_at=run.finished_at,
        result_url=reverse("assessment:run_detail", args=[run.pk]),
        result_label=_("计分结果") if run.status == "done" else _("计分批次"), error=run.error,
        again_url=reverse("assessment:run_detail", args=[run.pk]) if run.status == "failed" else "",
    )
