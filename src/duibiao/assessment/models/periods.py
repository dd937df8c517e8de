"""考核周期 and the working-day calendar that counts its deadlines."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Period(models.Model):
    class Kind(models.TextChoices):
        MONTH = "month", _("月度")
        QUARTER = "quarter", _("季度")
        YEAR = "year", _("年度")

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开始")
        OPEN = "open", _("填报中")
        CLOSED = "closed", _("已关闭")

    version = models.ForeignKey(
        "assessment.SchemeVersion", verbose_name=_("方案版本"), on_delete=models.PROTECT,
        related_name="periods",
    )
    kind = models.CharField(_("周期类型"), max_length=10, choices=Kind.choices)
    year = models.PositiveIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("序号"), default=1)  # month 1–12, quarter 1–4
    name = models.CharField(_("名称"), max_length=60)
    opens_on = models.DateField(_("开始填报日期"))
    deadline_workdays = models.PositiveSmallIntegerField(_("填报时限（工作日）"), default=10)
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    # Why the office closed the period before its reporting deadline (blank when it did not).
    close_reason = models.CharField(_("提前关闭理由"), max_length=500, blank=True)

    class Meta:
        ordering = ["-year", "-number", "kind"]
        verbose_name = _("考核周期")
        verbose_name_plural = _("考核周期")
        constraints = [
            models.UniqueConstraint(fields=["version", "kind", "year", "number"], name="period_unique")
        ]

    def __str__(self) -> str:
        return self.name
