"""计分排名 pages: runs of a period, rankings, a unit's explained result with what-if,
sensitivity, comparison of two runs, appeals, release and publication."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from duibiao.accounts import gate
from duibiao.accounts.unit_selectors import unit_get
from duibiao.assessment.errors import AssessmentError, FileRejected
from duibiao.assessment.models import ScoringRun
from duibiao.assessment.selectors.periods import period_get
from duibiao.assessment.selectors.ranking_table import ranking_table
from duibiao.assessment.selectors.results import (
    appeal_decisions,
    appeal_get,
    appeal_list,
    appeal_overview,
    ranking_chart,
    ranking_grades,
    run_analysed_get,
    run_diff,
    run_get,
    run_index_periods,
    run_indicators,
    run_list,
    sensitivity_rows,
    unit_above,
    unit_items,
    unit_radar,
    unit_result,
    unit_tree,
    unit_trend,
    what_if,
)
from duibiao.assessment.selectors.runs import (
    PublishReview,
    publish_blockers,
    publish_review,
    run_inputs_archive,
)
from duibiao.assessment.services.appeals import appeal_decide, appeal_file
from duibiao.assessment.services.run_recovery import run_restart, runs_fail_stale
from duibiao.assessment.services.runs import run_publish, run_release, run_start, run_withdraw
from duibiao.files.serve import file_response
from duibiao.params import int_param, number_fields


@login_required
def run_index(request):
    return render(request, "assessment/run_index.html", {"rows": run_index_periods(user=request.user)})


@login_required
def period_runs(request, period_id: int):
    period = period_get(user=request.user, pk=period_id)
    runs_fail_stale()  # a run whose worker died shows as failed, not computing for ever
    runs = run_list(user=request.user).filter(period=period)
    return render(request, "assessment/period_runs.html", {
        "period": period, "runs": runs,
        "is_office": gate.allows(request.user, "assessment.run.start", unit=period.version.scheme.district),
    })


@login_required
@require_POST
def run_start_view(request, period_id: int):
    period = period_get(user=request.user, pk=period_id)
    try:
        run = run_start(actor=request.user, period=period, note=request.POST.get("note", ""))
    except AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("assessment:period_runs", period_id=period.pk)
    return redirect("assessment:run_detail", pk=run.pk)


@login_required
def run_progress(request, pk: int):
    """Polled by the progress bar while the run computes (htmx). The poll stops once the run
    is done or failed (the answer carries no trigger and reloads the page); polls do not
    keep the session alive (web.sessions)."""
    runs_fail_stale()
    run = run_get(user=request.user, pk=pk)
    response = render(request, "assessment/_run_progress.html", {
        "run": run, "is_office": _manages(request, run)})
    if run.status in (ScoringRun.Status.DONE, ScoringRun.Status.FAILED):
        response["HX-Refresh"] = "true"  # reload the page to show the results
    return response


@login_required
@require_POST
def run_restart_view(request, pk: int):
    run = run_get(user=request.user, pk=pk)
    try:
        run_restart(actor=request.user, run=run)
    except AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect("assessment:run_detail", pk=run.pk)


@login_required
def run_detail(request, pk: int):
    runs_fail_stale()
    run = run_get(user=request.user, pk=pk)
    if request.GET.get("export") == "xlsx":
        # The workbook moved to documents (every export is written there, formula-safe); an
        # old link still works, after the same refusal (404 outside the scope) as the page.
        query = request.GET.copy()
        query.pop("export")
        target = reverse("documents:ranking_download", args=[run.pk])
        return redirect(f"{target}?{query.urlencode()}" if query else target)
    # The page's own table: the run's figures are read once per finished run (ranking_table).
    table = ranking_table(user=request.user, run=run, category=request.GET.get("category", ""),
                          grade=request.GET.get("grade", ""), sort=request.GET.get("sort", "rank"))
    context = {
        "run": run, "table": table, "is_office": _manages(request, run),
        "filters": request.GET, "grades": ranking_grades(table), "chart_data": ranking_chart(table),
    }
    if context["is_office"]:
        context["blockers"] = publish_blockers(run)
        context["other_runs"] = run_list(user=request.user).filter(
            period=run.period, status=ScoringRun.Status.DONE).exclude(pk=run.pk)
    return render(request, "assessment/run_detail.html", context)


def _manages(request: HttpRequest, run: ScoringRun) -> bool:
    """Whether the page offers the office's controls (restart, release, publish, compare)."""
    return gate.allows(request.user, "assessment.run.start", unit=run.period.version.scheme.district)


@login_required
def run_sensitivity(request, pk: int):
    run = run_analysed_get(user=request.user, pk=pk)
    return render(request, "assessment/run_sensitivity.html",
                  {"run": run, "rows": sensitivity_rows(user=request.user, run=run)})


@login_required
def run_compare(request, pk: int, other: int):
    run, before = run_get(user=request.user, pk=pk), run_get(user=request.user, pk=other)
    return render(request, "assessment/run_diff.html", {
        "run": run, "before": before, "rows": run_diff(user=request.user, a=before, b=run),
    })


@login_required
def run_inputs(request, pk: int):
    """The run's exact inputs as the files `duibiao score` reads, zipped."""
    name, data = run_inputs_archive(user=request.user, pk=pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def unit_result_view(request, pk: int, unit_code: str):
    return _unit_result_page(request, run_get(user=request.user, pk=pk), unit_code)


def _unit_result_page(request, run, unit_code: str, *, appeal_errors: dict | None = None, status: int = 200):
    """The unit's result; `appeal_errors` ("form" / "file") re-shows a refused appeal form."""
    result = unit_result(user=request.user, run=run, unit_code=unit_code)
    return render(request, "assessment/unit_result.html", {
        "run": run, "result": result, "tree": unit_tree(result, run.benchmarks),
        "above": unit_above(user=request.user, run=run, result=result),
        "appeals": appeal_list(user=request.user, run=run).filter(unit=result.unit),
        "can_appeal": run.stage == ScoringRun.Stage.RELEASED
        and gate.allows(request.user, "assessment.appeal.file", unit=result.unit),
        "indicators": run_indicators(run),
        "items": unit_items(run=run, unit=result.unit),
        "radar": unit_radar(result, run.benchmarks),
        "trend": unit_trend(user=request.user, run=run, unit_code=unit_code),
        "appeal_errors": appeal_errors or {}, "appeal_form": request.POST if appeal_errors else {},
    }, status=status)


@login_required
@require_POST
def what_if_view(request, pk: int, unit_code: str):
    run = run_get(user=request.user, pk=pk)
    values, errors = number_fields(request.POST, "v-", ignore="%")
    outcome = None if errors else what_if(user=request.user, run=run, unit_code=unit_code, values=values)
    return render(request, "assessment/_what_if.html", {"outcome": outcome, "errors": errors})


@login_required
@require_POST
def appeal_file_view(request, pk: int, unit_code: str):
    run = run_get(user=request.user, pk=pk)
    unit = unit_get(user=request.user, code=unit_code)
    indicator = run_indicators(run).get(request.POST.get("indicator") or "")
    try:
        if indicator is None:
            raise AssessmentError(_("请选择申诉的指标"))
        appeal_file(actor=request.user, run=run, unit=unit, indicator=indicator,
                    reason=request.POST.get("reason", ""), upload=request.FILES.get("file"))
    except FileRejected as exc:
        errors = {"file": str(exc)}  # shown under the file field, the rest of the form kept
    except AssessmentError as exc:
        errors = {"form": str(exc)}
    else:
        messages.success(request, "申诉已提交，等待专班复核。")
        return redirect("assessment:unit_result", pk=run.pk, unit_code=unit.code)
    return _unit_result_page(request, run, unit.code, appeal_errors=errors, status=400)


@login_required
def appeals_view(request, pk: int):
    run = run_get(user=request.user, pk=pk)
    return render(request, "assessment/appeals.html",
                  {"run": run, "appeals": appeal_decisions(user=request.user, run=run)})


@login_required
def appeal_index(request):
    """申诉复核: every appeal the user may see, pending first, each linked to its run's page."""
    return render(request, "assessment/appeal_index.html", {"appeals": appeal_overview(user=request.user)[:200]})


@login_required
def appeal_evidence(request, appeal_id: int):
    """An appeal's evidence file, through the gate like every other file."""
    appeal = appeal_get(user=request.user, pk=appeal_id)
    if not appeal.evidence:
        raise Http404
    return file_response(appeal.evidence.open("rb"), content_type=appeal.evidence_type,
                         filename=appeal.evidence_name)


@login_required
@require_POST
def appeal_decide_view(request, appeal_id: int):
    appeal = appeal_get(user=request.user, pk=appeal_id)
    try:
        appeal_decide(actor=request.user, appeal=appeal, accept=request.POST.get("accept") == "1",
                      decision=request.POST.get("decision", ""))
        messages.success(request, "已复核。")
    except AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect("assessment:appeals", pk=appeal.run_id)


@login_required
@require_POST
def run_release_view(request, pk: int):
    run = run_get(user=request.user, pk=pk)
    try:
        workdays = int_param(request.POST, "workdays", label=_("申诉期（工作日）"), default=5, min_value=1,
                             max_value=60)
        run_release(actor=request.user, run=run, appeal_workdays=workdays)
        messages.success(request, f"已向各单位发布反馈，申诉截止 {run.appeal_deadline:%Y年%m月%d日}。")
    except AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect("assessment:run_detail", pk=run.pk)


@login_required
@require_http_methods(["GET", "POST"])
def run_publish_view(request, pk: int):
    """The confirmation page (what will be frozen, what is still open), and its submit."""
    run = run_get(user=request.user, pk=pk)
    review = publish_review(user=request.user, run=run)
    if request.method == "GET":
        return _publish_page(request, review)
    try:
        run_publish(actor=request.user, run=run, stage=request.POST.get("stage", ""),
                    override_reason=request.POST.get("reason", ""))
    except AssessmentError as exc:  # shown above the reason and the button that caused it
        return _publish_page(request, publish_review(user=request.user, run=run), error=str(exc), status=400)
    messages.success(request, _("考核结果已公布。"))
    return redirect("assessment:run_detail", pk=run.pk)


def _publish_page(request: HttpRequest, review: PublishReview, *, error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "assessment/run_publish.html", {
        "run": review.run, "review": review, "error": error,
        "reason": request.POST.get("reason", "") if request.method == "POST" else "",
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def run_withdraw_view(request, pk: int):
    """Withdraw a publication (撤回公布): confirmed on its own page, with a reason."""
    run = run_get(user=request.user, pk=pk)
    gate.require(request.user, "assessment.run.publish", unit=run.period.version.scheme.district)
    error = ""
    if request.method == "POST":
        try:
            run_withdraw(actor=request.user, run=run, stage=request.POST.get("stage", ""),
                         reason=request.POST.get("reason", ""))
        except AssessmentError as exc:
            error = str(exc)
        else:
            messages.success(request, _("已撤回公布，%(name)s已重新开放，可重新计分。") % {"name": run.period.name})
            return redirect("assessment:run_detail", pk=run.pk)
    return render(request, "assessment/run_withdraw.html", {
        "run": run, "error": error, "reason": request.POST.get("reason", ""),
    }, status=400 if error else 200)
