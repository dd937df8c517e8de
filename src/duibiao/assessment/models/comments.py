"""A thread about one value between the unit (reporter, head) and the task force or office:
questions and answers that are not a 退回 and do not change the value."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionComment(models.Model):
    submission = models.ForeignKey("assessment.Submission", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(_("留言"), max_length=1000)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("数据留言")
        verbose_name_plural = _("数据留言")

    def __str__(self) -> str:
        return f"{self.submission_id} {self.at:%Y-%m-%d %H:%M}"
