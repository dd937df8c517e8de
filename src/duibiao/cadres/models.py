"""Cadres (干部) of a unit: the register, 平时考核 quarterly grades, the 年度考核 grade with
the 优秀 quota approval, and the 党性 / 发展 / 能力 indicator scores.

These tables were created by org's migration 0002 as `org_cadre*`; migrations cadres 0001–0002
took them over without copying a row and renamed them `cadres_*`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AnnualGrade",
    "Cadre",
    "CadreAnnualGrade",
    "CadreIndicatorScore",
    "CadreQuotaApproval",
    "CadreRoutineGrade",
    "RoutineGrade",
]


class RoutineGrade(models.TextChoices):
    """平时考核等次 (the engine's ROUTINE_GRADES, same order)."""

    GOOD = "好", _("好")
    FAIRLY_GOOD = "较好", _("较好")
    AVERAGE = "一般", _("一般")
    POOR = "较差", _("较差")


class AnnualGrade(models.TextChoices):
    """年度考核等次 (the engine's ANNUAL_GRADES, same order)."""

    EXCELLENT = "优秀", _("优秀")
    COMPETENT = "称职", _("称职")
    BASIC = "基本称职", _("基本称职")
    INCOMPETENT = "不称职", _("不称职")


class Cadre(models.Model):
    """干部名册: one cadre of a unit."""

    class Rank(models.TextChoices):
        ZHENGKE = "正科级", _("正科级")
        FUKE = "副科级", _("副科级")
        KEYUAN = "科员", _("科员")

    class Gender(models.TextChoices):
        MALE = "男", _("男")
        FEMALE = "女", _("女")

    name = models.CharField(_("姓名"), max_length=40)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="cadres"
    )
    position = models.CharField(_("职务"), max_length=60)
    rank = models.CharField(_("职级"), max_length=20, choices=Rank.choices)
    gender = models.CharField(_("性别"), max_length=2, choices=Gender.choices)
    # 出生年月: stored as the first day of the month, for the age rule of 墩苗培养.
    birth_month = models.DateField(_("出生年月"))
    is_active = models.BooleanField(_("在职"), default=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    # The optimistic lock: every change bumps it, and a change must name the version it was
    # built from, so two editors of the same cadre cannot overwrite each other unseen.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["unit__path", "order", "pk"]
        verbose_name = _("干部")
        verbose_name_plural = _("干部")

    def __str__(self) -> str:
        return self.name


class CadreRoutineGrade(models.Model):
    """平时考核: one quarter's grade of a cadre."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="routine_grades")
    year = models.PositiveIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    grade = models.CharField(_("等次"), max_length=4, choices=RoutineGrade.choices)

    class Meta:
        ordering = ["cadre", "year", "quarter"]
        verbose_name = _("平时考核等次")
        verbose_name_plural = _("平时考核等次")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year", "quarter"], name="cadre_routine_unique"),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="cadre_routine_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.year}Q{self.quarter} {self.grade}"


class CadreAnnualGrade(models.Model):
    """年度考核: the proposed grade, and the final grade with its reason once rules are applied."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="annual_grades")
    year = models.PositiveIntegerField(_("年度"))
    proposed = models.CharField(_("拟定等次"), max_length=8, choices=AnnualGrade.choices)
    # Ranking score for the 优秀 quota; blank → the mean of the year's indicator scores.
    score = models.FloatField(
        _("排序得分"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    final = models.CharField(_("确定等次"), max_length=8, choices=AnnualGrade.choices, blank=True)
    reason = models.CharField(_("调整原因"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("规则应用时间"), null=True, blank=True)

    class Meta:
        ordering = ["cadre", "year"]
        verbose_name = _("年度考核等次")
        verbose_name_plural = _("年度考核等次")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year"], name="cadre_annual_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.year} {self.final or self.proposed}"


class CadreQuotaApproval(models.Model):
    """A unit's 优秀 quota raised to 25 % for a year, with who approved it and why."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="cadre_quota_approvals"
    )
    year = models.PositiveIntegerField(_("年度"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("批准说明"), max_length=200, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        ordering = ["unit", "year"]
        verbose_name = _("优秀比例批准")
        verbose_name_plural = _("优秀比例批准")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="cadre_quota_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"


class CadreIndicatorScore(models.Model):
    """党性 / 发展 / 能力 indicator score (0–100) of a cadre for a year."""

    class Dimension(models.TextChoices):
        PARTY = "party", _("党性")
        DEVELOPMENT = "development", _("发展")
        CAPABILITY = "capability", _("能力")

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="indicator_scores")
    year = models.PositiveIntegerField(_("年度"))
    dimension = models.CharField(_("指标"), max_length=20, choices=Dimension.choices)
    score = models.FloatField(_("得分"), validators=[MinValueValidator(0), MaxValueValidator(100)])
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["cadre", "year", "dimension"]
        verbose_name = _("干部指标得分")
        verbose_name_plural = _("干部指标得分")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year", "dimension"], name="cadre_indicator_unique"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="cadre_indicator_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.year} {self.get_dimension_display()} {self.score}"
