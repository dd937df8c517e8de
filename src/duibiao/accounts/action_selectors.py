"""The table of actions as the security administrator reads it: roles × actions, with the
reach of each role's hold. Read-only: the table is code (accounts.actions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from duibiao.accounts import gate
from duibiao.accounts.actions import ACTIONS, ROLE_ACTIONS, Action
from duibiao.accounts.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

GROUPS: dict[str, Promise] = {
    "org": _("单位"), "accounts": _("账号与安全"), "audit": _("审计"), "assessment": _("考核评价"),
    "cadres": _("干部考核"), "documents": _("Excel 导入导出"), "projects": _("重点项目"),
    "inspections": _("督导检查"), "web": _("领导驾驶舱"),
}
HELD = _("可以")  # a system action (no unit): holding the role is enough


@dataclass(frozen=True)
class ActionRow:
    action: Action
    cells: list[str]  # one per role, in the order of `roles`: "" when the role does not hold it


@dataclass(frozen=True)
class ActionGroup:
    label: str
    rows: list[ActionRow]


@dataclass(frozen=True)
class ActionTable:
    roles: list[tuple[str, str]]  # (code, 中文)
    groups: list[ActionGroup]


def _cell(action: Action, role: str) -> str:
    reach = ROLE_ACTIONS[role].get(action.name)
    if reach is None:
        return ""
    return str(reach.label if action.scoped else HELD)


def action_table(*, user: User | AnonymousUser) -> ActionTable:
    """Every action with what each role may do; PermissionDenied unless 安全管理员."""
    gate.require(user, "accounts.actions.view")
    roles = [(str(code), str(label)) for code, label in Role.choices]
    groups: dict[str, list[ActionRow]] = {}
    for action in ACTIONS.values():
        cells = [_cell(action, code) for code, _label in roles]
        groups.setdefault(action.name.split(".")[0], []).append(ActionRow(action, cells))
    return ActionTable(
        roles=roles,
        groups=[ActionGroup(str(GROUPS[app]), rows) for app, rows in groups.items()],
    )
