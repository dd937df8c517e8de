"""Background tasks (django-tasks): scoring runs out of the request cycle.

run_start and run_restart queue `compute_run` once the run is committed (transaction.on_commit);
the computation records its status in transactions of its own (services.runs.run_compute)."""

from __future__ import annotations

from django_tasks import task


@task()
def compute_run(run_id: int) -> None:
    from duibiao.assessment.services.runs import run_compute

    run_compute(run_id)
