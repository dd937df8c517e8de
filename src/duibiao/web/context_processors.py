from __future__ import annotations

from duibiao.accounts.gate import user_roles
from duibiao.accounts.roles import Role
from duibiao.web.navigation import items_for


def navigation(request) -> dict:
    roles = user_roles(getattr(request, "user", None))
    labels = dict(Role.choices)
    return {
        "nav_items": items_for(roles),
        "user_roles": roles,
        "role_labels": [labels[r] for r in Role.values if r in roles],
    }
