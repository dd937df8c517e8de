"""审计日志 as a workbook: the auditor's filtered rows, one per line, streamed (write-only)
with every text cell through `safe_cell` — a user name, an object or a detail typed as
"=HYPERLINK(…)" reaches the reader as text, never as a formula."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from duibiao.documents.excel.daily_workbook import safe_cell
from duibiao.documents.excel.workbook import CENTER, HEADER, HEADER_FILL, TITLE, save_bytes

if TYPE_CHECKING:
    from duibiao.audit.models import AuditEntry

WIDTHS = (10, 21, 14, 22, 26, 8, 18, 10, 30, 16, 16, 30, 40, 40, 40, 66)


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit_workbook_build(entries: Iterable[AuditEntry], *, caption: str) -> bytes:
    """Usage: ``audit_workbook_build(audit_list(user=u, filters=f), caption="…")``."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("审计日志"))
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    title = safe_cell(ws, caption)
    title.font = TITLE
    ws.append([title])
    head = []
    for text in (_("编号"), _("时间"), _("用户名"), _("事件"), _("事件代码"), _("结果"), _("对象类型"),
                 _("对象编号"), _("对象"), _("单位"), _("来源地址"), _("客户端"), _("说明"),
                 _("变更前"), _("变更后"), _("哈希")):
        cell = safe_cell(ws, text)
        cell.font, cell.fill, cell.alignment = HEADER, HEADER_FILL, CENTER
        head.append(cell)
    ws.append(head)
    for e in entries:
        at = timezone.localtime(e.at).replace(tzinfo=None)  # Excel has no time zones
        ws.append([safe_cell(ws, value) for value in (
            e.pk, at, e.username, str(e.action_label), e.action, _("成功") if e.success else _("失败"),
            e.object_type, e.object_id, e.object_repr, e.unit.name if e.unit else "", e.ip or "",
            e.user_agent, e.detail, _json(e.before), _json(e.after), e.hash,
        )])
    return save_bytes(wb)
