"""Administrators sign in with a password and a one-time code (等保 2.0 §8.1.4.1), kept as
django-otp TOTP devices: enrolment with a QR code, no replay, throttling, lockout."""

from __future__ import annotations

import base64
import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from duibiao.audit.models import AuditEntry
from duibiao.crypto.models import SealedTOTPDevice as TOTPDevice
from tests.conftest import PASSWORD


def password_step(client, username):
    return client.post(reverse("web:login"), {"username": username, "password": PASSWORD})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def code(key: bytes, steps_ahead: int = 0) -> str:
    """What an authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def shown_key(page: str) -> bytes:
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7]+)<', page).group(1)
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def test_reporters_need_no_second_factor(client, world):
    response = password_step(client, "tb_a")
    assert response.url == reverse("web:home") and signed_in(client)


def test_administrator_enrols_then_signs_in_with_a_code(client, world):
    response = password_step(client, "admin")
    assert response.url == reverse("web:login_otp") and not signed_in(client)
    assert client.get(reverse("web:home")).status_code == 302  # not in yet
    page = client.get(reverse("web:login_otp")).content.decode()
    assert "<svg" in page and 'data-testid="otp-secret"' in page
    key = shown_key(page)
    assert shown_key(client.get(reverse("web:login_otp")).content.decode()) == key  # same on reload
    wrong = client.post(reverse("web:login_otp"), {"code": "000000"})
    assert "动态口令不正确" in wrong.content.decode() and not signed_in(client)
    TOTPDevice.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    done = client.post(reverse("web:login_otp"), {"code": code(key)})
    assert done.url == reverse("web:home") and signed_in(client)
    device = TOTPDevice.objects.get(user=world["sysadmin"])
    assert device.confirmed and device.bin_key == key
    assert AuditEntry.objects.filter(action="login.otp.enrol", username="admin").exists()

    client.post(reverse("web:logout"))
    password_step(client, "admin")
    page = client.get(reverse("web:login_otp")).content.decode()
    assert "<svg" not in page  # enrolled: no new key shown
    later = client.post(reverse("web:login_otp"), {"code": code(key, steps_ahead=1)})
    assert later.url == reverse("web:home")


def enrolled(user, key: bytes = b"0123456789abcdefghij") -> bytes:
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True, key=key.hex())
    return key


def test_a_code_used_once_is_refused_in_another_session(client, world):
    key = enrolled(world["secadmin"])
    password_step(client, "secadmin")
    used = code(key)
    assert client.post(reverse("web:login_otp"), {"code": used}).url == reverse("web:home")
    thief = type(client)()
    password_step(thief, "secadmin")
    replay = thief.post(reverse("web:login_otp"), {"code": used})
    assert replay.status_code == 200 and not signed_in(thief)
    assert "已使用过" in replay.content.decode()


def test_wrong_codes_are_throttled(client, world):
    key = enrolled(world["auditor"])
    password_step(client, "auditor")
    client.post(reverse("web:login_otp"), {"code": "000000"})
    client.post(reverse("web:login_otp"), {"code": "000001"})  # too soon: not even checked
    throttled = client.post(reverse("web:login_otp"), {"code": code(key)})
    assert "秒后再试" in throttled.content.decode() and not signed_in(client)
    assert TOTPDevice.objects.get(user=world["auditor"]).throttling_failure_count == 1
    assert AuditEntry.objects.filter(action="login.otp", detail="throttled").count() == 2


def test_wrong_codes_count_towards_the_lockout(client, world, settings):
    settings.DUIBIAO_LOCKOUT_FAILURES = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the lockout alone is under test here
    key = enrolled(world["auditor"])
    password_step(client, "auditor")
    for _ in range(3):
        client.post(reverse("web:login_otp"), {"code": "123456"})
    assert world["auditor"].locked_until is not None and not signed_in(client)
    assert client.get(reverse("web:login_otp")).url == reverse("web:login")
    again = password_step(client, "auditor")  # the right password is refused while locked
    assert again.status_code == 200 and not signed_in(client)
    assert client.post(reverse("web:login_otp"), {"code": code(key)}).url == reverse("web:login")


def test_the_code_step_expires(client, world, settings):
    password_step(client, "secadmin")
    settings.DUIBIAO_OTP_PENDING_SECONDS = -1
    assert client.get(reverse("web:login_otp")).url == reverse("web:login")


@pytest.mark.parametrize("enabled", [True, False])
def test_policy_switch(client, world, settings, enabled):
    settings.DUIBIAO_ADMIN_2FA = enabled
    response = password_step(client, "admin")
    assert (response.url == reverse("web:login_otp")) is enabled


def test_the_admin_site_has_no_login_of_its_own(client, world):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith(reverse("web:login"))
    posted = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert posted.status_code == 302 and not signed_in(client)
