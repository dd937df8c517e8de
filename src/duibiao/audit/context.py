"""Where a request comes from, for every audit row written while it is served.

`AuditMiddleware` (audit/middleware.py) records the client address of each request in a
context variable, so that `audit_record`, called from services far from the request, writes
the source address without the request being passed down to it.
"""

from __future__ import annotations

import ipaddress
import re
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

_client_address: ContextVar[str | None] = ContextVar("duibiao_client_address", default=None)
_user_agent: ContextVar[str] = ContextVar("duibiao_user_agent", default="")


def _meta_key(header: str) -> str:
    key = header.strip().upper().replace("-", "_")
    return key if key.startswith("HTTP_") else f"HTTP_{key}"


def _valid(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip())) if address else None
    except ValueError:
        return None


def _trusted(address: str, networks: tuple[str, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. REMOTE_ADDR, unless DUIBIAO_TRUSTED_PROXY_HEADER names the header
    a reverse proxy adds (X-Forwarded-For): then the address the nearest untrusted hop was
    seen from. Each proxy appends what it saw, so only entries added by our own proxies are
    believed, counted from the right; anything further left came from the client and may be
    forged. DUIBIAO_TRUSTED_PROXIES is how many proxies stand in front, or their addresses."""
    remote = _valid(request.META.get("REMOTE_ADDR"))
    header = getattr(settings, "DUIBIAO_TRUSTED_PROXY_HEADER", "")
    if not header or remote is None:
        return remote
    proxies = getattr(settings, "DUIBIAO_TRUSTED_PROXIES", 1)
    forwarded = [part.strip() for part in request.META.get(_meta_key(header), "").split(",")]
    hops = [*[part for part in forwarded if part], remote]
    if isinstance(proxies, int):
        # The last `proxies` hops are our proxies; the one before them is the client.
        seen = hops[-(proxies + 1)] if len(hops) > proxies else hops[0]
        return _valid(seen) or remote
    if not _trusted(remote, proxies):
        return remote  # not from our proxy: its header is the client's own word
    for hop in reversed(hops[:-1]):
        address = _valid(hop)
        if address is None:
            return remote
        if not _trusted(address, proxies):
            return address
    return _valid(hops[0]) or remote


def current_client_ip() -> str | None:
    """The address of the request being served (None outside a request: CLI, task worker)."""
    return _client_address.get()


def bind_client_ip(address: str | None) -> Token[str | None]:
    """Set the current request's address; returns the token to reset it with."""
    return _client_address.set(address)


def unbind_client_ip(token: Token[str | None]) -> None:
    _client_address.reset(token)


def current_user_agent() -> str:
    """The User-Agent of the request being served ("" outside a request), cut to its column."""
    return _user_agent.get()


def bind_user_agent(agent: str) -> Token[str]:
    return _user_agent.set(agent[:300])


def unbind_user_agent(token: Token[str]) -> None:
    _user_agent.reset(token)


# The API token a request is served under (its key id, never the secret). The middleware binds
# a fresh holder per request and the token check writes into it, so the key id reaches every
# row of that request — and never the next request a worker thread serves.
_api_token: ContextVar[list[str] | None] = ContextVar("duibiao_api_token", default=None)
TOKEN_TAG = re.compile(r"^\[dbt_([0-9a-f]{12})\]")


def bind_api_token_holder() -> Token[list[str] | None]:
    return _api_token.set([])


def unbind_api_token_holder(token: Token[list[str] | None]) -> None:
    _api_token.reset(token)


def note_api_token(key_id: str) -> None:
    """The request being served acts under this token (nothing outside a request)."""
    holder = _api_token.get()
    if holder is not None:
        holder[:] = [key_id]


def current_api_token() -> str | None:
    holder = _api_token.get()
    return holder[0] if holder else None


def token_tagged(detail: str, key_id: str) -> str:
    """The row's detail led by the token's key id: `detail` is hashed by the chain, so the
    key id is covered by it without changing the canonical form of any row."""
    return f"[dbt_{key_id}] {detail}".rstrip()


def token_tag(detail: str) -> str | None:
    """The key id a row's detail names, if any."""
    match = TOKEN_TAG.match(detail)
    return match.group(1) if match else None
