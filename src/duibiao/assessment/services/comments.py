"""留言 on one value: the unit's reporter or head and the indicator's task force (or the
office) write to each other about it. A comment changes nothing about the value; it is
length-checked like every text, written in one transaction with one audit row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from duibiao.accounts import gate
from duibiao.assessment.limits import text_clean
from duibiao.assessment.models import Submission, SubmissionComment
from duibiao.audit.services import audit_record

if TYPE_CHECKING:
    from duibiao.accounts.models import User


def comment_post(*, actor: User, submission: Submission, text: str) -> SubmissionComment:
    # The task force only on its own indicators; the unit's people only on their unit.
    gate.require(actor, "assessment.submission.comment", unit=submission.unit,
                 taskforce=submission.indicator.taskforce_id)
    cleaned = text_clean(text, model=SubmissionComment, name="text", required=gettext("请填写留言内容"))
    with transaction.atomic():
        comment = SubmissionComment.objects.create(submission=submission, author=actor, text=cleaned)
        audit_record(actor=actor, action="submission.comment", obj=submission, unit=submission.unit,
                     after={"comment": comment.pk, "text": cleaned})
    return comment
