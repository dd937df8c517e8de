"""专班审核 pages: an indicator across units; approve, return with a reason, score."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from duibiao.accounts import gate
from duibiao.accounts.unit_selectors import unit_get
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Period
from duibiao.assessment.selectors.periods import period_get, period_list
from duibiao.assessment.selectors.reporting import (
    flag_problems,
    review_indicator_get,
    review_overview,
    review_submissions,
    review_units,
    submission_get,
)
from duibiao.assessment.services.submissions import (
    ValueInput,
    review_approve,
    review_return,
    review_unlock,
    score_record,
)
from duibiao.params import version_param


@login_required
def review_index(request):
    periods = period_list(user=request.user).exclude(status=Period.Status.PLANNED)
    return render(request, "assessment/review_index.html", {"periods": periods})


@login_required
def review_home(request, period_id: int):
    period = period_get(user=request.user, pk=period_id)
    overview = review_overview(user=request.user, period=period)
    return render(request, "assessment/review_home.html", {"period": period, "overview": overview})


@login_required
def review_indicator(request, period_id: int, code: str):
    period = period_get(user=request.user, pk=period_id)
    indicator = review_indicator_get(user=request.user, period=period, code=code)
    # The unlock button shows on approved values for those who may unlock them.
    context = {"period": period, "indicator": indicator,
               "can_unlock": gate.allows(request.user, "assessment.submission.unlock")}
    submissions = flag_problems(period, review_submissions(user=request.user, period=period, indicator=indicator))
    if indicator.entered_by_units:
        context["submissions"] = submissions
    else:
        subs = {s.unit_id: s for s in submissions}
        context["score_rows"] = [
            (unit, subs.get(unit.pk)) for unit in review_units(user=request.user, period=period, indicator=indicator)
        ]
    return render(request, "assessment/review_indicator.html", context)


def _review_row(request, pk: int, error: str = ""):
    submission = submission_get(user=request.user, pk=pk)
    flag_problems(submission.period, [submission])
    response = render(request, "assessment/_review_row.html", {
        "sub": submission, "error": error,
        "can_unlock": gate.allows(request.user, "assessment.submission.unlock", unit=submission.unit),
    })
    if error:
        response.status_code = 422
    return response


@login_required
@require_POST
def approve(request, pk: int):
    submission = submission_get(user=request.user, pk=pk)
    error = ""
    try:
        review_approve(actor=request.user, submission=submission,
                       expected_version=version_param(request.POST))
    except AssessmentError as exc:
        error = str(exc)
    return _review_row(request, pk, error)


@login_required
@require_POST
def return_view(request, pk: int):
    submission = submission_get(user=request.user, pk=pk)
    error = ""
    try:
        review_return(actor=request.user, submission=submission,
                      expected_version=version_param(request.POST),
                      reason=request.POST.get("reason", ""))
    except AssessmentError as exc:
        error = str(exc)
    return _review_row(request, pk, error)


@login_required
@require_POST
def unlock(request, pk: int):
    submission = submission_get(user=request.user, pk=pk)
    error = ""
    try:
        review_unlock(actor=request.user, submission=submission, expected_version=version_param(request.POST),
                      reason=request.POST.get("reason", ""))
    except AssessmentError as exc:
        error = str(exc)
    return _review_row(request, pk, error)


@login_required
@require_POST
def score(request, period_id: int, code: str, unit_code: str):
    period = period_get(user=request.user, pk=period_id)
    indicator = review_indicator_get(user=request.user, period=period, code=code)
    unit = unit_get(user=request.user, code=unit_code)
    version = version_param(request.POST)
    error, sub = "", None
    try:
        sub = score_record(
            actor=request.user, period=period, unit=unit,
            item=ValueInput(indicator=indicator, value=request.POST.get("value"), expected_version=version),
            justification=request.POST.get("justification", ""),
        )
    except AssessmentError as exc:
        error = str(exc)
    subs = flag_problems(period, review_submissions(user=request.user, period=period, indicator=indicator)
                         .filter(unit=unit))
    response = render(request, "assessment/_score_row.html",
                      {"unit": unit, "sub": subs[0] if subs else None, "indicator": indicator, "period": period,
                       "error": error, "saved": sub is not None})
    if error:
        response.status_code = 422
    return response
