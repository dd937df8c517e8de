"""角色与权限: the table of which role may do what, for the security administrator (read-only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from duibiao.accounts.action_selectors import action_table


@login_required
def action_table_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/action_table.html", {"table": action_table(user=request.user)})
