"""The scheme document (考核方案文档): YAML, its JSON Schema, and the loader to the engine."""

from .loader import SchemeDocumentError, load_scheme, load_scheme_text, scheme_schema, validate

__all__ = ["SchemeDocumentError", "load_scheme", "load_scheme_text", "scheme_schema", "validate"]
