"""Second-factor secrets move from the user row (pyotp, base32) to django-otp TOTP devices
(hex keys): same key, same 30-second step and 6 digits, so every enrolled authenticator app
keeps working."""

import base64

from django.db import migrations
from django.utils import timezone


def _key_from_base32(secret: str) -> str:
    secret = secret.strip().replace(" ", "").upper()
    secret += "=" * (-len(secret) % 8)
    return base64.b32decode(secret, casefold=True).hex()


def to_devices(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    enrolled = User.objects.exclude(totp_secret="").filter(totp_enabled_at__isnull=False)
    for user in enrolled:
        TOTPDevice.objects.create(
            user_id=user.pk, name="authenticator", confirmed=True,
            key=_key_from_base32(user.totp_secret), created_at=user.totp_enabled_at,
        )


def to_user_rows(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.filter(confirmed=True).order_by("pk"):
        secret = base64.b32encode(bytes.fromhex(device.key)).decode().rstrip("=")
        User.objects.filter(pk=device.user_id, totp_secret="").update(
            totp_secret=secret, totp_enabled_at=device.created_at or timezone.now()
        )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_user_no_django_privileges"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(to_devices, to_user_rows)]
