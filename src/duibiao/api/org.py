from __future__ import annotations

from ninja import Router

from duibiao.accounts.unit_selectors import unit_tree_get, unit_tree_list
from duibiao.api.pagination import paged
from duibiao.api.schemas import UnitOut

router = Router(tags=["org"])


@router.get("/units", response=list[UnitOut], summary="可查看的单位")
@paged
def units(request, category: str | None = None):
    return list(unit_tree_list(user=request.user, category=category))


@router.get("/units/{code}", response=UnitOut, summary="单位详情")
def unit(request, code: str):
    return unit_tree_get(user=request.user, code=code)
