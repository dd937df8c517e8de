"""Django admin, open to the system administrator only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from duibiao.accounts import gate


class DuibiaoAdminSite(admin.AdminSite):
    site_header = _("对标 · 系统管理")
    site_title = _("对标 · 系统管理")
    index_title = _("系统管理")

    def has_permission(self, request) -> bool:
        return bool(request.user.is_active and gate.allows(request.user, "org.tree.manage"))

    def login(self, request, extra_context=None):
        """One way in: the system's own login, with its lockout and second factor, never
        Django's bare admin login form."""
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode

        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('web:login')}?{urlencode({'next': target})}")


admin_site = DuibiaoAdminSite(name="admin")
