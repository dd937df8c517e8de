"""`{% load file_links %}`: which stored files open in the viewer (the rest are downloaded)."""

from __future__ import annotations

from django import template

from duibiao.files.viewer import viewer_kind

register = template.Library()


@register.filter
def viewable(content_type: str) -> bool:
    """True when the viewer page can show a file of this stored type."""
    return bool(viewer_kind(content_type or ""))
