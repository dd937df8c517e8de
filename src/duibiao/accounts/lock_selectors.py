"""Reads for the security administrator's page of locks and second factors (kept apart from
the grant selectors: these read django-axes' and django-otp's records, not role grants)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import Http404

from duibiao.accounts import gate
from duibiao.accounts.lockout import Lock, locks
from duibiao.accounts.models import User
from duibiao.accounts.roles import ADMIN_ROLES
from duibiao.crypto.models import SealedTOTPDevice as TOTPDevice  # the key sealed with SM4

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def lock_list(*, user: User | AnonymousUser) -> list[Lock]:
    """Every lock in force: accounts at an address, addresses, accounts (403 unless 安全管理员)."""
    gate.require(user, "accounts.lockout.manage")
    return locks()


@dataclass(frozen=True)
class SecondFactor:
    account: User
    device: TOTPDevice | None  # None: enrols at the next sign-in


def _admin_accounts():
    return User.objects.filter(grants__role__in=ADMIN_ROLES).distinct().order_by("username")


def second_factor_list(*, user: User | AnonymousUser) -> list[SecondFactor]:
    """The administrators (the accounts that sign in with a one-time code) and their devices."""
    gate.require(user, "accounts.lockout.manage")
    accounts = list(_admin_accounts())
    devices = {d.user_id: d for d in TOTPDevice.objects.filter(user__in=accounts, confirmed=True)}
    return [SecondFactor(account, devices.get(account.pk)) for account in accounts]


def second_factor_account_get(*, user: User | AnonymousUser, pk: int) -> User:
    gate.require(user, "accounts.lockout.manage")
    account = _admin_accounts().filter(pk=pk).first()
    if account is None:
        raise Http404
    return account
