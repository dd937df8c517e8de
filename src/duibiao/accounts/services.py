"""Accounts: creation, role grants and the login policy (lockout after repeated failures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts.models import RoleGrant, User
from duibiao.accounts.otp import new_secret, requires_second_factor, verify
from duibiao.accounts.roles import ADMIN_ROLES, Role
from duibiao.audit.services import audit_record


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str | None = None,
    password_hash: str | None = None,
    full_name: str = "",
    unit=None,
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
        "taskforce": grant.taskforce.code if grant.taskforce_id else None,
    }


def _grant_actor_check(actor, user: User) -> None:
    """Grants are the security administrator's (the command line, actor None, sets up the
    first accounts); nobody changes his own."""
    if actor is None:
        return
    from duibiao.accounts.gate import require_role

    require_role(actor, Role.SECADMIN)
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
def role_grant(*, actor, user: User, role: str, units=(), include_subtree: bool = True, taskforce=None) -> RoleGrant:
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
    user.__dict__.pop("_gate_roles", None)  # the gate's cache of the user's roles is stale now
    return grant


@transaction.atomic
def role_revoke(*, actor, grant: RoleGrant) -> None:
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
    user.__dict__.pop("_gate_roles", None)


@dataclass(frozen=True)
class LoginOutcome:
    ok: bool
    message: str = ""
    second_factor: bool = False  # the password was right; a one-time code comes next


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@transaction.atomic
def session_login(*, request, username: str, password: str) -> LoginOutcome:
    """Check the password, count failures and lock the account after too many (等保 8.1.4.1)."""
    now = timezone.now()
    account = User.objects.select_for_update().filter(username=username).first()
    ip = _client_ip(request)
    if account is not None and account.locked_until and account.locked_until > now:
        audit_record(actor=None, username=username, action="login", success=False, ip=ip, detail="locked")
        minutes = int((account.locked_until - now).total_seconds() // 60) + 1
        return LoginOutcome(
            False, _("账号已锁定，请 %(m)d 分钟后再试或联系安全管理员。") % {"m": minutes}
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        detail = "bad credentials"
        if account is not None:
            account.failed_logins += 1
            if account.failed_logins >= settings.DUIBIAO_LOCKOUT_FAILURES:
                account.locked_until = now + timedelta(minutes=settings.DUIBIAO_LOCKOUT_MINUTES)
                account.failed_logins = 0
                detail = "locked after repeated failures"
            account.save(update_fields=["failed_logins", "locked_until"])
        audit_record(actor=None, username=username, action="login", success=False, ip=ip, detail=detail)
        return LoginOutcome(False, _("用户名或密码错误。"))
    if requires_second_factor(user):
        # Not signed in yet: the session only remembers who passed the first factor.
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_SINCE] = now.timestamp()
        audit_record(actor=None, username=username, action="login.password", ip=ip, detail="second factor next")
        return LoginOutcome(False, second_factor=True)
    _complete_login(request, user, ip)
    return LoginOutcome(True)


PENDING_USER, PENDING_SINCE, PENDING_SECRET = "otp_user", "otp_since", "otp_secret"


def _complete_login(request, user: User, ip: str | None, action: str = "login") -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["failed_logins", "locked_until", "totp_secret", "totp_enabled_at"])
    login(request, user)
    audit_record(actor=user, action=action, ip=ip)


def pending_second_factor(request) -> User | None:
    """The user who passed the password step in this session, if still within the window."""
    pk, since = request.session.get(PENDING_USER), request.session.get(PENDING_SINCE, 0)
    if pk is None or timezone.now().timestamp() - since > settings.DUIBIAO_OTP_PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def enrolment_secret(request) -> str:
    """The secret offered to a user who has no second factor yet (kept in the session until
    the first code proves the authenticator app has it)."""
    if PENDING_SECRET not in request.session:
        request.session[PENDING_SECRET] = new_secret()
    return request.session[PENDING_SECRET]


@transaction.atomic
def second_factor_verify(*, request, code: str) -> LoginOutcome:
    """Check the one-time code; enrol the secret on first use. Wrong codes count towards the
    same lockout as wrong passwords."""
    user = pending_second_factor(request)
    ip = _client_ip(request)
    if user is None:
        return LoginOutcome(False, _("验证已超时，请重新登录。"))
    user = User.objects.select_for_update().get(pk=user.pk)
    enrolling = user.totp_enabled_at is None
    secret = enrolment_secret(request) if enrolling else user.totp_secret
    if not verify(secret, code):
        user.failed_logins += 1
        if user.failed_logins >= settings.DUIBIAO_LOCKOUT_FAILURES:
            user.locked_until = timezone.now() + timedelta(minutes=settings.DUIBIAO_LOCKOUT_MINUTES)
            user.failed_logins = 0
            for key in (PENDING_USER, PENDING_SINCE):
                request.session.pop(key, None)
        user.save(update_fields=["failed_logins", "locked_until"])
        audit_record(actor=None, username=user.username, action="login.otp", success=False, ip=ip)
        return LoginOutcome(False, _("动态口令不正确。"))
    if enrolling:
        user.totp_secret, user.totp_enabled_at = secret, timezone.now()
    for key in (PENDING_USER, PENDING_SINCE, PENDING_SECRET):
        request.session.pop(key, None)
    _complete_login(request, user, ip, action="login.otp.enrol" if enrolling else "login")
    return LoginOutcome(True)


def session_logout(*, request) -> None:
    from django.contrib.auth import logout

    if request.user.is_authenticated:
        audit_record(actor=request.user, action="logout", ip=_client_ip(request))
    logout(request)


@transaction.atomic
def account_unlock(*, actor, user: User) -> User:
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit_record(actor=actor, action="user.unlock", obj=user)
    return user
