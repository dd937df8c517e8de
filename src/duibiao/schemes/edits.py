"""Form edits of the scheme document (考核方案文档), as pure functions over the parsed dict.

Pure (PyYAML, no Django), so it sits with the document in `duibiao.schemes`; the services that
save an edit as a new version are `assessment.services.scheme_edits`.

Every function takes the document as ``yaml.safe_load`` gives it and returns a new dict; the
input is never changed. Fields the form does not know (``prepare``, ``missing``, ``note`` …)
are kept as they are, so the YAML stays the source of truth and the form only edits it.
Usage: ``doc = indicator_update(doc, "nl02", {"weight": 4})``; ``document_dump(doc)``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

__all__ = [
    "KINDS", "METHODS", "METHOD_REQUIRED", "EditError", "adjustment_add", "adjustment_remove",
    "adjustment_update", "change_note", "dimension_points_set", "document_dump", "document_load",
    "find_node", "group_nodes", "indicator_add", "indicator_move", "indicator_remove",
    "indicator_update", "set_applicability", "set_method", "set_taskforce", "set_weight",
    "veto_add", "veto_remove", "veto_update",
]

KINDS = ("number", "percent", "yes-no", "count", "ballot")
# The common scoring methods and the parameters the form offers for each (docs/engine.md).
METHODS: dict[str, tuple[str, ...]] = {
    "target": ("target", "cap", "floor"),
    "goalposts": ("threshold", "target"),
    "minmax": ("scope",),
    "frontier": ("best", "worst", "scope"),
    "bands": ("bands", "else"),
    "manual": ("full",),
    "ballot": ("grades",),
    "percentile": ("scope",),
    "rank_steps": ("scope", "top", "step", "floor"),
    "binary": (),
}
METHOD_REQUIRED: dict[str, tuple[str, ...]] = {
    "target": ("target",), "goalposts": ("target",), "bands": ("bands",),
    "ballot": ("grades",), "rank_steps": ("step",),
}
_CODE = re.compile(r"^[A-Za-z0-9_.\-]+$")
# Fields of a tree indicator the form edits, in the order they are written.
_INDICATOR_FIELDS = ("code", "name", "weight", "direction", "kind", "unit_of_measure", "taskforce",
                     "applies_to", "normalise", "source", "standard")
_EDITABLE = tuple(f for f in _INDICATOR_FIELDS if f not in ("code", "applies_to", "normalise"))
_ITEM_FIELDS = ("name", "type", "points", "cap", "taskforce", "unit_of_measure", "kind", "source",
                "standard")
_VETO_FIELDS = ("name", "effect", "grade", "taskforce", "source", "standard")
LABELS = {
    "name": "名称", "weight": "权重", "direction": "方向", "kind": "数据类型",
    "unit_of_measure": "计量单位", "taskforce": "牵头专班", "applies_to": "适用范围",
    "normalise": "计分方法", "source": "数据来源", "standard": "评分标准", "parent": "所属维度",
    "type": "类型", "points": "分值", "cap": "上限", "effect": "否决效果", "grade": "等次",
}


class EditError(ValueError):
    """An edit the document cannot take (unknown code, duplicate code, last child …)."""


# ---------------------------------------------------------------- reading and writing


def document_load(text: str) -> dict[str, Any]:
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise EditError("方案文档不是映射（mapping），请先在“编辑方案”中修正")
    return doc


def document_dump(doc: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(doc), allow_unicode=True, sort_keys=False, width=120)


def _number(value: Any) -> Any:
    """Whole numbers as int so the YAML reads `weight: 4`, not `weight: 4.0`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return int(value) if float(value).is_integer() else float(value)


def _walk(
    node: dict[str, Any], parent: dict[str, Any] | None = None, depth: int = 0
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None, int]]:
    yield node, parent, depth
    for child in node.get("children") or []:
        if isinstance(child, dict):
            yield from _walk(child, node, depth + 1)


def find_node(doc: Mapping[str, Any], code: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The tree node with this code and its parent (None for the root)."""
    tree = doc.get("tree")
    if isinstance(tree, dict):
        for node, parent, _depth in _walk(tree):
            if node.get("code") == code:
                return node, parent
    raise EditError(f"方案中没有代码为 {code} 的指标")


def _indicator(doc: dict[str, Any], code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    node, parent = find_node(doc, code)
    if "children" in node or parent is None:
        raise EditError(f"{code} 是汇总节点，不是指标")
    return node, parent


def group_nodes(doc: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """(code, name, depth) of every node below the root that holds children: the dimensions
    (depth 1) and their sub-groups, in tree order — the choices of 所属维度."""
    tree = doc.get("tree")
    if not isinstance(tree, dict):
        return []
    return [(n["code"], n.get("name", n["code"]), d) for n, _p, d in _walk(tree)
            if d > 0 and "children" in n]


def all_codes(doc: Mapping[str, Any]) -> set[str]:
    """Codes of tree nodes, adjustment items and vetoes: one namespace in the data files."""
    codes: set[str] = set()
    if isinstance(doc.get("tree"), dict):
        codes.update(n.get("code", "") for n, _p, _d in _walk(doc["tree"]))
    codes.update(i.get("code", "") for i in (doc.get("adjustments") or {}).get("items") or [])
    codes.update(v.get("code", "") for v in doc.get("vetoes") or [])
    return codes


def _new_code(doc: Mapping[str, Any], code: str) -> str:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise EditError(f"代码 {code!r} 无效：只能使用字母、数字、_ . -")
    if code in all_codes(doc):
        raise EditError(f"代码 {code} 已被使用")
    return code


def _apply_fields(target: dict[str, Any], changes: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Set the given fields; an empty value ("" / None / []) removes the field."""
    for key, value in changes.items():
        if key not in allowed:
            raise EditError(f"不能通过表单修改字段 {key}")
        if value is None or value == "" or value == [] or value == {}:
            target.pop(key, None)
        else:
            target[key] = _number(value.strip() if isinstance(value, str) else value)


def _ordered(node: dict[str, Any]) -> dict[str, Any]:
    """The node's keys in the documented order; unknown keys keep their place at the end."""
    head = {k: node[k] for k in _INDICATOR_FIELDS if k in node}
    return {**head, **{k: v for k, v in node.items() if k not in head}}


# ---------------------------------------------------------------- tree indicators


def _applies_to(categories: Any = None, units: Any = None) -> dict[str, Any] | None:
    cats = [c for c in (categories or []) if c]
    unit_codes = [u for u in (units or []) if u]
    out: dict[str, list[str]] = {}
    if cats:
        out["categories"] = cats
    if unit_codes:
        out["units"] = unit_codes
    return out or None


def _normalise(old: Mapping[str, Any] | None, method: str | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """`method` with its parameters. The same method keeps parameters the form does not show
    (`power`, `peers` …); a new method starts clean."""
    if method not in METHODS:
        if old and old.get("method") == method:
            return dict(old)
        raise EditError(f"未知的计分方法 {method}")
    base = dict(old) if old and old.get("method") == method else {}
    base["method"] = method
    for key in METHODS[method]:
        if key not in params:
            continue
        value = params[key]
        if value is None or value == "" or value == [] or value == {}:
            base.pop(key, None)
        else:
            base[key] = _number(value)
    missing = [k for k in METHOD_REQUIRED.get(method, ()) if k not in base]
    if missing:
        raise EditError(f"计分方法 {method} 需要参数：{', '.join(missing)}")
    return {"method": base.pop("method"), **base}


def _edit_indicator(node: dict[str, Any], changes: Mapping[str, Any]) -> None:
    changes = dict(changes)
    if "applies_to" in changes:
        value = changes.pop("applies_to") or {}
        applies = _applies_to(value.get("categories"), value.get("units"))
        if applies:
            node["applies_to"] = applies
        else:
            node.pop("applies_to", None)  # omitted = every unit
    if "method" in changes or "params" in changes:
        method = changes.pop("method", None) or (node.get("normalise") or {}).get("method")
        node["normalise"] = _normalise(node.get("normalise"), method, changes.pop("params", {}) or {})
    if "weight" in changes and changes["weight"] not in (None, ""):
        weight = float(changes["weight"])
        if weight < 0:
            raise EditError("权重不能为负数")
    if changes.get("kind") not in (None, "", *KINDS):
        raise EditError(f"未知的数据类型 {changes['kind']}")
    if changes.get("direction") not in (None, "", "higher", "lower"):
        raise EditError("方向只能是 higher（越大越好）或 lower（越小越好）")
    _apply_fields(node, changes, _EDITABLE)


def indicator_update(doc: Mapping[str, Any], code: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change an indicator's fields. `changes` may hold name, weight, direction, kind,
    unit_of_measure, taskforce, source, standard, applies_to {categories, units},
    method + params, and parent (the code of the group to move it to)."""
    new = copy.deepcopy(dict(doc))
    changes = dict(changes)
    parent_code = changes.pop("parent", None)
    node, parent = _indicator(new, code)
    _edit_indicator(node, changes)
    parent["children"][parent["children"].index(node)] = _ordered(node)
    if parent_code and parent_code != parent.get("code"):
        new = indicator_move(new, code, parent_code)
    return new


def indicator_move(doc: Mapping[str, Any], code: str, parent_code: str) -> dict[str, Any]:
    """Move an indicator to the end of another dimension (or sub-group)."""
    new = copy.deepcopy(dict(doc))
    node, parent = _indicator(new, code)
    target, _ = find_node(new, parent_code)
    if "children" not in target or target is new["tree"]:
        raise EditError(f"{parent_code} 不是维度或分组")
    if target is parent:
        return new
    if len(parent["children"]) == 1:
        raise EditError(f"“{parent.get('name', parent['code'])}”只剩这一项指标，不能移走")
    parent["children"].remove(node)
    target["children"].append(node)
    return new


def indicator_add(doc: Mapping[str, Any], parent_code: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Add an indicator at the end of a dimension. `fields` as for `indicator_update`, plus code."""
    new = copy.deepcopy(dict(doc))
    fields = dict(fields)
    code = _new_code(new, fields.pop("code", ""))
    fields.pop("parent", None)
    target, _ = find_node(new, parent_code)
    if "children" not in target or target is new["tree"]:
        raise EditError(f"{parent_code} 不是维度或分组")
    node: dict[str, Any] = {"code": code}
    _edit_indicator(node, fields)
    target["children"].append(_ordered(node))
    return new


def indicator_remove(doc: Mapping[str, Any], code: str) -> dict[str, Any]:
    new = copy.deepcopy(dict(doc))
    node, parent = _indicator(new, code)
    if len(parent["children"]) == 1:
        raise EditError(f"“{parent.get('name', parent['code'])}”至少要保留一项指标")
    parent["children"].remove(node)
    return new


def set_applicability(doc: Mapping[str, Any], code: str, *, categories: Any = None,
                      units: Any = None) -> dict[str, Any]:
    """共性 for the given categories (none = every unit) or 个性 for the given units."""
    return indicator_update(doc, code, {"applies_to": {"categories": categories, "units": units}})


def set_taskforce(doc: Mapping[str, Any], code: str, taskforce: str | None) -> dict[str, Any]:
    known = {t.get("code") for t in doc.get("taskforces") or []}
    if taskforce and taskforce not in known:
        raise EditError(f"方案中没有专班 {taskforce}")
    return indicator_update(doc, code, {"taskforce": taskforce})


def set_weight(doc: Mapping[str, Any], code: str, weight: float) -> dict[str, Any]:
    return indicator_update(doc, code, {"weight": weight})


def set_method(doc: Mapping[str, Any], code: str, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return indicator_update(doc, code, {"method": method, "params": dict(params)})


def dimension_points_set(doc: Mapping[str, Any], code: str, points: float) -> dict[str, Any]:
    """Set the points (weight) of a dimension or sub-group."""
    new = copy.deepcopy(dict(doc))
    node, parent = find_node(new, code)
    if parent is None or "children" not in node:
        raise EditError(f"{code} 不是维度或分组")
    if float(points) < 0:
        raise EditError("分值不能为负数")
    node["weight"] = _number(float(points))
    return new


# ---------------------------------------------------------------- 奖惩事项 and 一票否决


def _items(doc: dict[str, Any]) -> list[dict[str, Any]]:
    adjustments = doc.setdefault("adjustments", {}) or {}
    doc["adjustments"] = adjustments
    items: list[dict[str, Any]] = adjustments.setdefault("items", [])
    return items


def _find(rows: list[dict[str, Any]], code: str, what: str) -> dict[str, Any]:
    for row in rows:
        if row.get("code") == code:
            return row
    raise EditError(f"方案中没有代码为 {code} 的{what}")


def _check_item(row: dict[str, Any]) -> None:
    if row.get("type") not in ("bonus", "penalty"):
        raise EditError("奖惩事项的类型只能是加分（bonus）或扣分（penalty）")
    if not row.get("name"):
        raise EditError("请填写名称")
    if float(row.get("points", -1)) < 0:
        raise EditError("每次分值不能为负数")


def adjustment_add(doc: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(dict(doc))
    fields = dict(fields)
    row: dict[str, Any] = {"code": _new_code(new, fields.pop("code", ""))}
    _apply_fields(row, fields, _ITEM_FIELDS)
    _check_item(row)
    _items(new).append(row)
    return new


def adjustment_update(doc: Mapping[str, Any], code: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(dict(doc))
    row = _find(_items(new), code, "奖惩事项")
    _apply_fields(row, changes, _ITEM_FIELDS)
    _check_item(row)
    return new


def adjustment_remove(doc: Mapping[str, Any], code: str) -> dict[str, Any]:
    new = copy.deepcopy(dict(doc))
    items = _items(new)
    items.remove(_find(items, code, "奖惩事项"))
    return new


def _check_veto(row: dict[str, Any]) -> None:
    if not row.get("name"):
        raise EditError("请填写名称")
    if row.get("effect", "cap_grade") not in ("cap_grade", "zero"):
        raise EditError("否决效果只能是限定等次（cap_grade）或计零分（zero）")
    if row.get("effect", "cap_grade") == "zero":
        row.pop("grade", None)


def veto_add(doc: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(dict(doc))
    fields = dict(fields)
    row: dict[str, Any] = {"code": _new_code(new, fields.pop("code", ""))}
    _apply_fields(row, fields, _VETO_FIELDS)
    _check_veto(row)
    new.setdefault("vetoes", [])
    new["vetoes"] = [*(new["vetoes"] or []), row]
    return new


def veto_update(doc: Mapping[str, Any], code: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(dict(doc))
    row = _find(new.get("vetoes") or [], code, "否决事项")
    _apply_fields(row, changes, _VETO_FIELDS)
    _check_veto(row)
    return new


def veto_remove(doc: Mapping[str, Any], code: str) -> dict[str, Any]:
    new = copy.deepcopy(dict(doc))
    vetoes = new.get("vetoes") or []
    vetoes.remove(_find(vetoes, code, "否决事项"))
    if not vetoes:
        new.pop("vetoes", None)
    return new


# ---------------------------------------------------------------- the version note


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Mapping):
        if "method" in value:
            rest = ", ".join(f"{k} {_show(v)}" for k, v in value.items() if k != "method")
            return f"{value['method']}({rest})" if rest else str(value["method"])
        return "；".join(f"{k} {_show(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_show(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def change_note(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
                extra: Mapping[str, tuple[Any, Any]] | None = None) -> str:
    """What changed between two versions of one node, for the version note:
    ``权重 3→4；牵头专班 zb1→zb2``. Long texts are only named."""
    before, after = before or {}, after or {}
    parts = []
    for key in dict.fromkeys([*before, *after]):
        if key in ("code", "children") or before.get(key) == after.get(key):
            continue
        label = LABELS.get(key, key)
        if key in ("standard", "source") or len(_show(before.get(key)) + _show(after.get(key))) > 60:
            parts.append(f"{label}已修改")
        else:
            parts.append(f"{label} {_show(before.get(key))}→{_show(after.get(key))}")
    for key, (old, new) in (extra or {}).items():
        if old != new:
            parts.append(f"{LABELS.get(key, key)} {_show(old)}→{_show(new)}")
    return "；".join(parts) or "无改动"
