"""四率 page: the rates of the user's projects at a date, grouped as the command groups them,
against last year at the same date, with charts and a CSV export (the command's columns)."""

from __future__ import annotations

import csv
from io import StringIO

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.files.cells import csv_cell
from duibiao.params import BadParameter, date_param
from duibiao.projects.rates import RATES_HEADER
from duibiao.projects.selectors.rates import BY_CHOICES, RATES, RatesPage, rates_page

LAST_YEAR_HEADER = tuple(f"{name}_last_year" for name in RATES)


def _csv(page: RatesPage) -> HttpResponse:
    """RATES.csv in the columns `duibiao project-rates` writes, with last year's four rates at
    the same date appended to each row; UTF-8 with a BOM, because this file is for Excel. The
    group (a unit's name) is the only text: it goes through the formula-injection rule, while
    the numbers ("-30.00" behind schedule) stay numbers."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow((*RATES_HEADER, *LAST_YEAR_HEADER))
    for row in page.rows:
        group, *figures = row.now.csv_row()
        writer.writerow((csv_cell(group), *figures, *row.previous().values()))
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"project-rates-{page.by}-{page.as_of.isoformat()}.csv"
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
    if by not in dict(BY_CHOICES):
        errors["by"] = _("分组方式只能是：%(allowed)s") % {"allowed": "、".join(str(label) for _c, label in BY_CHOICES)}
        by = "unit"
    page = rates_page(user=request.user, as_of=as_of, by=by, unit=request.GET.get("unit", "")[:40])
    if request.GET.get("export") == "csv" and not errors:
        return _csv(page)
    return render(request, "projects/rates.html", {
        "page": page, "errors": errors, "by_choices": BY_CHOICES,
        "as_of_text": request.GET.get("as_of", "")[:20] if "as_of" in errors else page.as_of.isoformat(),
    }, status=400 if errors else 200)
