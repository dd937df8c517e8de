"""The audit administrator's one write: walking the chain on demand (立即校验). Here rather
than in audit because it asks the gate, which audit sits below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from duibiao.accounts import gate
from duibiao.audit.chain import chain_verify
from duibiao.audit.models import ChainCheck
from duibiao.audit.services import audit_record, chain_check_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


def audit_chain_verify(*, actor: User | AnonymousUser) -> ChainCheck:
    """Walk the chain, keep the outcome, and log who asked (a broken chain as a failure)."""
    gate.require(actor, "audit.chain.verify")
    verdict = chain_verify()  # outside the transaction: a long read holds no write lock
    with transaction.atomic():
        check = chain_check_record(by=actor.get_username(), verdict=verdict)
        audit_record(actor=actor, action="audit.chain.verify", success=check.whole, after={
            "rows": check.rows, "whole": check.whole, "broken_id": check.broken_id,
            "head_hash": check.head_hash,
        })
    return check
