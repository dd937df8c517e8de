"""工作量统计: counted work by type (清理绿地 平方米, 清运垃圾 吨 …), logged once by the unit
that did it and summed for every use (最多报一次)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Up to 9 999 999 999.99 of anything: more than a district's year of any kind of work.
QUANTITY_DIGITS, QUANTITY_PLACES = 12, 2


class WorkType(models.Model):
    """A kind of counted work and its unit of measure; each district's office keeps its own list
    (another district's office may neither see nor change it; a log uses its unit's district's)."""

    district = models.ForeignKey("org.Unit", verbose_name=_("所属区县"), on_delete=models.PROTECT,
                                 related_name="work_types")
    name = models.CharField(_("工作类型"), max_length=40)  # 清理绿地
    unit_of_measure = models.CharField(_("计量单位"), max_length=20)  # 平方米
    order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("工作类型")
        verbose_name_plural = _("工作类型")
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="worktype_district_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit_of_measure}）"


class WorkLog(models.Model):
    """One unit's count of one type of work on one day."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="work_logs")
    campaign = models.ForeignKey("inspections.Campaign", verbose_name=_("专项行动"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="work_logs")
    work_type = models.ForeignKey(WorkType, verbose_name=_("工作类型"), on_delete=models.PROTECT,
                                  related_name="logs")
    quantity = models.DecimalField(_("数量"), max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES)
    done_on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-done_on", "-pk"]
        verbose_name = _("工作量记录")
        verbose_name_plural = _("工作量记录")
        indexes = [models.Index(fields=["unit", "done_on"], name="worklog_unit_day")]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=0), name="worklog_quantity_nonneg")]

    def __str__(self) -> str:
        return f"{self.done_on} {self.work_type.name} {self.quantity}"
