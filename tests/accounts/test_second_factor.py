"""Administrators sign in with a password and a one-time code (等保 2.0 §8.1.4.1)."""

from __future__ import annotations

import pyotp
import pytest
from django.urls import reverse

from duibiao.audit.models import AuditEntry
from tests.conftest import PASSWORD


def password_step(client, username):
    return client.post(reverse("web:login"), {"username": username, "password": PASSWORD})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_reporters_need_no_second_factor(client, world):
    response = password_step(client, "tb_a")
    assert response.url == reverse("web:home") and signed_in(client)


def test_administrator_enrols_then_signs_in_with_a_code(client, world):
    response = password_step(client, "admin")
    assert response.url == reverse("web:login_otp") and not signed_in(client)
    assert client.get(reverse("web:home")).status_code == 302  # not in yet
    page = client.get(reverse("web:login_otp")).content.decode()
    assert "<svg" in page and 'data-testid="otp-secret"' in page
    secret = client.session["otp_secret"]
    wrong = client.post(reverse("web:login_otp"), {"code": "000000"})
    assert "动态口令不正确" in wrong.content.decode() and not signed_in(client)
    done = client.post(reverse("web:login_otp"), {"code": pyotp.TOTP(secret).now()})
    assert done.url == reverse("web:home") and signed_in(client)
    world["sysadmin"].refresh_from_db()
    assert world["sysadmin"].totp_secret == secret and world["sysadmin"].totp_enabled_at
    assert AuditEntry.objects.filter(action="login.otp.enrol", username="admin").exists()

    client.post(reverse("web:logout"))
    password_step(client, "admin")
    page = client.get(reverse("web:login_otp")).content.decode()
    assert "<svg" not in page  # enrolled: no new secret shown
    assert client.post(reverse("web:login_otp"), {"code": pyotp.TOTP(secret).now()}).url == reverse("web:home")


def test_wrong_codes_count_towards_the_lockout(client, world, settings):
    settings.DUIBIAO_LOCKOUT_FAILURES = 3
    password_step(client, "auditor")
    for _ in range(3):
        client.post(reverse("web:login_otp"), {"code": "123456"})
    world["auditor"].refresh_from_db()
    assert world["auditor"].locked_until is not None and not signed_in(client)
    assert client.get(reverse("web:login_otp")).url == reverse("web:login")


def test_the_code_step_expires(client, world, settings):
    password_step(client, "secadmin")
    settings.DUIBIAO_OTP_PENDING_SECONDS = -1
    assert client.get(reverse("web:login_otp")).url == reverse("web:login")


@pytest.mark.parametrize("enabled", [True, False])
def test_policy_switch(client, world, settings, enabled):
    settings.DUIBIAO_ADMIN_2FA = enabled
    response = password_step(client, "admin")
    assert (response.url == reverse("web:login_otp")) is enabled


def test_demo_administrators_are_enrolled_with_their_printed_key(db):
    from io import StringIO

    from django.core.management import call_command

    from duibiao.accounts.models import User
    from duibiao.demo import demo_otp_secret

    out = StringIO()
    call_command("demo_data", stdout=out)
    admin = User.objects.get(username="admin")
    assert admin.totp_enabled_at and admin.totp_secret == demo_otp_secret("admin")
    assert demo_otp_secret("admin") in out.getvalue()
    assert pyotp.TOTP(admin.totp_secret).now().isdigit()


def test_the_admin_site_has_no_login_of_its_own(client, world):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith(reverse("web:login"))
    posted = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert posted.status_code == 302 and not signed_in(client)
