"""Checks shown while the office edits a scheme: document errors with their paths, children
whose points do not add up to their parent's, and AHP consistency ratios."""

from __future__ import annotations

from dataclasses import dataclass

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


def scheme_findings(text: str) -> list[Finding]:
    try:
        scheme = load_scheme_text(text)
    except SchemeDocumentError as exc:
        return [Finding("error", path or "（文档）", reason) for path, reason in exc.errors]
    findings: list[Finding] = []
    for node in _walk(scheme.tree):
        total = sum(child.weight for child in node.children)
        restricted = [
            c for c in node.children
            if isinstance(c, EngineIndicator) and (c.applies_to.categories or c.applies_to.units)
        ]
        is_points = node is not scheme.tree and node.weights.method == "fixed"
        if is_points and restricted:
            # With 共性/个性 indicators a unit only has some children; weights are rescaled
            # over the ones that apply, so the raw sum may legitimately differ.
            findings.append(Finding(
                "ok", node.code,
                f"“{node.name}”下级指标分值合计 {total:g}，含 {len(restricted)} 项限定适用范围的指标，"
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
