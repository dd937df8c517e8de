"""Writing audit rows. Every service that changes data calls `audit_record` once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Model

from duibiao.audit.context import current_client_ip
from duibiao.audit.models import AuditEntry

if TYPE_CHECKING:
    # Django's own user types: audit sits below accounts, so it does not name the account model.
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    # Type only: the audit row points at a unit, but audit sits below org (org's services
    # write audit rows), so no runtime import.
    from duibiao.org.models import Unit

    # Whoever acted: a user, an anonymous visitor (a refused sign-in), or None for the system.
    Actor = AbstractBaseUser | AnonymousUser | None


def audit_entry(
    *, actor: Actor, action: str, obj: Model | None = None, unit: Unit | None = None,
    success: bool = True, before: Any = None, after: Any = None, detail: str = "",
    ip: str | None = None, username: str = "",
) -> AuditEntry:
    """An unsaved audit row (for bulk writes: see `audit_record` for the usual one-row case)."""
    # get_user_model(): the account model without importing accounts (which sits above audit).
    user = actor if isinstance(actor, get_user_model()) and actor.is_authenticated else None
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
    actor: Actor,
    action: str,
    obj: Model | None = None,
    unit: Unit | None = None,
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
