"""Thin views: read the request, call a selector or service, render or send the file."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.selectors.schemes import scheme_latest_version, scheme_list
from duibiao.documents import export_jobs, exports, import_jobs, selectors, services
from duibiao.documents.excel.problems import ImportReport
from duibiao.documents.excel.workbook import XLSX_MIME
from duibiao.documents.models import ExportJob
from duibiao.params import int_param


def xlsx_response(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"  # templates carry unit data
    return response


def _version(request) -> int | None:
    return int_param(request.GET, "version", label=_("方案版本"), default=None, min_value=1)


@login_required
def index(request):
    return render(request, "documents/index.html", {
        "schemes": scheme_list(user=request.user),
        "periods": selectors.period_list_for_documents(user=request.user),
        "is_office": gate.allows(request.user, "documents.workbook.import"),
        "jobs": selectors.import_job_list(user=request.user)[:10],
    })


@login_required
def scheme_download(request, pk: int):
    scheme = selectors.scheme_get_by_id(user=request.user, pk=pk)
    return xlsx_response(*exports.scheme_workbook(user=request.user, scheme=scheme, number=_version(request)))


@login_required
@require_http_methods(["GET", "POST"])
def scheme_import(request, pk: int):
    scheme = selectors.scheme_get_by_id(user=request.user, pk=pk)
    gate.require(request.user, "documents.workbook.import")
    report: ImportReport | None = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            report = ImportReport()
            report.file_problem(_("请选择要导入的考核细则工作簿"))
        elif import_jobs.import_in_background(upload):
            queued = import_jobs.import_job_create(actor=request.user, upload=upload, scheme=scheme)
            if queued.job is not None:
                return redirect("documents:import_job", pk=queued.job.pk)
            report = queued.report
        else:
            try:
                outcome = services.scheme_workbook_import(actor=request.user, scheme=scheme, upload=upload)
            except AssessmentError as exc:
                report = ImportReport(filename=upload.name)
                report.file_problem(str(exc))
            else:
                report = outcome.report
                if outcome.version is not None:
                    messages.success(request, _("已导入 %(file)s，保存为第 %(n)s 版（更新 %(u)s 项，新增 %(a)s 项，删除 %(d)s 项）。") % {
                        "file": upload.name, "n": outcome.version.number, "u": report.counts.get("更新", 0),
                        "a": report.counts.get("新增", 0), "d": report.counts.get("删除", 0)})
                    for note in report.notes:
                        messages.warning(request, note)
                    return redirect("documents:scheme_import", pk=scheme.pk)
    latest = scheme_latest_version(scheme)
    return render(request, "documents/scheme_import.html", {"scheme": scheme, "latest": latest, "report": report})


@login_required
def period_detail(request, pk: int):
    period = selectors.period_get(user=request.user, pk=pk)
    return render(request, "documents/period.html", {
        "period": period,
        "units": selectors.period_units(user=request.user, period=period),
        "reportable": {u.pk for u in selectors.reportable_units(user=request.user, period=period)},
        "report": None,
    })


@login_required
def template_download(request, pk: int, code: str | None = None):
    period = selectors.period_get(user=request.user, pk=pk)
    unit = selectors.unit_for_period(user=request.user, period=period, code=code) if code else None
    if unit is None:  # every unit's sheet: large for the office of a district
        return background_or_file(
            request, plan=export_jobs.export_plan(user=request.user, kind=ExportJob.Kind.REPORTING_TEMPLATE,
                                                  target=period.pk),
            build=lambda: exports.reporting_template(user=request.user, period=period))
    return xlsx_response(*exports.reporting_template(user=request.user, period=period, unit=unit))


@login_required
def ranking_download(request, pk: int):
    """A run's 排名表 as a workbook, with the ranking page's filters (its query string)."""
    return background_or_file(
        request, plan=export_jobs.export_plan(user=request.user, kind=ExportJob.Kind.RANKING, target=pk,
                                              query=request.GET.dict()),
        build=lambda: exports.ranking_workbook(user=request.user, run_id=pk, query=request.GET))


@login_required
def cadre_list_download(request, kind: str):
    year = int_param(request.GET, "year", label=_("年度"), default=timezone.localdate().year, min_value=2000,
                     max_value=2100)
    return xlsx_response(*exports.cadre_list_workbook(user=request.user, kind=kind, year=year))


@login_required
def progress_download(request, pk: int):
    """填报进度 of a period as a workbook, with the progress page's filters (its query string)."""
    return background_or_file(
        request, plan=export_jobs.export_plan(user=request.user, kind=ExportJob.Kind.PROGRESS, target=pk,
                                              query=request.GET.dict()),
        build=lambda: exports.progress_workbook(user=request.user, period_id=pk, query=request.GET))


def background_or_file(request, *, plan: export_jobs.ExportPlan,
                       build: Callable[[], tuple[str, bytes]]) -> HttpResponse:
    """A small export is sent at once. A large one (DUIBIAO_EXPORT_BACKGROUND_ROWS) is offered
    as a background job: the link's GET only says so (a GET writes nothing), the button posts,
    and the job is queued and followed on the 任务 page, where its file is downloaded."""
    if plan.unit is None or not export_jobs.export_in_background(plan.rows):
        return xlsx_response(*build())
    if request.method != "POST":
        return render(request, "documents/export_background.html", {"title": plan.title, "rows": plan.rows})
    export_jobs.export_job_start(actor=request.user, plan=plan)
    messages.success(request, _("“%(title)s”已转入后台导出。可以离开本页，完成后在“任务”页下载。") % {
        "title": plan.title})
    return redirect("web:jobs")


@login_required
@require_http_methods(["POST"])
def template_import(request, pk: int, code: str | None = None):
    period = selectors.period_get(user=request.user, pk=pk)
    unit = selectors.unit_for_import(user=request.user, period=period, code=code) if code else None
    reportable = selectors.reportable_units(user=request.user, period=period)
    upload = request.FILES.get("file")
    if upload is None:
        report = ImportReport()
        report.file_problem(_("请选择要导入的填报模板"))
    elif import_jobs.import_in_background(upload):
        queued = import_jobs.import_job_create(actor=request.user, upload=upload, period=period, unit=unit)
        if queued.job is not None:
            return redirect("documents:import_job", pk=queued.job.pk)
        report = queued.report
    else:
        report = services.reporting_workbook_import(actor=request.user, period=period, upload=upload, unit=unit)
    if report.saved:
        messages.success(request, _("已导入 %(file)s：%(units)s 个单位共 %(n)s 项数据保存为草稿（内容未变的行不重复保存）。") % {
            "file": upload.name, "units": len(report.counts), "n": report.total})
        return redirect("documents:period", pk=period.pk)
    return render(request, "documents/period.html", {
        "period": period, "units": selectors.period_units(user=request.user, period=period),
        "reportable": {u.pk for u in reportable}, "report": report, "import_unit": unit,
    }, status=400)


@login_required
def import_job(request, pk: int):
    """A background import: its progress while the worker has it, then its outcome."""
    import_jobs.import_jobs_fail_stale()  # a job whose worker died shows as failed
    job = selectors.import_job_get(user=request.user, pk=pk)
    return render(request, "documents/import_job.html", _job_context(job))


@login_required
def import_job_progress(request, pk: int):
    """Polled every second while the job is queued or running (htmx, marked as a poll so it
    does not keep an idle session alive). Once it is finished the answer carries no trigger
    and reloads the page, which shows the outcome."""
    import_jobs.import_jobs_fail_stale()
    job = selectors.import_job_get(user=request.user, pk=pk)
    response = render(request, "documents/_import_job_status.html", _job_context(job))
    if job.finished:
        response["HX-Refresh"] = "true"
    return response


def _job_context(job) -> dict:
    report = ImportReport.from_dict(job.report) if job.report else None
    counts = report.counts if report else {}
    return {"job": job, "report": report, "changes": {
        "updated": counts.get("更新", 0), "added": counts.get("新增", 0), "removed": counts.get("删除", 0)}}
