"""The audit log over the API, read only, for the audit administrator (三权分立): the same
search as the auditor's page (date range, user, unit, event) through the same selectors.
The chain's check and the Excel export stay on the page (docs/api.md §7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404
from ninja import Router, Schema

from duibiao.accounts.audit_selectors import audit_filters_parse, audit_get, audit_list
from duibiao.api.errors import FieldErrors
from duibiao.api.pagination import Mapped, paged
from duibiao.audit.models import AuditEntry

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    at: datetime
    username: str
    action: str
    success: bool
    object_type: str
    object_id: str
    object_repr: str
    unit: str | None
    ip: str | None
    detail: str


class AuditEntryDetailOut(AuditEntryOut):
    before: Any = None
    after: Any = None
    user_agent: str
    prev_hash: str
    hash: str


def _out(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.pk, "at": entry.at, "username": entry.username, "action": entry.action,
        "success": entry.success, "object_type": entry.object_type, "object_id": entry.object_id,
        "object_repr": entry.object_repr, "unit": entry.unit.code if entry.unit_id and entry.unit else None,
        "ip": entry.ip, "detail": entry.detail,
    }


@router.get("/entries", response=list[AuditEntryOut], summary="审计日志（审计管理员）：按日期范围、用户、单位、事件查询")
@paged
def entries(request, date_from: date | None = None, date_to: date | None = None, username: str = "",
            unit: int | None = None, action: str = ""):
    query = {"date_from": date_from.isoformat() if date_from else "", "date_to": date_to.isoformat() if date_to else "",
             "username": username, "unit": str(unit) if unit else "", "action": action}
    parsed = audit_filters_parse(query)
    if parsed.errors:  # a range that ends before it starts: said beside the field, as on the page
        raise FieldErrors(parsed.errors)
    return Mapped(audit_list(user=request.user, filters=parsed.filters), _out)


@router.get("/entries/{pk}", response=AuditEntryDetailOut, summary="审计记录详情（变更前后、哈希链）")
def entry(request, pk: int):
    try:
        found = audit_get(user=request.user, pk=pk)
    except AuditEntry.DoesNotExist:
        raise Http404 from None
    return {**_out(found), "before": found.before, "after": found.after, "user_agent": found.user_agent,
            "prev_hash": found.prev_hash, "hash": found.hash}
