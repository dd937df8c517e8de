"""The inspections' exports: the daily picture as a workbook (the same selector as the page,
through the gate, with complete lists)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.documents.excel.daily_workbook import daily_workbook_build
from duibiao.documents.views import xlsx_response
from duibiao.inspections.selectors.stats import VIEW, daily_picture
from duibiao.params import date_param


@login_required
def inspections_daily(request: HttpRequest) -> HttpResponse:
    if not gate.allows(request.user, VIEW):
        raise PermissionDenied(_("您的角色不能查看问题处置率与督导检查日通报。"))
    day = date_param(request.GET, "day", label=_("日期"), default=timezone.localdate())
    picture = daily_picture(user=request.user, day=day, limit=None)
    return xlsx_response(f"督导检查日通报-{day:%Y%m%d}.xlsx", daily_workbook_build(picture))
