"""进度填报: what a project's owner or service secretary reports — cumulative investment
completed this year and funds in place, a text, photos — and the problems (难点堵点) raised
with the unit asked to solve them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from duibiao.projects.models.projects import Project


class ProgressReport(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("填报日期"))
    # The year the cumulative figures belong to (reported_on's year, kept for the index).
    year = models.PositiveSmallIntegerField(_("年度"))
    completed_ytd = models.DecimalField(_("本年累计完成投资（万元）"), max_digits=14, decimal_places=2)
    funds_in_place = models.DecimalField(
        _("累计到位资金（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    text = models.TextField(_("形象进度"), max_length=2000, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("进度填报")
        verbose_name_plural = _("进度填报")
        indexes = [models.Index(fields=["project", "year", "reported_on"])]

    def __str__(self) -> str:
        return f"{self.project_id} {self.reported_on}"


def photo_path(instance: ProgressPhoto, filename: str) -> str:
    return f"projects/{instance.report.project_id}/{instance.sha256[:2]}/{instance.sha256}"


class ProgressPhoto(models.Model):
    """A photo of a report, stored under its content hash; its type decided by content."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("文件"), upload_to=photo_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self) -> str:
        return self.original_name


class Problem(models.Model):
    """难点堵点: raised on a project, asked of a unit, open until solved."""

    class Status(models.TextChoices):
        OPEN = "open", _("待解决")
        SOLVED = "solved", _("已解决")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    text = models.CharField(_("难点堵点"), max_length=500)
    asked_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="asked_problems",
        verbose_name=_("协调解决单位"),
    )
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    raised_on = models.DateField(_("提出日期"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    solved_on = models.DateField(_("解决日期"), null=True, blank=True)
    solution = models.CharField(_("解决情况"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["status", "-raised_on", "-id"]
        verbose_name = _("难点堵点")
        verbose_name_plural = _("难点堵点")
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return self.text[:40]
