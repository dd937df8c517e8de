"""干部考核 pages: register, routine grades, annual grading, derived lists. Thin: the gate is
in the selectors, the rules in the engine, the writes in the services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duibiao.cadres import selectors as sel
from duibiao.cadres import services as svc
from duibiao.cadres.models import AnnualGrade, Cadre, RoutineGrade
from duibiao.org.models import Unit
from duibiao.params import BadParameter, int_param, version_param


class CadreForm(forms.ModelForm):
    birth_month = forms.DateField(
        label=_("出生年月"), input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "is_active" else (
                "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm")
            field.widget.attrs.setdefault("class", css)

    class Meta:
        model = Cadre
        fields = ["name", "position", "rank", "gender", "birth_month", "order", "is_active"]


def _year(request) -> int:
    data = request.GET if request.GET.get("year") else request.POST
    return int_param(data, "year", label=_("年度"), default=timezone.localdate().year, min_value=2000,
                     max_value=2100)


def _editor(request, unit: Unit) -> None:
    if not sel.cadre_can_edit(user=request.user, unit=unit):
        raise PermissionDenied


def _number(text: str | None) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise svc.CadreInputError(_("分数应为数字：%(v)s") % {"v": text}) from exc


@login_required
def cadre_index(request):
    units = list(sel.cadre_unit_list(user=request.user))
    if not units:
        raise PermissionDenied
    if len(units) == 1:
        return redirect("cadres:cadre_register", code=units[0].code)
    return render(request, "cadres/index.html", {"units": units, "year": _year(request),
                                                    "lists": sel.LISTS})


@login_required
def cadre_register(request, code: str):
    unit = sel.cadre_unit_get(user=request.user, code=code)
    can_edit = sel.cadre_can_edit(user=request.user, unit=unit)
    cadres = sel.cadre_list(user=request.user, unit=unit, include_inactive=can_edit)
    return render(request, "cadres/register.html", {
        "unit": unit, "cadres": cadres, "can_edit": can_edit, "year": _year(request),
        "form": CadreForm() if can_edit else None, "lists": sel.LISTS,
    })


@login_required
def cadre_edit(request, code: str, pk: int | None = None):
    unit = sel.cadre_unit_get(user=request.user, code=code)
    _editor(request, unit)
    cadre = sel.cadre_get(user=request.user, pk=pk) if pk else None
    if cadre is not None and cadre.unit_id != unit.pk:
        raise PermissionDenied
    form = CadreForm(request.POST or None, instance=cadre)
    # The version the form was built from goes back with it unchanged, also when the save
    # is refused, so that a refresh (not a resubmit) is what picks up someone else's change.
    version = cadre.version if cadre is not None else 0
    status = 400
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "position", "rank", "gender", "birth_month", "order")}
        try:
            if cadre is None:
                svc.cadre_create(actor=request.user, unit=unit, **data)
            else:
                version = version_param(request.POST)
                svc.cadre_update(actor=request.user, cadre=cadre, expected_version=version,
                                 is_active=form.cleaned_data["is_active"], **data)
        except (svc.CadreInputError, BadParameter) as exc:
            form.add_error(None, str(exc))
        except svc.CadreConflict as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, _("已保存干部 %(name)s") % {"name": data["name"]})
            return redirect("cadres:cadre_register", code=unit.code)
    return render(request, "cadres/edit.html", {"unit": unit, "cadre": cadre, "form": form, "version": version},
                  status=status if request.method == "POST" else 200)


@login_required
def cadre_routine(request, code: str):
    unit = sel.cadre_unit_get(user=request.user, code=code)
    year = _year(request)
    can_edit = sel.cadre_can_edit(user=request.user, unit=unit)
    if request.method == "POST":
        _editor(request, unit)
        sheet = sel.cadre_year_sheet(user=request.user, unit=unit, year=year)
        grades = {
            (row.cadre.pk, q): request.POST.get(f"g-{row.cadre.pk}-{q}", "")
            for row in sheet.rows for q in sel.QUARTERS
            if f"g-{row.cadre.pk}-{q}" in request.POST
        }
        try:
            n = svc.cadre_routine_grades_set(actor=request.user, unit=unit, year=year, grades=grades)
        except svc.CadreInputError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已保存平时考核等次，%(n)s 项有变化") % {"n": n})
        return redirect(f"{request.path}?year={year}")
    sheet = sel.cadre_year_sheet(user=request.user, unit=unit, year=year)
    return render(request, "cadres/routine.html", {
        "unit": unit, "year": year, "sheet": sheet, "can_edit": can_edit,
        "quarters": sel.QUARTERS, "grades": RoutineGrade.choices,
    })


@login_required
def cadre_annual(request, code: str):
    unit = sel.cadre_unit_get(user=request.user, code=code)
    year = _year(request)
    can_edit = sel.cadre_can_edit(user=request.user, unit=unit)
    if request.method == "POST":
        _editor(request, unit)
        sheet = sel.cadre_year_sheet(user=request.user, unit=unit, year=year)
        try:
            entries = [
                svc.CadreYearInput(
                    cadre_id=row.cadre.pk,
                    proposed=request.POST.get(f"p-{row.cadre.pk}", ""),
                    score=_number(request.POST.get(f"s-{row.cadre.pk}")),
                    indicators={d: _number(request.POST.get(f"i-{row.cadre.pk}-{d}")) for d in sel.DIMENSIONS},
                )
                for row in sheet.rows
            ]
            result = svc.cadre_year_submit(actor=request.user, unit=unit, year=year, entries=entries,
                                           apply_rules="apply" in request.POST)
            if result is not None:
                changed = sum(1 for r in result.reasons if r)
                messages.success(request, _("已应用考核规则：优秀限额 %(q)s 名，%(n)s 人等次调整") % {
                    "q": result.quotas.get(unit.code, 0), "n": changed})
            else:
                messages.success(request, _("已保存"))
        except svc.CadreInputError as exc:
            messages.error(request, str(exc))
        return redirect(f"{request.path}?year={year}")
    sheet = sel.cadre_year_sheet(user=request.user, unit=unit, year=year)
    return render(request, "cadres/annual.html", {
        "unit": unit, "year": year, "sheet": sheet, "can_edit": can_edit,
        "annual_grades": AnnualGrade.choices, "dimensions": sel.DIMENSIONS,
    })


@login_required
@require_POST
def cadre_quota(request, code: str):
    unit = sel.cadre_unit_get(user=request.user, code=code)
    _editor(request, unit)
    year = _year(request)
    approved = request.POST.get("approved") == "1"
    try:
        svc.cadre_quota_set(actor=request.user, unit=unit, year=year, approved=approved,
                            note=request.POST.get("note", ""))
    except svc.CadreInputError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已批准优秀比例提高到25%，请重新应用考核规则") if approved
                         else _("已撤销25%优秀比例，请重新应用考核规则"))
    return redirect(f"{redirect('cadres:cadre_annual', code=unit.code).url}?year={year}")


@login_required
def cadre_lists(request):
    if not sel.cadre_units(user=request.user).exists():
        raise PermissionDenied
    year = _year(request)
    kind = request.GET.get("kind") or "selection"
    entries = sel.cadre_derived_list(user=request.user, kind=kind, year=year)
    return render(request, "cadres/lists.html", {
        "year": year, "kind": kind, "lists": sel.LISTS, "entries": entries,
        "rules": {
            "selection": _("近%(w)s年中至少%(n)s次年度考核优秀；或本年度优秀且所在单位考核等次为%(g)s") % {
                "w": sel.SELECTION_WINDOW, "n": sel.SELECTION_MIN_EXCELLENT, "g": sel.UNIT_TOP_GRADE},
            "award": _("本年度考核优秀，且所在单位未被评为较差、未被一票否决"),
            "training": _("年龄不超过%(a)s岁，平时考核均为好或较好，能力指标不低于%(c)s分") % {
                "a": sel.TRAINING_MAX_AGE, "c": f"{sel.TRAINING_MIN_CAPABILITY:g}"},
        }[kind] if kind in sel.LISTS else "",
    })


@login_required
def cadre_list_export(request, kind: str):
    if not sel.cadre_units(user=request.user).exists():
        raise PermissionDenied
    if kind not in sel.LISTS:
        raise Http404
    # The workbook moved to documents (every export is written there, formula-safe); an old
    # link still works, after the same refusal as before.
    return redirect(f"{reverse('documents:cadre_list_download', args=[kind])}?year={_year(request)}")
