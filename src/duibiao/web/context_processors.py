from __future__ import annotations

from django.http import HttpRequest

from duibiao.accounts import gate
from duibiao.accounts.roles import Role
from duibiao.web.navigation import NavItem, items_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu of the roles the user holds and their names. What a page lets the user do is
    decided by its view through the gate, never by a role test in a template."""
    roles = gate.roles(getattr(request, "user", None))
    labels = dict(Role.choices)
    nav: list[NavItem] = items_for(roles)
    return {
        "nav_items": nav,
        "role_labels": [labels[r] for r in Role.values if r in roles],
    }
