"""`{% load method_names %}`: a scoring method's Chinese name (`{{ ind.method|method_label }}`)."""

from __future__ import annotations

from django import template

from duibiao.assessment.method_labels import method_label as _method_label

register = template.Library()


@register.filter
def method_label(code: str | None) -> str:
    return _method_label(code)
