"""单位名录: the unit tree as each user may see it (the pages keep their /org/ paths and the
`org:` names; they are here because they read through the gate, which org sits below)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from duibiao.accounts.unit_selectors import unit_children, unit_tree_get, unit_tree_list


@login_required
def unit_list_view(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category") or None
    units = unit_tree_list(user=request.user, category=category)
    return render(request, "org/unit_list.html", {"units": units, "category": category})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_tree_get(user=request.user, code=code)
    children = unit_children(user=request.user, unit=unit)
    return render(request, "org/unit_detail.html", {"unit": unit, "children": children})


@login_required
def my_unit(request: HttpRequest) -> HttpResponse:
    unit = getattr(request.user, "unit", None)
    if unit is None:
        raise Http404
    return redirect("org:unit_detail", code=unit.code)
