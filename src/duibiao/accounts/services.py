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
from duibiao.accounts.roles import ADMIN_ROLES
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


@transaction.atomic
def role_grant(*, actor, user: User, role: str, units=(), include_subtree: bool = True, taskforce=None) -> RoleGrant:
    held_admin = set(user.grants.values_list("role", flat=True)) & ADMIN_ROLES
    if role in ADMIN_ROLES and held_admin - {role}:
        raise ValueError("系统管理员、安全管理员、审计管理员须由不同人员担任（三权分立）")
    grant, _ = RoleGrant.objects.update_or_create(
        user=user, role=role, taskforce=taskforce, defaults={"include_subtree": include_subtree}
    )
    grant.units.set(units)
    audit_record(
        actor=actor, action="role.grant", obj=user,
        after={"role": role, "units": [u.code for u in units], "taskforce": getattr(taskforce, "code", None)},
    )
    return grant


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
