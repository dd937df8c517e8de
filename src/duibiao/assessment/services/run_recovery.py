"""Runs whose task worker died: marked failed after DUIBIAO_RUN_TIMEOUT_SECONDS, and started
again on the same snapshot.

A worker killed in the middle of a run leaves it `running` (or, when no worker is there at
all, `queued`) for ever. Nothing can tell a dead worker from a slow one but time, so a run
still unfinished that long after it started is marked failed, with the reason shown on its
page; `duibiao serve` meanwhile starts a new worker (cli.WorkerSupervisor). A computation
that does finish later is dropped (run_compute only completes a run still `running`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import RunArrays, RunResult, ScoringRun
from duibiao.audit.services import audit_record

if TYPE_CHECKING:
    from duibiao.accounts.models import User

UNFINISHED = (ScoringRun.Status.QUEUED, ScoringRun.Status.RUNNING)


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
