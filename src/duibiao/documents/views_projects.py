"""项目台账 in Excel: the export of the projects a user sees and the all-or-nothing import
(the office). Thin: the workbook and the checks are in documents.project_ledger."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.accounts.models import User
from duibiao.documents import export_jobs
from duibiao.documents.excel.problems import ImportReport
from duibiao.documents.models import ExportJob
from duibiao.documents.project_ledger import ledger_import, ledger_workbook
from duibiao.documents.views import background_or_file


@login_required
def project_ledger(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, "projects.project.view")
    can_import = gate.allows(request.user, "projects.project.edit")
    report: ImportReport | None = None
    status = 200
    if request.method == "POST":
        gate.require(request.user, "projects.project.edit")
        upload = request.FILES.get("file")
        if upload is None:
            report = ImportReport()
            report.file_problem(_("请选择要导入的项目台账工作簿"))
        else:
            report = ledger_import(actor=cast(User, request.user), upload=upload)
        if report.ok:
            messages.success(request, _("已导入 %(file)s：新增 %(a)s 个项目，更新 %(u)s 个项目。") % {
                "file": report.filename, "a": report.counts.get("新增", 0), "u": report.counts.get("更新", 0)})
            return redirect("documents:project_ledger")
        status = 400
    return render(request, "documents/project_ledger.html", {"report": report, "can_import": can_import},
                  status=status)


@login_required
def project_ledger_export(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, "projects.project.view")
    as_of = timezone.localdate()
    # No unit in scope (plan.unit None): nothing to file a job under, and nothing large.
    return background_or_file(
        request, plan=export_jobs.export_plan(user=request.user, kind=ExportJob.Kind.PROJECT_LEDGER, as_of=as_of),
        build=lambda: ledger_workbook(user=request.user, as_of=as_of))
