"""Pages of the projects app: parse (duibiao.params), call one selector or service, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from django.http import HttpRequest

    from duibiao.accounts.models import User


def actor(request: HttpRequest) -> User:
    """The signed-in user of a `login_required` view (never anonymous there)."""
    return cast("User", request.user)
