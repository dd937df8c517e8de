"""计分批次: start a run (a background task), release it to units for appeals, publish it.

A run snapshots the scheme document and every approved value (`selectors.runs.run_snapshot`),
then scores the snapshot; it never reads live data again, so its results can be recomputed
and explained later.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from duibiao import engine
from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.limits import text_clean
from duibiao.assessment.models import Period, RunArrays, RunResult, ScoringRun
from duibiao.assessment.scoring import (
    category_benchmarks,
    clean_json,
    previous_context,
    score_snapshot,
)
from duibiao.assessment.selectors.runs import (
    previous_published_run,
    publish_review_of,
    run_snapshot,
)
from duibiao.audit.services import audit_record
from duibiao.engine import stored
from duibiao.org.models import Unit
from duibiao.workdays.selectors import work_calendar

if TYPE_CHECKING:
    from duibiao.accounts.models import User

SENSITIVITY_RUNS = 1000
SENSITIVITY_SEED = 20231
# What `run_compute` writes to the run row: all a caller needs to re-read afterwards (not the
# input snapshot, ~3 MB of JSON for a city, which the computation never changes).
COMPUTED_FIELDS = ["status", "progress", "error", "finished_at", "benchmarks", "sensitivity"]


def run_start(*, actor: User, period: Period, note: str = "") -> ScoringRun:
    """Snapshot the period and queue the computation once the snapshot is committed."""
    with transaction.atomic():
        run = _run_create(actor=actor, period=period, note=note)
        from duibiao.assessment.tasks import compute_run

        # Queued only once the run row is committed, so that a worker never picks up a run it
        # cannot read yet, and the computation records RUNNING / DONE / FAILED in transactions
        # of its own: a failure is never rolled back with the caller's transaction.
        transaction.on_commit(partial(_fresh_keep, run))  # before the enqueue: callbacks run in order
        transaction.on_commit(partial(compute_run.enqueue, run.pk))
    # An immediate backend has computed it at the commit; a worker has only just been told.
    run.refresh_from_db(fields=COMPUTED_FIELDS)
    return run


def _run_create(*, actor: User, period: Period, note: str) -> ScoringRun:
    gate.require(actor, "assessment.run.start", unit=period.version.scheme.district)
    note = text_clean(note, model=ScoringRun, name="note")
    if period.status == Period.Status.PLANNED:
        raise AssessmentError(f"{period.name}尚未开始，不能计分")
    if ScoringRun.objects.filter(period=period, stage=ScoringRun.Stage.PUBLISHED).exists():
        raise AssessmentError(f"{period.name}的结果已公布并冻结")
    number = (ScoringRun.objects.filter(period=period).aggregate(n=Max("number"))["n"] or 0) + 1
    run = ScoringRun.objects.create(
        period=period, number=number, scheme_version=period.version.number,
        document=period.version.document, inputs=run_snapshot(period), previous=previous_published_run(period),
        engine_version=engine.__version__, note=note, started_by=actor,
    )
    audit_record(actor=actor, action="run.start", obj=run, after={"number": number,
                 "values": len(run.inputs["data"]), "units": len(run.inputs["units"])})
    return run


# The snapshot of a run just started, for its computation in this same process (the immediate
# task backend): decoding the ~3 MB of JSON just written was a tenth of a city run. Kept only
# once the run is committed, taken once, and only by the run of that id created at that moment
# (an id reused after a rollback, or a run restarted, reads its snapshot from the database);
# two at most, as a worker in another process takes none of them.
_FRESH: OrderedDict[int, tuple[datetime, dict[str, Any]]] = OrderedDict()
_FRESH_LOCK = threading.Lock()
FRESH_KEPT = 2


def _fresh_keep(run: ScoringRun) -> None:
    with _FRESH_LOCK:
        _FRESH[run.pk] = (run.started_at, run.inputs)
        while len(_FRESH) > FRESH_KEPT:
            _FRESH.popitem(last=False)


def _fresh_take(run: ScoringRun) -> dict[str, Any] | None:
    with _FRESH_LOCK:
        entry = _FRESH.pop(run.pk, None)
    return entry[1] if entry is not None and entry[0] == run.started_at else None


def _progress(run: ScoringRun, percent: int, **fields: object) -> None:
    ScoringRun.objects.filter(pk=run.pk).update(progress=percent, **fields)


def run_compute(run_id: int) -> ScoringRun:
    """The task body: score the snapshot, store every unit's result and the sensitivity."""
    run = ScoringRun.objects.select_related("previous").defer("inputs").get(pk=run_id)
    fresh = _fresh_take(run)
    if fresh is not None:
        run.inputs = fresh
    else:
        run.refresh_from_db(fields=["inputs"])
    # Claim it: only a queued run is computed, so that a run marked failed after its worker
    # died (run_recovery.runs_fail_stale) is not taken up again by a task left in the queue.
    claimed = ScoringRun.objects.filter(pk=run.pk, status=ScoringRun.Status.QUEUED).update(
        status=ScoringRun.Status.RUNNING, progress=5)
    if not claimed:
        return run
    try:
        result = score_snapshot(run.document, run.inputs, **previous_context(run))
        _progress(run, 50)
        sensitivity = engine.sensitivity(result, runs=SENSITIVITY_RUNS, seed=SENSITIVITY_SEED)
        _progress(run, 75)
        rows = _result_rows(run, result)
        # The arrays once, compressed; every unit's trace is rebuilt from them on demand
        # (selectors.traces) instead of 600 JSON traces of ~100 KB each built and written here.
        arrays = stored.pack(result)
        with transaction.atomic():
            RunResult.objects.bulk_create(rows, batch_size=500)
            RunArrays.objects.create(run=run, data=arrays)
            finished = ScoringRun.objects.filter(pk=run.pk, status=ScoringRun.Status.RUNNING).update(
                status=ScoringRun.Status.DONE, progress=100, finished_at=timezone.now(),
                benchmarks=category_benchmarks(result),
                sensitivity=clean_json({
                    "runs": sensitivity.runs, "seed": sensitivity.seed, "spread": sensitivity.spread,
                    "units": sensitivity.rows(result.units.codes),
                }),
            )
            if not finished:  # marked failed meanwhile (timed out): its results are not kept
                raise RunAbandoned(run.pk)
    except RunAbandoned:
        run.refresh_from_db(fields=COMPUTED_FIELDS)
        return run
    except Exception as exc:  # the run records why it failed; the office sees it on the page
        ScoringRun.objects.filter(pk=run.pk).update(
            status=ScoringRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        raise
    run.refresh_from_db(fields=COMPUTED_FIELDS)  # the inputs in hand are unchanged
    return run


def _result_rows(run: ScoringRun, result: engine.Result) -> list[RunResult]:
    """One RunResult per unit, its figures read from the arrays column by column (NaN → None)."""
    units = {u.code: u for u in Unit.objects.filter(code__in=result.units.codes)}
    columns = {name: _column(getattr(result, name)) for name in
               ("score", "base_score", "bonus", "penalty", "rank", "rank_change")}
    codes = list(result.node_scores)
    nodes = _column(np.column_stack([result.node_scores[c] for c in codes])) if codes else None
    veto_codes = [v.code for v in result.scheme.vetoes]
    vetoed = result.vetoed.tolist()
    grades = result.grades
    return [
        RunResult(
            run=run, unit=units[code], category=result.units.categories[i],
            score=columns["score"][i], base_score=columns["base_score"][i],
            bonus=columns["bonus"][i] or 0.0, penalty=columns["penalty"][i] or 0.0,
            rank=columns["rank"][i], rank_change=columns["rank_change"][i], grade=grades[i],
            vetoes=[c for c, hit in zip(veto_codes, vetoed[i], strict=True) if hit],
            node_scores=dict(zip(codes, nodes[i], strict=True)) if nodes is not None else {},
        )
        for i, code in enumerate(result.units.codes)
    ]


def _column(values: np.ndarray) -> list:
    """Python floats, None where NaN (JSON and SQL have no NaN), for a whole array at once."""
    values = np.asarray(values, dtype=np.float64)
    cells = values.astype(object)  # Python floats
    cells[np.isnan(values)] = None
    return cells.tolist()


class RunAbandoned(Exception):
    """A computation finished after its run had been marked failed (its worker timed out)."""


@transaction.atomic
def run_release(*, actor: User, run: ScoringRun, appeal_workdays: int = 5) -> ScoringRun:
    """Release results to units (反馈): appeals are open for N working days."""
    gate.require(actor, "assessment.run.release", unit=run.period.version.scheme.district)
    if run.status != ScoringRun.Status.DONE or run.stage != ScoringRun.Stage.DRAFT:
        raise AssessmentError("只有计算完成的试算批次可以发布反馈")
    ScoringRun.objects.filter(period=run.period, stage=ScoringRun.Stage.RELEASED).update(
        stage=ScoringRun.Stage.SUPERSEDED
    )
    today = timezone.localdate()
    run.stage = ScoringRun.Stage.RELEASED
    run.released_at = timezone.now()
    run.appeal_deadline = work_calendar().add_workdays(today, appeal_workdays)
    run.save(update_fields=["stage", "released_at", "appeal_deadline"])
    audit_record(actor=actor, action="run.release", obj=run,
                 after={"appeal_deadline": str(run.appeal_deadline)})
    return run


STALE_PAGE = "页面已过期：该批次已是“{stage}”，请刷新页面后再操作"


@transaction.atomic
def run_publish(*, actor: User, run: ScoringRun, stage: str, override_reason: str = "") -> ScoringRun:
    """Publish (公布): after the appeal round, on a run that includes every accepted
    correction. The period closes and its results freeze.

    `stage` is the stage the confirmation page showed (the run's version): a second submit
    of the same page, or a page left open while someone else released or published, is
    refused. Before the reporting deadline and the appeal window have passed, with values
    unapproved or appeals open, publication needs `override_reason`, stored on the run,
    audited and shown with the published ranking."""
    gate.require(actor, "assessment.run.publish", unit=run.period.version.scheme.district)
    ScoringRun.objects.select_for_update().filter(pk=run.pk).first()  # lock, then read it fresh
    run.refresh_from_db()
    if stage != run.stage:
        raise AssessmentError(STALE_PAGE.format(stage=run.get_stage_display()))
    review = publish_review_of(run)
    if review.blockers:
        raise AssessmentError("不能公布：" + "；".join(review.blockers))
    reason = text_clean(override_reason, model=ScoringRun, name="publish_override")
    if review.waivable and not reason:
        raise AssessmentError("不能公布：" + "；".join(review.waivable) + "。如确需提前公布，请填写理由")
    run.stage = ScoringRun.Stage.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = actor
    # Kept only when something was waived: a reason with nothing to override would read, on the
    # published ranking, as if the result had been rushed.
    run.publish_override = reason if review.waivable else ""
    run.save(update_fields=["stage", "published_at", "published_by", "publish_override"])
    ScoringRun.objects.filter(period=run.period).exclude(pk=run.pk).exclude(
        stage=ScoringRun.Stage.WITHDRAWN).update(stage=ScoringRun.Stage.SUPERSEDED)
    Period.objects.filter(pk=run.period_id).update(status=Period.Status.CLOSED)
    audit_record(actor=actor, action="run.publish", obj=run, after={
        "number": run.number, "override_reason": run.publish_override, "waived": review.waivable})
    return run


@transaction.atomic
def run_withdraw(*, actor: User, run: ScoringRun, stage: str, reason: str) -> ScoringRun:
    """Withdraw a publication (撤回公布) with a reason: the run stays readable, marked withdrawn
    with the reason (the units' notice), and the period reopens for a new run."""
    gate.require(actor, "assessment.run.publish", unit=run.period.version.scheme.district)
    ScoringRun.objects.select_for_update().filter(pk=run.pk).first()  # lock, then read it fresh
    run.refresh_from_db()
    if stage != run.stage:
        raise AssessmentError(STALE_PAGE.format(stage=run.get_stage_display()))
    if run.stage != ScoringRun.Stage.PUBLISHED:
        raise AssessmentError("只有已公布的批次可以撤回")
    reason = text_clean(reason, model=ScoringRun, name="withdraw_reason", required="请填写撤回理由")
    run.stage = ScoringRun.Stage.WITHDRAWN
    run.withdrawn_at = timezone.now()
    run.withdrawn_by = actor
    run.withdraw_reason = reason
    run.save(update_fields=["stage", "withdrawn_at", "withdrawn_by", "withdraw_reason"])
    Period.objects.filter(pk=run.period_id).update(status=Period.Status.OPEN, close_reason="")
    audit_record(actor=actor, action="run.withdraw", obj=run, before={"stage": ScoringRun.Stage.PUBLISHED},
                 after={"stage": run.stage, "reason": reason})
    return run
