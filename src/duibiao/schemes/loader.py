"""Read a YAML scheme document, validate it with the JSON Schema, build the engine scheme."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from duibiao.engine import Scheme, SchemeError, build_scheme
from duibiao.engine.numbers import plain

__all__ = ["SchemeDocumentError", "load_scheme", "load_scheme_text", "scheme_schema", "validate"]

_TYPE_NAMES = {
    "number": "a number",
    "integer": "an integer",
    "string": "a string (text)",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true or false",
    "null": "empty",
}


class SchemeDocumentError(ValueError):
    """A scheme document that is not valid; ``errors`` lists (path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]], source: str = "") -> None:
        self.errors = errors
        self.source = source
        head = f"{source}: " if source else ""
        lines = [f"{p}: {m}" if p else m for p, m in errors]
        super().__init__(head + "方案文档无效 / invalid scheme document\n  " + "\n  ".join(lines))


@lru_cache(maxsize=1)
def scheme_schema() -> dict[str, Any]:
    """The JSON Schema of the scheme document. Usage: ``scheme_schema()["properties"]``."""
    text = resources.files("duibiao.schemes").joinpath("schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _message(err: jsonschema.ValidationError) -> str:
    v = err.validator
    if v == "type":
        t = err.validator_value
        names = [t] if isinstance(t, str) else list(t)
        return "must be " + " or ".join(_TYPE_NAMES.get(x, x) for x in names)
    if v == "required":
        missing = str(err.message).split("'")[1] if "'" in err.message else err.message
        return f"is missing required field '{missing}'"
    if v == "additionalProperties":
        return f"has an unknown field ({err.message.split('(')[-1].rstrip(')')})"
    if v == "enum":
        return "must be one of " + ", ".join(f"'{plain(x)}'" for x in err.validator_value)
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"'{plain(err.instance)}' is out of range ({v} {plain(err.validator_value)})"
    if v == "pattern":
        return f"'{plain(err.instance)}' is not a valid code (letters, digits, _ . - only)"
    if v == "minItems":
        return f"needs at least {err.validator_value} item(s)"
    return str(err.message)


def validate(doc: Any) -> list[tuple[str, str]]:
    """All schema errors of a parsed document as (path, why), e.g.
    ``("tree.children[2].weight", "must be a number")``. Usage: ``errs = validate(doc)``."""
    validator = jsonschema.Draft202012Validator(scheme_schema())
    errors = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        # oneOf / anyOf: report the most specific branch error
        best = err
        if err.context:
            best = min(err.context, key=lambda e: (-len(e.absolute_path), str(e.message)))
        path = _path(best.absolute_path)
        errors.append((path, _message(best)))
    return errors


def load_scheme_text(text: str, source: str = "") -> Scheme:
    """Parse, validate and build a scheme from YAML text. Usage: ``load_scheme_text(yaml_str)``."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SchemeDocumentError([(where, f"YAML syntax error: {exc}")], source) from None
    if not isinstance(doc, Mapping):
        raise SchemeDocumentError([("", "the document must be a mapping")], source)
    errors = validate(doc)
    if errors:
        raise SchemeDocumentError(errors, source)
    try:
        return build_scheme(doc)
    except SchemeError as exc:
        raise SchemeDocumentError([(exc.path, exc.reason)], source) from None


def load_scheme(path: str | Path) -> Scheme:
    """Load a YAML scheme file. Usage: ``scheme = load_scheme("examples/coinr-asem/scheme.yaml")``."""
    p = Path(path)
    return load_scheme_text(p.read_text(encoding="utf-8"), source=str(p))
