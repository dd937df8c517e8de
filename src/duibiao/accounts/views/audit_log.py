"""审计日志: the audit administrator's page (kept at /audit/ with the `audit:` names; here
because it reads through the gate, which audit sits below)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from duibiao.accounts.audit_selectors import audit_list


@login_required
def audit_list_view(request: HttpRequest) -> HttpResponse:
    entries = audit_list(
        user=request.user, action=request.GET.get("action") or None,
        username=request.GET.get("username") or None,
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page})
