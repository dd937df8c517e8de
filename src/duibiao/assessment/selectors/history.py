"""One value's history: who changed it, when, from what to what, and each review step.

Read from what is already written, nothing new is stored: the audit rows of
`submission.save` (each holds the value before and after) and the value's review events
(提交, 退回 with its reason, 审核通过, 解锁, 专班评分). The submission is fetched through the
gate (`submission_get`), so whoever may not see the value cannot see its history either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from duibiao.assessment.models import ReviewEvent, Submission, SubmissionComment
from duibiao.assessment.selectors.reporting import submission_get
from duibiao.audit.models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

STATUS_NAMES = dict(Submission.Status.choices)


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    what: str  # 保存 / 提交 / 退回 …
    old: str  # the value before ("" for none)
    new: str  # the value after
    status: str  # the status after, in words
    reason: str = ""


def _shown(snapshot: dict | None) -> str:
    if not snapshot:
        return ""
    if snapshot.get("ballots"):
        return "，".join(f"{grade} {n}" for grade, n in snapshot["ballots"].items())
    return snapshot.get("value") or ""


def value_comments(submission: Submission) -> list[SubmissionComment]:
    """The value's 留言 thread, oldest first (the caller fetched the submission through the gate)."""
    return list(SubmissionComment.objects.filter(submission=submission).select_related("author"))


def value_history(*, user: User | AnonymousUser, pk: int) -> tuple[Submission, list[HistoryLine]]:
    """The submission (through the gate) and its history, oldest first."""
    submission = submission_get(user=user, pk=pk)
    lines: list[HistoryLine] = []
    saves = AuditEntry.objects.filter(action="submission.save", object_type=Submission._meta.label,
                                      object_id=str(submission.pk)).select_related("user")
    for entry in saves:
        after = entry.after or {}
        lines.append(HistoryLine(
            at=entry.at, who=entry.user.display_name if entry.user else entry.username,
            what=gettext("保存"), old=_shown(entry.before), new=_shown(after),
            status=str(STATUS_NAMES.get(after.get("status", ""), "")),
        ))
    events = ReviewEvent.objects.filter(submission=submission).select_related("by")
    after_event = {
        ReviewEvent.Action.SUBMIT: Submission.Status.SUBMITTED, ReviewEvent.Action.RETURN: Submission.Status.RETURNED,
        ReviewEvent.Action.APPROVE: Submission.Status.APPROVED, ReviewEvent.Action.UNLOCK: Submission.Status.RETURNED,
    }
    for event in events:
        status = after_event.get(ReviewEvent.Action(event.action))
        lines.append(HistoryLine(
            at=event.at, who=event.by.display_name if event.by else "", what=event.get_action_display(),
            old="", new="", status=str(STATUS_NAMES.get(status, "")) if status else "", reason=event.reason,
        ))
    lines.sort(key=lambda line: line.at)
    return submission, lines
