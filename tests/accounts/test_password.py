"""Each user changes his own password; an expired password must be changed before anything
else (DUIBIAO_PASSWORD_MAX_AGE_DAYS, 0 = never)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from duibiao.accounts.models import User
from duibiao.audit.models import AuditEntry
from tests.conftest import PASSWORD

NEW = "Neu@Kennwort2027"
URL = "/accounts/password/"


def change(client, old=PASSWORD, new1=NEW, new2=NEW):
    return client.post(URL, {"old_password": old, "new_password1": new1, "new_password2": new2})


@pytest.mark.parametrize("person", ["reporter_a", "office", "leader", "secadmin", "auditor", "sysadmin"])
def test_every_role_finds_the_page_in_the_user_menu(client_for, world, person):
    page = client_for(world[person]).get(reverse("web:home")).content.decode()
    assert f'href="{URL}"' in page and "修改密码" in page


def test_a_user_changes_his_password_and_stays_signed_in(client_for, world):
    client = client_for(world["reporter_a"])
    response = change(client)
    assert response.status_code == 302 and response.url == reverse("web:home")
    user = User.objects.get(pk=world["reporter_a"].pk)
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    assert user.password_changed_at > timezone.now() - timedelta(minutes=1)
    assert client.get(reverse("web:home")).status_code == 200  # the session was kept
    assert AuditEntry.objects.filter(action="password.change", username="tb_a", success=True).exists()


@pytest.mark.parametrize(
    ("old", "new1", "new2", "field", "message"),
    [
        ("wrong-Old1!", NEW, NEW, "old_password", "旧密码"),
        (PASSWORD, NEW, NEW + "x", "new_password2", "不一致"),
        (PASSWORD, "short1!", "short1!", "new_password2", "太短"),
        (PASSWORD, "alllowercaseletters", "alllowercaseletters", "new_password2", "至少三类"),
        (PASSWORD, PASSWORD, PASSWORD, "new_password1", "不能与原密码相同"),
    ],
)
def test_refusals_are_shown_next_to_their_field(client_for, world, old, new1, new2, field, message):
    client = client_for(world["reporter_a"])
    response = change(client, old, new1, new2)
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index(f'data-testid="error-{field}"')
    assert message in page[start:start + 300]
    assert User.objects.get(pk=world["reporter_a"].pk).check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="password.change", username="tb_a", success=False,
                                     detail__contains=field).exists()


def test_wrong_old_passwords_count_towards_the_lockout(client_for, world, settings):
    settings.DUIBIAO_LOCKOUT_FAILURES = 3
    client = client_for(world["reporter_a"])
    for _ in range(3):
        change(client, old="wrong-Old1!")
    assert world["reporter_a"].locked_until is not None
    change(client)  # the right old password is refused too while locked
    assert User.objects.get(pk=world["reporter_a"].pk).check_password(PASSWORD)


def test_anonymous_users_are_sent_to_sign_in(client, world):
    assert client.get(URL).url.startswith(reverse("web:login"))


def _age(user, days):
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=days))


def test_an_expired_password_allows_nothing_but_changing_it(client, world, settings):
    settings.DUIBIAO_PASSWORD_MAX_AGE_DAYS = 90
    _age(world["office"], 91)
    signed = client.post(reverse("web:login"), {"username": "khb", "password": PASSWORD})
    assert signed.status_code == 302
    assert client.get(signed.url).url == URL  # sent to the change page after login
    for path in (reverse("web:home"), "/assessment/runs/", "/admin/"):
        assert client.get(path).url == URL, path
    api = client.get("/api/org/units")
    assert api.status_code == 403 and "密码已过期" in api.json()["detail"]
    assert client.get("/", HTTP_HX_REQUEST="true").headers["HX-Redirect"] == URL
    page = client.get(URL).content.decode()
    assert 'data-testid="password-expired"' in page and "90 天" in page
    assert change(client).url == reverse("web:home")
    assert client.get(reverse("web:home")).status_code == 200  # free again
    assert client.post(reverse("web:logout")).status_code == 302


def test_a_password_within_its_age_is_not_sent_anywhere(client_for, world, settings):
    settings.DUIBIAO_PASSWORD_MAX_AGE_DAYS = 90
    _age(world["office"], 89)
    assert client_for(world["office"]).get(reverse("web:home")).status_code == 200


def test_expiry_is_off_at_zero(client_for, world, settings):
    settings.DUIBIAO_PASSWORD_MAX_AGE_DAYS = 0
    _age(world["office"], 3650)
    assert client_for(world["office"]).get(reverse("web:home")).status_code == 200
