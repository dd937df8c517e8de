"""Reads of the unit tree, through the access gate.

They live here, above org, because they ask the gate (accounts.gate) and org sits below
accounts in the core (audit → org → accounts): org holds the units and their writes, and
nothing in it asks who may see them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from duibiao.accounts import gate
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


def unit_list(*, user: User | AnonymousUser, category: str | None = None) -> QuerySet[Unit]:
    """Units whose data the user may see (the scope every data page starts from)."""
    units = gate.units(user, "org.unit.view").select_related("category", "tier", "parent")
    if category:
        units = units.filter(category__code=category)
    return units


def unit_get(*, user: User | AnonymousUser, code: str) -> Unit:
    """The unit if the user may see its data; otherwise 404, so another unit's existence is not leaked."""
    return get_object_or_404(unit_list(user=user), code=code)


def unit_tree_list(*, user: User | AnonymousUser, category: str | None = None) -> QuerySet[Unit]:
    """Units as places in the tree (the unit directory): the data scope, or the whole tree
    for the administrators who keep it. Never a starting point for reading data."""
    units = gate.units(user, "org.tree.view").select_related("category", "tier", "parent")
    if category:
        units = units.filter(category__code=category)
    return units


def unit_tree_get(*, user: User | AnonymousUser, code: str) -> Unit:
    return get_object_or_404(unit_tree_list(user=user), code=code)


def unit_children(*, user: User | AnonymousUser, unit: Unit) -> QuerySet[Unit]:
    return unit_tree_list(user=user).filter(parent=unit)
