"""Background tasks (django-tasks): Excel imports too large to parse inside the request, and
exports too large to build inside it."""

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
