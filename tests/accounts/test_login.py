"""Login policy: lockout after repeated failures, audit of every attempt, complexity (the
lockout per account and per client address in detail: test_lockout.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from duibiao.audit.models import AuditEntry
from tests.conftest import PASSWORD


def post_login(client, username, password):
    return client.post(reverse("web:login"), {"username": username, "password": password})


def test_login_page_is_chinese_by_default(client, db):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "用户登录" in text and 'lang="zh-CN"' in text


def test_good_login_lands_on_home(client, world):
    response = post_login(client, "tb_a", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("web:home")
    assert AuditEntry.objects.filter(action="login", username="tb_a", success=True).exists()


def test_bad_password_is_refused_and_audited(client, world):
    response = post_login(client, "tb_a", "wrong")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert AuditEntry.objects.filter(action="login", username="tb_a", success=False).count() == 1


def test_account_locks_after_five_failures(client, world, settings):
    settings.DUIBIAO_LOCKOUT_FAILURES = 5
    for _ in range(4):
        post_login(client, "tb_a", "wrong")
    assert world["reporter_a"].locked_until is None  # four are not enough
    post_login(client, "tb_a", "wrong")
    response = post_login(client, "tb_a", PASSWORD)  # the right password, now refused
    assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert world["reporter_a"].locked_until is not None
    assert AuditEntry.objects.filter(action="login", username="tb_a", detail="locked").exists()


def test_open_redirect_is_refused(client, world):
    response = client.post(
        reverse("web:login"), {"username": "tb_a", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.url == reverse("web:home")


def test_logout_needs_post_and_is_audited(client_for, world):
    client = client_for(world["reporter_a"])
    assert client.get(reverse("web:logout")).status_code == 405
    assert client.post(reverse("web:logout")).status_code == 302
    assert AuditEntry.objects.filter(action="logout", username="tb_a").exists()


def test_idle_timeout_is_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.parametrize("weak", ["short1!", "alllowercaseletters", "abcdefghij12"])
def test_weak_passwords_are_rejected(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_strong_password_passes():
    validate_password("Duibiao@2026x")
