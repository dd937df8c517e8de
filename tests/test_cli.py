from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from duibiao.accounts.models import User
from duibiao.cli import main


def test_help_lists_the_verbs(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for verb in ("serve", "migrate", "demo-data", "createuser", "score"):
        assert verb in out


def test_demo_data_is_deterministic_and_rerunnable(db):
    from duibiao.demo import DEMO_PASSWORD
    from duibiao.org.models import TaskForce, Unit

    out = StringIO()
    call_command("demo_data", stdout=out)
    assert "khb" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
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


def test_createuser_command(world):
    call_command("createuser", "new_tb", role="reporter", unit=["taigu"], password="Good@Pass2026",
                 stdout=StringIO())
    user = User.objects.get(username="new_tb")
    assert user.unit.code == "taigu" and user.grants.get().role == "reporter"


def test_createuser_rejects_weak_password_and_unknown_unit(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="未知单位"):
        call_command("createuser", "x", role="reporter", unit=["nowhere"], password="Good@Pass2026")
    with pytest.raises(CommandError):
        call_command("createuser", "y", role="reporter", unit=["taigu"], password="weak")
    assert not User.objects.filter(username__in=["x", "y"]).exists()
