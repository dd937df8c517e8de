"""督导检查日通报 (the daily picture) and the 处置率 page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.inspections.selectors.stats import VIEW, daily_picture, rates_table, stats_campaigns
from duibiao.params import choice_param, date_param, int_param


def _require_view(request: HttpRequest) -> None:
    if not gate.allows(request.user, VIEW):
        raise PermissionDenied(_("您的角色不能查看问题处置率与督导检查日通报。"))


@login_required
def daily(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    today = timezone.localdate()
    day = date_param(request.GET, "day", label=_("日期"), default=today)
    return render(request, "inspections/daily.html", {
        "picture": daily_picture(user=request.user, day=day), "today": today,
    })


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    today = timezone.localdate()
    as_of = date_param(request.GET, "as_of", label=_("截至日期"), default=today)
    starts_on = date_param(request.GET, "starts_on", label=_("开始日期"), default=None)
    by = choice_param(request.GET, "by", label=_("分组"), choices=("unit", "campaign"), default="unit")
    campaign_id = int_param(request.GET, "campaign", label=_("检查活动"), default=None, min_value=1)
    campaigns = stats_campaigns(user=request.user)
    campaign = campaigns.filter(pk=campaign_id).first() if campaign_id else None
    return render(request, "inspections/rates.html", {
        "table": rates_table(user=request.user, as_of=as_of, by=by,  # type: ignore[arg-type]
                             starts_on=starts_on, campaign=campaign),
        "campaigns": campaigns, "campaign": campaign, "today": today,
    })
