"""领导驾驶舱 and its 大屏: parse the date, call the cockpit selector, render (or give its data
to the large screen's timer)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from duibiao.assessment.selectors.reminders import Reminders
from duibiao.cockpit.selectors import Cockpit, cockpit_page
from duibiao.params import date_param


def _page(request: HttpRequest) -> Cockpit:
    as_of = date_param(request.GET, "as_of", label=_("统计日期"), default=timezone.localdate())
    return cockpit_page(user=request.user, as_of=as_of)


def cockpit_response(request: HttpRequest, *, reminders: Reminders | None = None) -> HttpResponse:
    """The cockpit page (also the leader's home page, web.views.home, which passes the home
    page's reminders: a withdrawn publication is announced there too)."""
    return render(request, "web/cockpit.html", {
        "page": _page(request), "dated": bool(request.GET.get("as_of")), "reminders": reminders})


@login_required
def cockpit(request: HttpRequest) -> HttpResponse:
    return cockpit_response(request)


@login_required
def cockpit_screen(request: HttpRequest) -> HttpResponse:
    # Without a date the screen follows the calendar: a screen left on overnight shows the
    # new day's figures at its next refresh.
    return render(request, "web/cockpit_screen.html", {"page": _page(request), "dated": bool(request.GET.get("as_of"))})


@never_cache
@login_required
def cockpit_data(request: HttpRequest) -> HttpResponse:
    return JsonResponse(_page(request).data())
