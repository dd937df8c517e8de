"""调度会 and 交办事项: meetings at a cadence (经济专班日调度, 区长三日调度, 书记周调度), what
each decides to assign to a unit with a working-day deadline, and the office's overrides of
the cadence rules (which levels and flags each agenda takes).

Overdue is never stored: it is derived from the date and the deadline (dispatch_rules).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Cadence(models.TextChoices):
    DAILY = "daily", _("经济专班日调度")
    THREE_DAY = "three_day", _("区长三日调度")
    WEEKLY = "weekly", _("书记周调度")


class CadenceRule(models.Model):
    """The office's setting for one cadence; without a row the defaults of
    `dispatch_rules.DEFAULT_CADENCES` apply."""

    cadence = models.CharField(_("调度层级"), max_length=10, choices=Cadence.choices, unique=True)
    chair = models.CharField(_("主持"), max_length=50, blank=True)
    every_workdays = models.PositiveSmallIntegerField(_("间隔（工作日）"), default=1)
    assignment_workdays = models.PositiveSmallIntegerField(_("交办默认期限（工作日）"), default=3)
    # Codes of projects.Level and of the flags (red / yellow / green).
    levels = models.JSONField(_("项目级别"), default=list)
    flags = models.JSONField(_("纳入的预警颜色"), default=list)

    class Meta:
        verbose_name = _("调度规则")
        verbose_name_plural = _("调度规则")

    def __str__(self) -> str:
        return self.get_cadence_display()


class DispatchMeeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("待召开")
        HELD = "held", _("已召开")

    # The district whose projects the meeting dispatches: the gate's unit for the meeting.
    district = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="dispatch_meetings",
                                 verbose_name=_("区县"))
    cadence = models.CharField(_("调度层级"), max_length=10, choices=Cadence.choices)
    held_on = models.DateField(_("召开日期"))
    chair = models.CharField(_("主持"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    minutes = models.TextField(_("会议纪要"), max_length=5000, blank=True)
    # The agenda as it stood when the meeting was closed: what was discussed stays readable
    # after the projects' flags move on.
    agenda = models.JSONField(_("议程"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("调度会")
        verbose_name_plural = _("调度会")
        indexes = [models.Index(fields=["district", "cadence", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_cadence_display()}"


class Assignment(models.Model):
    """交办事项: a task a meeting gives a unit, due in working days; the unit replies."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已办结")

    meeting = models.ForeignKey(DispatchMeeting, on_delete=models.PROTECT, related_name="assignments",
                                verbose_name=_("调度会"))
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="assignments", verbose_name=_("项目"))
    text = models.CharField(_("交办内容"), max_length=500)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="assignments",
                             verbose_name=_("责任单位"))
    assigned_on = models.DateField(_("交办日期"))
    workdays = models.PositiveSmallIntegerField(_("办理期限（工作日）"))
    deadline = models.DateField(_("办结期限"))
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices, default=Status.OPEN)
    reply = models.CharField(_("办理情况"), max_length=1000, blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("交办事项")
        verbose_name_plural = _("交办事项")
        indexes = [models.Index(fields=["unit", "status", "deadline"])]

    def __str__(self) -> str:
        return self.text[:40]
