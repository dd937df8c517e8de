"""The second-factor secrets sealed at rest (SM4-GCM): not in the database as they are, still
a working sign-in (also after a key rotation), refused when changed, and migrated."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice as RawDevice

from duibiao.audit.models import AuditEntry
from duibiao.crypto.models import SealedTOTPDevice
from tests.accounts.test_second_factor import code, password_step, signed_in

KEY = b"0123456789abcdefghij"
SM4_KEY = "00112233445566778899aabbccddeeff"
NEW_SM4_KEY = "ffeeddccbbaa99887766554433221100"


def _stored(device) -> str:
    return RawDevice.objects.values_list("key", flat=True).get(pk=device.pk)


def test_the_key_is_sealed_in_the_database_and_opens_to_the_same_bytes(world, settings):
    settings.DUIBIAO_SM4_KEY = SM4_KEY
    device = SealedTOTPDevice.objects.create(user=world["sysadmin"], name="authenticator", confirmed=True, key=KEY.hex())
    stored = _stored(device)
    assert stored.startswith("sm4:") and KEY.hex() not in stored and len(stored) <= 80
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == KEY
    # a default key (what enrolment makes) is sealed too
    fresh = SealedTOTPDevice.objects.create(user=world["secadmin"], name="authenticator", confirmed=False)
    assert _stored(fresh).startswith("sm4:") and len(fresh.bin_key) == 20


def test_a_sign_in_with_a_sealed_secret_works_and_after_a_key_rotation(client, world, settings):
    settings.DUIBIAO_SM4_KEY = SM4_KEY
    SealedTOTPDevice.objects.create(user=world["sysadmin"], name="authenticator", confirmed=True, key=KEY.hex())
    password_step(client, "admin")
    assert client.post(reverse("web:login_otp"), {"code": code(KEY)}).url == reverse("web:home")
    assert signed_in(client)

    settings.DUIBIAO_SM4_KEY, settings.DUIBIAO_SM4_OLD_KEYS = NEW_SM4_KEY, [SM4_KEY]
    again = type(client)()
    password_step(again, "admin")
    later = again.post(reverse("web:login_otp"), {"code": code(KEY, steps_ahead=1)})
    assert later.url == reverse("web:home")


def test_a_changed_sealed_secret_is_refused_with_a_reason(client, world, settings):
    settings.DUIBIAO_SM4_KEY = SM4_KEY
    device = SealedTOTPDevice.objects.create(user=world["sysadmin"], name="authenticator", confirmed=True, key=KEY.hex())
    stored = _stored(device)
    flipped = stored[:-3] + ("A" if stored[-3] != "A" else "B") + stored[-2:]
    RawDevice.objects.filter(pk=device.pk).update(key=flipped)  # an attacker with database access
    password_step(client, "admin")
    refused = client.post(reverse("web:login_otp"), {"code": code(KEY)})
    assert refused.status_code == 200 and not signed_in(client)
    assert "无法解密" in refused.content.decode()
    assert AuditEntry.objects.filter(action="login.otp", success=False, detail="sealed key refused").exists()


def test_a_plain_key_written_around_the_application_is_not_trusted(client, world, settings):
    RawDevice.objects.create(user=world["sysadmin"], name="authenticator", confirmed=True, key=KEY.hex())
    password_step(client, "admin")
    refused = client.post(reverse("web:login_otp"), {"code": code(KEY)})
    assert refused.status_code == 200 and not signed_in(client)


def test_a_secret_kept_when_the_sm4_key_is_gone_is_refused_not_guessed(client, world, settings):
    settings.DUIBIAO_SM4_KEY = SM4_KEY
    SealedTOTPDevice.objects.create(user=world["sysadmin"], name="authenticator", confirmed=True, key=KEY.hex())
    settings.DUIBIAO_SM4_KEY, settings.DUIBIAO_SM4_OLD_KEYS = NEW_SM4_KEY, []
    password_step(client, "admin")
    refused = client.post(reverse("web:login_otp"), {"code": code(KEY)})
    assert "无法解密" in refused.content.decode() and not signed_in(client)


def test_the_migration_seals_existing_keys_and_opens_them_backwards(world, settings):
    settings.DUIBIAO_SM4_KEY = SM4_KEY
    migration = importlib.import_module("duibiao.crypto.migrations.0002_seal_totp_keys")
    device = RawDevice.objects.create(user=world["sysadmin"], name="authenticator", confirmed=True, key=KEY.hex())
    migration.seal_keys(apps, None)
    assert _stored(device).startswith("sm4:")
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == KEY
    migration.seal_keys(apps, None)  # twice changes nothing: sealed keys are left alone
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == KEY
    migration.open_keys(apps, None)
    assert _stored(device) == KEY.hex()
