"""导出审计记录: the auditor's filtered log as Excel (documents.audit_export builds it, for the
API too). A search that cannot be exported goes back to the list, which shows why beside the
field or the export button."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from duibiao.documents.audit_export import AuditExportRefused, audit_export
from duibiao.documents.views import xlsx_response


@login_required
def audit_export_view(request: HttpRequest) -> HttpResponse:
    try:
        return xlsx_response(*audit_export(user=request.user, query=request.GET))
    except AuditExportRefused as exc:
        if "export" not in exc.errors:  # the list page shows each beside its field
            return HttpResponseRedirect(f"{reverse('audit:list')}?{urlencode(dict(request.GET.items()))}")
        query = exc.parsed.filters.query()
        return HttpResponseRedirect(f"{reverse('audit:list')}?{urlencode({**query, 'export': 'too_many'})}")
