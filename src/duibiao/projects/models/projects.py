"""项目库: one row per key project, its milestones, and the ledger history (台账变更).

The vocabularies use the codes of the ledger contract (`projects.rates`), and the fields its
column names (`type`, `source`): a project here and a ledger row of `duibiao project-rates`
speak the same words. `version` is the optimistic
lock: every write names the version it read, and a write based on an older one is refused.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    NEW = "new", _("新开工")
    CONTINUING = "continuing", _("续建")
    COMPLETED = "completed", _("竣工投产")
    SUSPENDED = "suspended", _("停缓建")


class Level(models.TextChoices):
    PROVINCE = "province", _("省重点")
    CITY = "city", _("市重点")
    DISTRICT = "district", _("区重点")


class Kind(models.TextChoices):
    INDUSTRY = "industry", _("产业")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    SOCIAL = "social", _("社会事业")
    AGRICULTURE = "agriculture", _("农业")
    LOGISTICS = "logistics", _("商贸物流")


class Funding(models.TextChoices):
    GOVERNMENT = "government", _("政府投资")
    ENTERPRISE = "enterprise", _("企业投资")


class ReportingRhythm(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    HALF_MONTHLY = "half_monthly", _("每半月")
    MONTHLY = "monthly", _("每月")


# Money is in 万元 with two decimals (to the 百元): max_digits=14, decimal_places=2.


class Project(models.Model):
    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    level = models.CharField(_("项目级别"), max_length=12, choices=Level.choices)
    type = models.CharField(_("项目类型"), max_length=16, choices=Kind.choices)
    stage = models.CharField(_("建设阶段"), max_length=12, choices=Stage.choices)
    source = models.CharField(_("投资来源"), max_length=12, choices=Funding.choices)
    owner_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="projects", verbose_name=_("责任单位")
    )
    # 包保领导 is often a district leader with no account; a name is enough to show and print.
    leader_name = models.CharField(_("包保领导"), max_length=50, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="led_projects", verbose_name=_("包保领导账号"),
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="served_projects", verbose_name=_("项目服务秘书"),
    )
    legal_person = models.CharField(_("项目法人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    planned_total = models.DecimalField(_("计划总投资（万元）"), max_digits=14, decimal_places=2)
    planned_annual = models.DecimalField(
        _("年度计划投资（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    funds_planned = models.DecimalField(
        _("计划到位资金（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    planned_start = models.DateField(_("计划开工日期"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工日期"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工日期"), null=True, blank=True)
    actual_completion = models.DateField(_("实际竣工日期"), null=True, blank=True)
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    in_stats_on = models.DateField(_("入库日期"), null=True, blank=True)
    # Blank: the district's default rhythm (settings.DUIBIAO_PROJECT_RHYTHM).
    rhythm = models.CharField(_("填报频次"), max_length=14, choices=ReportingRhythm.choices, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        indexes = [models.Index(fields=["owner_unit", "stage"]), models.Index(fields=["secretary"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Milestone(models.Model):
    class Step(models.TextChoices):
        APPROVAL = "approval", _("立项")
        LAND = "land", _("用地")
        PLANNING = "planning", _("规划")
        ENVIRONMENT = "environment", _("环评")
        PERMIT = "permit", _("施工许可")
        START = "start", _("开工")
        STRUCTURE = "structure", _("主体完工")
        COMPLETION = "completion", _("竣工")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    step = models.CharField(_("节点"), max_length=12, choices=Step.choices)
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    actual_on = models.DateField(_("实际日期"), null=True, blank=True)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        constraints = [models.UniqueConstraint(fields=["project", "step"], name="milestone_unique")]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.get_step_display()}"


class LedgerChange(models.Model):
    """台账变更: one field of one project changed, by whom, when, from what to what."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ledger_changes")
    field = models.CharField(_("字段"), max_length=40)
    old_value = models.CharField(_("原值"), max_length=300, blank=True)
    new_value = models.CharField(_("新值"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("变更时间"), auto_now_add=True)
    source = models.CharField(_("来源"), max_length=20, default="form")  # form / import / api

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("台账变更")
        verbose_name_plural = _("台账变更")

    def __str__(self) -> str:
        return f"{self.project_id} {self.field}: {self.old_value} → {self.new_value}"

    @property
    def field_label(self) -> str:
        """The changed field's Chinese name (the ledger column's)."""
        from duibiao.projects.fields import LABELS

        extra = {"created": "建立项目", "owner_unit": "责任单位", "secretary": "项目服务秘书", "rhythm": "填报频次"}
        if self.field.startswith("milestone:"):  # milestone:<step>:planned|actual
            _m, step, which = (self.field.split(":") + ["", ""])[:3]
            name = dict(Milestone.Step.choices).get(step, step)
            return f"{name}（{'计划' if which == 'planned' else '实际'}）"
        return LABELS.get(self.field) or extra.get(self.field, self.field)
