"""填报: one value of one indicator for one unit in one period, its evidence and its review
trail. `version` is the optimistic lock: a save names the version it read, and a save based
on an older version is refused instead of overwriting someone else's change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from duibiao.assessment.models.fields import StoredDecimalField


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核")

    period = models.ForeignKey("assessment.Period", on_delete=models.PROTECT, related_name="submissions")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="submissions")
    indicator = models.ForeignKey(
        "assessment.Indicator", on_delete=models.PROTECT, related_name="submissions"
    )
    value = StoredDecimalField(_("数值"), max_digits=20, decimal_places=6, null=True, blank=True)
    ballots = models.JSONField(_("测评票数"), default=dict, blank=True)  # grade → count
    note = models.CharField(_("填报说明"), max_length=500, blank=True)
    justification = models.CharField(_("评分理由"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    # Not a column: why the stored value would not be accepted today, filled in by the
    # selectors (`flag_problems`) for the pages and the API to show beside the value.
    problem: str | None = None
    # Not a column either: the value beside the unit's previous one and its category's
    # median, with the outlier flags (selectors/review_list.Comparison), for 专班审核.
    compare: Any = None

    class Meta:
        ordering = ["period", "unit", "indicator__order"]
        verbose_name = _("填报数据")
        verbose_name_plural = _("填报数据")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "indicator"], name="submission_unique")
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.period} · {self.unit} · {self.indicator.code}"

    @property
    def ballot_rows(self) -> list[tuple[str, int]]:
        """Vote counts in the indicator's grade order (jsonb does not keep key order)."""
        return [(grade, self.ballots.get(grade, 0)) for grade in self.indicator.grade_names]


def evidence_path(instance: Evidence, filename: str) -> str:
    sub = instance.submission
    return f"evidence/{sub.period_id}/{sub.unit.code}/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(models.Model):
    """佐证材料. Stored under its content hash; the type is checked by content, not name."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.original_name


class ReviewEvent(models.Model):
    """One step in a submission's life: submitted, returned (with reason), approved, unlocked."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        RETURN = "return", _("退回")
        APPROVE = "approve", _("审核通过")
        UNLOCK = "unlock", _("解锁")
        SCORE = "score", _("专班评分")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class UnitSignoff(models.Model):
    """单位负责人签发: the unit head confirms the unit's submission for a period."""

    period = models.ForeignKey("assessment.Period", on_delete=models.PROTECT, related_name="signoffs")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="signoffs")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    # A value returned after the sign-off voids it (the head signed what is no longer
    # there): the row stays, marked void with why, so that the head is told and signs again.
    voided_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(_("失效原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("单位签发")
        verbose_name_plural = _("单位签发")
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="signoff_unique")]

    def __str__(self) -> str:
        return f"{self.period} · {self.unit}"

    @property
    def valid(self) -> bool:
        return self.voided_at is None
