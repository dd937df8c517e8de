"""专班审核 pages: an indicator across units; approve, return with a reason, score."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duibiao.accounts import gate
from duibiao.accounts.unit_selectors import unit_get
from duibiao.assessment.errors import AssessmentError, FileRejected
from duibiao.assessment.models import Period, Submission
from duibiao.assessment.selectors.periods import period_get, period_list
from duibiao.assessment.selectors.reporting import (
    flag_problems,
    review_indicator_get,
    review_overview,
    review_submissions,
    review_units,
    submission_get,
)
from duibiao.assessment.selectors.review_list import ReviewFilters, review_list
from duibiao.assessment.services.submissions import (
    ValueInput,
    evidence_attach,
    review_approve,
    review_bulk_approve,
    review_return,
    review_unlock,
    score_record,
)
from duibiao.params import choice_param, int_param, version_param

# The statuses a reviewer filters by (drafts are the unit's own until submitted).
REVIEW_STATUSES = (Submission.Status.SUBMITTED, Submission.Status.RETURNED, Submission.Status.APPROVED)


def _filters(data, units) -> ReviewFilters:
    """The list's filters from the query string; an unknown status, unit or category is a 400."""
    categories = {u.category.code for u in units if u.category}
    return ReviewFilters(
        status=choice_param(data, "status", label=_("状态"), choices=REVIEW_STATUSES),
        unit=choice_param(data, "unit", label=_("单位"), choices=[u.code for u in units]),
        category=choice_param(data, "category", label=_("分类"), choices=categories),
    )


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
    if indicator.entered_by_units:
        units = review_units(user=request.user, period=period, indicator=indicator)
        filters = _filters(request.GET, units)
        submissions = review_list(user=request.user, period=period, indicator=indicator)
        context.update(
            submissions=[s for s in submissions if filters.keep(s)], filters=filters, units=units,
            categories=list({u.category.code: u.category for u in units if u.category}.values()),
            statuses=[(s.value, s.label) for s in REVIEW_STATUSES],
            query=urlencode({k: v for k, v in vars(filters).items() if v}),
            z_limit=f"{settings.DUIBIAO_OUTLIER_Z:g}", change_limit=f"{settings.DUIBIAO_OUTLIER_CHANGE * 100:g}%",
        )
    else:
        submissions = flag_problems(period, review_submissions(user=request.user, period=period, indicator=indicator))
        subs = {s.unit_id: s for s in submissions}
        context["score_rows"] = [
            (unit, subs.get(unit.pk)) for unit in review_units(user=request.user, period=period, indicator=indicator)
        ]
    return render(request, "assessment/review_indicator.html", context)


def _review_row(request, pk: int, error: str = ""):
    submission = submission_get(user=request.user, pk=pk)
    flag_problems(submission.period, [submission])
    # The row again with its comparison (the median needs the category's other values).
    if gate.allows(request.user, "assessment.submission.review", unit=submission.unit,
                   taskforce=submission.indicator.taskforce_id):
        listed = review_list(user=request.user, period=submission.period, indicator=submission.indicator)
        submission = next((s for s in listed if s.pk == pk), submission)
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
    return _score_row(request, period, indicator, unit, error=error, saved=sub is not None)


def _score_row(request, period, indicator, unit, *, error: str = "", file_error: str = "", saved: bool = False):
    subs = flag_problems(period, review_submissions(user=request.user, period=period, indicator=indicator)
                         .filter(unit=unit))
    response = render(request, "assessment/_score_row.html",
                      {"unit": unit, "sub": subs[0] if subs else None, "indicator": indicator, "period": period,
                       "error": error, "file_error": file_error, "saved": saved})
    if error or file_error:
        response.status_code = 422
    return response


@login_required
@require_POST
def score_evidence(request, period_id: int, code: str, unit_code: str):
    """The evidence file of a manual score or a bonus / penalty / veto record (the task
    force's own record: typed and capped like a unit's evidence, viewed the same way)."""
    period = period_get(user=request.user, pk=period_id)
    indicator = review_indicator_get(user=request.user, period=period, code=code)
    unit = unit_get(user=request.user, code=unit_code)
    record = review_submissions(user=request.user, period=period, indicator=indicator).filter(unit=unit).first()
    file_error = ""
    try:
        if record is None:
            raise FileRejected(_("请先保存分值与理由，再上传佐证材料"))
        upload = request.FILES.get("file")
        if upload is None:
            raise FileRejected(_("请选择要上传的文件"))
        evidence_attach(actor=request.user, submission=record, upload=upload)
    except AssessmentError as exc:  # FileRejected included: shown under the file field
        file_error = str(exc)
    return _score_row(request, period, indicator, unit, file_error=file_error)


@login_required
@require_POST
def bulk_approve(request, period_id: int, code: str):
    """批量通过 the ticked rows, each with the version its row showed."""
    period = period_get(user=request.user, pk=period_id)
    indicator = review_indicator_get(user=request.user, period=period, code=code)
    picks = {}
    for raw in request.POST.getlist("pick"):
        pk = int_param({"pick": raw}, "pick", label=_("所选数据"), min_value=1)
        picks[pk] = version_param(request.POST, f"version-{pk}")
    back = reverse("assessment:review_indicator", args=[period.pk, indicator.code])
    query = urlencode({k: request.POST[k] for k in ("status", "unit", "category") if request.POST.get(k)})
    back = f"{back}?{query}" if query else back
    if not picks:
        messages.error(request, _("请先勾选要通过的数据"))
        return redirect(back)
    try:
        result = review_bulk_approve(actor=request.user, picks=picks)
    except AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if result.approved:
        messages.success(request, _("已通过 %(n)s 条数据") % {"n": len(result.approved)})
    for sub, reason in result.skipped:
        messages.warning(request, _("%(unit)s 未通过：%(reason)s") % {"unit": sub.unit.name, "reason": reason})
    return redirect(back)
