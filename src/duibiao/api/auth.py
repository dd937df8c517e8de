"""Who calls the API: a signed-in session (with CSRF on writes) or an integration's token.

A request that carries `Authorization: Bearer …` is a token call and only that: a token that
is refused answers 401 even when a session cookie came with it, so a stolen cookie cannot
rescue a bad token and a token call never rides on a browser's session. CSRF protects
cookies a browser sends on its own; a bearer token is never sent that way, so token calls
need none.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, Throttled
from ninja.security import HttpBearer

from duibiao.accounts.tokens import TokenThrottled, token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            user = token_authenticate(token)
        except TokenThrottled as exc:
            raise Throttled(wait=exc.wait) from None  # 429 in the one error body (api/errors.py)
        if user is None:
            raise AuthenticationError
        request.user = user  # the services and the audit log see the token's owner
        return user


def bearer_user(request: HttpRequest) -> bool:
    """Authenticate a token call to a page outside the operations (the schema, its docs).
    TokenThrottled passes through, for the caller to answer 429."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    user = token_authenticate(token)
    if user is None:
        return False
    request.user = user
    return True


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and its page: for signed-in users and valid tokens, never for anonymous."""
    session_view = login_required(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.headers.get("Authorization"):
            try:
                signed = bearer_user(request)
            except TokenThrottled as exc:
                return HttpResponse(status=429, headers={"Retry-After": str(exc.wait)})
            if not signed:
                return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
            return view(request, *args, **kwargs)
        return session_view(request, *args, **kwargs)

    return wrapped
