"""Password expiry (等保 2.0 §8.1.4.1: passwords changed periodically): once a password is
older than DUIBIAO_PASSWORD_MAX_AGE_DAYS, its owner can do nothing but change it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

# What a user with an expired password may still reach: the change page and the way out.
ALLOWED_VIEWS = frozenset({
    "accounts:password_change", "web:logout", "web:login", "web:login_otp", "set_language",
})


def password_expired(user: User | AnonymousUser) -> bool:
    days = settings.DUIBIAO_PASSWORD_MAX_AGE_DAYS
    if days <= 0 or not user.is_authenticated:
        return False
    changed = user.password_changed_at or user.date_joined
    return changed < timezone.now() - timedelta(days=days)


def _allowed(request) -> bool:
    if request.path_info.startswith(settings.STATIC_URL):
        return True
    try:
        return resolve(request.path_info).view_name in ALLOWED_VIEWS
    except Resolver404:
        return False


class PasswordExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if password_expired(request.user) and not _allowed(request):
            return self._to_change_page(request)
        return self.get_response(request)

    @staticmethod
    def _to_change_page(request):
        target = reverse("accounts:password_change")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": "password_expired", "errors": {},  # the API's one error body
                                 "detail": _("密码已过期，请先在“修改密码”页设置新密码。")}, status=403)
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)
