"""角色授权: the security administrator's pages to grant and revoke roles (三权分立: grants
are his, not the system administrator's). Every other role is refused with 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from duibiao.accounts.forms import GrantForm
from duibiao.accounts.selectors import (
    grant_get,
    grant_taskforce_choices,
    grant_unit_choices,
    grant_user_get,
    grant_users,
)
from duibiao.accounts.services import GrantError, role_grant, role_revoke


@login_required
def grant_list(request):
    query = request.GET.get("q", "").strip()[:150]
    users = grant_users(user=request.user, query=query)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/grant_list.html", {"page": page, "q": query})


def _grant_form(request, data=None) -> GrantForm:
    return GrantForm(data, units=grant_unit_choices(user=request.user),
                     taskforces=grant_taskforce_choices(user=request.user))


def _user_page(request, target, form, *, revoke_error=None, status=200):
    grants = target.grants.select_related("taskforce").prefetch_related("units").order_by("role")
    return render(request, "accounts/grant_user.html", {
        "target": target, "grants": grants, "form": form, "revoke_error": revoke_error,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def grant_user(request, pk: int):
    target = grant_user_get(user=request.user, pk=pk)
    if request.method == "GET":
        return _user_page(request, target, _grant_form(request))
    form = _grant_form(request, request.POST)
    if form.is_valid():
        try:
            grant = role_grant(actor=request.user, user=target, **form.cleaned_data)
        except GrantError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, _("已授予 %(user)s %(role)s。") % {
                "user": target.display_name, "role": grant.get_role_display()})
            return redirect("accounts:grant_user", pk=target.pk)
    return _user_page(request, target, form, status=400)


@login_required
@require_POST
def grant_revoke(request, pk: int):
    grant = grant_get(user=request.user, pk=pk)
    target, label = grant.user, grant.get_role_display()
    try:
        role_revoke(actor=request.user, grant=grant)
    except GrantError as exc:
        return _user_page(request, target, _grant_form(request),
                          revoke_error=(grant.pk, str(exc)), status=400)
    messages.success(request, _("已收回 %(user)s 的%(role)s角色。") % {
        "user": target.display_name, "role": label})
    return redirect("accounts:grant_user", pk=target.pk)

