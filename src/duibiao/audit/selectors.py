from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from duibiao.accounts.gate import require_role
from duibiao.accounts.roles import Role
from duibiao.audit.models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


def audit_list(*, user: User | AnonymousUser, action: str | None = None, username: str | None = None) -> QuerySet[AuditEntry]:
    """The audit log, for the audit administrator only (三权分立)."""
    require_role(user, Role.AUDITOR)
    entries = AuditEntry.objects.select_related("unit")
    if action:
        entries = entries.filter(action__startswith=action)
    if username:
        entries = entries.filter(username=username)
    return entries
