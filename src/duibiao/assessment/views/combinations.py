"""多考合一 pages: the office composes the annual result; everyone reads it for their units."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import ScoringRun
from duibiao.assessment.selectors.combinations import (
    combination_get,
    combination_list,
    combination_results,
)
from duibiao.assessment.selectors.results import run_list
from duibiao.assessment.selectors.schemes import scheme_list
from duibiao.assessment.services.combinations import combination_save
from duibiao.params import int_param, number_param

PART_SLOTS = 4


@login_required
def combination_index(request):
    return render(request, "assessment/combination_index.html", {
        "combinations": combination_list(user=request.user), "is_office": gate.allows(request.user, "assessment.combination.edit"),
    })


@login_required
def combination_edit(request):
    gate.require(request.user, "assessment.combination.edit")
    published = run_list(user=request.user).filter(stage=ScoringRun.Stage.PUBLISHED).order_by(
        "period__year", "period__kind", "period__number")
    if request.method == "POST":
        chosen = {run.pk: run for run in published}
        parts = []
        for i in range(PART_SLOTS):
            name = request.POST.get(f"name-{i}", "").strip()
            if not name:
                continue
            picked = [int_param({"run": pk}, "run", label=_("计分批次")) for pk in request.POST.getlist(f"runs-{i}")]
            runs = [chosen[pk] for pk in picked if pk in chosen]
            parts.append((name, number_param(request.POST, f"weight-{i}", label=name, default=0.0), runs))
        scheme = scheme_list(user=request.user).first()
        try:
            combination = combination_save(
                actor=request.user, code=request.POST.get("code", "").strip(), name=request.POST.get("name", "").strip(),
                year=int_param(request.POST, "year", label=_("年度"), min_value=2000, max_value=2100),
                district=scheme.district if scheme is not None else None, parts=parts,
            )
            return redirect("assessment:combination_detail", code=combination.code)
        except (AssessmentError, ValueError) as exc:
            messages.error(request, str(exc))
    return render(request, "assessment/combination_edit.html", {
        "runs": published, "slots": range(PART_SLOTS),
        "defaults": [("平时考核（四个季度平均）", 40), ("目标考核", 40), ("年度综合评价", 20), ("", "")],
        "form": request.POST,
    })


@login_required
def combination_detail(request, code: str):
    combination = combination_get(user=request.user, code=code)
    return render(request, "assessment/combination_detail.html", {
        "combination": combination, "rows": combination_results(user=request.user, combination=combination),
        "parts": list(combination.parts.all()),
    })
