from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from duibiao.accounts.admin_site import admin_site
from duibiao.accounts.models import RoleGrant, User
from duibiao.audit.services import audit_record
from duibiao.org.models import Category, TaskForce, Tier, Unit
from duibiao.org.services import unit_create


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    filter_horizontal = ["units"]


class SysadminPermissions:
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

    # Changes made here bypass the services, so they are written to the audit log here.
    def log_addition(self, request, obj, message):
        audit_record(actor=request.user, action="admin.add", obj=obj, detail=str(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit_record(actor=request.user, action="admin.change", obj=obj, detail=str(message))
        return super().log_change(request, obj, message)


class AccountAdmin(SysadminPermissions, UserAdmin):
    list_display = ["username", "full_name", "unit", "is_active", "locked_until"]
    search_fields = ["username", "full_name"]
    fieldsets = (*UserAdmin.fieldsets, ("单位", {"fields": ("full_name", "unit", "phone")}))
    inlines = [RoleGrantInline]


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
