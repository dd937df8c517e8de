"""计分批次 and what comes out of it. A run is an immutable snapshot: the scheme document
and every input value it scored, the engine version, and each unit's result with its
explanation, so that a published result can be recomputed and explained years later."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScoringRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Stage(models.TextChoices):
        DRAFT = "draft", _("试算")
        RELEASED = "released", _("反馈申诉中")
        PUBLISHED = "published", _("已公布")
        SUPERSEDED = "superseded", _("已作废")
        WITHDRAWN = "withdrawn", _("已撤回公布")

    period = models.ForeignKey("assessment.Period", on_delete=models.PROTECT, related_name="runs")
    number = models.PositiveIntegerField(_("批次号"))
    status = models.CharField(_("计算状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.DRAFT)
    engine_version = models.CharField(_("引擎版本"), max_length=20, blank=True)
    scheme_version = models.PositiveIntegerField(_("方案版本"))
    document = models.TextField(_("方案文档快照"))
    inputs = models.JSONField(_("输入数据快照"), default=dict)  # {"units": [...], "data": [...]}
    previous = models.ForeignKey(
        "self", verbose_name=_("对比批次"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    sensitivity = models.JSONField(_("敏感性分析"), null=True, blank=True)
    # Per category: best and median of every indicator's raw value and every node's score,
    # the 对标 reference shown on each unit's page and its radar chart.
    benchmarks = models.JSONField(_("对标基准"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    released_at = models.DateTimeField(_("发布反馈时间"), null=True, blank=True)
    appeal_deadline = models.DateField(_("申诉截止"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why the office published before the deadlines passed or with work still open (blank when
    # nothing was waived); shown on the published ranking and on every unit's result.
    publish_override = models.CharField(_("提前公布理由"), max_length=500, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回公布时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdraw_reason = models.CharField(_("撤回理由"), max_length=500, blank=True)

    class Meta:
        ordering = ["period", "-number"]
        verbose_name = _("计分批次")
        verbose_name_plural = _("计分批次")
        constraints = [models.UniqueConstraint(fields=["period", "number"], name="run_number_unique")]

    def __str__(self) -> str:
        return f"{self.period} · 第{self.number}批"


class RunArrays(models.Model):
    """Everything a finished run computed, stored once (`engine.stored.pack`: numpy arrays,
    compressed): each unit's explanation trace is rebuilt from it when a page asks
    (`selectors.traces`), instead of 600 JSON documents of ~100 KB written with every run.
    A table of its own, so that no read of a run or of its results loads it by accident."""

    run = models.OneToOneField(ScoringRun, on_delete=models.CASCADE, primary_key=True, related_name="arrays")
    data = models.BinaryField(_("计分数组"))

    class Meta:
        verbose_name = _("计分数组")
        verbose_name_plural = _("计分数组")

    def __str__(self) -> str:
        return f"{self.run} · {len(self.data)} B"


class RunResult(models.Model):
    """One unit's result in one run (考核结果). Its explanation trace is rebuilt from the run's
    arrays (`selectors.traces.result_trace`); runs computed before the arrays were stored
    keep theirs as JSON in `legacy_trace`."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="results")
    category = models.CharField(_("分类"), max_length=60)
    score = models.FloatField(_("得分"), null=True)
    base_score = models.FloatField(_("加减分前得分"), null=True)
    bonus = models.FloatField(_("加分"), default=0)
    penalty = models.FloatField(_("扣分"), default=0)
    rank = models.FloatField(_("排名"), null=True)
    rank_change = models.FloatField(_("名次变化"), null=True)
    grade = models.CharField(_("等次"), max_length=20, blank=True)
    vetoes = models.JSONField(_("一票否决"), default=list)
    node_scores = models.JSONField(_("各级得分"), default=dict)
    # Empty ({}) for every run that stored its arrays; read only through result_trace.
    legacy_trace = models.JSONField(_("计分说明（旧批次）"), default=dict, blank=True, db_column="trace")

    # Not columns: the ranking page's cells, formatted once by selectors.results.ranking, the
    # category's name for display (the row keeps its code), and the explanation trace, set by
    # the results selectors (unit_result) from the run's arrays.
    cells: dict[str, Any]
    category_name: str
    trace: dict[str, Any]

    class Meta:
        ordering = ["run", "category", "rank"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        constraints = [models.UniqueConstraint(fields=["run", "unit"], name="run_result_unique")]

    def __str__(self) -> str:
        return f"{self.run} · {self.unit}"


class Appeal(models.Model):
    """申诉复核: a unit disputes one indicator of a released run; the task force decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待复核")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("不予采纳")

    run = models.ForeignKey(ScoringRun, on_delete=models.PROTECT, related_name="appeals")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="appeals")
    indicator = models.ForeignKey("assessment.Indicator", on_delete=models.PROTECT, related_name="appeals")
    reason = models.TextField(_("申诉理由"))
    evidence = models.FileField(_("佐证材料"), upload_to="appeals/%Y/", blank=True)
    evidence_name = models.CharField(_("文件名"), max_length=200, blank=True)
    # Decided by content on upload (duibiao.files.uploads) and sent back as is, never guessed.
    evidence_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision = models.TextField(_("复核意见"), blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator.code}"


class Combination(models.Model):
    """多考合一: an annual result made of weighted parts, each the average of published runs
    (e.g. 平时 = the four quarters averaged at 40 %, 目标 40 %, 年度 20 %)."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    year = models.PositiveIntegerField(_("年度"))
    district = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="combinations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("多考合一")
        verbose_name_plural = _("多考合一")

    def __str__(self) -> str:
        return self.name


class CombinationPart(models.Model):
    combination = models.ForeignKey(Combination, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(_("名称"), max_length=60)  # 平时考核 / 目标考核 / 年度考核
    weight = models.FloatField(_("权重"))
    runs = models.ManyToManyField(ScoringRun, verbose_name=_("计分批次"), related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["combination", "order"]
        verbose_name = _("考核组成")
        verbose_name_plural = _("考核组成")

    def __str__(self) -> str:
        return f"{self.combination} · {self.name}"
