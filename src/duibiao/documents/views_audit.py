"""导出审计记录: the auditor's filtered log as Excel. Here (documents) because documents writes
every workbook formula-safe; the rows come from accounts' audit selector, through the gate."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.accounts.audit_selectors import audit_export_limit, audit_filters_parse, audit_list
from duibiao.documents.excel.audit_workbook import audit_workbook_build
from duibiao.documents.views import xlsx_response


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, "audit.log.export")
    parsed = audit_filters_parse(request.GET)
    query = parsed.filters.query()
    if parsed.errors:  # the list page shows each beside its field
        return HttpResponseRedirect(f"{reverse('audit:list')}?{urlencode(dict(request.GET.items()))}")
    entries = audit_list(user=request.user, filters=parsed.filters).order_by("id")
    if entries.count() > audit_export_limit():
        return HttpResponseRedirect(f"{reverse('audit:list')}?{urlencode({**query, 'export': 'too_many'})}")
    caption = _("审计日志（导出于 %(now)s）") % {"now": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    if query:
        caption += " " + "；".join(f"{key}={value}" for key, value in query.items())
    data = audit_workbook_build(entries.iterator(chunk_size=2000), caption=caption)
    return xlsx_response(f"审计日志-{timezone.localtime():%Y%m%d-%H%M}.xlsx", data)
