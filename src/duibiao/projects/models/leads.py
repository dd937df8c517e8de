"""项目线索 and the 三及时三迅速 chain: a lead pushed by a unit with its expected investment,
moving 发现线索 → 对接法人 → 点对点指导 → 完善佐证 → 对接统计 → 入库入统, each stage with a time
limit in working days (LeadStageLimit overrides `lead_rules.DEFAULT_STAGE_LIMITS`), every
move kept (LeadStageEntry), and once ready, converted into a project (linked both ways:
`lead.project` and `project.lead`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStage(models.TextChoices):
    # The codes of lead_rules.STAGES (a test keeps the two lists the same).
    FOUND = "found", _("发现线索")
    CONTACT = "contact", _("对接法人")
    GUIDANCE = "guidance", _("点对点指导")
    EVIDENCE = "evidence", _("完善佐证")
    STATISTICS = "statistics", _("对接统计")
    COUNTED = "counted", _("入库入统")


class LeadStageLimit(models.Model):
    stage = models.CharField(_("阶段"), max_length=10, choices=LeadStage.choices, unique=True)
    workdays = models.PositiveSmallIntegerField(_("时限（工作日）"))

    class Meta:
        verbose_name = _("线索阶段时限")
        verbose_name_plural = _("线索阶段时限")

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.workdays}"


class Lead(models.Model):
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="leads",
                             verbose_name=_("推送单位"))
    name = models.CharField(_("线索名称"), max_length=200)
    expected_investment = models.DecimalField(_("预计投资（万元）"), max_digits=14, decimal_places=2)
    legal_person = models.CharField(_("法人"), max_length=100, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    stage = models.CharField(_("阶段"), max_length=10, choices=LeadStage.choices, default=LeadStage.FOUND)
    stage_entered_on = models.DateField(_("进入本阶段日期"))
    project = models.OneToOneField("projects.Project", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="lead", verbose_name=_("转化的项目"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("项目线索")
        verbose_name_plural = _("项目线索")
        indexes = [models.Index(fields=["unit", "stage"])]

    def __str__(self) -> str:
        return self.name


class LeadStageEntry(models.Model):
    """One move of a lead into a stage: who, when (the working date and the moment)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="entries")
    stage = models.CharField(_("阶段"), max_length=10, choices=LeadStage.choices)
    entered_on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["lead", "at", "id"]
        verbose_name = _("线索阶段记录")
        verbose_name_plural = _("线索阶段记录")

    def __str__(self) -> str:
        return f"{self.lead_id} {self.stage}"
