"""Assessment schemes (考核方案). The full rulebook arrives with the assessment issues; the
foundation keeps a scheme's identity and its dimension headers (维度)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("执行中")
        ARCHIVED = "archived", _("已归档")

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    year = models.PositiveIntegerField(_("年度"))
    district = models.ForeignKey(
        "org.Unit", verbose_name=_("实施单位"), on_delete=models.PROTECT, related_name="schemes"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return self.name


class Dimension(models.Model):
    """维度: the top level of a scheme's indicator tree, with its points."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=120)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["scheme", "order"]
        verbose_name = _("维度")
        verbose_name_plural = _("维度")
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="dimension_code_unique")]

    def __str__(self) -> str:
        return self.name
