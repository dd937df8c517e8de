"""The security administrator's page: locks in force (unlock) and the administrators'
second factors (reset, so that the next sign-in enrols a new authenticator). Every change
is confirmed on a page of its own first (no script needed) and audited by the service."""

from __future__ import annotations

import ipaddress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from duibiao.accounts.lock_selectors import (
    lock_list,
    second_factor_account_get,
    second_factor_list,
)
from duibiao.accounts.services import lockout_clear, second_factor_reset


@login_required
def security_view(request):
    return render(request, "accounts/security.html", {
        "locks": lock_list(user=request.user), "factors": second_factor_list(user=request.user),
    })


def _lock_target(data) -> tuple[str, str, str]:
    """(username, address, error) from the query or the form."""
    username = data.get("username", "").strip()[:150]
    address = data.get("ip", "").strip()
    if address:
        try:
            address = str(ipaddress.ip_address(address))
        except ValueError:
            return username, "", _("来源地址格式不正确：%(a)s") % {"a": address[:64]}
    if not username and not address:
        return "", "", _("须指明要解除锁定的账号或来源地址。")
    return username, address, ""


@login_required
@require_http_methods(["GET", "POST"])
def unlock_view(request):
    lock_list(user=request.user)  # 403 unless the security administrator
    data = request.POST if request.method == "POST" else request.GET
    username, address, error = _lock_target(data)
    if request.method == "POST" and not error:
        if request.POST.get("confirm") != "yes":
            error = _("请勾选“确认解除锁定”。")
        else:
            cleared = lockout_clear(actor=request.user, username=username, ip_address=address)
            messages.success(request, _("已解除锁定（清除 %(n)d 条失败记录）。") % {"n": cleared})
            return redirect("accounts:security")
    return render(request, "accounts/security_confirm.html", {
        "action": "unlock", "username": username, "ip": address, "error": error,
    }, status=400 if error and request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_reset_view(request, pk: int):
    account = second_factor_account_get(user=request.user, pk=pk)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = _("请勾选“确认重置两步验证”。")
        else:
            second_factor_reset(actor=request.user, user=account)
            messages.success(request, _("已重置 %(u)s 的两步验证：其下次登录时须重新绑定验证器。")
                             % {"u": account.username})
            return redirect("accounts:security")
    return render(request, "accounts/security_confirm.html", {
        "action": "second_factor", "account": account, "error": error,
    }, status=400 if error else 200)
