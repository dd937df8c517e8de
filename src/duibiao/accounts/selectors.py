"""Reads of accounts and their grants, for the security administrator's grant pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from duibiao.accounts import gate
from duibiao.accounts.models import RoleGrant, User
from duibiao.org.models import TaskForce, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def grant_users(*, user: User | AnonymousUser, query: str = "") -> QuerySet[User]:
    """Every account with its grants; the security administrator's only (403 otherwise)."""
    gate.require(user, "accounts.grant.manage")
    users = User.objects.select_related("unit").prefetch_related(
        "grants__units", "grants__taskforce"
    ).order_by("username")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    return users


def grant_user_get(*, user: User | AnonymousUser, pk: int) -> User:
    return get_object_or_404(grant_users(user=user), pk=pk)


def grant_get(*, user: User | AnonymousUser, pk: int) -> RoleGrant:
    gate.require(user, "accounts.grant.manage")
    return get_object_or_404(RoleGrant.objects.select_related("user", "taskforce"), pk=pk)


def grant_unit_choices(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    """Units a grant may cover: the whole tree (names and places only, no data)."""
    gate.require(user, "accounts.grant.manage")
    return gate.units(user, "org.tree.view").order_by("path")


def grant_taskforce_choices(*, user: User | AnonymousUser) -> QuerySet[TaskForce]:
    gate.require(user, "accounts.grant.manage")
    return TaskForce.objects.select_related("district").order_by("district__path", "order", "code")
