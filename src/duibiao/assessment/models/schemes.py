"""考核方案. The scheme document (YAML, validated by duibiao.schemes) is the source of truth;
every save is a new immutable SchemeVersion, and its indicators are materialised as rows so
that reporting, review and progress can query them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from duibiao.org.models import Unit


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
    """维度: the top level of a scheme's indicator tree, with its points (the scheme's headers)."""

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


class SchemeVersion(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    document = models.TextField(_("方案文档（YAML）"))
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        ordering = ["scheme", "-number"]
        verbose_name = _("方案版本")
        verbose_name_plural = _("方案版本")
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="scheme_version_unique")]

    def __str__(self) -> str:
        return f"{self.scheme} v{self.number}"


class Indicator(models.Model):
    """One leaf of a scheme version's tree, or one reward / penalty / veto item."""

    # What the item is in the scheme: an indicator of the tree (共性 or 个性), a reward /
    # penalty item or a veto. Not "role", which names what a user may do (accounts.roles).
    class ItemKind(models.TextChoices):
        COMMON = "common", _("共性指标")
        SPECIFIC = "specific", _("个性指标")
        BONUS = "bonus", _("加分事项")
        PENALTY = "penalty", _("扣分事项")
        VETO = "veto", _("一票否决")

    class Kind(models.TextChoices):
        NUMBER = "number", _("数值")
        PERCENT = "percent", _("百分比")
        YES_NO = "yes-no", _("是/否")
        COUNT = "count", _("次数/件数")
        BALLOT = "ballot", _("测评票数")

    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("代码"), max_length=60)
    name = models.CharField(_("名称"), max_length=200)
    # Names of the tree levels above the indicator, top first (一级指标, 二级指标 …).
    ancestors = models.JSONField(_("上级指标"), default=list)
    weight = models.FloatField(_("分值/权重"), default=0)
    item_kind = models.CharField(_("类别"), max_length=20, choices=ItemKind.choices)
    kind = models.CharField(_("数据类型"), max_length=20, choices=Kind.choices, default=Kind.NUMBER)
    method = models.CharField(_("计分方法"), max_length=40, blank=True)
    direction = models.SmallIntegerField(_("方向"), default=1)
    taskforce = models.ForeignKey(
        "org.TaskForce", verbose_name=_("牵头专班"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="indicators",
    )
    unit_of_measure = models.CharField(_("计量单位"), max_length=20, blank=True)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    standard = models.TextField(_("评分标准"), blank=True)
    applies_categories = models.JSONField(_("适用分类"), default=list)
    applies_units = models.JSONField(_("适用单位"), default=list)
    # Ballot grades as [name, value] pairs: a list, because PostgreSQL's jsonb does not keep
    # the key order of an object and the order of 优秀 … 不称职 matters on every form.
    grades = models.JSONField(_("测评等次"), default=list)
    # 报一次、多处用: this indicator takes the value reported for another one.
    same_as = models.CharField(_("取值同"), max_length=60, blank=True)
    # 最多报一次: the value comes from a registered indicator source (assessment.sources), the
    # app that owns the data computes it at the run's snapshot; nobody reports or scores it.
    value_from = models.CharField(_("数据源"), max_length=80, blank=True)
    # Evidence stays optional unless the scheme requires it (基层减负: no forced uploads).
    evidence_required = models.BooleanField(_("须附佐证材料"), default=False)
    order = models.PositiveIntegerField(_("排序"), default=0)

    # Not columns: the names of the categories and (code, name) of the units it applies to,
    # set for display by selectors.schemes.version_indicators (the row keeps their codes).
    category_labels: list[str]
    unit_labels: list[tuple[str, str]]

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def entered_by_units(self) -> bool:
        """Units report this one; manual scores and reward/penalty/veto items are the task
        force's or the office's to record, and one that takes another's value is not
        reported twice, nor one whose value comes from a registered source."""
        return (
            self.item_kind in (self.ItemKind.COMMON, self.ItemKind.SPECIFIC)
            and self.method != "manual"
            and not self.same_as
            and not self.value_from
        )

    @property
    def grade_names(self) -> list[str]:
        return [name for name, _value in self.grades]

    def applies_to(self, unit: Unit) -> bool:
        if self.applies_units:
            return unit.code in self.applies_units
        if self.applies_categories:
            # By code (the document's key), never the display name: renaming a category
            # must not change which indicators its units report.
            return unit.category is not None and unit.category.code in self.applies_categories
        return True
