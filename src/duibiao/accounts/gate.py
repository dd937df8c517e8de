"""The one access gate: which units a user may do an ACTION on, for selectors and services.

In the spirit of NetBox's `RestrictedQuerySet.restrict(user, action)`: every read asks for
the objects the user may see by action name (`restrict`, `units`), every write asks before
it changes anything (`require`), and what each role may do is the table in
`accounts.actions`, never a role test in a view, a selector or a template.

    from duibiao.accounts import gate
    gate.restrict(user, Submission.objects.all(), "assessment.submission.view")
    gate.require(user, "assessment.run.publish", unit=run.period.version.scheme.district)

A role holds an action over the units of its grant (with their subtrees when the grant says
so), over every unit (the administrators who keep the tree), or over its grant's units for
the objects of its own task force. Anonymous and inactive users hold nothing. `require`
answers PermissionDenied, with the reason in Chinese, to a user who may not do the action at
all, and Http404 for a unit outside the user's scope, so another unit's existence is not
leaked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from duibiao.accounts.actions import ACTIONS, Reach, roles_holding
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import RoleGrant, User

M = TypeVar("M", bound=Model)


class _Any:
    """`taskforce=ANY`: whatever task force the object belongs to."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Final = _Any()
_UNSET: Final = object()
# What the caller says of the object's task force: its id, None (it has none), or ANY.
TaskForceArg = int | None | _Any


@dataclass(frozen=True)
class Narrowing:
    """What an API token lets its owner do: these actions only, on these units (with their
    subtrees) only. The gate answers from the owner's grants as ever and then narrows, so a
    token never reaches further than its owner does at the time of the request."""

    actions: frozenset[str]
    unit_paths: tuple[str, ...] | None  # None: wherever the owner's grants reach


def token_may(action: str, *, unit_limited: bool) -> bool:
    """Whether a token may carry ACTION: a token held to some units gets no action that belongs
    to no unit (the audit log, the tree's upkeep, the security policy) — such an action reaches
    the whole system, which no list of units covers. The token page asks this too."""
    return not unit_limited or ACTIONS[action].scoped


def narrow(user: User, narrowing: Narrowing) -> None:
    """Hold the user object to a token's scope for the rest of the request."""
    user.__dict__["_gate_narrowing"] = narrowing


def narrowing(user: User | AnonymousUser | None) -> Narrowing | None:
    return None if user is None else user.__dict__.get("_gate_narrowing")


def _within(user: User | AnonymousUser | None, prefix: str = "") -> Q:
    """The token's units as a filter on `prefix` + unit (everything without a token)."""
    scope = narrowing(user)
    if scope is None or scope.unit_paths is None:
        return Q()
    query = Q(pk__in=[])
    for path in scope.unit_paths:
        query |= Q(**{f"{prefix}path__startswith": path})
    return query


def roles(user: User | AnonymousUser | None) -> frozenset[str]:
    """The roles a user holds (none for anonymous or inactive users). Cached on the user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = user.__dict__.get("_gate_roles")
    if cached is None:
        cached = frozenset(user.grants.values_list("role", flat=True))
        user.__dict__["_gate_roles"] = cached
    return cached


def actions(user: User | AnonymousUser | None) -> frozenset[str]:
    """Every action the user holds through any role (for menus and the `user_actions` of
    templates; whether it reaches a given unit is `allows`)."""
    held, scope = roles(user), narrowing(user)
    return frozenset(name for name in ACTIONS if held & set(roles_holding(name))
                     and (scope is None or _narrowed_to(scope, name)))


def _narrowed_to(scope: Narrowing, action: str) -> bool:
    return action in scope.actions and token_may(action, unit_limited=scope.unit_paths is not None)


def _held(user: User | AnonymousUser | None, action: str) -> dict[str, Reach]:
    holding = roles_holding(action)  # LookupError for a misspelt action, for everyone
    scope = narrowing(user)
    if scope is not None and not _narrowed_to(scope, action):
        return {}
    return {role: reach for role, reach in holding.items() if role in roles(user)}


def _grants(user: User | AnonymousUser | None, held: dict[str, Reach]) -> list[RoleGrant]:
    """The user's grants of the roles in `held`, with their units. All of a user's grants are
    read once (two queries) and kept on the user object, like its roles, for the request."""
    if not held or user is None or not user.is_authenticated:
        return []
    cached: list[RoleGrant] | None = user.__dict__.get("_gate_grants")
    if cached is None:
        cached = list(user.grants.prefetch_related("units"))
        user.__dict__["_gate_grants"] = cached
    return [grant for grant in cached if grant.role in held]


def forget(user: User) -> None:
    """Drop what the gate keeps on the user object, after his grants change."""
    user.__dict__.pop("_gate_roles", None)
    user.__dict__.pop("_gate_grants", None)


def _grant_units(grant: RoleGrant, prefix: str = "") -> Q:
    """The grant's units (with subtrees when it says so) as a filter on `prefix` + unit."""
    query = Q(pk__in=[])
    for unit in grant.units.all():
        if grant.include_subtree:
            query |= Q(**{f"{prefix}path__startswith": unit.path})
        else:
            query |= Q(**{f"{prefix}pk": unit.pk})
    return query


def _matches(grant: RoleGrant, reach: Reach, taskforce: object, secretary: object = ANY) -> bool:
    """Whether the grant's task-force rule lets it act on an object of `taskforce`, and its
    service-secretary rule on a project served by `secretary` (a user id, None or ANY)."""
    if reach is Reach.SERVED:
        return secretary is ANY or (secretary is not None and grant.user_id == secretary)
    if reach is not Reach.OWN_TASKFORCE or taskforce is ANY:
        return True
    return taskforce is not None and grant.taskforce_id == taskforce


def _needs_taskforce(held: dict[str, Reach], action: str, taskforce: object) -> None:
    if taskforce is _UNSET and Reach.OWN_TASKFORCE in held.values():
        raise ImproperlyConfigured(
            f"{action} is held by task force only for its own objects: pass taskforce= the object's"
        )


def units(
    user: User | AnonymousUser | None, action: str, *, taskforce: TaskForceArg = ANY
) -> QuerySet[Unit]:
    """The units the user may do ACTION on (for objects of `taskforce` when given)."""
    held = _held(user, action)
    if not held:
        return Unit.objects.none()
    if any(reach is Reach.EVERYWHERE for reach in held.values()):
        return Unit.objects.filter(_within(user))
    query = Q(pk__in=[])
    for grant in _grants(user, held):
        if _matches(grant, held[grant.role], taskforce):
            query |= _grant_units(grant)
    return Unit.objects.filter(query & _within(user))


def taskforces(user: User | AnonymousUser | None, action: str) -> set[int] | None:
    """The task forces whose objects the user may do ACTION on: None when any (a role that
    holds it without the task-force rule), else the ids of the user's own task forces."""
    held = _held(user, action)
    if any(reach is not Reach.OWN_TASKFORCE for reach in held.values()):
        return None
    return {g.taskforce_id for g in _grants(user, held) if g.taskforce_id is not None}


def restrict(
    user: User | AnonymousUser | None, queryset: QuerySet[M], action: str, *,
    unit_field: str = "unit", taskforce_field: str | None = None, secretary_field: str | None = None,
) -> QuerySet[M]:
    """The rows of `queryset` the user may do ACTION on: those whose `unit_field` is in the
    user's scope and, for a task force, whose `taskforce_field` is its own task force; for a
    service secretary, whose `secretary_field` is the user himself."""
    held = _held(user, action)
    if not held:
        return queryset.none()
    if Reach.OWN_TASKFORCE in held.values() and taskforce_field is None:
        raise ImproperlyConfigured(f"{action} needs taskforce_field= to restrict a task force's rows")
    if Reach.SERVED in held.values() and secretary_field is None:
        raise ImproperlyConfigured(f"{action} needs secretary_field= to restrict a secretary's rows")
    if any(reach is Reach.EVERYWHERE for reach in held.values()):
        scope = narrowing(user)
        if scope is None or scope.unit_paths is None:
            return queryset
        return queryset.filter(**{f"{unit_field}__in": Unit.objects.filter(_within(user))})
    query = Q(pk__in=[])
    for grant in _grants(user, held):
        part = Q(**{f"{unit_field}__in": Unit.objects.filter(_grant_units(grant) & _within(user))})
        if held[grant.role] is Reach.OWN_TASKFORCE:
            part &= Q(**{f"{taskforce_field}": grant.taskforce_id})
        elif held[grant.role] is Reach.SERVED:
            part &= Q(**{f"{secretary_field}": grant.user_id})
        query |= part
    return queryset.filter(query)


def allows(
    user: User | AnonymousUser | None, action: str, *, unit: Unit | None = None,
    taskforce: object = _UNSET, secretary: object = _UNSET,
) -> bool:
    """Whether the user may do ACTION (on `unit`'s objects when given; on an object of
    `taskforce` when the action is held by a task force for its own objects only; on a project
    served by `secretary` — its secretary's user id or None — when held by a secretary for
    the projects he serves only)."""
    held = _held(user, action)
    if unit is not None and not ACTIONS[action].scoped:
        raise ImproperlyConfigured(f"{action} belongs to no unit: ask without unit=")
    if not held:
        return False
    _needs_taskforce(held, action, taskforce)
    if secretary is _UNSET:
        if unit is not None and Reach.SERVED in held.values():
            raise ImproperlyConfigured(f"{action} is held by a secretary for his projects: pass secretary=")
        secretary = ANY
    if any(reach is Reach.EVERYWHERE for reach in held.values()):
        scope = narrowing(user)
        if unit is None or scope is None or scope.unit_paths is None:
            return True
        return Unit.objects.filter(_within(user), pk=unit.pk).exists()
    if unit is None and secretary is ANY and (taskforce is ANY or Reach.OWN_TASKFORCE not in held.values()):
        return True  # holding the role is enough: no unit and no task force is in question
    matching = [g for g in _grants(user, held) if _matches(g, held[g.role], taskforce, secretary)]
    if unit is None or not matching:
        return bool(matching)
    query = Q(pk__in=[])
    for grant in matching:
        query |= _grant_units(grant)
    return Unit.objects.filter(query & _within(user), pk=unit.pk).exists()


def require(
    user: User | AnonymousUser | None, action: str, *, unit: Unit | None = None,
    taskforce: object = _UNSET, secretary: object = _UNSET,
) -> None:
    """Raise unless `allows`: PermissionDenied (with the reason) when the user may not do
    the action at all, or may do it but not on this task force's object or this project;
    Http404 when the unit is outside the user's scope."""
    if allows(user, action, unit=unit, taskforce=taskforce, secretary=secretary):
        return
    label = ACTIONS[action].label
    held = _held(user, action)
    if not held:
        raise PermissionDenied(_("您的角色不能%(action)s。") % {"action": label})
    if unit is not None and not units(user, action).filter(pk=unit.pk).exists():
        raise Http404
    if Reach.SERVED in held.values():
        raise PermissionDenied(_("只有您服务的项目才能%(action)s。") % {"action": label})
    raise PermissionDenied(_("只有本专班负责的指标才能%(action)s。") % {"action": label})

