"""问题 (a finding of a campaign) and its rectification records: photos, the event history,
extension requests and reminders. Transitions live in inspections.states, never here."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Finding(models.Model):
    class Severity(models.TextChoices):
        MINOR = "minor", _("一般")
        MAJOR = "major", _("较重")
        SEVERE = "severe", _("严重")

    class State(models.TextChoices):
        OPEN = "open", _("待整改")
        REPORTED = "reported", _("待核查")
        RETURNED = "returned", _("被退回")
        CLOSED = "closed", _("已销号")
        CLOSED_NOT_FIXED = "closed_not_fixed", _("未整改销号")

    class Outcome(models.TextChoices):
        # The rates' outcome column: blank while open, else how it was closed.
        NONE = "", _("未销号")
        CLOSED = "closed", _("已销号")
        CLOSED_NOT_FIXED = "closed_not_fixed", _("未整改销号")

    campaign = models.ForeignKey("inspections.Campaign", on_delete=models.PROTECT, related_name="findings")
    description = models.CharField(_("问题描述"), max_length=1000)
    category = models.CharField(_("问题类别"), max_length=60)
    address = models.CharField(_("地点"), max_length=300)
    # Normalised address (no spaces or punctuation, full-width folded) for duplicate checks.
    address_key = models.CharField(max_length=300, db_index=True, editable=False, default="")
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    enterprise = models.ForeignKey(
        "inspections.Enterprise", verbose_name=_("企业"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="findings",
    )
    unit = models.ForeignKey("org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT,
                             related_name="findings")
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    found_on = models.DateField(_("发现日期"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发现人"), null=True, on_delete=models.SET_NULL, related_name="+",
    )
    workdays = models.PositiveSmallIntegerField(_("整改时限（工作日）"))
    deadline = models.DateField(_("整改期限"))
    extended_to = models.DateField(_("延期至"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    outcome = models.CharField(_("销号结果"), max_length=20, choices=Outcome.choices, blank=True, default="")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("检查发现的问题")
        verbose_name_plural = _("检查发现的问题")
        indexes = [
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["campaign", "category"]),
            models.Index(fields=["found_on"]),
            models.Index(fields=["closed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.address}"

    @property
    def deadline_in_force(self) -> datetime.date:
        """The extended deadline once an extension is approved, else the original one."""
        return self.extended_to or self.deadline


def photo_path(instance: FindingPhoto, filename: str) -> str:
    return f"findings/{instance.finding_id}/{instance.sha256[:2]}/{instance.sha256}-{instance.stage}"


class FindingPhoto(models.Model):
    """A photo before or after rectification. `file` is the re-encoded image without EXIF,
    the one ever served; `sha256` is the hash of the bytes as uploaded (the evidence);
    location and device from the EXIF are kept in `exif` for the inspector only."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("整改前")
        AFTER = "after", _("整改后")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices)
    file = models.FileField(_("照片"), upload_to=photo_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("内容哈希"), max_length=64)
    exif = models.JSONField(_("拍摄信息"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("问题照片")
        verbose_name_plural = _("问题照片")

    def __str__(self) -> str:
        return self.original_name


class FindingEvent(models.Model):
    """One step of a finding's life (the timeline on its page): who, when, from → to, why."""

    class Kind(models.TextChoices):
        RECORD = "record", _("记录问题")
        REPORT = "report", _("报告整改")
        CLOSE = "close", _("核查销号")
        RETURN = "return", _("退回重改")
        CLOSE_NOT_FIXED = "close_not_fixed", _("未整改销号")
        EXTEND_REQUEST = "extend_request", _("申请延期")
        EXTEND_APPROVE = "extend_approve", _("同意延期")
        EXTEND_REFUSE = "extend_refuse", _("不同意延期")
        REMIND = "remind", _("催办")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("操作"), max_length=20, choices=Kind.choices)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    text = models.CharField(_("说明"), max_length=1000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def from_label(self) -> str:
        return str(Finding.State(self.from_state).label) if self.from_state else ""

    @property
    def to_label(self) -> str:
        return str(Finding.State(self.to_state).label) if self.to_state else ""


class ExtensionRequest(models.Model):
    """延期申请: the unit asks for a later deadline; the inspector approves or refuses."""

    class Decision(models.TextChoices):
        PENDING = "", _("待审核")
        APPROVED = "approved", _("同意")
        REFUSED = "refused", _("不同意")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="extensions")
    requested_to = models.DateField(_("申请延期至"))
    reason = models.CharField(_("理由"), max_length=1000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decision = models.CharField(_("审核结果"), max_length=10, choices=Decision.choices, blank=True, default="")
    decision_note = models.CharField(_("审核意见"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")

    def __str__(self) -> str:
        return f"{self.finding_id} → {self.requested_to}"


class Reminder(models.Model):
    """催办: an inspector or the office presses the unit about a finding."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="reminders")
    text = models.CharField(_("催办内容"), max_length=1000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("催办时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("催办")
        verbose_name_plural = _("催办")

    def __str__(self) -> str:
        return f"{self.finding_id} {self.at:%Y-%m-%d %H:%M}"
