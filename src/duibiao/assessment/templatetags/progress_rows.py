"""`{% load progress_rows %}{% progress_rows group.rows %}`: the rows of one category of the 填报进度
matrix.

Why in Python: 60 units × 150 indicators are 9 000 cells; through the template engine each cell
was a variable resolved and escaped, most of a ~190 ms page. One function writes the same markup
(a class per cell, the status letter from CSS) in a few milliseconds. Cell classes come from a
fixed table of the statuses; unit names and codes are escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from django import template
from django.utils.safestring import SafeString, mark_safe

from duibiao.assessment.selectors.progress import NA, STATUSES

if TYPE_CHECKING:
    from collections.abc import Iterable

    from duibiao.assessment.selectors.progress import ProgressRow

register = template.Library()
CELLS = {status: f'<td class="pm-{status}"></td>' for status in (*STATUSES, NA)}


def _cell(status: str) -> str:
    return f'<td class="pm-{escape(status)}"></td>'  # a status the table does not know yet


@register.simple_tag
def progress_rows(rows: Iterable[ProgressRow]) -> SafeString:
    out = []
    for row in rows:
        name = escape(row.unit.name)
        late = ' class="pm-overdue"' if row.overdue else ""
        out.append(
            f'<tr{late} data-unit="{escape(row.unit.code)}"><th class="pm-unit" scope="row" title="{name}">{name}</th>'
            f'{"".join([CELLS.get(c) or _cell(c) for c in row.cells])}<td class="pm-n">{row.done}/{row.applicable}</td></tr>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 — names and codes escaped, cells from a fixed table
