"""后台导入: an Excel import too large to parse inside the request, done by the task worker.

The uploaded file is checked (type by content, size, zip caps) before it is stored, kept only
until the worker has read it, and the job keeps the import's report (every problem by sheet,
row and column, or what was saved). A job and its report are its uploader's alone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from duibiao.documents.word.formats import document_number


def import_job_path(job: ImportJob, filename: str) -> str:
    # A name of our own: the user's file name is kept as text, never used as a path.
    return f"imports/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        REPORTING = "reporting", _("数据填报模板")
        SCHEME = "scheme", _("考核细则")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("出错")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(_("进度"), max_length=200, blank=True)  # the step in hand, in Chinese
    period = models.ForeignKey("assessment.Period", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    scheme = models.ForeignKey("assessment.Scheme", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    # The one unit a reporting import is limited to (its unit page), or none: every unit sheet
    # in the uploader's scope.
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("文件"), upload_to=import_job_path, max_length=300, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    # ImportReport.as_dict(): problems (sheet, row, column, header, reason), counts, notes, saved.
    report = models.JSONField(_("导入报告"), default=dict, blank=True)
    saved_version = models.PositiveIntegerField(_("生成的方案版本"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The API token whose call queued the job (none from a page): the worker runs the job
    # narrowed to it, checked again when it runs. CASCADE: a job never outlives its token and
    # so can never run wider than the call that queued it.
    api_token = models.ForeignKey("accounts.ApiToken", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+", verbose_name=_("接口令牌"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("后台导入")
        verbose_name_plural = _("后台导入")

    def __str__(self) -> str:
        return self.original_name

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class DocumentNumberSeries(models.Model):
    """The counter of one 机关代字 in one year: the last sequence handed out. Taking a number
    locks this row (select_for_update), so two issues at once wait for each other instead of
    reading the same last number; the counter only goes up, so a number is never reused,
    even if the bulletin that took it is withdrawn."""

    prefix = models.CharField(_("机关代字"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年份"))
    last = models.PositiveIntegerField(_("已用到的顺序号"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="documents_series_unique")]
        verbose_name = _("发文字号序列")
        verbose_name_plural = _("发文字号序列")

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕"


class DocumentNumber(models.Model):
    """One 发文字号 taken from the register, and what it was taken for."""

    prefix = models.CharField(_("机关代字"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年份"))
    sequence = models.PositiveIntegerField(_("顺序号"))
    title = models.CharField(_("文件标题"), max_length=200)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    taken_at = models.DateTimeField(_("取号时间"), auto_now_add=True)

    class Meta:
        ordering = ["prefix", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year", "sequence"], name="documents_number_unique"),
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="documents_number_positive"),
        ]
        verbose_name = _("发文字号")
        verbose_name_plural = _("发文字号")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return document_number(self.prefix, self.year, self.sequence)


def export_job_path(job: ExportJob, filename: str) -> str:
    # A name of our own: the workbook's title is kept as text, never used as a path.
    return f"exports/{uuid.uuid4().hex}.xlsx"


class ExportJob(models.Model):
    """后台导出: a workbook too large to build inside the request, built by the task worker
    as its owner (so through the gate, with the rights the owner has when it runs) and kept
    for its owner alone to download. A failed job is retried as a new job (`retry_of`), the
    old one kept with its error."""

    class Kind(models.TextChoices):
        REPORTING_TEMPLATE = "reporting_template", _("全部单位填报模板")
        PROGRESS = "progress", _("填报进度表")
        RANKING = "ranking", _("排名表")
        PROJECT_LEDGER = "project_ledger", _("重点项目台账")
        BULLETIN_BATCH = "bulletin_batch", _("通报批量起草")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导出中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("出错")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    # What the export function is called with (ids, the page's filters): JSON of plain values.
    params = models.JSONField(_("参数"), default=dict, blank=True)
    # The district the exported data belongs to: the office sees the jobs of its district.
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("进度说明"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to=export_job_path, max_length=300, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries",
                                 verbose_name=_("重试自"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # As ImportJob.api_token: the token whose call queued the export, which the worker narrows to.
    api_token = models.ForeignKey("accounts.ApiToken", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+", verbose_name=_("接口令牌"))
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("后台导出")
        verbose_name_plural = _("后台导出")

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


def bulletin_file_path(doc: BulletinDoc, filename: str) -> str:
    # A name of our own; the download is offered under the bulletin's title.
    return f"bulletins/{uuid.uuid4().hex}{filename[filename.rfind('.'):]}"


class BulletinDoc(models.Model):
    """A 通报 from draft to issued. A draft keeps its figures (the snapshot it was built on)
    and the office's texts; issuing takes the 发文字号 and freezes the DOCX (and the PDF where
    LibreOffice made one) with the figures beside them. An issued bulletin never changes."""

    class Kind(models.TextChoices):
        RESULTS = "results", _("考核结果通报")
        PROJECTS = "projects", _("重点项目周通报")
        INSPECTIONS = "inspections", _("督导检查日通报")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已印发")

    kind = models.CharField(_("通报类型"), max_length=12, choices=Kind.choices)
    # The district whose office drafts it: the gate's unit for every question about it.
    district = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey("assessment.ScoringRun", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    day = models.DateField(_("统计日期"))  # the figures' as-of date (the run's publication for results)
    title = models.CharField(_("标题"), max_length=200)
    texts = models.JSONField(_("文字部分"), default=dict)  # {"opening": "...", "requirements": "..."}
    figures = models.JSONField(_("数据快照"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.OneToOneField(DocumentNumber, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="bulletin")
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    docx = models.FileField(_("Word 文档"), upload_to=bulletin_file_path, max_length=300, blank=True)
    pdf = models.FileField(_("PDF 文档"), upload_to=bulletin_file_path, max_length=300, blank=True)
    pdf_note = models.CharField(_("未生成 PDF 的原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通报")
        verbose_name_plural = _("通报")

    def __str__(self) -> str:
        return self.title

    @property
    def issued(self) -> bool:
        return self.status == self.Status.ISSUED


class BulletinSchedule(models.Model):
    """定时起草: a district's bulletin of one kind drafted by the task worker at a fixed time —
    the 督导检查日通报 every working day, the 重点项目周通报 once a week — as the office member
    who set the schedule (the gate decides again each time). Drafts only: a person still reads,
    rewrites and issues each one. `next_due` is the one occurrence queued; a task whose due time is
    no longer `next_due` (the schedule changed or was switched off) does nothing."""

    class Kind(models.TextChoices):
        INSPECTIONS = "inspections", _("督导检查日通报")
        PROJECTS = "projects", _("重点项目周通报")

    district = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("通报类型"), max_length=12, choices=Kind.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    weekday = models.PositiveSmallIntegerField(_("星期"), null=True, blank=True)  # 0 = Monday; weekly kinds only
    at = models.TimeField(_("起草时间"))
    next_due = models.DateTimeField(_("下次起草"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("上次起草"), null=True, blank=True)
    last_doc = models.ForeignKey(BulletinDoc, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_error = models.TextField(_("上次出错"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("设置人"))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "kind"], name="bulletin_schedule_unique")]
        verbose_name = _("通报定时起草")
        verbose_name_plural = _("通报定时起草")

    def __str__(self) -> str:
        return f"{self.district} {self.get_kind_display()}"
