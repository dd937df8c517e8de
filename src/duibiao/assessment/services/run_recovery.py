"""Runs whose task worker died: marked failed after DUIBIAO_RUN_TIMEOUT_SECONDS, and started
again on the same snapshot.

A worker killed in the middle of a run leaves it `running` (or, when no worker is there at
all, `queued`) for ever. Nothing can tell a dead worker from a slow one but time, so a run
still unfinished that long after it started is marked failed, with the reason shown on its
page; `duibiao serve` meanwhile starts a new worker (cli.WorkerSupervisor). A computation
that does finish later is dropped (run_compute only completes a run still `running`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError, RunDamaged
from duibiao.assessment.models import RunArrays, RunResult, ScoringRun
from duibiao.audit.services import audit_record

if TYPE_CHECKING:
    from duibiao.accounts.models import User

UNFINISHED = (ScoringRun.Status.QUEUED, ScoringRun.Status.RUNNING)
logger = logging.getLogger("duibiao.assessment")


def runs_fail_stale(*, now: datetime | None = None) -> int:
    """Mark failed every run unfinished DUIBIAO_RUN_TIMEOUT_SECONDS after it started (0: never).
    Called when a run's page or its progress is asked for. Returns how many were marked.

    The look for stale runs is a plain read: it runs on every view of the ranking page, and a
    transaction around it would take SQLite's write lock (BEGIN IMMEDIATE) for each view. Only
    a run found stale is marked, in a transaction of its own."""
    timeout = settings.DUIBIAO_RUN_TIMEOUT_SECONDS
    if timeout <= 0:
        return 0
    now = now or timezone.now()
    stale = list(ScoringRun.objects.filter(status__in=UNFINISHED,
                                           started_at__lt=now - timedelta(seconds=timeout)))
    marked = 0
    for run in stale:
        error = _("计算超时：%(s)d 秒内未完成，计算进程可能已中断。可点击“重新计算”再算一次。") % {"s": timeout}
        with transaction.atomic():
            # Only if still unfinished: a worker may have completed it since it was read.
            if ScoringRun.objects.filter(pk=run.pk, status__in=UNFINISHED).update(
                    status=ScoringRun.Status.FAILED, error=error, finished_at=now):
                audit_record(actor=None, action="run.timeout", obj=run,
                             before={"status": run.status, "progress": run.progress},
                             after={"status": ScoringRun.Status.FAILED}, detail=error)
                marked += 1
    return marked


def run_arrays_damaged(*, run: ScoringRun, problem: str) -> RunDamaged:
    """A finished run whose stored arrays do not unpack (`problem`: what unpacking said): logged
    and audited, and, while the run is a draft, marked failed with the reason, so its page shows
    the reason and offers 重新计算 (run_restart computes it again from its own snapshot). A run
    already released or published keeps its stage (its results were shown; the office decides).
    Returns the error for the page and the API, naming the run and what the office does."""
    name = {"run": run.pk, "period": str(run.period)}
    if run.stage == ScoringRun.Stage.DRAFT:
        message = _("计分批次 #%(run)s（%(period)s）保存的计算结果已损坏，无法显示单位结果和计分说明。"
                    "已记录，该批次已标记为计算失败：请考核办打开该批次页面，点击“重新计算”。") % name
    else:
        message = _("计分批次 #%(run)s（%(period)s）保存的计算结果已损坏，无法显示单位结果和计分说明。"
                    "已记录。该批次已反馈或公布，不能直接重新计算：请考核办为该考核周期重新计分。") % name
    logger.error("run %s: stored arrays do not unpack (%s)", run.pk, problem)
    with transaction.atomic():
        marked = run.stage == ScoringRun.Stage.DRAFT and ScoringRun.objects.filter(
            pk=run.pk, status=ScoringRun.Status.DONE, stage=ScoringRun.Stage.DRAFT,
        ).update(status=ScoringRun.Status.FAILED, error=message)
        audit_record(actor=None, action="run.damaged", obj=run, success=False,
                     before={"status": run.status},
                     after={"status": ScoringRun.Status.FAILED if marked else run.status},
                     detail=problem[:500])
    return RunDamaged(message, run_id=run.pk)


def run_restart(*, actor: User, run: ScoringRun) -> ScoringRun:
    """Compute a failed run again from its own snapshot (same inputs, same scheme version)."""
    with transaction.atomic():
        run = _run_requeue(actor=actor, run=run)
        from duibiao.assessment.tasks import compute_run

        # As run_start: queued once the run is committed as queued again.
        transaction.on_commit(partial(compute_run.enqueue, run.pk))
    run.refresh_from_db()
    return run


def _run_requeue(*, actor: User, run: ScoringRun) -> ScoringRun:
    gate.require(actor, "assessment.run.start", unit=run.period.version.scheme.district)
    run = ScoringRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ScoringRun.Status.FAILED or run.stage != ScoringRun.Stage.DRAFT:
        raise AssessmentError(_("只有计算失败的批次可以重新计算"))
    RunResult.objects.filter(run=run).delete()  # none are kept from a failed run; to be sure
    RunArrays.objects.filter(run=run).delete()
    previous_error = run.error
    ScoringRun.objects.filter(pk=run.pk).update(
        status=ScoringRun.Status.QUEUED, progress=0, error="", finished_at=None,
        started_at=timezone.now(),
    )
    audit_record(actor=actor, action="run.restart", obj=run,
                 before={"status": run.status, "error": previous_error},
                 after={"status": ScoringRun.Status.QUEUED})
    return run
