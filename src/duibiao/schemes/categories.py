"""Category references in a scheme document, rewritten in its text.

A document names the categories it ranks and applies indicators to (``categories:`` and every
``applies_to: {categories: […]}``). The web app keys categories by code, so that renaming a
category's display name changes nothing; a document written with display names (the examples,
older documents, an office typing 街道乡镇) is rekeyed when it is saved. The rewrite replaces
those scalars in the text and nothing else, so comments and layout stay as the office wrote
them. Pure (PyYAML only).

    text = categories_rekey(text, {"街道乡镇": "street"})
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["categories_rekey", "category_labels"]


def _value(node: MappingNode, key: str) -> Node | None:
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key and isinstance(v, Node):
            return v
    return None


def _items(node: Node | None) -> Iterator[ScalarNode]:
    if isinstance(node, SequenceNode):
        yield from (item for item in node.value if isinstance(item, ScalarNode))


def _references(root: Node) -> Iterator[ScalarNode]:
    """The scalars that name a category: the top-level list and every applies_to list."""
    if isinstance(root, MappingNode):
        yield from _items(_value(root, "categories"))
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias points at a node already walked
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            applies = _value(node, "applies_to")
            if isinstance(applies, MappingNode):
                yield from _items(_value(applies, "categories"))
            stack.extend(v for _k, v in node.value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def _compose(text: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None  # not a document: the loader reports why, with its place


def category_labels(text: str) -> list[str]:
    """Every category label the document uses, in order of first use."""
    root = _compose(text)
    labels = [n.value for n in _references(root)] if root is not None else []
    return list(dict.fromkeys(labels))


FLOW_INDICATORS = frozenset(",[]{}#:&*!|>'\"%@`")


def _scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as that string, in block and flow lists alike:
    plain where that is safe, else double-quoted (JSON's quoting is YAML's double-quoted
    style). A code such as 2023, yes or null would not read back as a string when plain."""
    if value and value.strip() == value and not FLOW_INDICATORS & set(value) and "\n" not in value:
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def categories_rekey(text: str, mapping: Mapping[str, str]) -> str:
    """The document with every category reference found in `mapping` replaced by its value;
    anything else in the text, comments included, unchanged. Text that is not a YAML
    document is returned as it is."""
    root = _compose(text)
    if root is None:
        return text
    spans = {
        (n.start_mark.index, n.end_mark.index): mapping[n.value]
        for n in _references(root) if n.value in mapping and mapping[n.value] != n.value
    }
    for (start, end), value in sorted(spans.items(), reverse=True):
        text = text[:start] + _scalar(value) + text[end:]
    return text
