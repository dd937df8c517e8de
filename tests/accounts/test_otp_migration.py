"""Authenticators enrolled before django-otp keep working: the data migration turns each
user's base32 secret into a TOTP device with the same key (and back)."""

from __future__ import annotations

import base64
import time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_otp.oath import TOTP

from duibiao.crypto.text import device_binding, open_text

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0003_user_no_django_privileges")]
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 20 bytes, as pyotp.random_base32() made them


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_apps(db):
    apps = _migrate(BEFORE)
    try:
        yield apps
    finally:
        _migrate(_latest())


def test_enrolled_secrets_become_devices_that_accept_the_same_codes(old_apps):
    User = old_apps.get_model("accounts", "User")
    enrolled = User.objects.create(username="admin", totp_secret=SECRET, totp_enabled_at=timezone.now())
    User.objects.create(username="half", totp_secret="ABCDEFGHIJKLMNOP")  # never confirmed
    User.objects.create(username="tb_a")

    new_apps = _migrate(_latest())
    devices = list(new_apps.get_model("otp_totp", "TOTPDevice").objects.all())
    assert [(d.user_id, d.confirmed) for d in devices] == [(enrolled.pk, True)]
    # ... sealed with SM4 by duibiao_crypto 0002, opening to the same key
    assert devices[0].key.startswith("sm4:")
    key = open_text(devices[0].key, bound_to=device_binding(enrolled.pk))
    assert key == base64.b32decode(SECRET)
    # The app's code (computed from the old base32 secret) is the device's code.
    app, server = TOTP(base64.b32decode(SECRET)), TOTP(key)
    app.time = server.time = time.time()
    assert app.token() == server.token()
    assert "totp_secret" not in {f.name for f in new_apps.get_model("accounts", "User")._meta.fields}


def test_migrating_back_restores_the_secret(old_apps):
    User = old_apps.get_model("accounts", "User")
    User.objects.create(username="admin", totp_secret=SECRET, totp_enabled_at=timezone.now())
    _migrate(_latest())
    back = _migrate(BEFORE)
    admin = back.get_model("accounts", "User").objects.get(username="admin")
    assert admin.totp_secret == SECRET and admin.totp_enabled_at is not None
