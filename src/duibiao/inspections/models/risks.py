"""一企一档一清单: the list of risks kept in each enterprise's file, item by item."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskItem(models.Model):
    """One risk of an enterprise, graded as the safety-risk colours are (蓝 / 黄 / 橙 / 红)
    and followed until it is removed."""

    class Level(models.TextChoices):
        LOW = "low", _("低风险")
        GENERAL = "general", _("一般风险")
        MAJOR = "major", _("较大风险")
        SEVERE = "severe", _("重大风险")

    class Status(models.TextChoices):
        OPEN = "open", _("待管控")
        CONTROLLED = "controlled", _("已管控")
        CLOSED = "closed", _("已消除")

    enterprise = models.ForeignKey("inspections.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="risks")
    text = models.CharField(_("风险内容"), max_length=500)
    level = models.CharField(_("风险等级"), max_length=10, choices=Level.choices, default=Level.GENERAL)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    measures = models.CharField(_("管控措施"), max_length=500, blank=True)
    identified_on = models.DateField(_("发现日期"))
    due_on = models.DateField(_("管控期限"), null=True, blank=True)
    controlled_on = models.DateField(_("管控日期"), null=True, blank=True)
    closed_on = models.DateField(_("消除日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["status", "-identified_on", "pk"]
        verbose_name = _("风险清单项")
        verbose_name_plural = _("风险清单项")

    def __str__(self) -> str:
        return self.text
