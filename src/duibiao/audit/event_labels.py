"""Audit events by their Chinese names (`submission.save` → 保存填报值).

The log keeps the code (it is what the filter and exports match on); the audit administrator
reads the name. One table for every `action=` the code writes — a test reads the sources and
fails on a code with no name here. A code not in the table (an old row, a new event) is shown
as itself, never hidden.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENT_LABELS: dict[str, Promise] = {
    # sign-in and accounts
    "login": _("登录"),
    "login.password": _("口令通过，待验证动态口令"),
    "login.otp": _("登录（动态口令）"),
    "login.otp.enrol": _("登录并绑定动态口令"),
    "logout": _("退出登录"),
    "password.change": _("修改密码"),
    "otp.reset": _("重置动态口令"),
    "lockout.clear": _("解除账号锁定"),
    "user.create": _("创建用户"),
    "role.grant": _("授予角色"),
    "role.revoke": _("撤销角色"),
    "admin.add": _("后台新增记录"),
    "admin.change": _("后台修改记录"),
    "access.denied": _("访问被拒绝"),
    "download": _("下载文件"),
    # backup and restore (duibiao backup / restore)
    "backup.create": _("备份数据库和上传文件"),
    "backup.restore": _("从备份恢复数据库和上传文件"),
    "crypto.rotate": _("用新的 SM4 密钥重新加密"),
    "audit.purge": _("清理过期审计记录"),
    "audit.chain.verify": _("校验审计链"),
    # 接口令牌
    "accounts.token.create": _("创建接口令牌"),
    "accounts.token.revoke": _("吊销接口令牌"),
    "accounts.token.refused": _("拒绝接口令牌"),
    # units
    "unit.create": _("新建单位"),
    "unit.move": _("调整单位隶属"),
    "unit.signoff": _("单位负责人签字确认"),
    "unit.signoff.void": _("签字确认失效（填报值被退回）"),
    # schemes
    "scheme.create": _("新建考核方案"),
    "scheme.version": _("保存方案新版本"),
    "scheme.clone": _("复制为新年度方案"),
    "scheme.activate": _("启用考核方案"),
    "scheme.indicator.create": _("新增指标"),
    "scheme.indicator.update": _("修改指标"),
    "scheme.indicator.remove": _("删除指标"),
    "scheme.dimension.update": _("修改维度分值"),
    "scheme.adjustment.create": _("新增奖惩事项"),
    "scheme.adjustment.update": _("修改奖惩事项"),
    "scheme.adjustment.remove": _("删除奖惩事项"),
    "scheme.veto.create": _("新增否决事项"),
    "scheme.veto.update": _("修改否决事项"),
    "scheme.veto.remove": _("删除否决事项"),
    "calendar.year": _("设置年度工作日历"),
    "combination.save": _("保存多考合一设置"),
    # periods, reporting and review
    "period.create": _("新建考核周期"),
    "period.status": _("变更考核周期状态"),
    "submission.save": _("保存填报值"),
    "submission.import": _("导入填报值"),
    "submission.submit": _("提交填报"),
    "submission.comment": _("填报值留言"),
    "evidence.attach": _("上传佐证材料"),
    "evidence.remove": _("删除佐证材料"),
    "review.submit": _("提交审核"),
    "review.return": _("退回填报值"),
    "review.approve": _("审核通过"),
    "review.unlock": _("解锁填报值"),
    "review.score": _("专班评分"),
    # scoring and results
    "run.start": _("开始计分"),
    "run.restart": _("重新计算"),
    "run.timeout": _("计分超时"),
    "run.damaged": _("计算结果损坏"),
    "run.release": _("反馈结果并开放申诉"),
    "run.publish": _("公布考核结果"),
    "run.withdraw": _("撤回已公布的结果"),
    "appeal.file": _("提出申诉"),
    "appeal.decide": _("处理申诉"),
    # cadres
    "cadre.create": _("新增干部"),
    "cadre.update": _("修改干部信息"),
    "cadre.year_save": _("保存干部年度考核"),
    "cadre.routine_set": _("设置干部平时考核"),
    "cadre.rules_apply": _("按规则评定干部等次"),
    "cadre.quota_approve": _("批准优秀等次名额"),
    "cadre.quota_withdraw": _("撤回优秀等次名额"),
    # key projects: dispatch meetings, assignments and leads (dispatch.*: events, not gate actions)
    "dispatch.meeting.create": _("安排调度会"),
    "dispatch.meeting.minutes": _("保存调度会纪要"),
    "dispatch.meeting.close": _("结束调度会（议程存档）"),
    "dispatch.assignment.create": _("调度会交办事项"),
    "dispatch.assignment.reply": _("答复交办事项"),
    "dispatch.lead.create": _("推送项目线索"),
    "dispatch.lead.advance": _("推进线索阶段"),
    "dispatch.lead.convert": _("线索转为项目"),
    # Excel in and out
    "documents.scheme_import": _("导入考核细则"),
    "documents.reporting_import": _("导入填报表"),
    "documents.import_queue": _("排队导入文件"),
    "documents.import_timeout": _("导入超时"),
    "documents.bulletin.draft": _("起草通报"),
    "documents.bulletin.edit": _("修改通报草稿"),
    "documents.bulletin.issue": _("印发通报"),
    "documents.bulletin_schedule": _("设置通报定时起草"),
    "documents.export_queue": _("发起后台导出"),
    # inspections: campaigns, findings and their rectification
    "campaign.create": _("新建督导检查活动"),
    "campaign.update": _("修改督导检查活动"),
    "finding.record": _("记录检查发现的问题"),
    "finding.report": _("报告问题整改情况"),
    "finding.close": _("核查通过，问题销号"),
    "finding.return": _("核查退回，重新整改"),
    "finding.close_not_fixed": _("问题未整改销号"),
    "extension.request": _("申请延长整改期限"),
    "extension.approve": _("同意延期"),
    "extension.refuse": _("不同意延期"),
    "finding.remind": _("催办整改"),
    # projects: the project library, progress reports and 难点堵点
    "projects.project.create": _("新建重点项目"),
    "projects.project.update": _("修改项目台账"),
    "projects.milestones.update": _("修改项目节点"),
    "projects.ledger.import": _("导入项目台账"),
    "projects.progress.report": _("填报项目进度"),
    "projects.problem.raise": _("提出项目难点堵点"),
    "projects.problem.solve": _("难点堵点已解决"),
    # inspections: 一企一档一清单 and 工作量统计
    "inspections.enterprise.create": _("建立企业档案"),
    "inspections.enterprise.update": _("修改企业档案"),
    "inspections.risk.add": _("登记企业风险"),
    "inspections.risk.status": _("变更企业风险管控状态"),
    "inspections.worktype.create": _("新增工作类型"),
    "inspections.worktype.update": _("修改工作类型"),
    "inspections.worklog.record": _("登记工作量"),
    "inspections.worklog.update": _("修改工作量记录"),
    "inspections.worklog.delete": _("删除工作量记录"),
}


def event_label(code: str) -> str:
    """The Chinese name of an audit event; an unknown code as itself."""
    label = EVENT_LABELS.get(code)
    return str(label) if label is not None else code


def codes_named(text: str) -> list[str]:
    """The event codes whose name (in the active language) contains `text`: the log is
    searched by the words people read, not only by the codes."""
    needle = text.strip().casefold()
    if not needle:
        return []
    return [code for code, label in EVENT_LABELS.items() if needle in str(label).casefold()]
