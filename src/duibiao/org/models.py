"""Units (单位) in a tree of any depth, their categories (分类) and tiers (分级), task forces."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """分类: units are ranked against the others of their category (分类考核)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("分类")
        verbose_name_plural = _("分类")

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """分级: the level a unit is assessed at (街道 / 镇 / 区直部门 …)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("分级")
        verbose_name_plural = _("分级")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """单位. `path` holds the codes from the root ("/harbin/daowai/jingyu/") so that a
    whole subtree is one indexed prefix query, whatever the depth."""

    class Kind(models.TextChoices):
        CITY = "city", _("市")
        DISTRICT = "district", _("区县")
        STREET = "street", _("街道")
        TOWN = "town", _("乡镇")
        DEPARTMENT = "department", _("部门")
        OFFICE = "office", _("议事协调机构")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=500, unique=True, editable=False)
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="units",
    )
    tier = models.ForeignKey(
        Tier, verbose_name=_("分级"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="units",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        indexes = [models.Index(fields=["category", "order"])]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.strip("/").count("/")


class TaskForce(models.Model):
    """考核评价专班: owns a set of indicators and reviews them across units."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    district = models.ForeignKey(
        Unit, verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="taskforces"
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("牵头单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="led_taskforces",
    )
    duty = models.TextField(_("职责"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("考核专班")
        verbose_name_plural = _("考核专班")

    def __str__(self) -> str:
        return self.name

