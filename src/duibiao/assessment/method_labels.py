"""Scoring methods by their Chinese names (目标值法, 功效系数法 …).

The engine and the scheme document speak in codes (`goalposts`, `rank_steps`); people read
the names the district's 考核细则 uses. This is the one mapping: the editor's choices, the
scheme table, the explained score and the exports all read it, and show the code only as a
hint. A code the table does not know is shown as itself, never hidden.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

METHOD_LABELS: dict[str, Promise] = {
    "target": gettext_lazy("目标值法"),
    "goalposts": gettext_lazy("功效系数法"),
    "minmax": gettext_lazy("极差标准化"),
    "frontier": gettext_lazy("对标前沿法"),
    "bands": gettext_lazy("分档计分"),
    "manual": gettext_lazy("专班评分"),
    "ballot": gettext_lazy("民主测评"),
    "percentile": gettext_lazy("百分位"),
    "rank_steps": gettext_lazy("名次赋分"),
    "binary": gettext_lazy("是否达标"),
    "zscore": gettext_lazy("z 分数"),
    "growth": gettext_lazy("增长率"),
    "identity": gettext_lazy("原值计分"),
}


def method_label(code: str | None) -> str:
    """The Chinese name of a method code; an unknown code as itself; none as "—"."""
    if not code:
        return "—"
    label = METHOD_LABELS.get(code)
    return str(label) if label is not None else code
