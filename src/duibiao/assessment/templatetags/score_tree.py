"""`{% load score_tree %}{% score_tree_rows tree %}`: the rows of a unit's 得分构成 table (one row per
dimension, one per applicable indicator); `{% what_if_inputs tree %}`: the 模拟测算 form's fields.

Why in Python: with 200 indicators the template engine spent most of a unit result page on these
rows (~1 800 `floatformat` calls through Decimal and localisation, ~6 000 variable lookups);
the same HTML from one function is a few milliseconds. The markup is the one the template had
(classes, data-testid, data-contribution), every text from data escaped, and every number
formatted exactly as `floatformat` formats it (`fmt`, tested against it).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from duibiao.assessment.method_labels import method_label

register = template.Library()
_EXPONENTS = {p: Decimal(1).scaleb(-p) for p in range(0, 11)}


def fmt(value: Any, places: int) -> str:
    """`value|floatformat:places` without localisation (the page's languages write numbers
    alike): `places` decimals, or for a negative `places` none when the value is whole.
    None (and anything not a number) gives "" as floatformat does."""
    if value is None:
        return ""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        try:
            d = Decimal(str(float(value)))
        except (ValueError, InvalidOperation, TypeError):
            return ""
    if not d.is_finite():
        return str(value)
    whole = d == d.to_integral_value()
    if whole and places <= 0:
        return str(int(d))
    p = abs(places)
    sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    units = len(digits) + (-exponent if not whole else exponent)
    rounded = d.quantize(_EXPONENTS[p], ROUND_HALF_UP, Context(prec=max(28, p + units + 1)))
    text = f"{rounded:f}"
    if text.startswith("-") and not rounded:
        text = text[1:]  # floatformat writes no "-0.00"
    return text


def _none(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _node_row(node: dict[str, Any]) -> str:
    bench = ""
    if node.get("best") is not None:
        bench = (f'{escape(_("同类最优"))} {fmt(node["best"], 2)} · '
                 f'{escape(_("中位"))} {fmt(node.get("median"), 2)}')
    return (f'<tr class="table-secondary"><td colspan="3"><strong>{escape(str(node["name"]))}</strong></td>'
            f'<td class="text-end small">{fmt(node.get("score"), 2)}</td>'
            f'<td class="text-end"><strong>{fmt(node.get("contribution_to_total"), 2)}</strong></td>'
            f'<td class="small">{bench}</td></tr>\n')


def _source(ind: dict[str, Any]) -> str:
    source = ind.get("source")
    if not source:
        return ""
    code = escape(str(ind["code"]))
    text = escape(_("取自数据源：%(label)s") % {"label": source.get("label", "")})
    provenance = source.get("provenance") or []
    if provenance:
        named = "、".join(escape(str(p)) for p in provenance[:10])
        more = "……" if len(provenance) > 10 else ""
        text += f'（{escape(_("依据 %(n)s 项") % {"n": len(provenance)})}：{named}{more}）'
    return f'\n    <div class="small text-secondary" data-testid="source-{code}">{text}</div>'


def _indicator_row(ind: dict[str, Any]) -> str:
    code = escape(str(ind["code"]))
    contribution = ind.get("contribution_to_total")
    raw = ind.get("raw")
    raw_cell = fmt(raw, -2) if raw is not None else f'<span class="text-secondary">{escape(_("无"))}</span>'
    used = "".join(f'<span class="me-2">{escape(str(k))} {fmt(v, -2)}</span>' for k, v in ind.get("used_labels", []))
    if ind.get("best") is not None:
        used += f'<span class="text-secondary">{escape(_("同类最优"))} {fmt(ind["best"], -2)}</span>'
    method = escape(str(ind.get("method") or ""))
    return (
        f'<tr data-testid="contribution-{code}" data-contribution="{fmt(0 if contribution is None else contribution, 10)}">\n'
        f'  <td class="ps-4">{escape(str(ind["name"]))} <span class="small text-secondary" title="{method}" '
        f'data-testid="method-{code}">{escape(str(method_label(ind.get("method"))))}</span>{_source(ind)}</td>\n'
        f'  <td class="text-end">{raw_cell}</td>\n'
        f'  <td class="text-end">{fmt(ind.get("normalised"), 2)}</td>\n'
        f'  <td class="text-end small">{fmt(ind.get("share_in_parent"), 3)}</td>\n'
        f'  <td class="text-end">{fmt(contribution, 3)}</td>\n'
        f'  <td class="small">{used}</td>\n</tr>\n'
    )


@register.simple_tag
def score_tree_rows(tree: list[dict[str, Any]]) -> SafeString:
    out = []
    for node in tree:
        out.append(_node_row(node))
        out.extend(_indicator_row(ind) for ind in node["indicators"])
    return mark_safe("".join(out))  # noqa: S308 — every text from data is escaped above


@register.simple_tag
def what_if_inputs(tree: list[dict[str, Any]]) -> SafeString:
    """One labelled input per indicator (ballots excepted), its placeholder the raw value."""
    out = []
    for node in tree:
        for ind in node["indicators"]:
            if ind.get("method") == "ballot":
                continue
            code = escape(str(ind["code"]))
            out.append(
                f'\n    <div class="col-6"><label class="form-label small mb-0" for="wi-{code}">{escape(str(ind["name"]))}'
                f'</label>\n      <input id="wi-{code}" name="v-{code}" class="form-control form-control-sm" '
                f'placeholder="{fmt(ind.get("raw"), -2)}"></div>\n    '
            )
    return mark_safe("".join(out))  # noqa: S308 — every text from data is escaped above
