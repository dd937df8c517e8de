from __future__ import annotations

from ninja import Router

from duibiao.accounts import gate
from duibiao.api.schemas import MeOut

router = Router(tags=["accounts"])


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "unit": user.unit.code if user.unit_id else None,
        "roles": sorted(gate.roles(user)),
    }
