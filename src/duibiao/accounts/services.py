"""Accounts: creation, role grants, sign-in (password, lockout, second factor), password
change, and what the security administrator does about locks and lost authenticators."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login

from duibiao.accounts import gate
from duibiao.accounts.models import RoleGrant, User
from duibiao.accounts.otp import (
    clean_code,
    confirmed_device,
    enrolment_device,
    requires_second_factor,
)
from duibiao.accounts.roles import ADMIN_ROLES, Role
from duibiao.audit.context import client_ip
from duibiao.audit.services import audit_record
from duibiao.crypto.models import SealedTOTPDevice as TOTPDevice  # the key sealed with SM4
from duibiao.crypto.sm4 import SealError

if TYPE_CHECKING:
    from django.http import HttpRequest

    from duibiao.org.models import TaskForce, Unit


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None = None,
    password_hash: str | None = None,
    full_name: str = "",
    unit: Unit | None = None,
    validate: bool = True,
) -> User:
    """Create an account. `password_hash` lets bulk set-up reuse one slow hash."""
    user = User(username=username, full_name=full_name, unit=unit)
    if password_hash is not None:
        user.password = password_hash
    elif password is not None:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.password_changed_at = timezone.now()
    user.save()
    audit_record(actor=actor, action="user.create", obj=user, unit=unit, after={"username": username})
    return user


class GrantError(ValueError):
    """A grant or revocation refused; the message says why, in words for the page, and
    `field` names the form field that caused it (None: the request as a whole)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _grant_state(grant: RoleGrant) -> dict:
    return {
        "role": grant.role,
        "units": sorted(grant.units.values_list("code", flat=True)),
        "include_subtree": grant.include_subtree,
        "taskforce": grant.taskforce.code if grant.taskforce is not None else None,
    }


def _grant_actor_check(actor: User | None, user: User) -> None:
    """Grants are the security administrator's (the command line, actor None, sets up the
    first accounts); nobody changes his own."""
    if actor is None:
        return
    gate.require(actor, "accounts.grant.manage")
    if actor.pk == user.pk:
        raise GrantError(_("不能给自己授权或收回自己的角色，须由另一位安全管理员办理。"))


def _separation_check(user: User, role: str) -> None:
    """三权分立: the system, security and audit administrators are three people, and none of
    them holds a business role (an administrator sees no assessment data)."""
    others = set(user.grants.exclude(role=role).values_list("role", flat=True))
    if role in ADMIN_ROLES and others & ADMIN_ROLES:
        raise GrantError(_("系统管理员、安全管理员、审计管理员须由不同人员担任（三权分立）。"), "role")
    if role in ADMIN_ROLES and others:
        raise GrantError(_("%(user)s 已有业务角色，不能再担任管理员（三权分立：管理员不看考核数据）。")
                         % {"user": user.display_name}, "role")
    held_admin = others & ADMIN_ROLES
    if held_admin:
        label = Role(sorted(held_admin)[0]).label
        raise GrantError(_("%(user)s 是%(admin)s，不能再授予业务角色（三权分立：管理员不看考核数据）。")
                         % {"user": user.display_name, "admin": label}, "role")


@transaction.atomic
def role_grant(
    *, actor: User | None, user: User, role: str, units: Iterable[Unit] = (),
    include_subtree: bool = True, taskforce: TaskForce | None = None,
) -> RoleGrant:
    """Grant a role over units (with their subtrees when asked), or change the scope of a role
    the user already holds. Audited with the grant before and after."""
    _grant_actor_check(actor, user)
    if role not in Role.values:
        raise GrantError(_("未知角色：%(role)s") % {"role": role}, "role")
    _separation_check(user, role)
    if (role == Role.TASKFORCE) != (taskforce is not None):
        raise GrantError(_("专班成员须选择所属专班；其他角色不选专班。"), "taskforce")
    units = list(units)
    if role not in ADMIN_ROLES and not units:
        raise GrantError(_("请至少选择一个范围单位。"), "units")
    existing = RoleGrant.objects.filter(user=user, role=role, taskforce=taskforce).first()
    before = _grant_state(existing) if existing else None
    grant, _created = RoleGrant.objects.update_or_create(
        user=user, role=role, taskforce=taskforce, defaults={"include_subtree": include_subtree}
    )
    grant.units.set(units)
    audit_record(actor=actor, action="role.grant", obj=user, before=before, after=_grant_state(grant))
    gate.forget(user)  # what the gate keeps of the user's roles and grants is stale now
    return grant


@transaction.atomic
def role_revoke(*, actor: User | None, grant: RoleGrant) -> None:
    """Take a role back. The last holder of an administrator role keeps it: someone else is
    granted it first, so the system is never left without one of the three."""
    user = grant.user
    _grant_actor_check(actor, user)
    if grant.role in ADMIN_ROLES and not RoleGrant.objects.filter(role=grant.role).exclude(pk=grant.pk).exists():
        raise GrantError(_("%(user)s 是唯一的%(role)s，请先把该角色授予另一人再收回。")
                         % {"user": user.display_name, "role": grant.get_role_display()})
    before = _grant_state(grant)
    grant.delete()
    audit_record(actor=actor, action="role.revoke", obj=user, before=before, after=None)
    gate.forget(user)


@dataclass(frozen=True)
class LoginOutcome:
    ok: bool
    message: str = ""
    second_factor: bool = False  # the password was right; a one-time code comes next


# One message for every refused sign-in: unknown name, wrong password and a locked account or
# address read the same, so the page never tells whether an account exists.
LOGIN_FAILED = gettext_lazy(
    "用户名或密码错误。连续多次失败后将暂时锁定，请稍后再试或联系安全管理员。"
)
PENDING_USER, PENDING_SINCE = "otp_user", "otp_since"


@transaction.atomic
def session_login(*, request: HttpRequest, username: str, password: str) -> LoginOutcome:
    """Check the password (等保 8.1.4.1). django-axes, the first authentication backend,
    refuses a locked client before the password is looked at and counts every failure."""
    ip = client_ip(request)
    user = authenticate(request, username=username, password=password)
    if user is None:
        locked = bool(getattr(request, "axes_locked_out", False))
        audit_record(actor=None, username=username, action="login", success=False, ip=ip,
                     detail="locked" if locked else "bad credentials")
        return LoginOutcome(False, str(LOGIN_FAILED))
    if requires_second_factor(user):
        # Not signed in yet: the session only remembers who passed the first factor.
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_SINCE] = timezone.now().timestamp()
        audit_record(actor=None, username=username, action="login.password", ip=ip,
                     detail="second factor next")
        return LoginOutcome(False, second_factor=True)
    _complete_login(request, user, ip)
    return LoginOutcome(True)


def _complete_login(
    request: HttpRequest, user: User, ip: str | None, device: TOTPDevice | None = None,
    action: str = "login",
) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)  # the session records which device verified it
    audit_record(actor=user, action=action, ip=ip)


def _forget_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_SINCE):
        request.session.pop(key, None)


def pending_second_factor(request: HttpRequest) -> User | None:
    """The user who passed the password step in this session, if still within the window."""
    pk, since = request.session.get(PENDING_USER), request.session.get(PENDING_SINCE, 0)
    if pk is None or timezone.now().timestamp() - since > settings.DUIBIAO_OTP_PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@transaction.atomic
def second_factor_verify(*, request: HttpRequest, code: str) -> LoginOutcome:
    """Check the one-time code on the user's TOTP device, confirming the device on first use.
    django-otp refuses a code already used (in any session) and backs off after wrong ones;
    wrong codes also count towards the same lockout as wrong passwords."""
    user = pending_second_factor(request)
    ip = client_ip(request)
    if user is None:
        return LoginOutcome(False, _("验证已超时，请重新登录。"))
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        _forget_pending(request)
        audit_record(actor=None, username=user.username, action="login.otp", success=False, ip=ip,
                     detail="locked")
        return LoginOutcome(False, str(LOGIN_FAILED))
    device = confirmed_device(user)
    enrolling = device is None
    # Locked while checking, so that one code cannot be accepted twice by two requests at once.
    device = TOTPDevice.objects.select_for_update().get(pk=(device or enrolment_device(user)).pk)
    allowed, why = device.verify_is_allowed()
    if not allowed:
        wait = max(1, math.ceil((why["locked_until"] - timezone.now()).total_seconds()))
        audit_record(actor=None, username=user.username, action="login.otp", success=False, ip=ip,
                     detail="throttled")
        return LoginOutcome(False, _("动态口令错误次数过多，请 %(s)d 秒后再试。") % {"s": wait})
    try:
        verified = device.verify_token(clean_code(code))
    except SealError:
        # The sealed key does not open (changed in the database, or its SM4 key is no longer
        # configured): no code can be checked, and the user is told whom to ask.
        audit_record(actor=None, username=user.username, action="login.otp", success=False, ip=ip,
                     detail="sealed key refused")
        return LoginOutcome(False, _("动态口令密钥无法解密（可能已被改动），请联系安全管理员重置两步验证。"))
    if not verified:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            _forget_pending(request)
        audit_record(actor=None, username=user.username, action="login.otp", success=False, ip=ip)
        return LoginOutcome(False, _("动态口令不正确或已使用过，请输入验证器 App 显示的新口令。"))
    if enrolling:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    _forget_pending(request)
    _complete_login(request, user, ip, device, action="login.otp.enrol" if enrolling else "login")
    return LoginOutcome(True)


def session_logout(*, request: HttpRequest) -> None:
    from django.contrib.auth import logout

    if request.user.is_authenticated:
        audit_record(actor=request.user, action="logout", ip=client_ip(request))
    logout(request)


@transaction.atomic
def password_change(*, actor: User, new_password: str, ip: str | None = None) -> User:
    """A user sets a new password for himself (the old one has been checked by the caller,
    through authenticate, so that wrong guesses count towards the lockout)."""
    validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.password_changed_at = timezone.now()
    actor.save(update_fields=["password", "password_changed_at"])
    audit_record(actor=actor, action="password.change", obj=actor, ip=ip)
    return actor


@transaction.atomic
def lockout_clear(
    *, actor: User, username: str | None = None, ip_address: str | None = None
) -> int:
    """The security administrator lifts a lock: an account at one address, an address, or
    an account everywhere. Returns how many failure records were cleared."""
    gate.require(actor, "accounts.lockout.manage")
    if not username and not ip_address:
        raise ValueError(_("须指明账号或来源地址"))
    cleared = AxesProxyHandler.reset_attempts(ip_address=ip_address or None, username=username or None)
    audit_record(actor=actor, action="lockout.clear", obj=User.objects.filter(username=username).first(),
                 after={"username": username, "ip": ip_address, "records": cleared})
    return cleared


@transaction.atomic
def second_factor_reset(*, actor: User, user: User) -> int:
    """The security administrator removes an administrator's authenticator (a lost phone):
    the next sign-in enrols a new one with a new key."""
    gate.require(actor, "accounts.lockout.manage")
    if not user.grants.filter(role__in=ADMIN_ROLES).exists():
        raise ValueError(_("只有系统管理员、安全管理员、审计管理员使用两步验证"))
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="otp.reset", obj=user, after={"devices_removed": removed})
    return removed


def password_change_refused(*, actor: User, reasons: list[str], ip: str | None = None) -> None:
    """A refused change is audited too (which fields were wrong, never what was typed)."""
    audit_record(actor=actor, action="password.change", obj=actor, success=False, ip=ip,
                 detail=",".join(reasons))
