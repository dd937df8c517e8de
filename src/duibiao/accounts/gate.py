"""The one access gate. Every selector and every view asks here what a user may see.

A user sees the units in the scope of their role grants (with subtrees when the grant says
so). Anything that belongs to a unit is filtered through `gate_filter`, so no view ever
filters by hand and a user of unit A never reaches unit B's objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from duibiao.accounts.roles import DATA_ROLES, Role
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

_M = TypeVar("_M", bound=Model)


def user_roles(user: User | AnonymousUser | None) -> frozenset[str]:
    """The roles a user holds (empty for anonymous users, and for None: a request that has no
    user yet, or a service called by the system). Cached on the user object."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = user.__dict__.get("_gate_roles")
    if cached is None:
        cached = frozenset(user.grants.values_list("role", flat=True))
        user.__dict__["_gate_roles"] = cached  # dropped by role_grant / role_revoke
    return cached


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def _scope_query(user: User, roles: Iterable[str]) -> Q | None:
    grants = user.grants.filter(role__in=list(roles)).prefetch_related("units")
    query: Q | None = None
    for grant in grants:
        for unit in grant.units.all():
            part = Q(path__startswith=unit.path) if grant.include_subtree else Q(pk=unit.pk)
            query = part if query is None else query | part
    return query


def gate_units(user: User | AnonymousUser, roles: Iterable[str] | None = None) -> QuerySet[Unit]:
    """Units the user may see data of, through the given roles (default: every data role).

    Only data roles ever open a unit here, whatever the caller asks for: the three
    administrators (三权分立) see no assessment data, so every unit-owned object answers 404
    to them. The system administrator keeps the tree itself through `org_units`.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Unit.objects.none()
    wanted = set(DATA_ROLES if roles is None else roles) & DATA_ROLES
    query = _scope_query(user, wanted & user_roles(user))
    return Unit.objects.filter(query) if query is not None else Unit.objects.none()


def org_units(user: User | AnonymousUser) -> QuerySet[Unit]:
    """Units whose place in the tree (name, code, category, parent) the user may see.

    The system administrator keeps the tree and the security administrator grants roles over
    it, so both see every unit here; nothing else reads through this function, so neither
    reaches the data that hangs off a unit. Everyone else sees their data scope.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Unit.objects.none()
    if has_role(user, Role.SYSADMIN, Role.SECADMIN):
        return Unit.objects.all()
    return gate_units(user)


def gate_filter(
    user: User | AnonymousUser, queryset: QuerySet[_M], *, unit_field: str = "unit",
    roles: Iterable[str] | None = None,
) -> QuerySet[_M]:
    """Restrict any queryset of unit-owned rows to the units the user may see."""
    return queryset.filter(**{f"{unit_field}__in": gate_units(user, roles)})


def gate_unit(user: User | AnonymousUser, unit: Unit, roles: Iterable[str] | None = None) -> Unit:
    """The unit itself if visible; Http404 otherwise (another unit's existence is not leaked)."""
    if not gate_units(user, roles).filter(pk=unit.pk).exists():
        raise Http404
    return unit


def gate_object(user: User | AnonymousUser, obj: _M, *, unit_field: str = "unit") -> _M:
    unit = getattr(obj, unit_field)
    gate_unit(user, unit)
    return obj


def require_role(user: User | AnonymousUser, *roles: str) -> None:
    """Raise PermissionDenied unless the user holds one of the roles."""
    if not has_role(user, *roles):
        raise PermissionDenied
