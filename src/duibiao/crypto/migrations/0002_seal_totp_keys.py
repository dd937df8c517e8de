"""Seal every TOTP device key already stored (hex in django-otp's column) with SM4-GCM under
the configured key; backwards, open them to hex again. Same key bytes either way, so every
enrolled authenticator app keeps working."""

from django.db import migrations

from duibiao.crypto.text import device_binding, is_sealed_text, open_text, seal_text


def seal_keys(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.order_by("pk"):
        if not is_sealed_text(device.key):
            TOTPDevice.objects.filter(pk=device.pk).update(
                key=seal_text(bytes.fromhex(device.key), bound_to=device_binding(device.user_id)))


def open_keys(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.order_by("pk"):
        if is_sealed_text(device.key):
            TOTPDevice.objects.filter(pk=device.pk).update(
                key=open_text(device.key, bound_to=device_binding(device.user_id)).hex())


class Migration(migrations.Migration):

    dependencies = [
        ("duibiao_crypto", "0001_sealed_totp_device"),
        # the devices made from the users' old secrets are sealed too
        ("accounts", "0004_totp_devices"),
    ]

    operations = [migrations.RunPython(seal_keys, open_keys)]
