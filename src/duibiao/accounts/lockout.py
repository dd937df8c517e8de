"""Login lockout through django-axes: what counts as one client, how many failures lock
what, and what a locked client is shown.

Three counters, each over the last DUIBIAO_LOCKOUT_MINUTES:

- an account tried from one address (``username`` + ``ip_address``): DUIBIAO_LOCKOUT_FAILURES
  (5). This is the lock a user meets after mistyping; it stops one address guessing one
  account, and it locks nobody else: the account's owner signs in from his own address;
- one address across all accounts (``ip_address``): DUIBIAO_LOCKOUT_CLIENT_FAILURES (20). One
  client cannot try password after password on account after account;
- one account across all addresses (``username``): DUIBIAO_LOCKOUT_ACCOUNT_FAILURES (50), high
  on purpose: it bounds guessing spread over many addresses, while locking a victim out
  this way takes at least 50 / 5 = 10 addresses, each of them locked in the attempt.

Axes compares every counter with one limit; the handler below scales each counter by its
own limit so that each locks at its own number. Failures are counted for any name typed,
existing or not, so a lock says nothing about whether an account exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACCOUNT_AT_ADDRESS = ("username", "ip_address")
ADDRESS = ("ip_address",)
ACCOUNT = ("username",)


def failure_limit(request=None, credentials=None) -> int:
    """AXES_FAILURE_LIMIT, read at each attempt so that the setting can change at run time."""
    return max(1, settings.DUIBIAO_LOCKOUT_FAILURES)


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME: failures older than this are forgotten, and a lock lifts after it."""
    return timedelta(minutes=settings.DUIBIAO_LOCKOUT_MINUTES)


def limits() -> dict[tuple[str, ...], int]:
    return {
        ACCOUNT_AT_ADDRESS: failure_limit(),
        ADDRESS: max(1, settings.DUIBIAO_LOCKOUT_CLIENT_FAILURES),
        ACCOUNT: max(1, settings.DUIBIAO_LOCKOUT_ACCOUNT_FAILURES),
    }


def _key(parameter) -> tuple[str, ...]:
    return (parameter,) if isinstance(parameter, str) else tuple(parameter)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a locked client gets the very page a wrong password gets (the
    view has already rendered it with the one message for every failure), so neither the
    page nor its status tells a locked account from an unknown one."""
    return original_response


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per counter (see the module docstring)."""

    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        own = limits()
        worst = 0
        parameters = get_lockout_parameters(request, credentials)
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials),
                                       strict=True):
            count = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            # Scaled to the common limit: reaches it exactly when count reaches its own limit.
            worst = max(worst, count * limit // own.get(_key(parameter), limit))
        return worst

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a good sign-in forget only that account's failures from that address. Axes
        would otherwise clear every counter the request matches, and a client could wipe its
        per-address count by signing in to an account of its own between guesses."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


KIND_NAMES = {ACCOUNT_AT_ADDRESS: "account_at_address", ADDRESS: "address", ACCOUNT: "account"}
KIND_LABELS = {
    "account_at_address": _("账号（仅限该来源地址）"),
    "address": _("来源地址（所有账号）"),
    "account": _("账号（所有来源地址）"),
}


@dataclass(frozen=True)
class Lock:
    """One lock in force: an account at an address, an address, or an account."""

    kind: str  # a key of KIND_LABELS
    username: str | None
    ip_address: str | None
    failures: int
    until: datetime

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


def locks(username: str | None = None) -> list[Lock]:
    """Every lock in force now (only those involving `username` when given), as axes counts
    them: failures since the cool-off began, summed per counter, at or over its limit."""
    period = cool_off()
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - period)
    if username is not None:
        recent = recent.filter(username=username)
    found = []
    for kind, limit in limits().items():
        if username is not None and kind == ADDRESS:
            continue  # an address lock is not a lock on this account
        rows = recent.values(*kind).annotate(n=Sum("failures_since_start"), last=Max("attempt_time"))
        for row in rows.filter(n__gte=limit).order_by("-last"):
            found.append(Lock(KIND_NAMES[kind], row.get("username"), row.get("ip_address"),
                              row["n"], row["last"] + period))
    return sorted(found, key=lambda lock: lock.until, reverse=True)


def account_locked_until(username: str) -> datetime | None:
    held = locks(username)
    return max(lock.until for lock in held) if held else None
