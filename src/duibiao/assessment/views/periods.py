"""考核周期 and 工作日历 pages. Everyone who sees a scheme reads its periods; only the office
(考核办) creates, opens and closes them and enters the holiday table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Period
from duibiao.assessment.selectors.periods import (
    calendar_overview,
    deadline_preview,
    office_schemes,
    period_close_review,
    period_get,
    scheme_periods,
)
from duibiao.assessment.selectors.progress import can_see_progress
from duibiao.assessment.selectors.schemes import scheme_latest_version
from duibiao.assessment.services.calendar import HolidayTextError, holiday_year_import
from duibiao.assessment.services.periods import period_create, period_set_status
from duibiao.params import int_param
from duibiao.workdays.selectors import holiday_text

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.assessment.models import Scheme

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """Parses the create form; the rules live in `period_create`."""

    scheme: forms.ModelChoiceField[Scheme] = forms.ModelChoiceField(
        label=gettext_lazy("考核方案"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=gettext_lazy("周期类型"), choices=Period.Kind.choices)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    number = forms.IntegerField(label=gettext_lazy("序号（月份或季度）"), min_value=1, max_value=12,
                                initial=1)
    opens_on = forms.DateField(label=gettext_lazy("开始填报日期"), widget=DATE_INPUT)
    deadline_workdays = forms.IntegerField(label=gettext_lazy("填报时限（工作日）"), min_value=1,
                                           max_value=120, initial=10)
    name = forms.CharField(label=gettext_lazy("名称（留空自动生成）"), max_length=60, required=False)

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # self.fields holds a copy of the field above, typed as plain Field.
        cast(forms.ModelChoiceField, self.fields["scheme"]).queryset = office_schemes(user=user)
        for name, field in self.fields.items():
            if name != "opens_on":
                css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
                field.widget.attrs.setdefault("class", css)


class PreviewForm(forms.Form):
    opens_on = forms.DateField(required=False)
    deadline_workdays = forms.IntegerField(required=False)


class HolidayYearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))
    note = forms.CharField(label=gettext_lazy("依据（通知文号）"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}))
    text = forms.CharField(
        label=gettext_lazy("放假与调休安排"),
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 16,
                                     "spellcheck": "false"}),
    )


@login_required
def period_list_view(request):
    return render(request, "assessment/period_list.html", {
        "groups": scheme_periods(user=request.user),
        "is_office": gate.allows(request.user, "assessment.period.open"),
        "can_progress": can_see_progress(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def period_create_view(request):
    gate.require(request.user, "assessment.period.open")  # and over the scheme's unit, in the service
    form = PeriodForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = scheme_latest_version(data["scheme"])
        try:
            period = period_create(
                actor=request.user, version=version, kind=data["kind"], year=data["year"],
                number=data["number"], opens_on=data["opens_on"],
                deadline_workdays=data["deadline_workdays"], name=data["name"],
            )
        except AssessmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已创建%(name)s，截止日期 %(d)s") % {
                "name": period.name, "d": dateformat.format(period.deadline, "Y年n月j日")})
            return redirect("assessment:period_list")
    preview = None
    if form.is_bound and not form.errors.get("opens_on") and not form.errors.get("deadline_workdays"):
        preview = deadline_preview(opens_on=form.cleaned_data.get("opens_on"),
                                   workdays=form.cleaned_data.get("deadline_workdays"))
    return render(request, "assessment/period_form.html", {"form": form, "preview": preview})


@login_required
@require_POST
def period_preview_view(request):
    """htmx: the deadline the form would give, computed by the same calendar as the save."""
    gate.require(request.user, "assessment.period.open")
    form = PreviewForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    preview = deadline_preview(opens_on=data.get("opens_on"), workdays=data.get("deadline_workdays"))
    return render(request, "assessment/period_deadline_preview.html", {"preview": preview})


@login_required
@require_http_methods(["GET", "POST"])
def period_status_view(request, period_id: int):
    """Open, close or reopen a period. Closing is confirmed on its own page (GET ?status=closed),
    which shows what is still open and asks for a reason before the deadline."""
    period = period_get(user=request.user, pk=period_id)
    closing = (request.POST if request.method == "POST" else request.GET).get("status") == Period.Status.CLOSED
    if request.method == "GET":
        if not closing:
            return redirect("assessment:period_list")
        return _close_page(request, period)
    try:
        period_set_status(actor=request.user, period=period, status=request.POST.get("status", ""),
                          current=request.POST.get("current") or None, reason=request.POST.get("reason", ""))
    except AssessmentError as error:
        if closing:  # shown on the confirmation page, next to the reason
            return _close_page(request, period, error=str(error), status=400)
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s：%(status)s") % {
            "name": period.name, "status": period.get_status_display()})
    return redirect("assessment:period_list")


def _close_page(request: HttpRequest, period: Period, *, error: str = "", status: int = 200) -> HttpResponse:
    period.refresh_from_db()
    return render(request, "assessment/period_close.html", {
        "period": period, "review": period_close_review(user=request.user, period=period), "error": error,
        "reason": request.POST.get("reason", "") if request.method == "POST" else "",
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_view(request):
    gate.require(request.user, "assessment.calendar.edit")
    overview = calendar_overview()
    problems: list[str] = []
    if request.method == "POST":
        form = HolidayYearForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                holiday_year_import(actor=request.user, year=data["year"], text=data["text"],
                                    note=data["note"])
            except HolidayTextError as error:
                problems = error.problems
            except AssessmentError as error:
                problems = [str(error)]
            else:
                messages.success(request, _("%(y)d 年的放假和调休安排已保存") % {"y": data["year"]})
                return redirect("assessment:calendar")
    else:
        year = int_param(request.GET, "year", label=_("年度"), default=overview.suggested_year,
                         min_value=2000, max_value=2100)
        note = next((e.note for e in overview.entered if e.year == year), "")
        form = HolidayYearForm(initial={"year": year, "note": note, "text": holiday_text(year)})
    return render(request, "assessment/calendar.html",
                  {"overview": overview, "form": form, "problems": problems})
