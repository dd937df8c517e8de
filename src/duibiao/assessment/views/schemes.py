"""考核方案 pages: the indicator tree of the latest version, editing with live checks, cloning."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.scheme_checks import scheme_findings
from duibiao.assessment.selectors.categories import category_names
from duibiao.assessment.selectors.schemes import (
    scheme_edit_get,
    scheme_get,
    scheme_latest_version,
    version_indicators,
)
from duibiao.assessment.services.schemes import scheme_clone, scheme_version_save
from duibiao.params import int_param, version_param
from duibiao.schemes import SchemeDocumentError


@login_required
def scheme_detail(request, code: str):
    scheme = scheme_get(user=request.user, code=code)
    version = scheme_latest_version(scheme)
    indicators = version_indicators(version)
    return render(request, "assessment/scheme_detail.html", {
        "scheme": scheme, "version": version, "indicators": indicators,
        "versions": scheme.versions.select_related("created_by")[:20],
        "is_office": gate.allows(request.user, "assessment.scheme.edit", unit=scheme.district),
    })


@login_required
def scheme_edit(request, code: str):
    scheme = scheme_edit_get(user=request.user, code=code)
    version = scheme_latest_version(scheme)
    document = version.document if version else ""
    errors: list[str] = []
    if request.method == "POST":
        document = request.POST.get("document", "")
        based_on = version_param(request.POST, "based_on")
        try:
            saved = scheme_version_save(
                actor=request.user, scheme=scheme, document=document,
                note=request.POST.get("note", "").strip(), based_on=based_on,
            )
            messages.success(request, f"已保存为第 {saved.number} 版。")
            return redirect("assessment:scheme_detail", code=scheme.code)
        except SchemeDocumentError as exc:
            errors = [f"{p}: {m}" if p else m for p, m in exc.errors]
        except AssessmentError as exc:
            errors = [str(exc)]
    return render(request, "assessment/scheme_edit.html", {
        "scheme": scheme, "version": version, "document": document, "errors": errors,
        "findings": scheme_findings(document, category_names=category_names()) if document else [],
    })


@login_required
@require_POST
def scheme_check(request, code: str):
    """Live checks while typing (htmx): nothing is saved."""
    scheme_edit_get(user=request.user, code=code)
    return render(request, "assessment/_scheme_findings.html",
                  {"findings": scheme_findings(request.POST.get("document", ""), category_names=category_names())})


@login_required
@require_POST
def scheme_clone_view(request, code: str):
    scheme = scheme_edit_get(user=request.user, code=code)
    year = int_param(request.POST, "year", label=_("年度"), default=scheme.year + 1, min_value=2000,
                     max_value=2100)
    try:
        clone = scheme_clone(
            actor=request.user, scheme=scheme, code=request.POST.get("code") or f"{scheme.code}-{year}",
            name=request.POST.get("name") or scheme.name.replace(str(scheme.year), str(year)), year=year,
        )
    except AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("assessment:scheme_detail", code=scheme.code)
    messages.success(request, f"已复制为“{clone.name}”。")
    return redirect("assessment:scheme_detail", code=clone.code)
