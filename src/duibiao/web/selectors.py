"""What the home page shows: the panels of each role the user holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.accounts.audit_selectors import audit_list
from duibiao.accounts.lock_selectors import lock_list
from duibiao.accounts.roles import Role
from duibiao.assessment.selectors.reminders import home_reminders
from duibiao.assessment.selectors.results import appeals_pending_count
from duibiao.assessment.selectors.schemes import scheme_list
from duibiao.inspections.selectors.findings import home_counts
from duibiao.org.models import TaskForce, Unit
from duibiao.projects.selectors.dispatch import assignment_counts
from duibiao.projects.selectors.portfolio import served_counts
from duibiao.web.navigation import items_for

if TYPE_CHECKING:
    from duibiao.accounts.models import User


@dataclass
class HomePage:
    roles: frozenset[str]
    unit: Unit | None
    nav: list
    schemes: list = field(default_factory=list)
    unit_count: int = 0
    taskforces: list = field(default_factory=list)
    locked_accounts: list = field(default_factory=list)
    recent_audit: list = field(default_factory=list)
    reminders: object | None = None  # assessment.selectors.periods.Reminders
    # Appeals waiting for this user's decision; None for a user who decides none.
    pending_appeals: int | None = None
    # 督导检查: findings to verify and extension requests (inspectors), to rectify (units).
    inspections: object | None = None
    # 交办事项 the user's unit answers: open and overdue (projects.selectors.dispatch.AssignmentCounts).
    assignments: object | None = None
    # 我的项目 of a 项目服务秘书: served, due this week, red (projects.selectors.ServedCounts).
    served: object | None = None


def home_page(*, user: User) -> HomePage:
    roles = gate.roles(user)
    page = HomePage(roles=roles, unit=user.unit, nav=items_for(roles))
    page.schemes = list(scheme_list(user=user)[:3])
    # How many units the directory shows, for those who see more than their own unit.
    count = gate.units(user, "org.tree.view").count()
    page.unit_count = count if count > 1 else 0
    if Role.TASKFORCE in roles:  # the task forces the user is a member of (his grants)
        page.taskforces = list(
            TaskForce.objects.filter(rolegrant__user=user, rolegrant__role=Role.TASKFORCE)
        )
    page.reminders = home_reminders(user=user)
    page.inspections = home_counts(user)
    page.assignments = assignment_counts(user=user)
    if Role.SECRETARY in roles:
        page.served = served_counts(user=user, today=timezone.localdate())
    if "assessment.appeal.decide" in gate.actions(user):  # the office and task forces
        page.pending_appeals = appeals_pending_count(user=user)
    if gate.allows(user, "accounts.lockout.manage"):
        page.locked_accounts = lock_list(user=user)[:20]
    if gate.allows(user, "audit.log.view"):
        page.recent_audit = list(audit_list(user=user)[:10])
    return page


def security_policy() -> list[tuple[str, str]]:
    return [
        (_("登录失败锁定"), _("同一账号在同一来源地址连续失败 %(n)d 次，锁定该账号在该地址的登录 %(m)d 分钟；"
                        "同一来源地址失败 %(c)d 次（不论账号）锁定该地址；同一账号失败 %(a)d 次（不论地址）锁定该账号")
         % {"n": settings.DUIBIAO_LOCKOUT_FAILURES, "m": settings.DUIBIAO_LOCKOUT_MINUTES,
            "c": settings.DUIBIAO_LOCKOUT_CLIENT_FAILURES, "a": settings.DUIBIAO_LOCKOUT_ACCOUNT_FAILURES}),
        (_("会话超时"), _("无操作 %(m)d 分钟后退出") % {"m": settings.SESSION_COOKIE_AGE // 60}),
        (_("口令复杂度"), _("至少 10 位，含大写字母、小写字母、数字、符号中的至少三类")),
        (_("口令有效期"), _("%(d)d 天，到期后须先修改密码才能继续使用") % {"d": settings.DUIBIAO_PASSWORD_MAX_AGE_DAYS}
         if settings.DUIBIAO_PASSWORD_MAX_AGE_DAYS > 0 else _("不限")),
    ]
