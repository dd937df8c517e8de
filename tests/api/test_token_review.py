"""API tokens after review: which token acted is in the audit log, a token held to some units
gets no action that belongs to no unit, refusals of one key id are throttled, and a user whose
password expired keeps his tokens (a token is a credential of its own, with its own expiry)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.accounts.models import ApiToken, User
from duibiao.accounts.tokens import REFUSALS_PER_MINUTE, TokenInvalid, token_create
from duibiao.audit.chain import chain_verify
from duibiao.audit.models import AuditEntry


def _make(user, *, actions, units=()):
    return token_create(actor=user, name="对接", actions=actions, units=list(units),
                        expires_on=timezone.localdate() + timedelta(days=30))


def _bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the refusal counts live in the cache
    yield
    cache.clear()


def test_every_audit_row_of_a_token_call_names_the_token_and_the_chain_holds(world, client_for):
    token, secret = _make(world["office"], actions=["org.tree.view", "org.unit.view"], units=["jingyu"])
    before = AuditEntry.objects.count()
    refused = _bearer(secret).get("/api/org/units/taigu")  # out of the token's units: a 404, audited
    assert refused.status_code == 404
    rows = list(AuditEntry.objects.filter(pk__gt=AuditEntry.objects.order_by("id")[before - 1].pk))
    assert rows and all(row.api_token_key == token.key_id for row in rows)
    assert all(secret.split("_", 2)[2] not in row.detail for row in rows)  # the key id, never the secret
    # A session call by the same user names no token; the next request on the thread neither.
    client_for(world["office"]).get("/api/org/units/nangang")
    assert AuditEntry.objects.order_by("-id").first().api_token_key is None
    # The key id is in `detail`, which the chain hashes: old and new rows verify alike.
    assert chain_verify().whole
    # The auditor's row page shows it.
    page = client_for(world["auditor"]).get(f"/audit/{rows[0].pk}/").content.decode()
    assert 'data-testid="api-token"' in page and f"dbt_{token.key_id}" in page


def test_a_refused_token_is_named_in_its_refusal(world):
    token, secret = _make(world["office"], actions=["org.tree.view"])
    _bearer(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get("/api/accounts/me")
    refusal = AuditEntry.objects.get(action="accounts.token.refused")
    assert refusal.api_token_key == token.key_id and "tampered" in refusal.detail


def test_a_unit_held_token_does_not_read_the_whole_audit_log(world):
    """The attack: a token for 靖宇街道 only, holding audit.log.view (made before the rule, or
    written into the table), read every row of the log through GET /api/audit/entries."""
    token = ApiToken.objects.create(owner=world["auditor"], name="旧令牌", key_id="0123456789ab",
                                    secret_hash="", actions=["audit.log.view"], every_unit=False,
                                    expires_at=timezone.now() + timedelta(days=5))
    token.units.set([world["a"]])
    user = User.objects.get(pk=world["auditor"].pk)
    gate.narrow(user, gate.Narrowing(actions=frozenset(token.actions), unit_paths=(world["a"].path,)))
    assert not gate.allows(user, "audit.log.view")
    assert "audit.log.view" not in gate.actions(user)
    # Through the API, with a real secret: the same token row reached over HTTP is refused.
    from duibiao.accounts import tokens
    secret = "s" * 43
    ApiToken.objects.filter(pk=token.pk).update(secret_hash=tokens._digest(secret))
    response = _bearer(f"dbt_{token.key_id}_{secret}").get("/api/audit/entries")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    # Without units (wherever the owner reaches) the auditor's collector still reads the log.
    _t, everywhere = _make(world["auditor"], actions=["audit.log.view"])
    assert _bearer(everywhere).get("/api/audit/entries?size=1").status_code == 200


def test_the_token_page_refuses_units_with_an_action_of_no_unit(world, client_for):
    with pytest.raises(TokenInvalid) as refused:
        _make(world["sysadmin"], actions=["org.tree.view", "org.tree.manage"], units=["jingyu"])
    assert set(refused.value.errors) == {"units"} and "不属于单位的操作" in refused.value.errors["units"][0]
    page = client_for(world["sysadmin"]).post("/accounts/tokens/", {
        "name": "对接", "actions": ["org.tree.view", "org.tree.manage"], "units": ["jingyu"],
        "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat()})
    assert page.status_code == 400 and 'data-testid="error-units"' in page.content.decode()
    assert not ApiToken.objects.exists()
    _make(world["sysadmin"], actions=["org.tree.view"], units=["jingyu"])  # scoped actions only: fine


def test_a_flood_of_wrong_secrets_is_throttled_and_stops_writing_audit_rows(world):
    token, secret = _make(world["office"], actions=["org.tree.view"])
    wrong = _bearer(secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    answers = [wrong.get("/api/accounts/me") for _ in range(REFUSALS_PER_MINUTE + 5)]
    assert [a.status_code for a in answers[:REFUSALS_PER_MINUTE]] == [401] * REFUSALS_PER_MINUTE
    throttled = answers[-1]
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert "请求过于频繁" in throttled.json()["detail"] and int(throttled["Retry-After"]) >= 1
    assert AuditEntry.objects.filter(action="accounts.token.refused").count() == REFUSALS_PER_MINUTE
    # The schema page answers 429 too, and writes nothing.
    assert wrong.get("/api/openapi.json").status_code == 429
    assert AuditEntry.objects.filter(action="accounts.token.refused").count() == REFUSALS_PER_MINUTE
    # The right secret still works: knowing a key id (it is not secret) cannot lock an integration out.
    assert _bearer(secret).get("/api/accounts/me").status_code == 200
    # Another key id is counted on its own.
    _other, other_secret = _make(world["office"], actions=["org.tree.view"], )
    assert _bearer(other_secret[:-2] + "zz").get("/api/accounts/me").status_code == 401


@override_settings(DUIBIAO_PASSWORD_MAX_AGE_DAYS=90)
def test_a_token_outlives_its_owners_expired_password(world, client_for):
    """Decided (docs/api.md, docs/security.md §身份鉴别): a token is a credential of its own,
    with its own expiry (≤ 366 days) and revocation; the password's age does not stop it.
    The owner's session is stopped at the change page as ever."""
    _t, secret = _make(world["office"], actions=["org.tree.view"])
    User.objects.filter(pk=world["office"].pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    session = client_for(User.objects.get(pk=world["office"].pk)).get("/api/accounts/me")
    assert session.status_code == 403 and session.json()["code"] == "password_expired"
    assert _bearer(secret).get("/api/accounts/me").status_code == 200
