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
