"""数据记录: one value's history (who, when, old → new, status) and its 留言 thread, a page of
its own that the reporting row and the task force's review row link to."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.selectors.history import value_comments, value_history
from duibiao.assessment.services.comments import comment_post


def _page(request: HttpRequest, pk: int, *, error: str = "", text: str = "", status: int = 200) -> HttpResponse:
    submission, lines = value_history(user=request.user, pk=pk)
    can_comment = gate.allows(request.user, "assessment.submission.comment", unit=submission.unit,
                              taskforce=submission.indicator.taskforce_id)
    return render(request, "assessment/value_history.html", {
        "submission": submission, "lines": lines, "comments": value_comments(submission),
        "can_comment": can_comment, "error": error, "text": text,
    }, status=status)


@login_required
def value_history_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@login_required
@require_POST
def comment_add(request, pk: int):
    submission, _lines = value_history(user=request.user, pk=pk)  # 404 for a value the user may not see
    text = request.POST.get("text", "")
    try:
        comment_post(actor=request.user, submission=submission, text=text)
    except AssessmentError as exc:  # shown under the text box, with what was typed
        return _page(request, pk, error=str(exc), text=text, status=422)
    return redirect("assessment:value_history", pk=pk)
