"""Background tasks (django-tasks): Excel imports too large to parse inside the request,
exports (and bulletin batches) too large to build inside it, and scheduled bulletin drafts."""

from __future__ import annotations

from django_tasks import task


@task()
def import_workbook(job_id: int) -> None:
    from duibiao.documents.import_jobs import import_job_run

    import_job_run(job_id)


@task()
def export_workbook(job_id: int) -> None:
    from duibiao.documents.export_jobs import export_job_run

    export_job_run(job_id)


@task()
def bulletin_schedules_due() -> None:
    """Queued for a schedule's next drafting time (deferred): drafts what is due then."""
    from django.utils import timezone

    from duibiao.documents.bulletin_schedules import bulletin_schedules_fire

    bulletin_schedules_fire(now=timezone.now())
