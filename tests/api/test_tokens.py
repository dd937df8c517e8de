"""API tokens: made on the user's own page (the secret shown once, kept hashed), used with
`Authorization: Bearer`, narrowed to their units and actions through the gate, and every
attack on them refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from duibiao.accounts.models import ApiToken
from duibiao.accounts.tokens import TokenInvalid, token_create, token_revoke
from duibiao.audit.models import AuditEntry

READ = ["org.tree.view", "org.unit.view", "assessment.scheme.view", "assessment.report.view", "assessment.submission.view"]


def _make(user, *, actions=READ, units=(), days=30, name="对接"):
    return token_create(actor=user, name=name, actions=actions, units=list(units),
                        expires_on=timezone.localdate() + timedelta(days=days))


def _bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _codes(response) -> list[str]:
    return [unit["code"] for unit in response.json()["items"]]


def test_a_token_calls_as_its_owner_within_its_units(world):
    token, secret = _make(world["office"], units=["jingyu"])
    client = _bearer(secret)
    assert client.get("/api/accounts/me").json()["username"] == "khb"
    assert _codes(client.get("/api/org/units")) == ["jingyu"]
    assert client.get("/api/org/units/jingyu").status_code == 200
    # The office itself reads 太古街道; its token scoped to 靖宇街道 does not.
    refused = client.get("/api/org/units/taigu")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_secret_is_kept_only_as_a_keyed_hash(world):
    token, secret = _make(world["office"])
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith(f"dbt_{stored.key_id}_")
    assert secret.split("_", 2)[2] not in json.dumps(list(ApiToken.objects.values_list()), default=str)
    assert len(stored.secret_hash) == 64
    created = AuditEntry.objects.get(action="accounts.token.create")
    assert secret.split("_", 2)[2] not in json.dumps([created.before, created.after])


@pytest.mark.parametrize("spoil", ["expired", "revoked", "tampered", "truncated", "garbage", "inactive"])
def test_a_spoilt_token_is_refused_with_401(world, spoil):
    token, secret = _make(world["office"])
    if spoil == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "revoked":
        token_revoke(actor=world["office"], token=token, version=token.version)
    elif spoil == "tampered":  # the right key id, one character of the secret changed
        secret = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    elif spoil == "truncated":
        secret = secret[:-3]
    elif spoil == "garbage":
        secret = "dbt_000000000000_" + "x" * 43
    elif spoil == "inactive":
        type(world["office"]).objects.filter(pk=world["office"].pk).update(is_active=False)
    response = _bearer(secret).get("/api/accounts/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated" and "令牌" in body["detail"] and body["errors"] == {}


def test_a_refused_token_is_not_rescued_by_a_session(world, client_for):
    token, secret = _make(world["office"])
    token_revoke(actor=world["office"], token=token, version=token.version)
    signed_in = client_for(world["office"])
    assert signed_in.get("/api/accounts/me").status_code == 200
    assert signed_in.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_another_users_token_is_his_not_mine(world):
    """A reporter's token reads what the reporter reads, not the office's units."""
    _token, secret = _make(world["reporter_a"], actions=["org.tree.view"])
    client = _bearer(secret)
    assert client.get("/api/accounts/me").json()["username"] == "tb_a"
    assert _codes(client.get("/api/org/units")) == ["jingyu"]
    assert client.get("/api/org/units/taigu").status_code == 404


def test_a_read_token_cannot_write(assessed):
    w = assessed
    url = f"/api/assessment/periods/{w['period'].pk}/units/jingyu/values/nl04"
    body = json.dumps({"value": "88", "version": 0})
    _token, read_only = _make(w["reporter_a"])
    refused = _bearer(read_only).put(url, body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert not w["period"].submissions.exists()
    # The same owner's token that names the write does it, without any CSRF token.
    _token, writer = _make(w["reporter_a"], actions=[*READ, "assessment.submission.report"])
    done = _bearer(writer).put(url, body, content_type="application/json")
    assert done.status_code == 200, done.content
    assert w["period"].submissions.get().value == 88


def test_a_token_scoped_to_unit_a_cannot_write_unit_b(assessed):
    w = assessed
    _token, secret = _make(w["office"], actions=[*READ, "assessment.submission.report"], units=["jingyu"])
    body = json.dumps({"value": "88", "version": 0})
    refused = _bearer(secret).put(f"/api/assessment/periods/{w['period'].pk}/units/taigu/values/nl04", body,
                                  content_type="application/json")
    assert refused.status_code == 404
    assert not w["period"].submissions.exists()


def test_session_writes_still_need_csrf(assessed):
    w = assessed
    client = Client(enforce_csrf_checks=True)
    client.force_login(w["reporter_a"])
    url = f"/api/assessment/periods/{w['period'].pk}/units/jingyu/values/nl04"
    response = client.put(url, json.dumps({"value": "88", "version": 0}), content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert not w["period"].submissions.exists()


def test_a_grant_withdrawn_from_the_owner_is_withdrawn_from_his_token(world):
    from duibiao.accounts.services import role_revoke

    _token, secret = _make(world["reporter_a"], actions=["org.tree.view"])
    assert _bearer(secret).get("/api/org/units/jingyu").status_code == 200
    role_revoke(actor=None, grant=world["reporter_a"].grants.get())
    assert _bearer(secret).get("/api/org/units/jingyu").status_code in (403, 404)


def test_a_token_cannot_ask_for_more_than_its_owner_holds(world):
    with pytest.raises(TokenInvalid) as refused:
        _make(world["reporter_a"], actions=["org.tree.view", "assessment.run.publish"], units=["taigu"])
    assert set(refused.value.errors) == {"actions", "units"}
    with pytest.raises(TokenInvalid) as too_long:
        _make(world["reporter_a"], actions=["org.tree.view"], days=400)
    assert "expires_on" in too_long.value.errors


def test_a_token_cannot_make_or_revoke_tokens(world):
    token, secret = _make(world["office"])
    client = _bearer(secret)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 302 and "/login" in page["Location"]  # pages know sessions only
    posted = client.post("/accounts/tokens/", {"name": "再来一个", "actions": READ, "expires_on": "2099-01-01"})
    assert posted.status_code == 302 and ApiToken.objects.count() == 1
    client.post(f"/accounts/tokens/{token.pk}/revoke/", {"version": token.version})
    assert ApiToken.objects.get().revoked_at is None
    # And a user narrowed by a token is refused by the service itself.
    from duibiao.accounts.tokens import token_authenticate

    with pytest.raises(TokenInvalid):
        _make(token_authenticate(secret), actions=["org.tree.view"])
    assert "accounts.token.manage" not in [code for code, _ in __import__(
        "duibiao.accounts.tokens", fromlist=["x"]).token_choices(user=world["office"]).actions]


def test_the_schema_is_for_signed_in_users_and_tokens(world, client_for):
    anonymous = Client()
    assert anonymous.get("/api/openapi.json").status_code in (302, 401)
    assert anonymous.get("/api/docs").status_code in (302, 401)
    _token, secret = _make(world["reporter_a"], actions=["org.tree.view"])
    assert _bearer(secret).get("/api/openapi.json").json()["info"]["title"] == "对标 API"
    assert _bearer(secret[:-2]).get("/api/openapi.json").status_code == 401
    assert client_for(world["reporter_a"]).get("/api/openapi.json").status_code == 200


def test_the_token_page_creates_shows_once_and_revokes(world, client_for):
    client = client_for(world["reporter_a"])
    assert 'data-testid="tokens-link"' in client.get("/accounts/password/").content.decode()
    refused = client.post("/accounts/tokens/", {"name": "", "actions": ["assessment.run.publish"],
                                                "expires_on": "昨天"})
    assert refused.status_code == 400
    assert 'data-testid="error-expires_on"' in refused.content.decode()
    refused = client.post("/accounts/tokens/", {"name": "", "actions": ["assessment.run.publish"],
                                                "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat()})
    text = refused.content.decode()
    assert 'data-testid="error-name"' in text and 'data-testid="error-actions"' in text
    made = client.post("/accounts/tokens/", {"name": "统计对接", "actions": ["org.tree.view"], "units": ["jingyu"],
                                             "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat()})
    # POST / redirect / GET: the secret is shown by the page the POST redirects to, once.
    assert made.status_code == 302 and made["Location"] == "/accounts/tokens/"
    shown = client.get(made["Location"])
    assert shown["Cache-Control"].startswith("max-age=0")
    text = shown.content.decode()
    token = ApiToken.objects.get()
    secret = text.split(f"dbt_{token.key_id}_", 1)[1][:43]
    assert _bearer(f"dbt_{token.key_id}_{secret}").get("/api/org/units/jingyu").status_code == 200
    listed = client.get("/accounts/tokens/").content.decode()  # a refresh
    assert token.key_id in listed and secret not in listed  # shown once
    assert ApiToken.objects.count() == 1  # and the refresh made no second token
    stale = client.post(f"/accounts/tokens/{token.pk}/revoke/", {"version": token.version + 5}, follow=True)
    assert "已被撤销或已在别处修改" in stale.content.decode()
    client.post(f"/accounts/tokens/{token.pk}/revoke/", {"version": token.version})
    assert _bearer(f"dbt_{token.key_id}_{secret}").get("/api/org/units/jingyu").status_code == 401
    assert AuditEntry.objects.filter(action="accounts.token.revoke", user=world["reporter_a"]).exists()
    # Another user does not see or revoke it.
    other = client_for(world["office"])
    assert token.key_id not in other.get("/accounts/tokens/").content.decode()
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/", {"version": 2}).status_code == 404


def test_a_token_narrows_a_role_that_reaches_every_unit(world):
    """The system administrator's directory reaches every unit; his token for 靖宇街道 does not."""
    _token, secret = _make(world["sysadmin"], actions=["org.tree.view"], units=["jingyu"])
    client = _bearer(secret)
    assert _codes(client.get("/api/org/units")) == ["jingyu"]
    assert client.get("/api/org/units/nangang").status_code == 404
    _token, everywhere = _make(world["sysadmin"], actions=["org.tree.view"])
    assert "nangang" in _codes(_bearer(everywhere).get("/api/org/units?size=200"))
