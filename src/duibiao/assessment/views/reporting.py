"""填报 pages: a unit's indicators for a period, saved row by row (htmx), then submitted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from duibiao.accounts import gate
from duibiao.accounts.unit_selectors import unit_get
from duibiao.assessment.errors import AssessmentError, ConflictError, FileRejected
from duibiao.assessment.models import Indicator, Period
from duibiao.assessment.selectors.periods import period_get, period_list
from duibiao.assessment.selectors.reporting import (
    ReportRow,
    evidence_get,
    own_report_unit,
    report_units,
    reporting_row,
    reporting_rows,
    submission_get,
    unit_signoff_get,
)
from duibiao.assessment.services.submissions import (
    Incomplete,
    ValueInput,
    evidence_attach,
    evidence_remove,
    submission_save,
    submission_submit,
    unit_signoff,
)
from duibiao.files.serve import file_response
from duibiao.params import version_param

if TYPE_CHECKING:
    from duibiao.org.models import Unit

ALERTS = "#page-alerts"  # the alert area of web/base.html (web sits above this app)


@login_required
def report_index(request):
    """Open periods to report in; a unit user goes straight to the only one."""
    periods = list(period_list(user=request.user).filter(status=Period.Status.OPEN))
    own = own_report_unit(user=request.user)
    if len(periods) == 1 and own is not None:
        return redirect("assessment:report_unit", period_id=periods[0].pk, unit_code=own.code)
    return render(request, "assessment/report_index.html", {"periods": periods})


@login_required
def report_home(request, period_id: int):
    period = period_get(user=request.user, pk=period_id)
    own = own_report_unit(user=request.user)
    if own is not None:
        return redirect("assessment:report_unit", period_id=period.pk, unit_code=own.code)
    units = report_units(user=request.user)
    return render(request, "assessment/report_units.html", {"period": period, "units": units})


def _unit_page(request, period: Period, unit: Unit, rows: list[ReportRow], outcome: dict | None = None,
               signoff_refusal: AssessmentError | None = None):
    counts = {"total": len(rows), "saved": sum(r.submission is not None for r in rows)}
    counts["submitted"] = sum(r.status in ("submitted", "approved") for r in rows)
    return render(
        request, "assessment/report_unit.html",
        {
            "period": period, "unit": unit, "rows": rows, "counts": counts,
            "signoff": unit_signoff_get(user=request.user, period=period, unit=unit),
            "can_edit": period.status == Period.Status.OPEN
            and gate.allows(request.user, "assessment.submission.report", unit=unit),
            "can_sign": gate.allows(request.user, "assessment.submission.sign", unit=unit),
            "outcome": outcome or {},
            # Why the sign-off was refused, shown beside its button (the gaps one per line).
            "signoff_refusal": signoff_refusal,
            "signoff_gaps": getattr(signoff_refusal, "gaps", []),
        },
    )


@login_required
def report_unit(request, period_id: int, unit_code: str):
    period = period_get(user=request.user, pk=period_id)
    unit = unit_get(user=request.user, code=unit_code)
    return _unit_page(request, period, unit, reporting_rows(user=request.user, period=period, unit=unit))


def _row_response(request, period, unit: Unit, indicator: Indicator, error: str = "", saved: bool = False,
                  file_error: str = "", conflict: bool = False):
    outcome = {"error": error, "saved": saved, "file_error": file_error, "conflict": conflict}
    if not request.headers.get("HX-Request"):
        # A form posted without JavaScript: the whole page again, with this row's outcome on it.
        rows = reporting_rows(user=request.user, period=period, unit=unit)
        if not any(r.indicator.pk == indicator.pk for r in rows):
            return _refused(request, error)  # an indicator the unit does not report (a hand-made request)
        return _unit_page(request, period, unit, rows, outcome={"code": indicator.code, **outcome})
    # htmx swaps in this row only: read this row only, not the unit's every indicator and value.
    row = reporting_row(user=request.user, period=period, unit=unit, indicator=indicator)
    if row is None:  # an indicator the unit does not report (a hand-made request): no row to redraw
        return _refused(request, error)
    # On a conflict the fields show what is stored now, not what was typed (no hx-preserve).
    return render(
        request, "assessment/_report_row.html",
        {"row": row, "period": period, "unit": unit, **outcome,
         "can_edit": period.status == Period.Status.OPEN},
    )


def _refused(request, message: str):
    """The service's refusal, in the page's alert area (htmx) or on a page of its own."""
    if request.headers.get("HX-Request"):
        response = render(request, "web/_bad_request.html", {"message": message}, status=422)
        response["HX-Retarget"] = ALERTS
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "web/bad_request.html", {"message": message}, status=422)


@login_required
@require_POST
def value_save(request, period_id: int, unit_code: str, code: str):
    period = period_get(user=request.user, pk=period_id)
    unit = unit_get(user=request.user, code=unit_code)
    indicator = get_object_or_404(Indicator, version=period.version, code=code)
    item = ValueInput(
        indicator=indicator,
        value=request.POST.get("value"),
        ballots={g: request.POST.get(f"ballot-{i}", "") for i, g in enumerate(indicator.grade_names)},
        note=request.POST.get("note", "").strip(),
        expected_version=version_param(request.POST),
    )
    try:
        submission_save(actor=request.user, period=period, unit=unit, item=item)
    except ConflictError as exc:
        response = _row_response(request, period, unit, indicator, error=str(exc), conflict=True)
        response.status_code = 409
        return response
    except AssessmentError as exc:
        response = _row_response(request, period, unit, indicator, error=str(exc))
        response.status_code = 422
        return response
    return _row_response(request, period, unit, indicator, saved=True)


@login_required
@require_POST
def evidence_upload(request, pk: int):
    submission = submission_get(user=request.user, pk=pk)
    error = file_error = ""
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise FileRejected("请选择要上传的文件")
        evidence_attach(actor=request.user, submission=submission, upload=upload)
    except FileRejected as exc:
        file_error = str(exc)  # shown under the file field
    except AssessmentError as exc:
        error = str(exc)
    return _row_response(request, submission.period, submission.unit, submission.indicator, error=error,
                         file_error=file_error)


@login_required
def evidence_download(request, pk: int):
    evidence = evidence_get(user=request.user, pk=pk)
    return file_response(evidence.file.open("rb"), content_type=evidence.content_type,
                         filename=evidence.original_name)


@login_required
@require_POST
def evidence_delete(request, pk: int):
    evidence = evidence_get(user=request.user, pk=pk)
    submission = evidence.submission
    error = ""
    try:
        evidence_remove(actor=request.user, evidence=evidence)
    except AssessmentError as exc:
        error = str(exc)
    return _row_response(request, submission.period, submission.unit, submission.indicator, error=error)


@login_required
@require_POST
def report_submit(request, period_id: int, unit_code: str):
    period = period_get(user=request.user, pk=period_id)
    unit = unit_get(user=request.user, code=unit_code)
    try:
        count = submission_submit(actor=request.user, period=period, unit=unit,
                                  confirm=request.POST.get("confirm") == "1")
        messages.success(request, gettext("已提交 %(n)d 项数据，等待专班审核。") % {"n": count})
    except Incomplete as exc:
        # Not an error: a question. The page lists what is missing, with 仍然提交 (confirm=1).
        return render(request, "assessment/report_submit_confirm.html",
                      {"period": period, "unit": unit, "gaps": exc.gaps})
    except AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect("assessment:report_unit", period_id=period.pk, unit_code=unit.code)


@login_required
@require_POST
def report_signoff(request, period_id: int, unit_code: str):
    period = period_get(user=request.user, pk=period_id)
    unit = unit_get(user=request.user, code=unit_code)
    try:
        unit_signoff(actor=request.user, period=period, unit=unit)
        messages.success(request, gettext("已签发本单位本期填报数据。"))
    except AssessmentError as exc:
        # The page again, the refusal (and what is missing) beside the sign-off button.
        response = _unit_page(request, period, unit, reporting_rows(user=request.user, period=period, unit=unit),
                              signoff_refusal=exc)
        response.status_code = 422
        return response
    return redirect("assessment:report_unit", period_id=period.pk, unit_code=unit.code)
