"""Who may do what to assessment data. Built on the access gate; services call these."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from duibiao.accounts.gate import gate_unit, gate_units, has_role
from duibiao.accounts.roles import Role


def require_reporter(user, unit) -> None:
    """The unit's own reporter (or the office, which may enter on a unit's behalf)."""
    if has_role(user, Role.OFFICE) and gate_units(user, [Role.OFFICE]).filter(pk=unit.pk).exists():
        return
    gate_unit(user, unit, [Role.REPORTER])


def require_unit_head(user, unit) -> None:
    gate_unit(user, unit, [Role.UNIT_HEAD])


def user_taskforce_ids(user) -> set[int]:
    return set(
        user.grants.filter(role=Role.TASKFORCE, taskforce__isnull=False).values_list("taskforce_id", flat=True)
    )


def require_reviewer(user, indicator, unit) -> None:
    """The task force that owns the indicator (or the office) over a unit in its scope."""
    if has_role(user, Role.OFFICE) and gate_units(user, [Role.OFFICE]).filter(pk=unit.pk).exists():
        return
    if indicator.taskforce_id is None or indicator.taskforce_id not in user_taskforce_ids(user):
        raise PermissionDenied("该指标不属于您所在的专班")
    gate_unit(user, unit, [Role.TASKFORCE])


def require_office(user) -> None:
    if not has_role(user, Role.OFFICE):
        raise PermissionDenied("仅考核办可以执行此操作")
