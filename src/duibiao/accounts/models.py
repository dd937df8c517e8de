"""Users, their role grants and the state the login policy needs."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duibiao.accounts.roles import Role


class AccountManager(UserManager):
    def create_superuser(self, *args, **kwargs):
        # Every power comes from a role grant (三权分立); a superuser would hold all three.
        raise ValueError("本系统没有超级用户：请用 duibiao createuser 用户名 --role sysadmin 创建系统管理员。")


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=40, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="members",
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Failed sign-ins and locks are django-axes' records (accounts/lockout.py); the second
    # factor is a django-otp TOTP device (accounts/otp.py). Password expiry counts from here.
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects: ClassVar[AccountManager] = AccountManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        # Django's own privilege flags stay off whatever writes the row (a page, a shell, a
        # fixture): a superuser passes every permission check and would undo 三权分立.
        constraints = [
            models.CheckConstraint(
                condition=Q(is_superuser=False, is_staff=False), name="user_no_django_privileges",
                violation_error_message=_("账号不能设为超级用户或职员：权限只来自角色授权。"),
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def _locked_until(self):
        """When the latest lock on this account lifts (from any address), or None."""
        from duibiao.accounts.lockout import account_locked_until

        return account_locked_until(self.username)

    _locked_until.short_description = _("锁定至")  # type: ignore[attr-defined]
    locked_until = property(_locked_until)


class RoleGrant(models.Model):
    """One role held by one user over a set of units (and their subtrees when asked)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    units = models.ManyToManyField("org.Unit", verbose_name=_("范围单位"), blank=True)
    include_subtree = models.BooleanField(_("含下级单位"), default=True)
    taskforce = models.ForeignKey(
        "org.TaskForce", verbose_name=_("所属专班"), null=True, blank=True,
        on_delete=models.PROTECT,
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "taskforce"], name="one_grant_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A key for an integration to call the API as its owner, narrowed to some units and some
    actions (`accounts.tokens`). Only a keyed hash of the secret is kept: the secret itself is
    shown once, when the token is made. The gate intersects the token's scope with the owner's
    grants on every request, so a token never reaches further than its owner does today."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens",
                              verbose_name=_("所有者"))
    name = models.CharField(_("名称"), max_length=60)
    # The public half of the token (`dbt_<key_id>_<secret>`): finds the row without a scan.
    key_id = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    actions = models.JSONField(_("操作"), default=list)
    units = models.ManyToManyField("org.Unit", verbose_name=_("范围单位"), related_name="+")
    # No unit chosen means wherever the owner's grants reach; said explicitly, so a token whose
    # chosen units are all deleted reaches nothing rather than everything.
    every_unit = models.BooleanField(_("不限单位"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"
