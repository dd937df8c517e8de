"""Each user's own password: change it (and, once it has expired, nothing else first)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from duibiao.accounts.expiry import password_expired
from duibiao.accounts.password_forms import OwnPasswordForm
from duibiao.accounts.services import password_change, password_change_refused
from duibiao.audit.context import client_ip


@sensitive_post_parameters()
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request):
    form = OwnPasswordForm(request.user, request.POST or None, request=request)
    if request.method == "POST":
        if form.is_valid():
            password_change(actor=request.user, new_password=form.cleaned_data["new_password1"],
                            ip=client_ip(request))
            # The session stays signed in (Django would otherwise end it with the old hash).
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("web:home")
        password_change_refused(actor=request.user, reasons=sorted(form.errors), ip=client_ip(request))
    return render(request, "accounts/password_change.html", {
        "form": form, "expired": password_expired(request.user),
        "max_age_days": settings.DUIBIAO_PASSWORD_MAX_AGE_DAYS,
    })
