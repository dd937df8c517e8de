"""考核方案 form editing: indicators, 奖惩事项, 一票否决 and dimension points, on top of the
scheme document. The forms only parse input; edits live in `schemes.edits`, writes
in `services.scheme_edits`, and the live checks are `scheme_checks` on the would-be document."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.forms import IndicatorForm, ItemForm, indicator_form, item_row
from duibiao.assessment.scheme_checks import Finding, scheme_findings
from duibiao.assessment.selectors.categories import category_names
from duibiao.assessment.selectors.schemes import scheme_edit_get
from duibiao.assessment.services import scheme_edits as services
from duibiao.params import BadParameter, number_param, version_param
from duibiao.schemes import SchemeDocumentError, edits

# ---------------------------------------------------------------- helpers


def _office_scheme(request, code: str):
    scheme = scheme_edit_get(user=request.user, code=code)
    try:
        version, doc = services.scheme_document(scheme)
    except AssessmentError as exc:
        raise Http404(str(exc)) from None
    return scheme, version, doc


def _based_on(request) -> int | None:
    """The version a posted form was built from: required (400 without it), so that a save
    never silently replaces a version someone else saved meanwhile."""
    if request.method != "POST":
        return None
    return version_param(request.POST, "based_on")


def _errors(exc: Exception) -> list[str]:
    if isinstance(exc, SchemeDocumentError):
        return [f"{p}: {m}" if p else m for p, m in exc.errors]
    return [str(exc)]


def _form_findings(form: forms.Form) -> list[Finding]:
    return [Finding("error", str(form.fields[name].label) if name in form.fields else "", str(msg))
            for name, msgs in form.errors.items() for msg in msgs]


def _indicator_form(request, scheme, doc, ind: str | None, data=None) -> IndicatorForm:
    return indicator_form(user=request.user, scheme=scheme, doc=doc, ind=ind, data=data,
                          parent=request.GET.get("parent", ""), method=request.GET.get("method"))


# ---------------------------------------------------------------- indicators


@login_required
def scheme_indicator_edit(request, code: str, ind: str | None = None):
    """GET the form; POST saves it as a new version (a new indicator when `ind` is None)."""
    scheme, version, doc = _office_scheme(request, code)
    form = _indicator_form(request, scheme, doc, ind, request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            if ind is None:
                saved = services.scheme_indicator_create(
                    actor=request.user, scheme=scheme, parent=form.cleaned_data["parent"],
                    fields=form.changes(), based_on=_based_on(request))
            else:
                saved = services.scheme_indicator_update(
                    actor=request.user, scheme=scheme, code=ind,
                    changes={**form.changes(), "parent": form.cleaned_data["parent"]},
                    based_on=_based_on(request))
            messages.success(request, _("已保存为第 %(n)s 版：%(note)s") % {"n": saved.number, "note": saved.note})
            return redirect("assessment:scheme_detail", code=scheme.code)
        except (AssessmentError, SchemeDocumentError) as exc:
            errors = _errors(exc)
    findings = (_form_findings(form) if form.is_bound and form.errors
                else scheme_findings(version.document, category_names=category_names()))
    return render(request, "assessment/scheme_indicator_form.html", {
        "scheme": scheme, "version": version, "form": form, "ind": ind, "errors": errors,
        "findings": findings, "based_on": _based_on(request) or version.number,
    })


@login_required
@require_POST
def scheme_indicator_check(request, code: str, ind: str | None = None):
    """Live checks (htmx) of the form as typed: the edit is applied in memory, nothing saved."""
    scheme, _version, doc = _office_scheme(request, code)
    form = _indicator_form(request, scheme, doc, ind, request.POST)
    if form.is_valid():
        findings = services.scheme_indicator_preview(
            actor=request.user, scheme=scheme, code=ind, parent=form.cleaned_data["parent"],
            fields=form.changes())
    else:
        findings = _form_findings(form)
    return render(request, "assessment/_scheme_findings.html", {"findings": findings})


@login_required
@require_GET
def scheme_indicator_params(request, code: str, ind: str | None = None):
    """The parameter inputs of the chosen method (htmx swap on method change)."""
    scheme, _version, doc = _office_scheme(request, code)
    form = _indicator_form(request, scheme, doc, ind)
    response = render(request, "assessment/scheme_indicator_params.html",
                      {"form": form, "method": form.method_value()})
    response["HX-Trigger-After-Settle"] = "params-swapped"
    return response


@login_required
@require_POST
def scheme_indicator_remove(request, code: str, ind: str):
    scheme, _version, _doc = _office_scheme(request, code)
    try:
        saved = services.scheme_indicator_remove(actor=request.user, scheme=scheme, code=ind,
                                                 based_on=_based_on(request))
        messages.success(request, _("已保存为第 %(n)s 版：%(note)s") % {"n": saved.number, "note": saved.note})
    except (AssessmentError, SchemeDocumentError) as exc:
        messages.error(request, "；".join(_errors(exc)))
    return redirect("assessment:scheme_detail", code=scheme.code)


# ---------------------------------------------------------------- 奖惩事项 / 一票否决 / 维度分值


@login_required
def scheme_item_edit(request, code: str, kind: str, item: str | None = None):
    """Add or change a 奖惩事项 (kind="adjustment") or 一票否决 (kind="veto")."""
    scheme, version, doc = _office_scheme(request, code)
    form = ItemForm(request.POST if request.method == "POST" else None, doc=doc, kind=kind,
                    row=item_row(doc, kind, item))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        save = services.scheme_adjustment_save if kind == "adjustment" else services.scheme_veto_save
        try:
            saved = save(actor=request.user, scheme=scheme, code=item, fields=form.changes(),
                         based_on=_based_on(request))
            messages.success(request, _("已保存为第 %(n)s 版：%(note)s") % {"n": saved.number, "note": saved.note})
            return redirect("assessment:scheme_detail", code=scheme.code)
        except (AssessmentError, SchemeDocumentError) as exc:
            errors = _errors(exc)
    return render(request, "assessment/scheme_indicator_item.html", {
        "scheme": scheme, "version": version, "form": form, "kind": kind, "item": item,
        "errors": errors, "based_on": _based_on(request) or version.number,
    })


@login_required
@require_POST
def scheme_item_remove(request, code: str, kind: str, item: str):
    scheme, _version, _doc = _office_scheme(request, code)
    remove = services.scheme_adjustment_remove if kind == "adjustment" else services.scheme_veto_remove
    try:
        saved = remove(actor=request.user, scheme=scheme, code=item, based_on=_based_on(request))
        messages.success(request, _("已保存为第 %(n)s 版：%(note)s") % {"n": saved.number, "note": saved.note})
    except (AssessmentError, SchemeDocumentError) as exc:
        messages.error(request, "；".join(_errors(exc)))
    return redirect("assessment:scheme_detail", code=scheme.code)


def _points(request, doc: dict) -> tuple[dict[str, float], list[str]]:
    points, errors = {}, []
    for node_code, name, _depth in edits.group_nodes(doc):
        raw = request.POST.get(f"points_{node_code}", "").strip()
        if not raw:
            continue
        try:
            points[node_code] = number_param({"points": raw}, "points", label=name)
        except BadParameter:
            errors.append(_("“%(name)s”的分值不是数字") % {"name": name})
    return points, errors


@login_required
def scheme_dimensions(request, code: str):
    """The points of every dimension and sub-group, with the same live checks."""
    scheme, version, doc = _office_scheme(request, code)
    errors: list[str] = []
    if request.method == "POST":
        points, errors = _points(request, doc)
        if not errors:
            try:
                saved = services.scheme_dimension_points_set(
                    actor=request.user, scheme=scheme, points=points, based_on=_based_on(request))
                messages.success(request, _("已保存为第 %(n)s 版：%(note)s") % {"n": saved.number, "note": saved.note})
                return redirect("assessment:scheme_detail", code=scheme.code)
            except (AssessmentError, SchemeDocumentError) as exc:
                errors = _errors(exc)
    rows = [{"code": c, "name": n, "depth": d,
             "weight": request.POST.get(f"points_{c}", edits.find_node(doc, c)[0].get("weight", ""))}
            for c, n, d in edits.group_nodes(doc)]
    return render(request, "assessment/scheme_indicator_dimensions.html", {
        "scheme": scheme, "version": version, "rows": rows, "errors": errors,
        "findings": scheme_findings(version.document, category_names=category_names()), "based_on": _based_on(request) or version.number,
    })


@login_required
@require_POST
def scheme_dimensions_check(request, code: str):
    scheme, _version, doc = _office_scheme(request, code)
    points, errors = _points(request, doc)
    if errors:
        findings = [Finding("error", "", e) for e in errors]
    else:
        findings = services.scheme_dimension_points_preview(actor=request.user, scheme=scheme, points=points)
    return render(request, "assessment/_scheme_findings.html", {"findings": findings})
