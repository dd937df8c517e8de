"""Reads of the audit log, for the audit administrator (三权分立).

Here rather than in audit because they ask the gate: audit is the bottom of the core (every
service writes to it), so it imports neither org nor accounts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.audit.event_labels import codes_named
from duibiao.audit.models import AuditEntry, ChainCheck, ChainHead
from duibiao.org.models import Unit
from duibiao.params import BadParameter, date_param, int_param

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


@dataclass(frozen=True)
class AuditFilters:
    """The auditor's search: a date range (days, inclusive, in the site's time zone), a user
    name, a unit and an event (the start of its code, or part of its Chinese name)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    username: str = ""
    unit_id: int | None = None
    action: str = ""

    def query(self) -> dict[str, str]:
        """The filters as the page's query string (for the export link and the pages)."""
        values = {"date_from": self.date_from, "date_to": self.date_to, "username": self.username,
                  "unit": self.unit_id, "action": self.action}
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


@dataclass
class ParsedFilters:
    filters: AuditFilters
    errors: dict[str, str] = field(default_factory=dict)  # field name → Chinese message


def audit_filters_parse(data: Mapping[str, Any]) -> ParsedFilters:
    """The filters from a query string; a malformed one is left out and its message kept for
    the field it came from (the page shows it there)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, label in (("date_from", _("起始日期")), ("date_to", _("截止日期"))):
        try:
            values[name] = date_param(data, name, label=label, default=None)
        except BadParameter as exc:
            errors[name] = str(exc)
    try:
        values["unit_id"] = int_param(data, "unit", label=_("单位"), default=None, min_value=1)
    except BadParameter as exc:
        errors["unit"] = str(exc)
    if values.get("date_from") and values.get("date_to") and values["date_from"] > values["date_to"]:
        errors["date_to"] = _("截止日期不能早于起始日期")
        values["date_to"] = None
    return ParsedFilters(AuditFilters(
        username=str(data.get("username") or "").strip()[:150],
        action=str(data.get("action") or "").strip()[:60], **values,
    ), errors)


def audit_export_limit() -> int:
    """The most rows one Excel export holds (DUIBIAO_AUDIT_EXPORT_MAX_ROWS): a larger filter
    is asked to narrow rather than tie up a server process."""
    return int(getattr(settings, "DUIBIAO_AUDIT_EXPORT_MAX_ROWS", 100_000))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_list(
    *, user: User | AnonymousUser, filters: AuditFilters | None = None, action: str | None = None,
    username: str | None = None,
) -> QuerySet[AuditEntry]:
    """The audit log, newest first; PermissionDenied for anyone but the audit administrator.
    `action` is the start of an event code (`submission`) or part of an event's name (填报值)."""
    gate.require(user, "audit.log.view")
    f = filters or AuditFilters(action=action or "", username=username or "")
    entries = AuditEntry.objects.select_related("unit")
    if f.action:
        entries = entries.filter(Q(action__startswith=f.action) | Q(action__in=codes_named(f.action)))
    if f.username:
        entries = entries.filter(username=f.username)
    if f.unit_id:
        entries = entries.filter(unit_id=f.unit_id)
    if f.date_from:
        entries = entries.filter(at__gte=_day_start(f.date_from))
    if f.date_to:
        entries = entries.filter(at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    return entries


def audit_units(*, user: User | AnonymousUser) -> list[tuple[int, str]]:
    """The units audit rows name, for the unit filter (the auditor reads names in the log
    already; this is no wider than that)."""
    gate.require(user, "audit.log.view")
    ids = AuditEntry.objects.filter(unit_id__isnull=False).values_list("unit_id", flat=True).distinct()
    return list(Unit.objects.filter(pk__in=ids).order_by("path").values_list("pk", "name"))


def audit_get(*, user: User | AnonymousUser, pk: int) -> AuditEntry:
    gate.require(user, "audit.log.view")
    return AuditEntry.objects.select_related("unit").get(pk=pk)


@dataclass(frozen=True)
class DiffLine:
    """One key of before / after, each as text ("" when the side has no such key)."""

    key: str
    before: str
    after: str
    changed: bool


def _text(value: Any) -> str:
    if value is _ABSENT:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


_ABSENT = object()


def audit_diff(entry: AuditEntry) -> list[DiffLine]:
    """Before and after side by side, key by key (nested keys joined with dots); a value that
    is not an object is one line."""
    before, after = _flat(entry.before), _flat(entry.after)
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, _ABSENT), after.get(key, _ABSENT)
        lines.append(DiffLine(key, _text(old), _text(new), old != new))
    return lines


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flat(item, f"{prefix}{key}.") if isinstance(item, dict) and item
                        else {f"{prefix}{key}": item})
        return flat
    return {prefix.rstrip(".") or "—": value}


@dataclass(frozen=True)
class ChainState:
    """The chain as the auditor sees it: the last walk (None before the first) and the head."""

    last_check: ChainCheck | None
    rows_now: int
    last_id: int
    last_hash: str
    anchor_id: int
    anchor_at: dt.datetime | None
    can_verify: bool
    can_export: bool


def chain_state(*, user: User | AnonymousUser) -> ChainState:
    gate.require(user, "audit.log.view")
    head = ChainHead.objects.filter(pk=1).first()
    return ChainState(
        can_verify=gate.allows(user, "audit.chain.verify"),
        can_export=gate.allows(user, "audit.log.export"),
        last_check=ChainCheck.objects.order_by("-at", "-id").first(),
        rows_now=AuditEntry.objects.count(),
        last_id=head.last_id if head else 0, last_hash=head.last_hash if head else "",
        anchor_id=head.anchor_id if head else 0, anchor_at=head.anchor_at if head else None,
    )
