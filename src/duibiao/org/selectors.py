"""Reads of the unit tree, always through the access gate."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from duibiao.accounts.gate import gate_units
from duibiao.org.models import Unit


def unit_list(*, user, category: str | None = None) -> QuerySet[Unit]:
    units = gate_units(user).select_related("category", "tier", "parent")
    if category:
        units = units.filter(category__code=category)
    return units


def unit_get(*, user, code: str) -> Unit:
    """The unit if the user may see it; otherwise 404, so another unit's existence is not leaked."""
    return get_object_or_404(unit_list(user=user), code=code)


def unit_children(*, user, unit: Unit) -> QuerySet[Unit]:
    return unit_list(user=user).filter(parent=unit)
