"""Writing audit rows. Every service that changes data calls `audit_record` once."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from duibiao.audit.context import current_client_ip
from duibiao.audit.models import AuditEntry


def audit_entry(
    *, actor, action: str, obj: Model | None = None, unit=None, success: bool = True,
    before: Any = None, after: Any = None, detail: str = "", ip: str | None = None, username: str = "",
) -> AuditEntry:
    """An unsaved audit row (for bulk writes: see `audit_record` for the usual one-row case)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    if ip is None:
        ip = current_client_ip()  # the request being served, if any (audit/middleware.py)
    return AuditEntry(
        user=user,
        username=username or (user.get_username() if user else ""),
        action=action,
        success=success,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        unit=unit,
        ip=ip,
        before=before,
        after=after,
        detail=detail[:500],
    )


def audit_record(
    *,
    actor,
    action: str,
    obj: Model | None = None,
    unit=None,
    success: bool = True,
    before: Any = None,
    after: Any = None,
    detail: str = "",
    ip: str | None = None,
    username: str = "",
) -> AuditEntry:
    entry = audit_entry(
        actor=actor, action=action, obj=obj, unit=unit, success=success, before=before,
        after=after, detail=detail, ip=ip, username=username,
    )
    entry.save()
    return entry
