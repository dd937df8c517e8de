"""接口令牌: each user's own tokens for integrations — made (the secret shown once), listed,
revoked. Held by every role (`accounts.token.manage`); a token cannot reach these pages."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from duibiao.accounts.models import ApiToken
from duibiao.accounts.tokens import (
    DEFAULT_DAYS,
    MAX_DAYS,
    TokenInvalid,
    TokenStale,
    token_choices,
    token_create,
    token_get,
    token_list,
    token_revoke,
    token_status,
)
from duibiao.params import BadParameter, date_param, version_param

_SECRET_KEY = "new_api_token_secret"  # noqa: S105 — the session key's name, not a secret


def _page(request, *, errors=None, secret="", status=200):
    tokens = list(token_list(user=request.user))
    today = timezone.localdate()
    data = request.POST if errors else QueryDict()
    return render(request, "accounts/token_list.html", {
        "tokens": [(t, token_status(t)) for t in tokens], "choices": token_choices(user=request.user),
        "errors": errors or {}, "general_errors": (errors or {}).get("__all__", []), "secret": secret, "max_days": MAX_DAYS,
        "chosen_actions": set(data.getlist("actions")), "chosen_units": set(data.getlist("units")),
        "name": data.get("name", ""),
        "expires_on": data.get("expires_on", "") if errors else (today + timedelta(days=DEFAULT_DAYS)).isoformat(),
    }, status=status)


@never_cache  # the secret is in the page that answers the creation: never kept by a cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list_view(request):
    if request.method == "GET":
        # The secret made by the POST before the redirect, shown on this one page only: a
        # refresh neither shows it again nor makes a second token.
        return _page(request, secret=request.session.pop(_SECRET_KEY, ""))
    try:
        expires_on = date_param(request.POST, "expires_on", label=_("有效期至"))
    except BadParameter as exc:
        return _page(request, errors={"expires_on": [str(exc)]}, status=400)
    try:
        token, secret = token_create(actor=request.user, name=request.POST.get("name", ""),
                                     actions=request.POST.getlist("actions"), units=request.POST.getlist("units"),
                                     expires_on=expires_on)
    except TokenInvalid as exc:
        return _page(request, errors=exc.errors, status=400)
    messages.success(request, _("已建立接口令牌“%(name)s”。") % {"name": token.name})
    request.session[_SECRET_KEY] = secret
    return redirect("accounts:tokens")


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    try:
        token = token_get(user=request.user, pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    try:
        token_revoke(actor=request.user, token=token, version=version_param(request.POST))
    except TokenStale as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销接口令牌“%(name)s”。") % {"name": token.name})
    return redirect("accounts:tokens")
