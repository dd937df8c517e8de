from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from duibiao.org.selectors import unit_children, unit_tree_get, unit_tree_list


@login_required
def unit_list_view(request):
    category = request.GET.get("category") or None
    units = unit_tree_list(user=request.user, category=category)
    return render(request, "org/unit_list.html", {"units": units, "category": category})


@login_required
def unit_detail(request, code: str):
    unit = unit_tree_get(user=request.user, code=code)
    children = unit_children(user=request.user, unit=unit)
    return render(request, "org/unit_detail.html", {"unit": unit, "children": children})


@login_required
def my_unit(request):
    if request.user.unit is None:
        raise Http404
    return redirect("org:unit_detail", code=request.user.unit.code)
