from __future__ import annotations

from django.db.models import QuerySet

from duibiao.accounts.gate import require_role
from duibiao.accounts.roles import Role
from duibiao.audit.models import AuditEntry


def audit_list(*, user, action: str | None = None, username: str | None = None) -> QuerySet[AuditEntry]:
    """The audit log, for the audit administrator only (三权分立)."""
    require_role(user, Role.AUDITOR)
    entries = AuditEntry.objects.select_related("unit")
    if action:
        entries = entries.filter(action__startswith=action)
    if username:
        entries = entries.filter(username=username)
    return entries
