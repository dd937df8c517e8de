"""The security administrator's page: locks in force with unlock, administrators' second
factors with reset; both confirmed, audited, and refused to every other role."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from duibiao.accounts.lockout import locks
from duibiao.audit.models import AuditEntry
from tests.conftest import PASSWORD

PAGE = "/accounts/security/"
UNLOCK = "/accounts/security/unlock/"


def fail(client, username, ip, times=5):
    for _ in range(times):
        client.post(reverse("web:login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def reset_url(user) -> str:
    return f"/accounts/security/second-factor/{user.pk}/reset/"


@pytest.fixture
def secadmin(client_for, world):
    return client_for(world["secadmin"])


def test_locks_are_listed_and_one_is_lifted_after_confirmation(client, secadmin, world, settings):
    settings.DUIBIAO_ADMIN_2FA = False
    fail(client, "tb_a", "192.0.2.7")
    page = secadmin.get(PAGE).content.decode()
    assert 'data-testid="lock-account_at_address"' in page and "tb_a" in page and "192.0.2.7" in page
    link = f"{UNLOCK}?username=tb_a&amp;ip=192.0.2.7"
    assert link in page
    confirm = secadmin.get(f"{UNLOCK}?username=tb_a&ip=192.0.2.7")
    assert confirm.status_code == 200 and "确认解除锁定" in confirm.content.decode()
    unconfirmed = secadmin.post(UNLOCK, {"username": "tb_a", "ip": "192.0.2.7"})
    assert unconfirmed.status_code == 400 and locks("tb_a")
    assert "请勾选" in unconfirmed.content.decode()
    done = secadmin.post(UNLOCK, {"username": "tb_a", "ip": "192.0.2.7", "confirm": "yes"})
    assert done.status_code == 302 and not locks("tb_a")
    entry = AuditEntry.objects.get(action="lockout.clear")
    assert entry.username == "secadmin" and entry.after["username"] == "tb_a"
    owner = client.post(reverse("web:login"), {"username": "tb_a", "password": PASSWORD},
                        REMOTE_ADDR="192.0.2.7")
    assert owner.status_code == 302


def test_an_address_lock_is_lifted_for_that_address_only(client, secadmin, world, settings):
    settings.DUIBIAO_LOCKOUT_CLIENT_FAILURES = 4
    fail(client, "x1", "192.0.2.8", times=2)
    fail(client, "x2", "192.0.2.8", times=2)
    fail(client, "x3", "192.0.2.9", times=4)
    assert {lock.ip_address for lock in locks() if lock.kind == "address"} == {"192.0.2.8", "192.0.2.9"}
    secadmin.post(UNLOCK, {"ip": "192.0.2.8", "confirm": "yes"})
    assert {lock.ip_address for lock in locks() if lock.kind == "address"} == {"192.0.2.9"}


def test_a_malformed_address_is_refused_with_a_message(secadmin, world):
    response = secadmin.post(UNLOCK, {"ip": "not-an-address", "confirm": "yes"})
    assert response.status_code == 400 and "来源地址格式不正确" in response.content.decode()
    assert not AuditEntry.objects.filter(action="lockout.clear").exists()


def test_a_second_factor_is_reset_and_the_next_sign_in_enrols_again(client, secadmin, world):
    TOTPDevice.objects.create(user=world["auditor"], name="authenticator", confirmed=True)
    page = secadmin.get(PAGE).content.decode()
    assert reset_url(world["auditor"]) in page
    assert "确认重置两步验证" in secadmin.get(reset_url(world["auditor"])).content.decode()
    assert secadmin.post(reset_url(world["auditor"])).status_code == 400  # not confirmed
    assert TOTPDevice.objects.filter(user=world["auditor"]).exists()
    done = secadmin.post(reset_url(world["auditor"]), {"confirm": "yes"})
    assert done.status_code == 302 and not TOTPDevice.objects.filter(user=world["auditor"]).exists()
    assert AuditEntry.objects.filter(action="otp.reset", username="secadmin",
                                     object_id=str(world["auditor"].pk)).exists()
    client.post(reverse("web:login"), {"username": "auditor", "password": PASSWORD})
    assert 'data-testid="otp-qr"' in client.get(reverse("web:login_otp")).content.decode()


def test_only_administrator_accounts_have_a_second_factor_to_reset(secadmin, world):
    assert secadmin.get(reset_url(world["reporter_a"])).status_code == 404


@pytest.mark.parametrize("person", ["sysadmin", "auditor", "office", "reporter_a", "leader"])
def test_other_roles_are_refused(client_for, world, person):
    TOTPDevice.objects.create(user=world["auditor"], name="authenticator", confirmed=True)
    client = client_for(world[person])
    assert client.get(PAGE).status_code == 403
    assert client.post(UNLOCK, {"username": "tb_a", "confirm": "yes"}).status_code == 403
    assert client.post(reset_url(world["auditor"]), {"confirm": "yes"}).status_code == 403
    assert TOTPDevice.objects.filter(user=world["auditor"]).exists()
    assert not AuditEntry.objects.filter(action__in=["lockout.clear", "otp.reset"]).exists()


def test_the_page_is_linked_from_the_menu_the_home_page_and_the_policy_page(client, secadmin, world):
    fail(client, "tb_a", "192.0.2.7")
    assert f'href="{PAGE}"' in secadmin.get(reverse("web:home")).content.decode()
    assert f'href="{PAGE}"' in secadmin.get(reverse("web:security")).content.decode()
    home = secadmin.get(reverse("web:home")).content.decode()
    assert "tb_a" in home and "192.0.2.7" in home  # the home page's panel of locks
