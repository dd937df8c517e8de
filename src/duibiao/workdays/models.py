"""The office's holiday table: the years chinese-calendar does not cover, and corrections."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayYear(models.Model):
    """A year whose holidays and make-up workdays the office has entered in full, for the
    years the chinese-calendar package does not cover."""

    year = models.PositiveIntegerField(_("年度"), unique=True)
    note = models.CharField(_("依据"), max_length=200, blank=True)  # e.g. 国务院办公厅通知文号

    class Meta:
        ordering = ["year"]
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")

    def __str__(self) -> str:
        return str(self.year)


class HolidayDate(models.Model):
    """One day that differs from the Monday–Friday rule: a holiday on a weekday, or a
    make-up workday (调休上班) on a weekend. Also corrects a covered year when needed."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("调休上班"), default=False)
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
