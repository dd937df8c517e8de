"""审计日志: the audit administrator's pages (kept at /audit/ with the `audit:` names; here
because they read through the gate, which audit sits below). The Excel export is documents'
(`audit_export:xlsx`), which writes every workbook formula-safe."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duibiao.accounts.audit_selectors import (
    audit_diff,
    audit_export_limit,
    audit_filters_parse,
    audit_get,
    audit_list,
    audit_units,
    chain_state,
)
from duibiao.accounts.audit_services import audit_chain_verify
from duibiao.audit.models import AuditEntry


@login_required
def audit_list_view(request: HttpRequest) -> HttpResponse:
    parsed = audit_filters_parse(request.GET)
    entries = audit_list(user=request.user, filters=parsed.filters)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {
        "page": page, "filters": parsed.filters, "errors": parsed.errors,
        "query_string": urlencode(parsed.filters.query()),
        # The export refused for its size (documents.views_audit) comes back here, to be shown
        # beside the export button.
        "export_error": _("符合条件的记录超过 %(n)s 条，请缩小日期范围或增加条件后再导出。") % {
            "n": audit_export_limit()} if request.GET.get("export") == "too_many" else "",
        "units": audit_units(user=request.user), "chain": chain_state(user=request.user),
    })


@login_required
def audit_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        entry = audit_get(user=request.user, pk=pk)
    except AuditEntry.DoesNotExist:
        raise Http404 from None
    return render(request, "audit/detail.html", {"entry": entry, "diff": audit_diff(entry)})


@login_required
@require_POST
def audit_verify_view(request: HttpRequest) -> HttpResponse:
    check = audit_chain_verify(actor=request.user)
    if check.whole:
        messages.success(request, _("审计链完整：已校验 %(rows)s 条记录。") % {"rows": check.rows})
    else:
        messages.error(request, _("审计链在第 %(id)s 条记录处断开：%(reason)s") % {
            "id": check.broken_id, "reason": check.reason})
    return redirect("audit:list")
