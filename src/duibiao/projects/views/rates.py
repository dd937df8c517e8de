"""四率 page: the rates of the user's projects at a date, grouped as the command groups them,
against last year at the same date, with charts and a CSV export (the command's columns)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.params import BadParameter, date_param
from duibiao.projects.selectors.rates import BY_CHOICES, RatesPage, by_error, rates_csv, rates_page


def _csv(page: RatesPage) -> HttpResponse:
    text, name = rates_csv(page)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    try:
        as_of = date_param(request.GET, "as_of", label=_("统计日期"), default=today)
    except BadParameter as exc:
        errors["as_of"], as_of = str(exc), today
    by = request.GET.get("by", "") or "unit"
    wrong = by_error(by)
    if wrong:
        errors["by"], by = wrong, "unit"
    page = rates_page(user=request.user, as_of=as_of, by=by, unit=request.GET.get("unit", "")[:40])
    if request.GET.get("export") == "csv" and not errors:
        return _csv(page)
    return render(request, "projects/rates.html", {
        "page": page, "errors": errors, "by_choices": BY_CHOICES,
        "as_of_text": request.GET.get("as_of", "")[:20] if "as_of" in errors else page.as_of.isoformat(),
    }, status=400 if errors else 200)
