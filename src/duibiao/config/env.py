"""Typed helpers that read settings from environment variables.

Every setting of the system comes from the environment so that one build runs the demo,
the tests and production; nothing secret is ever committed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{name}={raw!r}: expected one of {sorted(TRUE_WORDS | FALSE_WORDS)}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r}: expected an integer") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r}: expected a number") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key(var_dir: Path) -> str:
    """The key from DUIBIAO_SECRET_KEY, else one generated once into var/secret_key."""
    from_env = os.environ.get("DUIBIAO_SECRET_KEY")
    if from_env:
        return from_env
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def database_config(url: str, conn_max_age: int = 60) -> dict[str, Any]:
    """Django's database settings for a URL (sqlite:///path or postgres://user:pw@host/db).

    SQLite is tuned for several writers: WAL lets readers work beside a writer; the busy
    timeout and IMMEDIATE transactions make concurrent writers wait for the lock instead of
    failing with "database is locked" half-way through a transaction.
    """
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    # A kept connection is checked before a request uses it: after PostgreSQL restarts (or a
    # failover), each worker reconnects instead of failing its next request with the dead one.
    config["CONN_HEALTH_CHECKS"] = conn_max_age != 0
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
        if config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
            # Tests use a file too (beside the database): the browser tests' live server
            # answers from several threads, and an in-memory database would be shared
            # between them, which Django refuses when a thread closes it.
            name = Path(config["NAME"])
            config["TEST"] = {"NAME": str(name.with_name(f"test_{name.name}"))}
    return config


def header_meta_key(header: str) -> str:
    """The request.META key of an HTTP header name: "X-Forwarded-For" → "HTTP_X_FORWARDED_FOR"."""
    key = header.strip().upper().replace("-", "_")
    return key if key.startswith("HTTP_") else f"HTTP_{key}"


def env_proxies(name: str, default: str) -> int | tuple[str, ...]:
    """Trusted reverse proxies: a number of proxies in front ("1"), or their addresses and
    networks ("127.0.0.1, 10.0.0.0/8"). Checked here so that a typo stops the start."""
    import ipaddress

    raw = os.environ.get(name, default).strip()
    if raw.isdigit():
        return int(raw)
    networks = [item.strip() for item in raw.split(",") if item.strip()]
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise ValueError(f"{name}={raw!r}: {network!r} is neither a number nor an address") from exc
    return tuple(networks)
