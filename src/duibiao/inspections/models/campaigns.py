"""督导检查活动: a campaign with its scope (units, enterprises, places), period and inspectors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("城市管理检查")
        GREENING = "greening", _("春季绿化整治")
        FOOD = "food", _("餐饮食品安全整治月")
        SAFETY = "safety", _("安全生产检查")
        OTHER = "other", _("其他专项检查")

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开始")
        ACTIVE = "active", _("进行中")
        FINISHED = "finished", _("已结束")

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.CITY)
    units = models.ManyToManyField("org.Unit", verbose_name=_("检查单位"), blank=True, related_name="campaigns")
    enterprises = models.ManyToManyField(
        "inspections.Enterprise", verbose_name=_("检查企业"), blank=True, related_name="campaigns",
    )
    places = models.TextField(_("检查点位"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("督导员"), blank=True, related_name="inspected_campaigns",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("督导检查活动")
        verbose_name_plural = _("督导检查活动")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_period_order"),
        ]

    def __str__(self) -> str:
        return self.name
