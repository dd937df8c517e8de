"""Checks shown while the office edits a scheme: document errors with their paths, children
whose points do not add up to their parent's, and AHP consistency ratios."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from duibiao.assessment.sources import unknown_sources
from duibiao.engine import Indicator as EngineIndicator
from duibiao.engine import Node, ahp_weights
from duibiao.schemes import SchemeDocumentError, load_scheme_text

AHP_LIMIT = 0.10


@dataclass(frozen=True)
class Finding:
    level: str  # "error" | "warning" | "ok"
    where: str
    message: str


def _walk(node: Node):
    yield node
    for child in node.children:
        if isinstance(child, Node):
            yield from _walk(child)


def _category_points(node: Node, category: str) -> float:
    """Points of the children that every unit of the category has (no unit-specific ones)."""
    return sum(
        c.weight for c in node.children
        if not isinstance(c, EngineIndicator)
        or (not c.applies_to.units and (not c.applies_to.categories or category in c.applies_to.categories))
    )


def scheme_findings(text: str, *, category_names: Mapping[str, str] | None = None) -> list[Finding]:
    """The checks of a document's text. The document names categories by code;
    `category_names` (code → name) lets the messages say them as people do."""
    names = category_names or {}
    try:
        scheme = load_scheme_text(text)
    except SchemeDocumentError as exc:
        return [Finding("error", path or "（文档）", reason) for path, reason in exc.errors]
    findings: list[Finding] = [Finding("error", path, reason) for path, reason in unknown_sources(scheme)]
    categories = sorted({c for i in scheme.indicators for c in i.applies_to.categories})
    for node in _walk(scheme.tree):
        total = sum(child.weight for child in node.children)
        restricted = [
            c for c in node.children
            if isinstance(c, EngineIndicator) and (c.applies_to.categories or c.applies_to.units)
        ]
        is_points = node is not scheme.tree and node.weights.method == "fixed"
        if is_points and restricted:
            # With 共性/个性 indicators a unit only has some children and weights are rescaled
            # over the ones that apply; show what each category's units have, so the office
            # sees the effect of every change (个性 indicators come on top for named units).
            sums = "、".join(
                f"{names.get(category, category)} {_category_points(node, category):g}" for category in categories
            ) or f"{total:g}"
            specific = sum(1 for c in restricted if c.applies_to.units)
            extra = f"（另有 {specific} 项个性指标）" if specific else ""
            findings.append(Finding(
                "ok", node.code,
                f"“{node.name}”{node.weight:g} 分：各分类适用的共性指标分值合计 {sums}{extra}，"
                f"各单位按适用指标折算到 {node.weight:g} 分",
            ))
        elif is_points and abs(total - node.weight) > 1e-9:
            findings.append(Finding(
                "warning", node.code,
                f"“{node.name}”分值为 {node.weight:g}，下级指标分值合计 {total:g}",
            ))
        if node.weights.method == "ahp" and node.weights.matrix is not None:
            matrix = [list(row) for row in node.weights.matrix]
            cr = ahp_weights(matrix, random_index=node.weights.random_index, accept_inconsistent=True).cr
            if cr <= AHP_LIMIT:
                findings.append(Finding("ok", node.code, f"“{node.name}”AHP 一致性比率 CR = {cr:.3f}"))
            else:
                level = "warning" if node.weights.accept_inconsistent else "error"
                findings.append(Finding(
                    level, node.code,
                    f"“{node.name}”AHP 一致性比率 CR = {cr:.3f} > {AHP_LIMIT}，请调整判断矩阵",
                ))
    if scheme.tree.children and all(not isinstance(c, EngineIndicator) for c in scheme.tree.children):
        top = sum(c.weight for c in scheme.tree.children)
        findings.append(Finding("ok", scheme.tree.code, f"一级指标分值合计 {top:g}"))
    if not any(f.level != "ok" for f in findings):
        findings.insert(0, Finding("ok", "", "方案文档校验通过"))
    return findings
