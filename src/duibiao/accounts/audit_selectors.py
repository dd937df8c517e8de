"""Reads of the audit log, for the audit administrator (三权分立).

Here rather than in audit because they ask the gate: audit is the bottom of the core (every
service writes to it), so it imports neither org nor accounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from duibiao.accounts import gate
from duibiao.audit.event_labels import codes_named
from duibiao.audit.models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


def audit_list(
    *, user: User | AnonymousUser, action: str | None = None, username: str | None = None
) -> QuerySet[AuditEntry]:
    """The audit log, newest first; PermissionDenied for anyone but the audit administrator.
    `action` is the start of an event code (`submission`) or part of an event's name (填报值)."""
    gate.require(user, "audit.log.view")
    entries = AuditEntry.objects.select_related("unit")
    if action:
        entries = entries.filter(Q(action__startswith=action) | Q(action__in=codes_named(action)))
    if username:
        entries = entries.filter(username=username)
    return entries
