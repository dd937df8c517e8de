"""API tokens for integrations: made and revoked by their owner, checked on every API call.

A token reads `dbt_<key_id>_<secret>`. The key id finds the row; the secret (256 random
bits) is kept only as HMAC-SHA256 keyed with the site's SECRET_KEY — a slow password hash
buys nothing against a secret of that entropy and would cost every request — and compared
in constant time. A token names the actions and units it may be used for; the gate narrows
its owner to them (`gate.narrow`) on top of his grants as they stand at the request, so a
grant withdrawn from the owner is withdrawn from his tokens at once.

    token, secret = token_create(actor=user, name="统计局对接", actions=["org.unit.view"],
                                 units=[unit], expires_on=date(2027, 6, 30))
    owner = token_authenticate(f"Bearer {secret}"[7:])   # None when refused (TokenThrottled
                                                         # past REFUSALS_PER_MINUTE of a key id)
"""

from __future__ import annotations

import hmac
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.accounts.actions import ACTIONS
from duibiao.accounts.models import ApiToken, User
from duibiao.audit.context import (
    bind_api_token_holder,
    note_api_token,
    token_tagged,
    unbind_api_token_holder,
)
from duibiao.audit.services import audit_record
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.contrib.auth.models import AnonymousUser

MANAGE = "accounts.token.manage"
PREFIX = "dbt_"
MAX_DAYS = 366  # a token lives at most a year (and a day): integrations are renewed, not forgotten
DEFAULT_DAYS = 90
# Refreshing `last_used_at` on every call would make every read a write: once a minute is enough.
USE_GRANULARITY = timedelta(minutes=1)
# Refusals of one key id audited per minute; beyond them the caller is answered 429 and no row
# is written, so a flood of wrong secrets cannot queue every writer behind the chain's head.
# Counted in the cache: with several app servers each counts its own, still bounded.
REFUSALS_PER_MINUTE = 10
_SHAPE = re.compile(r"^dbt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


class TokenInvalid(ValueError):
    """A token request that cannot be granted: `errors` maps each field to its reasons."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("；".join(m for ms in errors.values() for m in ms))
        self.errors = errors


class TokenStale(ValueError):
    """The token changed since the page was read (revoked elsewhere)."""


class TokenThrottled(Exception):
    """Too many refusals of one key id this minute: answered 429, not audited again."""

    def __init__(self, wait: int) -> None:
        super().__init__(f"retry after {wait} s")
        self.wait = wait


def _refusals_over_limit(key_id: str, now: datetime) -> int:
    """Count a refusal of `key_id` in the current minute; the seconds left in the minute when
    the count has gone past the limit, else 0."""
    key = f"duibiao:token-refused:{key_id}:{int(now.timestamp()) // 60}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count afresh
        cache.set(key, 1, timeout=120)
        count = 1
    return 60 - int(now.timestamp()) % 60 if count > REFUSALS_PER_MINUTE else 0


def _digest(secret: str) -> str:
    return salted_hmac("duibiao.accounts.ApiToken", secret, algorithm="sha256").hexdigest()


# ---------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class TokenChoices:
    """What a user may put in a token: the actions he holds (never the token page's own) and
    the units of his directory scope, tree order."""

    actions: list[tuple[str, str]]
    units: list[Unit]


def token_choices(*, user: User) -> TokenChoices:
    held = sorted(name for name in gate.actions(user) if name != MANAGE)
    units = list(gate.units(user, "org.tree.view").order_by("path")) if "org.tree.view" in held else []
    return TokenChoices(actions=[(name, str(ACTIONS[name].label)) for name in held], units=units)


def token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens (nobody reads another's, not even the security administrator)."""
    gate.require(user, MANAGE)
    return ApiToken.objects.filter(owner=user).prefetch_related("units")


def token_get(*, user: User, pk: int) -> ApiToken:
    return token_list(user=user).get(pk=pk)


# ---------------------------------------------------------------------------- writes


def _validated(actor: User, name: str, actions: Iterable[str], unit_codes: Iterable[str],
               expires_on: date | None) -> tuple[str, list[str], list[Unit], date]:
    choices = token_choices(user=actor)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 60:
        errors["name"] = [_("请填写令牌名称（不超过 60 个字）。")]
    wanted = sorted(set(actions))
    allowed = {code for code, _label in choices.actions}
    if not wanted:
        errors["actions"] = [_("请至少选择一项操作。")]
    elif set(wanted) - allowed:
        errors["actions"] = [_("不能授予您本人没有的操作：%(names)s") % {
            "names": "、".join(sorted(set(wanted) - allowed))}]
    codes = sorted(set(unit_codes))
    by_code = {unit.code: unit for unit in choices.units}
    if set(codes) - set(by_code):
        errors["units"] = [_("不在您授权范围内的单位：%(codes)s") % {"codes": "、".join(sorted(set(codes) - set(by_code)))}]
    unitless = [name for name in wanted if name in allowed and not gate.token_may(name, unit_limited=bool(codes))]
    if unitless and "units" not in errors:
        errors["units"] = [_("限定了单位的令牌不能包含不属于单位的操作（%(names)s）：请不选单位，或去掉这些操作。") % {
            "names": "、".join(str(ACTIONS[name].label) for name in unitless)}]
    today = timezone.localdate()
    if expires_on is None:
        errors["expires_on"] = [_("请填写有效期。")]
    elif not today < expires_on <= today + timedelta(days=MAX_DAYS):
        errors["expires_on"] = [_("有效期须晚于今天，且不超过 %(days)s 天。") % {"days": MAX_DAYS}]
    if errors:
        raise TokenInvalid(errors)
    assert expires_on is not None
    return name, wanted, [by_code[code] for code in codes], expires_on


@transaction.atomic
def token_create(
    *, actor: User, name: str, actions: Iterable[str], units: Iterable[str], expires_on: date | None,
) -> tuple[ApiToken, str]:
    """A new token of the actor's, and its secret — shown once, never stored. `units` are unit
    codes within the actor's directory scope (none: wherever his grants reach)."""
    if gate.narrowing(actor) is not None:  # a token cannot make tokens
        raise TokenInvalid({"__all__": [_("接口令牌不能用来建立令牌：请登录后在“接口令牌”页建立。")]})
    gate.require(actor, MANAGE)
    name, wanted, chosen, expires_on = _validated(actor, name, actions, units, expires_on)
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    expires_at = timezone.make_aware(datetime.combine(expires_on, time.max))
    token = ApiToken.objects.create(owner=actor, name=name, key_id=key_id, secret_hash=_digest(secret),
                                    actions=wanted, expires_at=expires_at,
                                    every_unit=not chosen)
    token.units.set(chosen)
    audit_record(actor=actor, action="accounts.token.create", obj=token, after={
        "name": name, "key_id": key_id, "actions": wanted, "units": [u.code for u in chosen],
        "expires_at": expires_at.isoformat()})
    return token, f"{PREFIX}{key_id}_{secret}"


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken, version: int) -> ApiToken:
    """Revoke one of the actor's tokens; the next call with it is refused."""
    gate.require(actor, MANAGE)
    if token.owner_id != actor.pk:
        raise ApiToken.DoesNotExist
    now = timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, version=version, revoked_at__isnull=True).update(
        revoked_at=now, version=version + 1)
    if not changed:
        raise TokenStale(_("令牌已被撤销或已在别处修改，请刷新页面。"))
    token.refresh_from_db()
    audit_record(actor=actor, action="accounts.token.revoke", obj=token,
                 before={"revoked_at": None}, after={"revoked_at": now.isoformat()})
    return token


# ---------------------------------------------------------------------------- use


def token_authenticate(raw: str) -> User | None:
    """The owner of a valid token, narrowed to the token's scope; None for anything else
    (malformed, unknown, tampered, revoked, expired, or an owner no longer active). A refusal
    of a token that exists is audited against its owner."""
    match = _SHAPE.match(raw.strip())
    if not match:
        return None
    key_id, secret = match.groups()
    token = ApiToken.objects.select_related("owner").filter(key_id=key_id).first()
    presented = _digest(secret)
    if token is None:
        hmac.compare_digest(presented, presented)  # same work as a known key id
        return None
    now = timezone.now()
    reason = (
        "tampered" if not hmac.compare_digest(presented, token.secret_hash)
        else "revoked" if token.revoked_at is not None
        else "expired" if token.expires_at <= now
        else "inactive owner" if not token.owner.is_active
        else ""
    )
    if reason:
        wait = _refusals_over_limit(key_id, now)
        if wait:
            raise TokenThrottled(wait)
        audit_record(actor=token.owner, action="accounts.token.refused", obj=token, success=False,
                     detail=token_tagged(reason, key_id))
        return None
    if token.last_used_at is None or now - token.last_used_at > USE_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    owner = _narrowed_owner(token)
    note_api_token(key_id)  # every audit row of this request names the token (audit/context.py)
    return owner


def _narrowed_owner(token: ApiToken) -> User:
    owner = token.owner
    paths = None if token.every_unit else tuple(token.units.values_list("path", flat=True))
    gate.narrow(owner, gate.Narrowing(actions=frozenset(token.actions), unit_paths=paths))
    owner.__dict__["_api_token"] = token
    return owner


def token_of(user: User | AnonymousUser | None) -> ApiToken | None:
    """The token the user's request is made with (None from a page): a job queued by the
    call records it, so the worker can narrow the job as the call was narrowed."""
    return None if user is None else user.__dict__.get("_api_token")


class TokenLapsed(Exception):
    """Work queued under a token that no longer holds (revoked, expired, owner inactive): the
    reason, in Chinese, is the job's error."""


def token_job_actor(*, owner: User, token_id: int | None) -> User:
    """Whom a background job runs as: its owner, narrowed to the token that queued it exactly
    as a call with the token is (`token_authenticate`), checked again now — rights and tokens
    may change while a job waits. TokenLapsed when the token would be refused today."""
    if token_id is None:
        return owner
    token = ApiToken.objects.select_related("owner").filter(pk=token_id, owner=owner.pk).first()
    if token is None or token.revoked_at is not None:
        raise TokenLapsed(_("发起该任务的接口令牌已撤销，任务未执行，未做任何修改。"))
    if token.expires_at <= timezone.now():
        raise TokenLapsed(_("发起该任务的接口令牌已过期，任务未执行，未做任何修改。"))
    if not token.owner.is_active:
        raise TokenLapsed(_("发起该任务的账号已停用，任务未执行，未做任何修改。"))
    return _narrowed_owner(token)


@contextmanager
def token_job_audit(actor: User) -> Iterator[None]:
    """Every audit row written while a job runs names the token that queued it, as the rows
    of a token call do (audit/context.py); nothing for a job queued from a page."""
    token = token_of(actor)
    if token is None:
        yield
        return
    holder = bind_api_token_holder()
    note_api_token(token.key_id)
    try:
        yield
    finally:
        unbind_api_token_holder(holder)


def token_status(token: ApiToken) -> str:
    """有效 / 已过期 / 已撤销, for the list."""
    if token.revoked_at is not None:
        return _("已撤销")
    return _("已过期") if token.expires_at <= timezone.now() else _("有效")
