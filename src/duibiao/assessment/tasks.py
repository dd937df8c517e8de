"""Background tasks (django-tasks): scoring runs out of the request cycle."""

from __future__ import annotations

from django_tasks import task


@task()
def compute_run(run_id: int) -> None:
    from duibiao.assessment.services.runs import run_compute

    run_compute(run_id)
