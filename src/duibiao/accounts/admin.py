from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from duibiao.accounts.admin_site import admin_site
from duibiao.accounts.models import User
from duibiao.accounts.roles import ADMIN_ROLES
from duibiao.audit.services import audit_record
from duibiao.org.models import Category, TaskForce, Tier, Unit
from duibiao.org.services import unit_create

# Secrets are compared but never written to the audit log: only that they changed.
SECRET_FIELDS = frozenset({"password", "totp_secret"})
MASK = "******"

if TYPE_CHECKING:
    # The mixin below is always combined with a ModelAdmin; typed as one so its super() calls
    # are checked.
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return str(value)
    return value


def admin_snapshot(obj: Model) -> dict:
    """Field values of an object as the audit log stores them (related objects by name)."""
    values = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.name) if field.is_relation else field.value_from_object(obj)
        values[field.name] = _plain(value)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(str(item) for item in getattr(obj, field.name).all())
    return values


def admin_changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, before and after; secrets masked."""
    changed = [name for name in after if before.get(name) != after.get(name)]
    masked = {name: MASK for name in changed if name in SECRET_FIELDS}
    return (
        {name: masked.get(name, before.get(name)) for name in changed},
        {name: masked.get(name, after.get(name)) for name in changed},
    )


class SysadminPermissions(_AdminBase):
    """Django's own permission flags are not used: the admin site is open to the system
    administrator role only (see admin_site), who may view, add and change but never delete
    (units and accounts are deactivated instead, so the audit trail stays whole)."""

    def has_module_permission(self, request) -> bool:
        return True

    def has_view_permission(self, request, obj=None) -> bool:
        return True

    def has_change_permission(self, request, obj=None) -> bool:
        return True

    def has_add_permission(self, request) -> bool:
        return True

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # Changes made here bypass the services, so they are written to the audit log here, with
    # the values before (taken when the object is read for the form) and after.
    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            if not hasattr(request, "_audit_before"):
                request._audit_before = {}
            request._audit_before[(obj._meta.label, obj.pk)] = admin_snapshot(obj)
        return obj

    def log_addition(self, request, obj, message):
        audit_record(actor=request.user, action="admin.add", obj=obj, before=None,
                     after=admin_changes({}, admin_snapshot(obj))[1], detail=str(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        before = getattr(request, "_audit_before", {}).get((obj._meta.label, obj.pk), {})
        old, new = admin_changes(before, admin_snapshot(obj))
        audit_record(actor=request.user, action="admin.change", obj=obj, before=old, after=new,
                     detail=str(message))
        return super().log_change(request, obj, message)


class AccountAdmin(SysadminPermissions, UserAdmin):
    """Accounts without Django's privilege flags: no superuser, staff, groups or permissions
    on any form (roles come only from grants, on the security administrator's page), and no
    role grants here. Another administrator's account (安全管理员, 审计管理员, another 系统管理员)
    is read-only to the system administrator, password included, so he cannot take it over."""

    list_display = ["username", "full_name", "unit", "is_active", "locked_until"]
    list_filter = ["is_active"]
    search_fields = ["username", "full_name"]
    filter_horizontal = ()
    readonly_fields = ["locked_until", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "unit", "phone", "email")}),
        (_("状态"), {"fields": ("is_active", "locked_until", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "unit", "phone",
                                                  "usable_password", "password1", "password2")}),
    )

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None or obj.pk == request.user.pk:
            return True
        return not obj.grants.filter(role__in=ADMIN_ROLES).exists()


class OrgAdmin(SysadminPermissions, admin.ModelAdmin):
    pass


class UnitAdmin(OrgAdmin):
    list_display = ["code", "name", "kind", "category", "tier", "parent", "is_active"]
    list_filter = ["kind", "category", "tier", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["path"]

    def get_readonly_fields(self, request, obj=None):
        # Code and parent shape the tree path: they change through the services only.
        return ["path", "code", "parent"] if obj else ["path"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = unit_create(
            actor=request.user, code=obj.code, name=obj.name, kind=obj.kind, parent=obj.parent,
            category=obj.category, tier=obj.tier, order=obj.order,
        )
        obj.pk, obj.path = created.pk, created.path


admin_site.register(User, AccountAdmin)
admin_site.register(Unit, UnitAdmin)
admin_site.register(Category, OrgAdmin)
admin_site.register(Tier, OrgAdmin)
admin_site.register(TaskForce, OrgAdmin)
