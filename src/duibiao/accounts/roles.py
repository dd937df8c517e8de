"""The roles of DESIGN §2. A user may hold several, each scoped to a set of units."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")
    OFFICE = "office", _("考核办")
    TASKFORCE = "taskforce", _("专班成员")
    REPORTER = "reporter", _("单位填报员")
    UNIT_HEAD = "unit_head", _("单位负责人")
    LEADER = "leader", _("区领导")
    SECRETARY = "secretary", _("项目服务秘书")
    INSPECTOR = "inspector", _("督导员")


# Roles that read business data of the units in their scope. The three administrators
# (三权分立) are left out on purpose: they manage accounts, policy and the audit log, and see
# no assessment data they do not need.
DATA_ROLES = frozenset(
    {
        Role.OFFICE, Role.TASKFORCE, Role.REPORTER, Role.UNIT_HEAD, Role.LEADER,
        Role.SECRETARY, Role.INSPECTOR,
    }
)
# Administrators who must be separated: one person holds at most one of them.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
