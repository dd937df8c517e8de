"""Writing audit rows. Every service that changes data calls `audit_record` once; a service
that writes many rows at once builds them with `audit_entry` and saves them with
`audit_record_many`. Rows are saved only through the chain (audit/chain.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from duibiao.audit.chain import Verdict, chain_append, chain_verify, head_for_update
from duibiao.audit.context import (
    current_api_token,
    current_client_ip,
    current_user_agent,
    token_tag,
    token_tagged,
)
from duibiao.audit.models import AuditEntry, ChainCheck, ChainHead

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
    ip: str | None = None, username: str = "", user_agent: str | None = None,
) -> AuditEntry:
    """An unsaved audit row (for `audit_record_many`; `audit_record` is the one-row case)."""
    # get_user_model(): the account model without importing accounts (which sits above audit).
    user = actor if isinstance(actor, get_user_model()) and actor.is_authenticated else None
    if ip is None:
        ip = current_client_ip()  # the request being served, if any (audit/middleware.py)
    key_id = current_api_token()  # a token call: which token acted, in a field the chain hashes
    if key_id is not None and token_tag(detail) is None:
        detail = token_tagged(detail, key_id)
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
        user_agent=(current_user_agent() if user_agent is None else user_agent)[:300],
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
    chain_append([entry])
    return entry


def audit_record_many(entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """Save rows built by `audit_entry`, in order, linked into the chain (one statement)."""
    return chain_append(entries)


MIN_RETENTION_DAYS = 180


def retention_days() -> int:
    """DUIBIAO_AUDIT_RETENTION_DAYS; never below 180 (等保 level 3 keeps audit records at least
    six months): a smaller figure is refused, not quietly raised."""
    days = int(getattr(settings, "DUIBIAO_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"DUIBIAO_AUDIT_RETENTION_DAYS={days}: 审计记录至少保留 {MIN_RETENTION_DAYS} 天 / "
            f"audit rows are kept at least {MIN_RETENTION_DAYS} days"
        )
    return days


def chain_check_record(*, by: str = "", verdict: Verdict | None = None) -> ChainCheck:
    """Walk the chain (unless `verdict` is a walk just made) and keep the outcome (the
    auditor's page shows the latest). The walk reads only: no lock is held while it runs."""
    verdict = verdict or chain_verify()
    return ChainCheck.objects.create(
        at=verdict.checked_at, rows=verdict.rows, whole=verdict.whole, broken_id=verdict.broken_id,
        reason=verdict.reason[:200], head_hash=verdict.head_hash, seconds=verdict.seconds, by=by,
    )


@dataclass(frozen=True)
class Purged:
    rows: int
    through_id: int
    cutoff: datetime


class ChainBroken(Exception):
    """A purge refused because the chain does not verify: removing rows would erase evidence."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"审计链在第 {verdict.broken_id} 条记录处断开（{verdict.reason}），不清理 / "
                         f"the chain is broken at row {verdict.broken_id}; nothing purged")
        self.verdict = verdict


def audit_purge(*, actor: Actor = None, now: datetime | None = None) -> Purged:
    """Remove the rows older than the retention period, oldest first, keeping the chain
    verifiable: the last removed row's id and hash become the anchor the kept rows are checked
    from, and the purge is itself an audit row naming the anchor (verify checks they agree).
    Only a prefix of the chain goes: a row is kept when any row before it is still young."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    with transaction.atomic():
        head = head_for_update()
        verdict = chain_verify()
        if not verdict.whole:
            raise ChainBroken(verdict)
        first_kept = (AuditEntry.objects.filter(id__gt=head.anchor_id, at__gte=cutoff)
                      .order_by("id").values_list("id", flat=True).first())
        old = AuditEntry.objects.filter(id__gt=head.anchor_id)
        if first_kept is not None:
            old = old.filter(id__lt=first_kept)
        last = old.order_by("-id").values_list("id", "hash", "at").first()
        if last is None:
            return Purged(rows=0, through_id=head.anchor_id, cutoff=cutoff)
        through_id, anchor_hash, anchor_at = last
        # The anchor moves first: the trigger lets only rows at or below it be deleted.
        ChainHead.objects.filter(pk=1).update(
            anchor_id=through_id, anchor_hash=anchor_hash, anchor_at=anchor_at)
        rows, _ = AuditEntry.objects.filter(id__lte=through_id).delete()
        audit_record(actor=actor, action="audit.purge", after={
            "through_id": through_id, "anchor_hash": anchor_hash, "rows": rows,
            "cutoff": cutoff.isoformat(), "retention_days": retention_days(),
        })
    return Purged(rows=rows, through_id=through_id, cutoff=cutoff)
