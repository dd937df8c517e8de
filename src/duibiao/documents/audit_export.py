"""导出审计记录: the auditor's filtered log as one Excel workbook, for the page (views_audit)
and the API alike. Here (documents) because documents writes every workbook formula-safe; the
rows come from accounts' audit selector, through the gate.

    filename, data = audit_export(user=auditor, query={"date_from": "2026-10-01"})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.accounts.audit_selectors import (
    ParsedFilters,
    audit_export_limit,
    audit_filters_parse,
    audit_list,
)
from duibiao.documents.excel.audit_workbook import audit_workbook_build

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


class AuditExportRefused(Exception):
    """A search that cannot be exported: `errors` maps each field (or `export`, the number of
    rows) to its reason in Chinese; `parsed` is the search as read, for the page to show."""

    def __init__(self, errors: dict[str, str], parsed: ParsedFilters) -> None:
        super().__init__("；".join(errors.values()))
        self.errors, self.parsed = errors, parsed


def audit_export(*, user: User | AnonymousUser, query: Mapping[str, Any]) -> tuple[str, bytes]:
    """(file name, xlsx bytes) of the audit rows of a search (the list page's filters), oldest
    first. Refused (AuditExportRefused) for a malformed search or more rows than
    DUIBIAO_AUDIT_EXPORT_MAX_ROWS; PermissionDenied for anyone but the audit administrator."""
    gate.require(user, "audit.log.export")
    parsed = audit_filters_parse(query)
    if parsed.errors:
        raise AuditExportRefused(parsed.errors, parsed)
    entries = audit_list(user=user, filters=parsed.filters).order_by("id")
    if entries.count() > audit_export_limit():
        raise AuditExportRefused({"export": _("符合条件的记录超过 %(n)s 条，请缩小日期范围或增加条件后再导出。") % {
            "n": audit_export_limit()}}, parsed)
    filters = parsed.filters.query()
    caption = _("审计日志（导出于 %(now)s）") % {"now": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    if filters:
        caption += " " + "；".join(f"{key}={value}" for key, value in filters.items())
    data = audit_workbook_build(entries.iterator(chunk_size=2000), caption=caption)
    return f"审计日志-{timezone.localtime():%Y%m%d-%H%M}.xlsx", data
