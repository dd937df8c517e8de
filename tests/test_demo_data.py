"""The demo (`duibiao demo-data`), loaded once for this module: it takes seconds, so every test
that needs the whole demo reads the same load instead of building its own."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """The printed output of one `demo_data` load; the rows stay until the module ends, then
    the outer transaction is rolled back so no other module sees them."""
    # The same fast hasher as every other test (tests/conftest.py), set here because a
    # module fixture runs before the per-test settings.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        out = StringIO()
        call_command("demo_data", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_demo_data_is_deterministic_and_rerunnable(db, demo_output):
    from duibiao.accounts.models import User
    from duibiao.demo import DEMO_PASSWORD
    from duibiao.org.models import TaskForce, Unit

    assert "khb" in demo_output and DEMO_PASSWORD in demo_output
    counts = (Unit.objects.count(), User.objects.count(), TaskForce.objects.count())
    call_command("demo_data", stdout=StringIO())
    assert (Unit.objects.count(), User.objects.count(), TaskForce.objects.count()) == counts
    assert Unit.objects.filter(category__isnull=False).count() >= 40
    assert TaskForce.objects.count() == 4
    assert set(Unit.objects.filter(category__code="street").values_list("name", flat=True)) >= {
        "靖宇街道", "太古街道", "团结镇", "民主镇"
    }
    reporter = User.objects.get(username="jingyu_tb")
    assert reporter.check_password(DEMO_PASSWORD)
    assert reporter.unit.name == "靖宇街道"


def test_demo_administrators_are_enrolled_with_their_printed_key(db, demo_output):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from duibiao.accounts.models import User
    from duibiao.demo import demo_otp_secret

    device = TOTPDevice.objects.get(user=User.objects.get(username="admin"))
    assert device.confirmed and device.bin_key == base64.b32decode(demo_otp_secret("admin"))
    assert demo_otp_secret("admin") in demo_output
