"""Writes to the unit tree. Each function is one transaction with one audit row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from duibiao.audit.services import audit_record
from duibiao.org.models import Category, Tier, Unit

if TYPE_CHECKING:
    # Django's user type: org sits below accounts (the gate reads units), so it does not name
    # the account model. None is the system (the command line, demo data).
    from django.contrib.auth.base_user import AbstractBaseUser


def _path_for(code: str, parent: Unit | None) -> str:
    return f"{parent.path if parent else '/'}{code}/"


@transaction.atomic
def unit_create(
    *,
    actor: AbstractBaseUser | None,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    category: Category | None = None,
    tier: Tier | None = None,
    order: int = 0,
) -> Unit:
    unit = Unit.objects.create(
        code=code, name=name, kind=kind, parent=parent, path=_path_for(code, parent),
        category=category, tier=tier, order=order,
    )
    audit_record(actor=actor, action="unit.create", obj=unit, unit=unit, after={"name": name})
    return unit


@transaction.atomic
def unit_move(*, actor: AbstractBaseUser | None, unit: Unit, parent: Unit | None) -> Unit:
    """Re-parent a unit and rewrite the paths of its whole subtree."""
    if parent is not None and parent.path.startswith(unit.path):
        raise ValueError("不能把单位移到它自己的下级单位之下")
    old_path, new_path = unit.path, _path_for(unit.code, parent)
    for descendant in Unit.objects.filter(path__startswith=old_path).select_for_update():
        descendant.path = new_path + descendant.path[len(old_path):]
        if descendant.pk == unit.pk:
            descendant.parent = parent
        descendant.save(update_fields=["path", "parent"])
    unit.refresh_from_db()
    audit_record(
        actor=actor, action="unit.move", obj=unit, unit=unit,
        before={"path": old_path}, after={"path": new_path},
    )
    return unit
