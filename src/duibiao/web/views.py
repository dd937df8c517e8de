"""Thin views: read the request, call a service or selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from duibiao.accounts import gate
from duibiao.accounts.otp import confirmed_device, enrolment_device, qr_svg, secret_b32
from duibiao.accounts.roles import Role
from duibiao.accounts.services import (
    pending_second_factor,
    second_factor_verify,
    session_login,
    session_logout,
)
from duibiao.assessment.selectors.reminders import home_reminders
from duibiao.assessment.selectors.schemes import scheme_list
from duibiao.cockpit.selectors import VIEW as COCKPIT
from duibiao.web.cockpit_views import cockpit_response
from duibiao.web.selectors import home_page, security_policy


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    error = ""
    if request.method == "POST":
        outcome = session_login(
            request=request,
            username=request.POST.get("username", "").strip(),
            password=request.POST.get("password", ""),
        )
        if outcome.second_factor:
            request.session["otp_next"] = next_url
            return redirect("web:login_otp")
        if outcome.ok:
            return _after_login(request, next_url)
        error = outcome.message
    return render(request, "registration/login.html", {"error": error, "next": next_url})


def _after_login(request, next_url: str):
    safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()})
    return redirect(next_url if safe and next_url else "web:home")


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_otp(request):
    """The second step for administrators: a one-time code (enrolling the app on first use)."""
    user = pending_second_factor(request)
    if user is None:
        return redirect("web:login")
    error = ""
    if request.method == "POST":
        next_url = request.session.get("otp_next", "")
        outcome = second_factor_verify(request=request, code=request.POST.get("code", ""))
        if outcome.ok:
            return _after_login(request, next_url)
        if pending_second_factor(request) is None:
            return redirect("web:login")
        error = outcome.message
    context: dict[str, object] = {"error": error, "user_name": user.display_name}
    if confirmed_device(user) is None:
        device = enrolment_device(user)
        context.update(enrolling=True, qr=qr_svg(device.config_url), secret=secret_b32(device))
    return render(request, "registration/otp.html", context)


@require_POST
def logout_view(request):
    session_logout(request=request)
    return redirect("web:login")


@login_required
def home(request):
    # The home page of 区领导 is the cockpit: the figures, not navigation tiles (the menu
    # still leads everywhere).
    if Role.LEADER in gate.roles(request.user) and gate.allows(request.user, COCKPIT):
        return cockpit_response(request, reminders=home_reminders(user=request.user))
    return render(request, "web/home.html", {"page": home_page(user=request.user)})


@login_required
def schemes(request):
    schemes = list(scheme_list(user=request.user).select_related("district"))
    # The editor is offered where the user may edit (the office of the scheme's district).
    editable = {s.code for s in schemes if gate.allows(request.user, "assessment.scheme.edit", unit=s.district)}
    return render(request, "web/schemes.html", {"schemes": schemes, "editable": editable})


@login_required
def security(request):
    gate.require(request.user, "accounts.policy.view")
    return render(request, "web/security.html", {"policy": security_policy()})
