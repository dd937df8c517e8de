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


def test_demo_holds_a_published_past_period_and_an_open_one_with_values_in_every_state(db, demo_output):
    from duibiao.assessment.models import Period, ScoringRun, Submission
    from duibiao.org.models import Unit

    published = ScoringRun.objects.filter(stage=ScoringRun.Stage.PUBLISHED).select_related("period")
    assert [run.period.status for run in published] == [Period.Status.CLOSED]
    current = Period.objects.get(status=Period.Status.OPEN)
    assert current.opens_on > published[0].period.opens_on
    states = set(Submission.objects.filter(period=current).values_list("status", flat=True))
    assert {Submission.Status.APPROVED, Submission.Status.SUBMITTED, Submission.Status.RETURNED,
            Submission.Status.DRAFT} <= states
    # Blank: units that have not started, with no value of their own this quarter.
    entered = Submission.objects.filter(period=current, updated_by__username__endswith="_tb")
    assert Unit.objects.filter(category__isnull=False).exclude(pk__in=entered.values("unit")).exists()
    assert Submission.objects.filter(period=current, status=Submission.Status.RETURNED).count() >= 1


def test_reset_refuses_while_the_database_holds_more_than_the_demo(db, demo_output):
    from django.core.management.base import CommandError

    from duibiao.accounts.models import User
    from duibiao.accounts.services import user_create
    from duibiao.assessment.models import Submission
    from duibiao.demo import demo_strangers

    assert demo_strangers() == []  # the demo alone: --reset needs no --yes
    user_create(actor=None, username="zhangsan", password="Real@Pass2026")
    before = (User.objects.count(), Submission.objects.count())
    with pytest.raises(CommandError, match="账号 zhangsan") as refused:
        call_command("demo_data", reset=True, stdout=StringIO())
    assert "--yes" in str(refused.value)
    assert (User.objects.count(), Submission.objects.count()) == before  # nothing deleted


def test_reset_rebuilds_the_demo_from_scratch(db, demo_output):
    from duibiao.accounts.models import User
    from duibiao.accounts.services import user_create
    from duibiao.assessment.models import ScoringRun, Submission
    from duibiao.demo import demo_strangers

    counts = (User.objects.count(), Submission.objects.count(), ScoringRun.objects.count())
    # What a day of trying the demo leaves behind: drafts submitted, an account added.
    Submission.objects.filter(status=Submission.Status.DRAFT).update(status=Submission.Status.SUBMITTED)
    user_create(actor=None, username="zhangsan", password="Real@Pass2026")
    out = StringIO()
    call_command("demo_data", reset=True, yes=True, stdout=out)
    assert "已清空数据库" in out.getvalue() and "khb" in out.getvalue()
    assert (User.objects.count(), Submission.objects.count(), ScoringRun.objects.count()) == counts
    assert not User.objects.filter(username="zhangsan").exists()
    assert Submission.objects.filter(status=Submission.Status.DRAFT).exists()
    assert ScoringRun.objects.filter(stage=ScoringRun.Stage.PUBLISHED).count() == 1
    assert demo_strangers() == []
