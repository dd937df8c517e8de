"""`{% load ranking_rows %}{% ranking_rows rows run is_office unstable %}`: the rows of one category's
ranking table.

Why in Python: 600 rows × a dozen cells through the template engine took ~150 ms of a 600-unit
ranking page (every variable resolved, every `{% url %}` reversed, every `{% translate %}` looked
up per row); the same HTML from one function is a few milliseconds. The markup is the one the
template had (classes, data-testid), with every name from data escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from collections.abc import Iterable

    from duibiao.assessment.models import ScoringRun
    from duibiao.assessment.selectors.ranking_table import RankingRow

register = template.Library()
PLACEHOLDER = "unit-code-here"  # a valid slug, replaced by each row's (quoted) unit code


@register.simple_tag
def ranking_rows(rows: Iterable[RankingRow], run: ScoringRun, is_office: bool, unstable: set[str]) -> SafeString:
    link = reverse("assessment:unit_result", args=[run.pk, PLACEHOLDER])
    badge = (f' <span class="badge text-bg-light border" title="{escape(_("权重扰动下名次变化较大"))}">'
             f'{escape(_("排名不稳定"))}</span>')
    veto = escape(_("一票否决"))
    out = []
    for r in rows:
        code, cells = r.unit.code, r.cells
        href = link.replace(PLACEHOLDER, quote(code, safe=RFC3986_SUBDELIMS + "/~:@"))
        adjust = ""
        if cells["bonus"]:
            adjust = f'<span class="text-success">+{cells["bonus"]}</span>'
        if cells["penalty"]:
            adjust += f' <span class="text-danger">−{cells["penalty"]}</span>'
        change = r.rank_change
        moved = (f'<span class="text-success">↑{cells["change"]}</span>' if change is not None and change > 0 else
                 f'<span class="text-danger">↓{cells["change"]}</span>' if change is not None and change < 0 else
                 "—" if change == 0 else "")
        vetoed = (f' <span class="badge text-bg-danger" title="{escape("、".join(r.vetoes))}">{veto}</span>'
                  if r.vetoes else "")
        dims = "".join(f'<td class="text-end small">{v}</td>' for v in cells["dimensions"])
        out.append(
            f'<tr data-testid="rank-{escape(code)}">\n<td>{cells["rank"]}</td>\n'
            f'<td><a href="{escape(href)}">{escape(r.unit.name)}</a>'
            f'{badge if is_office and code in unstable else ""}</td>\n'
            f'<td class="text-end fw-semibold">{cells["score"]}</td>\n{dims}\n'
            f'<td class="text-end small">{adjust}</td>\n<td>{moved}</td>\n'
            f'<td>{escape(r.grade)}{vetoed}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 — every value from data is escaped above
