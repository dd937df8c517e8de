"""The audit log over the API, for the audit administrator (三权分立): the same search as the
auditor's page (date range, user, unit, event) through the same selectors, the chain's state
and its check (立即校验, the same walk as `duibiao audit verify`), and the search as Excel (the
page's export, built in the request as there). A token holding only `audit.log.view` (a central
log collector) reads the log and the chain's state; the check and the export need their own
actions, as on the page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404
from ninja import Router, Schema

from duibiao.accounts.audit_selectors import audit_filters_parse, audit_get, audit_list, chain_state
from duibiao.accounts.audit_services import audit_chain_verify
from duibiao.api.errors import FieldErrors
from duibiao.api.pagination import Mapped, paged
from duibiao.audit.models import AuditEntry, ChainCheck
from duibiao.documents.audit_export import AuditExportRefused, audit_export
from duibiao.documents.views import xlsx_response

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


class ChainCheckOut(Schema):
    at: datetime
    rows: int
    whole: bool  # false: the chain breaks at broken_id, for `reason`
    broken_id: int | None
    reason: str
    head_hash: str
    seconds: float
    by: str  # who asked (empty: the scheduled `duibiao audit verify`)


class ChainStateOut(Schema):
    last_check: ChainCheckOut | None  # the latest walk (none before the first)
    rows_now: int
    last_id: int
    last_hash: str
    anchor_id: int  # rows up to here were purged after their retention; the chain is checked from it
    anchor_at: datetime | None


def _check_out(check: ChainCheck) -> dict[str, Any]:
    return {"at": check.at, "rows": check.rows, "whole": check.whole, "broken_id": check.broken_id,
            "reason": check.reason, "head_hash": check.head_hash, "seconds": check.seconds, "by": check.by}


def _query(date_from: date | None, date_to: date | None, username: str, unit: int | None,
           action: str) -> dict[str, str]:
    return {"date_from": date_from.isoformat() if date_from else "", "date_to": date_to.isoformat() if date_to else "",
            "username": username, "unit": str(unit) if unit else "", "action": action}


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
    parsed = audit_filters_parse(_query(date_from, date_to, username, unit, action))
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


@router.get("/chain", response=ChainStateOut, summary="审计链状态：最近一次校验的结论与链尾（审计管理员）")
def chain(request):
    state = chain_state(user=request.user)
    return {"last_check": _check_out(state.last_check) if state.last_check else None, "rows_now": state.rows_now,
            "last_id": state.last_id, "last_hash": state.last_hash, "anchor_id": state.anchor_id,
            "anchor_at": state.anchor_at}


@router.post("/chain/verify", response=ChainCheckOut,
             summary="立即校验审计链（与页面、duibiao audit verify 同一校验；结论记入审计日志）")
def chain_verify(request):
    return _check_out(audit_chain_verify(actor=request.user))


@router.get("/export", response={200: None}, summary="导出审计记录为 Excel（与页面同一查询与条数上限）")
def export(request, date_from: date | None = None, date_to: date | None = None, username: str = "",
           unit: int | None = None, action: str = ""):
    try:
        return xlsx_response(*audit_export(user=request.user, query=_query(date_from, date_to, username, unit, action)))
    except AuditExportRefused as exc:  # a range that ends before it starts, or too many rows
        raise FieldErrors(exc.errors) from None
