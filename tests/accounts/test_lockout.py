"""Login abuse (security review item 7): lockout per account at an address, per address and
per account, the same page for unknown, wrong and locked, the trusted proxy header."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from duibiao.accounts.lockout import locks
from tests.conftest import PASSWORD

ATTACKER = "203.0.113.9"


def post_login(client, username, password, ip="198.51.100.1", **headers):
    return client.post(reverse("web:login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture(autouse=True)
def _policy(settings):
    settings.DUIBIAO_LOCKOUT_FAILURES = 5
    settings.DUIBIAO_LOCKOUT_CLIENT_FAILURES = 20
    settings.DUIBIAO_LOCKOUT_ACCOUNT_FAILURES = 50
    settings.DUIBIAO_LOCKOUT_MINUTES = 30
    settings.DUIBIAO_ADMIN_2FA = False  # the password step alone decides here


ACCOUNTS = ["tb_a", "tb_b", "fzr_a", "khb", "zb1", "leader", "admin", "secadmin", "auditor"]


def test_one_client_cannot_lock_other_peoples_accounts(client, world):
    """The review's attack: one client fails five times on every account, administrators
    included. Its own address ends up locked; every owner still signs in from his own."""
    for username in ACCOUNTS:
        for _ in range(5):
            post_login(client, username, "wrong", ip=ATTACKER)
    for number, username in enumerate(ACCOUNTS, start=10):
        owner = type(client)()
        response = post_login(owner, username, PASSWORD, ip=f"198.51.100.{number}")
        assert response.status_code == 302 and signed_in(owner), username
    # The attacking address is locked for every account, even with the right password.
    refused = post_login(client, "tb_a", PASSWORD, ip=ATTACKER)
    assert refused.status_code == 200 and not signed_in(client)
    assert {lock.kind for lock in locks()} >= {"address"}
    assert not [lock for lock in locks() if lock.kind == "account"]


def test_an_address_is_locked_after_its_own_limit_across_accounts(client, world):
    for n in range(19):
        post_login(client, f"guess{n}", "wrong", ip=ATTACKER)
    assert post_login(type(client)(), "tb_a", PASSWORD, ip=ATTACKER).status_code == 302  # 19: not yet
    post_login(client, "guess19", "wrong", ip=ATTACKER)
    late = type(client)()
    assert post_login(late, "tb_b", PASSWORD, ip=ATTACKER).status_code == 200 and not signed_in(late)
    elsewhere = type(client)()
    assert post_login(elsewhere, "tb_b", PASSWORD, ip="198.51.100.77").status_code == 302


def test_an_account_is_locked_across_addresses_at_its_own_limit(client, world, settings):
    settings.DUIBIAO_LOCKOUT_FAILURES = 3
    settings.DUIBIAO_LOCKOUT_ACCOUNT_FAILURES = 6
    for ip in ("192.0.2.1", "192.0.2.2"):
        for _ in range(3):
            post_login(client, "tb_a", "wrong", ip=ip)
    owner = type(client)()
    assert post_login(owner, "tb_a", PASSWORD, ip="198.51.100.5").status_code == 200
    assert not signed_in(owner)
    assert [lock.kind for lock in locks("tb_a")].count("account") == 1
    other = type(client)()
    assert post_login(other, "tb_b", PASSWORD, ip="198.51.100.5").status_code == 302


def _page_text(response) -> bytes:
    # The CSRF token (in the form and in htmx's headers) is masked afresh on every render;
    # everything else must be identical.
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


def test_unknown_wrong_and_locked_read_exactly_the_same(client, world):
    unknown = post_login(client, "nobody_here", "wrong")
    wrong = post_login(client, "tb_b", "wrong")
    for _ in range(5):
        post_login(client, "tb_a", "wrong", ip="192.0.2.50")
    locked = post_login(client, "tb_a", PASSWORD, ip="192.0.2.50")
    assert world["reporter_a"].locked_until is not None and not signed_in(client)
    assert unknown.status_code == wrong.status_code == locked.status_code == 200
    assert _page_text(unknown) == _page_text(wrong) == _page_text(locked)
    assert "用户名或密码错误" in unknown.content.decode()


def test_unknown_names_are_counted_like_real_ones(client, world):
    """A lock says nothing about existence: a made-up name locks after the same five."""
    for _ in range(5):
        post_login(client, "made_up_name", "wrong", ip="192.0.2.60")
    assert [lock.username for lock in locks("made_up_name")] == ["made_up_name"]


def test_a_lock_lifts_after_the_cool_off(client, world):
    for _ in range(5):
        post_login(client, "tb_a", "wrong")
    assert post_login(client, "tb_a", PASSWORD).status_code == 200
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert post_login(client, "tb_a", PASSWORD).status_code == 302


def test_a_good_sign_in_forgets_only_that_account_at_that_address(client, world):
    for _ in range(4):
        post_login(client, "tb_a", "wrong", ip=ATTACKER)
    for _ in range(3):
        post_login(client, "tb_b", "wrong", ip=ATTACKER)
    assert post_login(type(client)(), "tb_a", PASSWORD, ip=ATTACKER).status_code == 302
    left = {(a.username, a.failures_since_start) for a in AccessAttempt.objects.all()}
    assert left == {("tb_b", 3)}  # tb_a's count is gone, the other account's failures stay


def test_without_a_trusted_proxy_a_forwarded_header_changes_nothing(client, world, settings):
    settings.DUIBIAO_TRUSTED_PROXY_HEADER = ""
    for n in range(5):  # a new forged address each time: still one client
        post_login(client, "tb_a", "wrong", ip=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert post_login(client, "tb_a", PASSWORD, ip=ATTACKER).status_code == 200


def test_behind_the_proxy_each_client_is_counted_apart(client, world, settings):
    # The address comes from the same place as the audit log's (duibiao.audit.context).
    settings.DUIBIAO_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.DUIBIAO_TRUSTED_PROXIES = 1
    for _ in range(5):
        post_login(client, "tb_a", "wrong", ip="10.0.0.2", HTTP_X_FORWARDED_FOR=ATTACKER)
    owner = type(client)()
    response = post_login(owner, "tb_a", PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.3")
    assert response.status_code == 302 and signed_in(owner)
    # A forged first entry does not make the attacker someone else.
    again = post_login(client, "tb_a", PASSWORD, ip="10.0.0.2",
                       HTTP_X_FORWARDED_FOR=f"198.51.100.3, {ATTACKER}")
    assert again.status_code == 200 and not signed_in(client)
