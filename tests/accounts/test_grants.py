"""角色授权: the security administrator's page grants and revokes roles through the services,
with the separation of the three administrators (三权分立) and an audit row with before and
after; every other role is refused."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from duibiao.accounts.models import RoleGrant, User
from duibiao.accounts.roles import Role
from duibiao.accounts.services import GrantError, role_grant, role_revoke
from duibiao.audit.models import AuditEntry
from duibiao.org.models import TaskForce


def roles_of(user) -> set[str]:
    return set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))


def test_the_secadmin_finds_the_page_from_his_home(client_for, world):
    client = client_for(world["secadmin"])
    home = client.get(reverse("web:home")).content.decode()
    assert reverse("accounts:grants") in home
    page = client.get(reverse("accounts:grants")).content.decode()
    assert 'data-testid="account-tb_a"' in page and "单位填报员" in page and "靖宇街道" in page
    found = client.get(reverse("accounts:grants"), {"q": "zb1"}).content.decode()
    assert 'data-testid="account-zb1"' in found and 'data-testid="account-tb_a"' not in found


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "office", "reporter_a", "leader", "taskforce"])
def test_every_other_role_is_refused_in_the_site_layout(client_for, world, who):
    client = client_for(world[who])
    target = world["reporter_a"]
    for url in (reverse("accounts:grants"), reverse("accounts:grant_user", args=[target.pk])):
        response = client.get(url)
        assert response.status_code == 403, url
        text = response.content.decode()
        assert "无权访问" in text and 'class="navbar' in text, url
    response = client.post(reverse("accounts:grant_user", args=[target.pk]),
                           {"role": Role.OFFICE, "units": [world["district"].pk], "include_subtree": "on"})
    assert response.status_code == 403
    grant = RoleGrant.objects.get(user=target)
    assert client.post(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 403
    assert roles_of(target) == {Role.REPORTER}
    assert reverse("accounts:grants") not in client.get(reverse("web:home")).content.decode()


def test_grant_and_revoke_through_the_page_audited_before_and_after(client_for, world):
    client = client_for(world["secadmin"])
    head = world["head_a"]
    url = reverse("accounts:grant_user", args=[head.pk])
    response = client.post(url, {"role": Role.REPORTER, "units": [world["a"].pk]})
    assert response.status_code == 302
    assert roles_of(head) == {Role.UNIT_HEAD, Role.REPORTER}
    entry = AuditEntry.objects.filter(action="role.grant", object_id=str(head.pk)).latest("id")
    assert entry.username == "secadmin" and entry.before is None
    assert entry.after == {"role": Role.REPORTER, "units": ["jingyu"], "include_subtree": False,
                           "taskforce": None}
    # Granting a held role again changes its scope: the row shows what it was.
    client.post(url, {"role": Role.REPORTER, "units": [world["a"].pk, world["b"].pk], "include_subtree": "on"})
    entry = AuditEntry.objects.filter(action="role.grant", object_id=str(head.pk)).latest("id")
    assert entry.before["units"] == ["jingyu"] and entry.after["units"] == ["jingyu", "taigu"]
    assert entry.after["include_subtree"] is True

    grant = RoleGrant.objects.get(user=head, role=Role.REPORTER)
    page = client.get(url).content.decode()
    assert 'data-testid="grant-reporter"' in page and "太古街道" in page
    assert client.post(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 302
    assert roles_of(head) == {Role.UNIT_HEAD}
    entry = AuditEntry.objects.filter(action="role.revoke", object_id=str(head.pk)).get()
    assert entry.before["role"] == Role.REPORTER and entry.after is None


def test_granting_office_to_the_sysadmin_is_refused_with_a_visible_reason(client_for, world):
    client = client_for(world["secadmin"])
    admin = world["sysadmin"]
    response = client.post(reverse("accounts:grant_user", args=[admin.pk]),
                           {"role": Role.OFFICE, "units": [world["district"].pk], "include_subtree": "on"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "三权分立" in text and "系统管理员" in text and 'data-testid="grant-error"' in text
    assert roles_of(admin) == {Role.SYSADMIN}
    assert not AuditEntry.objects.filter(action="role.grant", object_id=str(admin.pk),
                                         username="secadmin").exists()


def test_separation_holds_in_the_service_whoever_calls_it(world):
    secadmin = world["secadmin"]
    cases = [
        (world["sysadmin"], Role.AUDITOR, [world["district"]]),  # two administrators
        (world["sysadmin"], Role.OFFICE, [world["district"]]),  # administrator + data role
        (world["auditor"], Role.LEADER, [world["district"]]),
        (world["office"], Role.SECADMIN, [world["district"]]),  # data role + administrator
    ]
    for user, role, units in cases:
        before = roles_of(user)
        with pytest.raises(GrantError, match="三权分立"):
            role_grant(actor=secadmin, user=user, role=role, units=units)
        with pytest.raises(GrantError, match="三权分立"):
            role_grant(actor=None, user=user, role=role, units=units)  # the command line too
        assert roles_of(user) == before


def test_grants_are_the_secadmins_and_not_his_own(world):
    office = world["office"]
    with pytest.raises(PermissionDenied):
        role_grant(actor=world["sysadmin"], user=office, role=Role.LEADER, units=[world["district"]])
    with pytest.raises(PermissionDenied):
        role_revoke(actor=world["office"], grant=RoleGrant.objects.get(user=world["reporter_a"]))
    with pytest.raises(GrantError, match="另一位安全管理员"):
        role_grant(actor=world["secadmin"], user=world["secadmin"], role=Role.SECADMIN, units=[])
    with pytest.raises(GrantError, match="另一位安全管理员"):
        role_revoke(actor=world["secadmin"], grant=RoleGrant.objects.get(user=world["secadmin"]))
    assert roles_of(office) == {Role.OFFICE}


def test_the_last_administrator_of_a_kind_keeps_the_role(client_for, world):
    client = client_for(world["secadmin"])
    grant = RoleGrant.objects.get(user=world["auditor"])
    response = client.post(reverse("accounts:grant_revoke", args=[grant.pk]))
    assert response.status_code == 400
    assert "唯一的审计管理员" in response.content.decode()
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    second = User.objects.create_user("auditor2", password="Test@Pass2026")
    role_grant(actor=world["secadmin"], user=second, role=Role.AUDITOR)
    assert client.post(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_form_errors_are_shown_next_to_their_field(client_for, world):
    client = client_for(world["secadmin"])
    url = reverse("accounts:grant_user", args=[world["leader"].pk])
    for data, message in (
        ({"role": Role.TASKFORCE, "units": [world["district"].pk]}, "所属专班"),
        ({"role": Role.OFFICE}, "至少选择一个范围单位"),
        ({"role": "root", "units": [world["district"].pk]}, "选择一个有效的选项"),
        ({"role": Role.OFFICE, "units": ["999999"]}, "选择一个有效的选项"),
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert roles_of(world["leader"]) == {Role.LEADER}
    team = TaskForce.objects.get(code="zb1")
    ok = client.post(url, {"role": Role.TASKFORCE, "units": [world["district"].pk],
                           "taskforce": team.pk, "include_subtree": "on"})
    assert ok.status_code == 302, re.findall(r"grant-error\">([^<]*)", ok.content.decode())
    assert RoleGrant.objects.get(user=world["leader"], role=Role.TASKFORCE).taskforce == team
