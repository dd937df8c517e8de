"""What the project forms offer: the units a user may put a project under, the service
secretaries to bind, the units a problem may be asked of — each through the gate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from duibiao.accounts import gate
from duibiao.accounts.roles import Role
from duibiao.org.models import Unit
from duibiao.projects.models import Project

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


def owner_units(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    """The units the user may keep projects of (the owner unit of a new or moved project)."""
    return gate.units(user, "projects.project.edit").exclude(kind__in=["city"]).order_by("path")


def secretaries(*, user: User | AnonymousUser) -> list[User]:
    """The users holding the 项目服务秘书 role over some unit the user keeps projects of."""
    from duibiao.accounts.models import User

    scope = owner_units(user=user)
    return list(User.objects.filter(grants__role=Role.SECRETARY, grants__units__in=scope, is_active=True)
                .distinct().order_by("username"))


def asked_units(*, project: Project) -> QuerySet[Unit]:
    """The units a project's problem may be asked of: every unit of the project's district (a
    street's reporter asks 区发改局 for help, though his own scope is his street)."""
    owner = project.owner_unit
    parts = owner.path.strip("/").split("/")
    prefixes = ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]
    district = Unit.objects.filter(path__in=prefixes, kind=Unit.Kind.DISTRICT).order_by("-path").first() or owner
    return Unit.objects.filter(path__startswith=district.path).order_by("path")
