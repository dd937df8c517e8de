"""What each role finds in the menu and on its home page.

An entry with no URL name is a capability whose issue has not landed yet: it is shown,
marked "即将上线", so that users see where the system is going.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from duibiao.accounts.roles import Role

if TYPE_CHECKING:
    # Type only: django-stubs-ext is a development dependency.
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class NavItem:
    # Lazy strings: each request renders them in its own language.
    label: StrOrPromise
    url_name: str | None
    roles: frozenset[str]
    description: StrOrPromise = ""


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("总览"), "web:cockpit", frozenset({Role.OFFICE, Role.LEADER}),
            _("领导驾驶舱：考核排名与晋位、项目四率与红灯项目、问题处置率与逾期，可打印、可投大屏")),
    NavItem(_("本单位"), "assessment:my_unit", frozenset({Role.REPORTER, Role.UNIT_HEAD}),
            _("本单位概况、考核方案与填报任务")),
    NavItem(_("单位名录"), "org:unit_list",
            frozenset({Role.OFFICE, Role.LEADER, Role.TASKFORCE, Role.SYSADMIN}),
            _("区县、街道乡镇和区直部门，按分类分级")),
    NavItem(_("考核方案"), "web:schemes",
            frozenset({Role.OFFICE, Role.TASKFORCE, Role.REPORTER, Role.UNIT_HEAD, Role.LEADER}),
            _("对标晋位考核评价方案的维度与分值")),
    NavItem(_("数据填报"), "assessment:report_index", frozenset({Role.REPORTER, Role.UNIT_HEAD}),
            _("按考核周期填报指标数据并上传佐证材料")),
    NavItem(_("审核评分"), "assessment:review_index", frozenset({Role.TASKFORCE, Role.OFFICE}),
            _("专班审核所负责指标、给出评分")),
    NavItem(_("申诉复核"), "assessment:appeal_index", frozenset({Role.TASKFORCE, Role.OFFICE}),
            _("各单位对反馈结果提出的申诉，逐件复核")),
    NavItem(_("考核周期"), "assessment:period_list", frozenset({Role.OFFICE}),
            _("月度、季度、年度考核周期，按工作日计算截止日期")),
    NavItem(_("填报进度"), "assessment:progress_index",
            frozenset({Role.OFFICE, Role.LEADER, Role.TASKFORCE}), _("各单位各指标的填报与审核状态")),
    NavItem(_("Excel 导入导出"), "documents:index",
            frozenset({Role.OFFICE, Role.REPORTER, Role.UNIT_HEAD}),
            _("下载考核细则和填报模板，导入填好的工作簿")),
    NavItem(_("任务"), "web:jobs",
            frozenset({Role.OFFICE, Role.TASKFORCE, Role.REPORTER, Role.UNIT_HEAD, Role.LEADER}),
            _("后台进行的导入、导出和计分：进度、结果、下载与重试")),
    NavItem(_("计分排名"), "assessment:run_index", frozenset({Role.OFFICE, Role.LEADER, Role.UNIT_HEAD}),
            _("计分批次、分类排名、晋位退位与等次")),
    NavItem(_("干部考核"), "cadres:cadre_index", frozenset({Role.OFFICE, Role.UNIT_HEAD}),
            _("干部名册、平时考核与年度考核等次，选拔任用、评先评优和墩苗培养名单")),
    NavItem(_("多考合一"), "assessment:combination_index", frozenset({Role.OFFICE, Role.LEADER}),
            _("平时、目标、年度考核加权合成年度结果")),
    NavItem(_("项目调度"), "dispatch:meeting_list", frozenset({Role.OFFICE, Role.LEADER}),
            _("调度会议程与复盘、交办事项、项目线索与线索漏斗")),
    NavItem(_("交办与线索"), "dispatch:assignment_list", frozenset({Role.REPORTER, Role.UNIT_HEAD}),
            _("调度会交办本单位的事项（答复办理情况）、本单位推送的项目线索")),
    NavItem(_("我的项目"), "projects:workspace", frozenset({Role.SECRETARY}),
            _("所服务的项目、本周待填报，用手机拍照填报进度")),
    NavItem(_("重点项目"), "projects:portfolio",
            frozenset({Role.OFFICE, Role.LEADER, Role.TASKFORCE, Role.REPORTER, Role.UNIT_HEAD}),
            _("项目库、进度填报、四率与红黄绿灯")),
    NavItem(_("项目四率"), "projects:rates",
            frozenset({Role.OFFICE, Role.LEADER, Role.REPORTER, Role.UNIT_HEAD}),
            _("开复工率、投资完成率、资金到位率、按期竣工率，按单位、级别、类型、阶段、来源，与去年同期比较")),
    NavItem(_("督导检查"), "inspections:index", frozenset({Role.OFFICE, Role.LEADER, Role.INSPECTOR}),
            _("检查活动、现场记录问题、核查整改与销号")),
    NavItem(_("整改任务"), "inspections:rectify", frozenset({Role.REPORTER, Role.UNIT_HEAD}),
            _("督导检查发现的本单位问题：上传整改后照片、报告整改、申请延期")),
    NavItem(_("督导日报"), "inspections:daily",
            frozenset({Role.OFFICE, Role.LEADER, Role.INSPECTOR, Role.TASKFORCE, Role.REPORTER, Role.UNIT_HEAD}),
            _("当日新发现、当日销号、逾期问题，各单位问题处置率排名，导出 Excel")),
    NavItem(_("企业档案"), "inspections:enterprises",
            frozenset({Role.OFFICE, Role.LEADER, Role.INSPECTOR, Role.REPORTER, Role.UNIT_HEAD}),
            _("一企一档一清单：企业基本信息、接受的检查、发现的问题和风险清单")),
    NavItem(_("工作量统计"), "inspections:worklogs",
            frozenset({Role.OFFICE, Role.LEADER, Role.INSPECTOR, Role.REPORTER, Role.UNIT_HEAD}),
            _("各单位登记清理绿地、修剪树木、清运垃圾等工作量，按期间、单位和类型汇总")),
    NavItem(_("通报"), "documents:bulletins", frozenset({Role.OFFICE, Role.LEADER}),
            _("考核结果通报、重点项目周通报、督导检查日通报的起草与印发（公文格式 Word / PDF）")),
    NavItem(_("角色授权"), "accounts:grants", frozenset({Role.SECADMIN}),
            _("为用户授予或收回角色及其单位范围（三权分立）")),
    NavItem(_("角色与权限"), "accounts:actions", frozenset({Role.SECADMIN}),
            _("每个角色可以做什么：系统定义的权限对照表（只读）")),
    NavItem(_("安全策略"), "web:security", frozenset({Role.SECADMIN}),
            _("口令、登录失败锁定与会话超时策略")),
    NavItem(_("锁定与两步验证"), "accounts:security", frozenset({Role.SECADMIN}),
            _("解除被锁定的账号和来源地址，重置管理员的两步验证")),
    NavItem(_("审计日志"), "audit:list", frozenset({Role.AUDITOR}), _("全部操作记录，只读")),
    NavItem(_("系统管理"), "admin:index", frozenset({Role.SYSADMIN}), _("账号、单位与基础设置")),
)


def items_for(roles: frozenset[str]) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.roles & roles]
