"""Which role may do what: the one table the access gate reads (DESIGN §4).

An action is named `<app>.<object>.<verb>` and has a Chinese label. A unit-scoped action is
done on the objects of a unit; a role holds it over the units of its grant (with their
subtrees when the grant says so), over every unit, or over its grant's units for the
objects of its own task force only. A system action (the administrators' pages, the
office's holiday table) belongs to no unit: holding the role is enough.

The table is code, reviewed like code; the security administrator reads it on
/accounts/actions/. `accounts.gate` answers every question from it, and a test checks that
every action the code asks about is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from duibiao.accounts.roles import ADMIN_ROLES, DATA_ROLES, Role


class Reach(Enum):
    """How far a role's hold on a unit-scoped action goes."""

    GRANT = "grant"  # the units of the grant (and their subtrees when the grant says so)
    EVERYWHERE = "everywhere"  # every unit: the administrators who keep and grant over the tree
    OWN_TASKFORCE = "own_taskforce"  # the grant's units, objects of the grant's task force only
    SERVED = "served"  # the grant's units, the projects the user serves as 项目服务秘书 only

    @property
    def label(self) -> Promise:
        return REACH_LABELS[self]


REACH_LABELS: dict[Reach, Promise] = {
    Reach.GRANT: _("授权范围内"),
    Reach.EVERYWHERE: _("全部单位"),
    Reach.OWN_TASKFORCE: _("授权范围内本专班的指标"),
    Reach.SERVED: _("授权范围内本人服务的项目"),
}


@dataclass(frozen=True)
class Action:
    name: str
    label: Promise
    scoped: bool  # done on a unit's objects (True) or on the system itself (False)


_ACTIONS = (
    # --- the three administrators (三权分立) and the tree of units
    Action("org.tree.manage", _("维护单位、账号与基础设置（系统管理）"), scoped=False),
    Action("org.tree.view", _("查看单位名录"), scoped=True),
    Action("accounts.grant.manage", _("授予与收回角色"), scoped=False),
    Action("accounts.lockout.manage", _("解除登录锁定、重置两步验证"), scoped=False),
    Action("accounts.policy.view", _("查看安全策略"), scoped=False),
    Action("accounts.actions.view", _("查看角色与权限对照表"), scoped=False),
    Action("accounts.token.manage", _("建立与撤销本人的接口令牌"), scoped=False),
    Action("audit.log.view", _("查看审计日志"), scoped=False),
    Action("audit.log.export", _("导出审计记录"), scoped=False),
    Action("audit.chain.verify", _("校验审计链"), scoped=False),
    # --- business data: every page that reads a unit's data starts from this scope
    Action("org.unit.view", _("查看单位的业务数据"), scoped=True),
    # --- 考核方案, 考核周期 and the working-day calendar
    Action("assessment.scheme.view", _("查看考核方案"), scoped=True),
    Action("assessment.scheme.edit", _("编辑考核方案"), scoped=True),
    Action("assessment.period.open", _("建立、开放与关闭考核周期"), scoped=True),
    Action("assessment.calendar.edit", _("维护节假日与调休表"), scoped=False),
    # --- 填报, 审核 and 进度
    Action("assessment.report.view", _("查看单位填报表、下载填报模板"), scoped=True),
    Action("assessment.submission.view", _("查看填报值与佐证材料"), scoped=True),
    Action("assessment.submission.report", _("填报数据、上传佐证材料"), scoped=True),
    Action("assessment.submission.sign", _("签认本单位填报"), scoped=True),
    Action("assessment.submission.review", _("审核填报、给出评分"), scoped=True),
    Action("assessment.submission.unlock", _("解锁已审核通过的数据"), scoped=True),
    Action("assessment.submission.comment", _("就一项数据留言（单位与专班、考核办之间）"), scoped=True),
    Action("assessment.progress.view", _("查看填报进度"), scoped=True),
    Action("assessment.reminder.unit", _("首页提醒：本单位待填报指标"), scoped=True),
    Action("assessment.reminder.office", _("首页提醒：各单位填报进度"), scoped=True),
    # --- 计分排名, 申诉 and 多考合一
    Action("assessment.run.view_all", _("查看全部计分批次（含未反馈的）"), scoped=True),
    Action("assessment.run.start", _("计分与重新计算"), scoped=True),
    Action("assessment.run.release", _("向各单位反馈结果、开始申诉期"), scoped=True),
    Action("assessment.run.publish", _("公布考核结果"), scoped=True),
    Action("assessment.run.analyse", _("查看敏感性分析、导出计分输入"), scoped=True),
    Action("assessment.result.view", _("查看已反馈的考核结果"), scoped=True),
    Action("assessment.result.view_published", _("查看已公布的考核结果"), scoped=True),
    Action("assessment.result.view_peers", _("查看上一名单位的名称与各项得分"), scoped=True),
    Action("assessment.appeal.view", _("查看申诉"), scoped=True),
    Action("assessment.appeal.file", _("提出申诉"), scoped=True),
    Action("assessment.appeal.decide", _("复核申诉"), scoped=True),
    Action("assessment.combination.view", _("查看多考合一结果"), scoped=True),
    Action("assessment.combination.edit", _("建立多考合一"), scoped=True),
    # --- consumers of results
    Action("cadres.sheet.view", _("查看干部考核"), scoped=True),
    Action("cadres.sheet.edit", _("维护干部考核数据"), scoped=True),
    Action("documents.workbook.import", _("导入考核细则工作簿"), scoped=True),
    # --- 通报: drafted, rewritten and issued by the office of a district; leaders read the issued
    Action("documents.bulletin.view", _("查看已印发的通报"), scoped=True),
    Action("documents.bulletin.edit", _("起草通报、修改通报草稿"), scoped=True),
    Action("documents.bulletin.issue", _("印发通报（取发文字号）"), scoped=True),
    Action("documents.job.view_all", _("查看本地区全部后台任务（导入、导出、计分）"), scoped=True),
    # --- 重点项目: the project library, progress reports, 难点堵点 (scoped by the owner unit)
    Action("projects.project.view", _("查看重点项目库与项目详情"), scoped=True),
    Action("projects.project.edit", _("建立、修改和导入项目台账"), scoped=True),
    Action("projects.progress.report", _("填报项目进度、上传现场照片"), scoped=True),
    Action("projects.problem.raise", _("提出项目难点堵点"), scoped=True),
    Action("projects.problem.solve", _("标记难点堵点已解决"), scoped=True),
    # scoped by the unit asked to solve the problem (not the project's owner)
    Action("projects.problem.answer", _("答复请本单位协调解决的难点堵点"), scoped=True),
    # --- 调度会, 交办事项 and 项目线索 (meetings scoped by their district, assignments by the
    # unit responsible, leads by the unit that pushed them)
    Action("projects.meeting.view", _("查看调度会、议程与复盘"), scoped=True),
    Action("projects.meeting.manage", _("安排调度会、记录纪要、交办事项、结束会议"), scoped=True),
    Action("projects.assignment.view", _("查看交办事项"), scoped=True),
    Action("projects.assignment.reply", _("答复交办事项的办理情况"), scoped=True),
    Action("projects.lead.view", _("查看项目线索与线索漏斗"), scoped=True),
    Action("projects.lead.edit", _("推送项目线索、推进线索阶段"), scoped=True),
    Action("projects.lead.convert", _("将线索转为重点项目"), scoped=True),
    # --- 督导检查: campaigns, findings and the rectification of each (scoped by the finding's
    # responsible unit; a campaign by the units it inspects)
    Action("inspections.campaign.view", _("查看督导检查活动"), scoped=True),
    Action("inspections.campaign.manage", _("建立与修改督导检查活动、指派督导员"), scoped=True),
    Action("inspections.finding.view", _("查看检查发现的问题、照片与整改记录"), scoped=True),
    Action("inspections.finding.record", _("在所督导的检查活动中记录问题"), scoped=True),
    Action("inspections.finding.rectify", _("报告本单位问题的整改情况"), scoped=True),
    Action("inspections.finding.extend", _("申请延长整改期限"), scoped=True),
    Action("inspections.finding.verify", _("核查整改：销号、退回、未整改销号"), scoped=True),
    Action("inspections.extension.decide", _("审批延期申请"), scoped=True),
    Action("inspections.finding.remind", _("催办整改"), scoped=True),
    Action("inspections.photo.location", _("查看照片的拍摄位置与设备信息"), scoped=True),
    # --- 领导驾驶舱: rankings, 四率 and 处置率 on one page (each part read through its own action)
    Action("web.cockpit.view", _("查看领导驾驶舱与大屏"), scoped=True),
    # --- 督导检查 statistics: 处置率 and the daily picture, 一企一档一清单, 工作量统计
    Action("inspections.stats.view", _("查看问题处置率与督导检查日通报"), scoped=True),
    Action("inspections.enterprise.view", _("查看企业档案与风险清单"), scoped=True),
    Action("inspections.enterprise.edit", _("建立企业档案、维护风险清单"), scoped=True),
    Action("inspections.worklog.view", _("查看工作量统计"), scoped=True),
    Action("inspections.worklog.record", _("登记本单位工作量"), scoped=True),
    Action("inspections.worktype.edit", _("维护工作类型与计量单位"), scoped=True),
)
ACTIONS: dict[str, Action] = {action.name: action for action in _ACTIONS}
# Unit-scoped actions that show where a unit sits in the tree and nothing that hangs off it:
# the only ones an administrator may hold.
DIRECTORY_ACTIONS = frozenset({"org.tree.view"})

GRANT, EVERYWHERE, OWN_TASKFORCE = Reach.GRANT, Reach.EVERYWHERE, Reach.OWN_TASKFORCE
SERVED = Reach.SERVED


def _holds(*names: str, reach: Reach = GRANT) -> dict[str, Reach]:
    return dict.fromkeys(names, reach)


# What every data role does (DESIGN §2: each reads the data of the units in its scope).
_EVERY_DATA_ROLE = _holds(
    "org.tree.view", "org.unit.view", "assessment.scheme.view", "assessment.submission.view",
    "assessment.combination.view",
)

ROLE_ACTIONS: dict[str, dict[str, Reach]] = {
    Role.SYSADMIN: {
        "org.tree.manage": GRANT,
        "org.tree.view": EVERYWHERE,
    },
    Role.SECADMIN: {
        "accounts.grant.manage": GRANT,
        "accounts.lockout.manage": GRANT,
        "accounts.policy.view": GRANT,
        "accounts.actions.view": GRANT,
        # grants are given over the whole tree: names and places of units, never their data
        "org.tree.view": EVERYWHERE,
    },
    Role.AUDITOR: {
        "audit.log.view": GRANT,
        "audit.log.export": GRANT,
        "audit.chain.verify": GRANT,
    },
    Role.OFFICE: {
        **_EVERY_DATA_ROLE,
        **_holds(
            "assessment.scheme.edit", "assessment.period.open", "assessment.calendar.edit",
            "assessment.report.view", "assessment.submission.report", "assessment.submission.review",
            "assessment.submission.unlock", "assessment.submission.comment", "assessment.progress.view",
            "assessment.reminder.office",
            "assessment.run.view_all", "assessment.run.start", "assessment.run.release",
            "assessment.run.publish", "assessment.run.analyse", "assessment.result.view",
            "assessment.result.view_published", "assessment.result.view_peers",
            "assessment.appeal.view", "assessment.appeal.decide", "assessment.combination.edit",
            "cadres.sheet.view", "cadres.sheet.edit", "documents.workbook.import", "documents.job.view_all",
            "projects.project.view", "projects.project.edit", "projects.progress.report",
            "projects.problem.raise", "projects.problem.solve",
            "projects.meeting.view", "projects.meeting.manage", "projects.assignment.view",
            "projects.lead.view", "projects.lead.edit", "projects.lead.convert",
        ),
    },
    Role.TASKFORCE: {
        **_EVERY_DATA_ROLE,
        **_holds(
            "assessment.result.view", "assessment.result.view_published", "assessment.result.view_peers",
            "projects.project.view",
        ),
        **_holds(
            "assessment.submission.review", "assessment.submission.comment", "assessment.progress.view",
            "assessment.appeal.view", "assessment.appeal.decide", reach=OWN_TASKFORCE,
        ),
    },
    Role.REPORTER: {
        **_EVERY_DATA_ROLE,
        **_holds(
            "assessment.report.view", "assessment.submission.report", "assessment.submission.comment",
            "assessment.reminder.unit", "assessment.result.view", "assessment.result.view_published",
            "assessment.appeal.view", "assessment.appeal.file",
            "projects.project.view", "projects.progress.report", "projects.problem.raise",
            "projects.problem.answer",
        ),
        **_holds("projects.assignment.view", "projects.assignment.reply", "projects.lead.view",
                 "projects.lead.edit"),
    },
    Role.UNIT_HEAD: {
        **_EVERY_DATA_ROLE,
        **_holds(
            "assessment.report.view", "assessment.submission.sign", "assessment.submission.comment",
            "assessment.reminder.unit",
            "assessment.result.view", "assessment.result.view_published", "assessment.appeal.view",
            "assessment.appeal.file", "cadres.sheet.view",
            "projects.project.view", "projects.problem.raise", "projects.problem.answer",
        ),
        **_holds("projects.assignment.view", "projects.assignment.reply", "projects.lead.view",
                 "projects.lead.edit"),
    },
    Role.LEADER: {
        **_EVERY_DATA_ROLE,
        **_holds(
            "assessment.report.view", "assessment.progress.view", "assessment.result.view_published",
            "assessment.result.view_peers", "projects.project.view",
        ),
        **_holds("projects.meeting.view", "projects.assignment.view", "projects.lead.view"),
    },
    # A 项目服务秘书 sees and updates only the projects bound to him, within his grant.
    Role.SECRETARY: {
        **_EVERY_DATA_ROLE,
        **_holds(
            "projects.project.view", "projects.progress.report", "projects.problem.raise",
            "projects.problem.solve", reach=SERVED,
        ),
    },
    # Inspections are the next issue; until it lands the inspector reads what every data
    # role reads.
    Role.INSPECTOR: dict(_EVERY_DATA_ROLE),
}


# 督导检查: the inspector records and verifies, the unit rectifies and asks for more time, the
# office runs campaigns, decides extensions and presses units; the leader reads. Only the
# inspector sees where and with what a photo was taken (its EXIF), as the record's keeper.
_INSPECTION_HOLDS: dict[str, tuple[str, ...]] = {
    Role.OFFICE: ("inspections.campaign.view", "inspections.campaign.manage", "inspections.finding.view",
                  "inspections.extension.decide", "inspections.finding.remind"),
    Role.LEADER: ("inspections.campaign.view", "inspections.finding.view"),
    Role.INSPECTOR: ("inspections.campaign.view", "inspections.finding.view", "inspections.finding.record",
                     "inspections.finding.verify", "inspections.extension.decide", "inspections.finding.remind",
                     "inspections.photo.location"),
    Role.REPORTER: ("inspections.finding.view", "inspections.finding.rectify", "inspections.finding.extend"),
    Role.UNIT_HEAD: ("inspections.finding.view", "inspections.finding.rectify", "inspections.finding.extend"),
}
for _role, _names in _INSPECTION_HOLDS.items():
    ROLE_ACTIONS[_role].update(_holds(*_names))


# 督导检查 statistics (处置率, the daily picture), 一企一档一清单 and 工作量统计: every data role
# in the loop reads them over its grant; units log their own work; inspectors and the office
# keep the enterprises' files; the office keeps the types of work.
_INSPECTION_STATS_READ = ("inspections.stats.view", "inspections.enterprise.view", "inspections.worklog.view")
_INSPECTION_STATS_HOLDS: dict[str, tuple[str, ...]] = {
    Role.OFFICE: (*_INSPECTION_STATS_READ, "inspections.enterprise.edit", "inspections.worklog.record",
                  "inspections.worktype.edit"),
    Role.TASKFORCE: ("inspections.stats.view",),
    Role.LEADER: _INSPECTION_STATS_READ,
    Role.INSPECTOR: (*_INSPECTION_STATS_READ, "inspections.enterprise.edit"),
    Role.REPORTER: (*_INSPECTION_STATS_READ, "inspections.worklog.record"),
    Role.UNIT_HEAD: _INSPECTION_STATS_READ,
}
for _role, _names in _INSPECTION_STATS_HOLDS.items():
    ROLE_ACTIONS[_role].update(_holds(*_names))


# 领导驾驶舱: the home page of 区领导 and the office's 总览; units have their own pages instead.
for _role in (Role.OFFICE, Role.LEADER):
    ROLE_ACTIONS[_role].update(_holds("web.cockpit.view"))


# 通报: the office drafts, rewrites and issues its district's bulletins; leaders read the issued.
ROLE_ACTIONS[Role.OFFICE].update(_holds("documents.bulletin.view", "documents.bulletin.edit",
                                        "documents.bulletin.issue"))
ROLE_ACTIONS[Role.LEADER].update(_holds("documents.bulletin.view"))


# 接口令牌: every role may give an integration a token for part of what the role itself does
# (a token is never more than its owner's grants; accounts.tokens).
for _role in ROLE_ACTIONS:
    ROLE_ACTIONS[_role].update(_holds("accounts.token.manage"))


def roles_holding(action: str) -> dict[str, Reach]:
    """Each role that holds the action, with its reach. LookupError for an unknown action,
    so a misspelt name in a selector fails loudly instead of refusing everyone."""
    if action not in ACTIONS:
        raise LookupError(f"unknown action {action!r}: add it to accounts.actions")
    return {role: held[action] for role, held in ROLE_ACTIONS.items() if action in held}


def _check_table() -> None:
    """The table's own rules, checked at import: no role holds an unknown action, the three
    administrators hold no data action (三权分立) while every data role reads its units' data,
    and only unit-scoped actions have a reach."""
    for role, held in ROLE_ACTIONS.items():
        unknown = set(held) - set(ACTIONS)
        if unknown:
            raise LookupError(f"{role} holds unknown actions {sorted(unknown)}")
        data = {name for name in held if ACTIONS[name].scoped} - DIRECTORY_ACTIONS
        if role in ADMIN_ROLES and data:
            raise ValueError(f"{role} is an administrator and may not hold data actions {sorted(data)}")
        for name, reach in held.items():
            if not ACTIONS[name].scoped and reach is not GRANT:
                raise ValueError(f"{name} belongs to no unit: {role} cannot hold it with {reach}")
    if set(ROLE_ACTIONS) != set(Role.values):
        raise ValueError("every role has a row in ROLE_ACTIONS")
    for role in DATA_ROLES:  # the scope every data page starts from
        if "org.unit.view" not in ROLE_ACTIONS[role]:
            raise ValueError(f"{role} reads business data: it holds org.unit.view")


_check_table()
