"""Cross-field checks of a built scheme that its JSON Schema cannot express: unique codes,
references between indicators, weights that can be summed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .numbers import plain
from .scheme import Indicator, Node, Scheme, SchemeError, WeightSpec

__all__ = ["check_scheme", "zero_weights_message"]


def check_scheme(scheme: Scheme) -> None:
    """Cross-field checks the JSON Schema cannot express (unique codes, references, weights
    that can be summed). Messages name values plainly (``'u9'``, never ``np.str_('u9')``)."""
    _check_codes(scheme)
    sources = {i.code: i for i in scheme.indicators}
    for ind in scheme.indicators:
        _check_indicator(scheme, ind, sources)
    for node in scheme.nodes:
        _check_node(node)
    if scheme.ranking.ties not in ("min", "dense", "average", "max"):
        raise SchemeError("ranking.ties", "must be min, dense, average or max")


def _check_codes(scheme: Scheme) -> None:
    """Every code once; adjustment types, veto effects and capped grades as declared."""
    seen: dict[str, str] = {}

    def claim(code: str, path: str) -> None:
        if code in seen:
            raise SchemeError(path, f"code '{plain(code)}' is already used at {seen[code]}")
        seen[code] = path

    for n in scheme.tree.walk():
        claim(n.code, n.path + ".code")
    for i, a in enumerate(scheme.adjustments.items):
        claim(a.code, f"adjustments.items[{i}].code")
        if a.kind not in ("bonus", "penalty"):
            raise SchemeError(f"adjustments.items[{i}].type", "must be bonus or penalty")
    for i, v in enumerate(scheme.vetoes):
        claim(v.code, f"vetoes[{i}].code")
        if v.effect not in ("cap_grade", "zero"):
            raise SchemeError(f"vetoes[{i}].effect", "must be cap_grade or zero")
        if v.effect == "cap_grade" and v.grade not in {g.name for g in scheme.grading.grades}:
            raise SchemeError(f"vetoes[{i}].grade", f"'{plain(v.grade)}' is not a declared grade")


def _check_indicator(scheme: Scheme, ind: Indicator, sources: Mapping[str, Indicator]) -> None:
    """One indicator's references and method parameters."""
    if ind.value_from is not None and (ind.same_as is not None or ind.method in ("ballot", "manual")):
        # One origin per value: a source's value, or another indicator's, or votes, or
        # the task force's score — never two that could disagree.
        raise SchemeError(f"{ind.path}.value_from", "cannot be combined with same_as, ballot or manual")
    if ind.same_as is not None:
        source = sources.get(ind.same_as)
        if source is None or source.code == ind.code or source.same_as is not None:
            raise SchemeError(
                f"{ind.path}.same_as",
                f"'{plain(ind.same_as)}' must be another indicator that is itself reported",
            )
    tf = {t.code for t in scheme.taskforces}
    if tf and ind.taskforce is not None and ind.taskforce not in tf:
        raise SchemeError(f"{ind.path}.taskforce", f"unknown task force '{plain(ind.taskforce)}'")
    d = ind.prepare.denominator
    if d is not None and d not in scheme.denominators:
        raise SchemeError(f"{ind.path}.prepare.denominator", f"'{plain(d)}' is not declared")
    if ind.prepare.impute_group and ind.prepare.impute_group not in scheme.groups:
        raise SchemeError(
            f"{ind.path}.prepare.impute.group",
            f"'{plain(ind.prepare.impute_group)}' not in groups",
        )
    if ind.method in ("goalposts", "growth") and "target" in ind.params:
        lo = float(ind.params.get("threshold", 0.0))
        hi = float(ind.params["target"])
        if (hi - lo) * ind.direction <= 0:
            raise SchemeError(
                f"{ind.path}.normalise",
                "threshold and target contradict the direction "
                "(lower is better needs threshold > target)",
            )
    if ind.method == "target" and float(ind.params.get("target", 1.0)) <= 0:
        # x/T and T/x only rank values the right way round against a positive target.
        raise SchemeError(
            f"{ind.path}.normalise.target",
            "目标完成率的目标值须大于 0（目标为 0 或负数时用 goalposts 门槛值–目标值法）/ "
            "the target must be positive (use goalposts for a target at or below zero)",
        )


def _check_node(node: Node) -> None:
    """An AHP matrix fits the children; fixed weights do not all vanish."""
    if node.weights.method == "ahp":
        m = node.weights.matrix
        if m is None or len(m) != len(node.children) or any(len(r) != len(m) for r in m):
            raise SchemeError(
                f"{node.path}.weights.matrix",
                f"must be a {len(node.children)}×{len(node.children)} pairwise matrix",
            )
    fixed = any(spec.method == "fixed" for spec in _weight_parts(node.weights))
    if fixed and sum(c.weight for c in node.children) <= 0:
        raise SchemeError(f"{node.path}.children", zero_weights_message(node))


def _weight_parts(spec: WeightSpec) -> Iterator[WeightSpec]:
    """A weight spec and, for ``combine``, the specs it combines."""
    yield spec
    for part in (spec.first, spec.second):
        if part is not None:
            yield from _weight_parts(part)


def zero_weights_message(node: Node) -> str:
    """Why a node cannot be aggregated: its children's weights add up to nothing."""
    name = f"（{node.name}）" if node.name and node.name != node.code else ""
    return (
        f"节点 {plain(node.code)}{name} 的下级权重合计为 0，无法汇总 / "
        f"the weights of node {plain(node.code)} sum to zero"
    )
