"""三权分立 by construction: the admin site makes no superuser and grants no role, another
administrator's account is read-only to the system administrator, and every change made
there is audited with the values before and after."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from duibiao.accounts.admin_site import admin_site
from duibiao.accounts.models import RoleGrant, User
from duibiao.accounts.roles import Role
from duibiao.audit.models import AuditEntry


def _change_form_data(user, **extra):
    data = {
        "username": user.username, "full_name": "王立新", "unit": "", "phone": "", "email": "",
        "is_active": "on",
    }
    data.update(extra)
    return data


def test_the_escalation_through_the_change_form_changes_nothing(client_for, world):
    """Item 2 of the security review, performed: the sysadmin ticks is_superuser and staff,
    adds groups and permissions, and posts role-grant rows for office and auditor."""
    admin = world["sysadmin"]
    client = client_for(admin)
    url = f"/admin/accounts/user/{admin.pk}/change/"
    attack = _change_form_data(
        admin, is_superuser="on", is_staff="on", groups=["1"], user_permissions=["1", "2"],
        **{
            "grants-TOTAL_FORMS": "2", "grants-INITIAL_FORMS": "0", "grants-MIN_NUM_FORMS": "0",
            "grants-MAX_NUM_FORMS": "1000",
            "grants-0-role": Role.OFFICE, "grants-0-units": [str(world["district"].pk)],
            "grants-0-include_subtree": "on",
            "grants-1-role": Role.AUDITOR, "grants-1-units": [str(world["district"].pk)],
        },
    )
    response = client.post(url, attack)
    assert response.status_code == 302, response.content.decode()[:800]
    admin = User.objects.get(pk=admin.pk)
    assert admin.full_name == "王立新"  # the form did save: the flags and grants were ignored
    assert admin.is_superuser is False and admin.is_staff is False
    assert not admin.groups.exists() and not admin.user_permissions.exists()
    assert set(RoleGrant.objects.filter(user=admin).values_list("role", flat=True)) == {Role.SYSADMIN}
    # And he still reads no data through the gate afterwards.
    assert client.get("/api/results/runs").json()["items"] == []


def test_the_account_form_has_no_privilege_fields_and_no_grants(client_for, world):
    client = client_for(world["sysadmin"])
    for url in (f"/admin/accounts/user/{world['office'].pk}/change/", "/admin/accounts/user/add/"):
        page = client.get(url).content.decode()
        assert 'name="username"' in page, url
        for name in ("is_superuser", "is_staff", "groups", "user_permissions", "grants-TOTAL_FORMS"):
            assert f'name="{name}"' not in page, (url, name)
    assert client.get("/admin/accounts/rolegrant/").status_code == 404


def test_another_administrators_account_is_read_only_to_the_sysadmin(client_for, world):
    client = client_for(world["sysadmin"])
    auditor = world["auditor"]
    before = auditor.password
    response = client.post(f"/admin/accounts/user/{auditor.pk}/password/",
                           {"password1": "Takeover@2026x", "password2": "Takeover@2026x"})
    assert response.status_code == 403
    response = client.post(f"/admin/accounts/user/{auditor.pk}/change/",
                           _change_form_data(auditor, username="auditor", is_active=""))
    assert response.status_code == 403
    auditor.refresh_from_db()
    assert auditor.password == before and auditor.is_active
    # An ordinary account stays his to keep.
    office = world["office"]
    response = client.post(f"/admin/accounts/user/{office.pk}/change/",
                           _change_form_data(office, username="khb", full_name="孙晓梅"))
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.full_name == "孙晓梅"


def test_no_superuser_whatever_writes_the_row(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world["office"].pk).update(is_superuser=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world["office"].pk).update(is_staff=True)
    with pytest.raises(ValueError, match="createuser"):
        User.objects.create_superuser("root", password="Root@Pass2026")
    with pytest.raises(ValueError, match="createuser"):
        call_command("createsuperuser", "--noinput", username="root2", email="root@example.gov.cn")
    assert not User.objects.filter(username__in=["root", "root2"]).exists()


def test_the_admin_site_admits_by_role_not_by_django_flags(world):
    request = RequestFactory().get("/admin/")
    office = world["office"]
    office.is_superuser = office.is_staff = True  # in memory only: the database refuses it
    request.user = office
    assert admin_site.has_permission(request) is False
    request.user = world["sysadmin"]
    assert admin_site.has_permission(request) is True


def test_admin_changes_are_audited_with_before_and_after(client_for, world):
    client = client_for(world["sysadmin"])
    unit = world["a"]
    response = client.post(f"/admin/org/unit/{unit.pk}/change/", {
        "name": "靖宇街道办事处", "kind": "street", "category": unit.category_id, "tier": unit.tier_id,
        "order": 0, "is_active": "on",
    })
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="admin.change", object_id=str(unit.pk),
                                      object_type="org.Unit").get()
    assert entry.before == {"name": "靖宇街道"} and entry.after == {"name": "靖宇街道办事处"}
    assert entry.username == "admin"

    office = world["office"]
    client.post(f"/admin/accounts/user/{office.pk}/password/",
                {"password1": "New@Office2026", "password2": "New@Office2026"})
    entry = AuditEntry.objects.filter(action="admin.change", object_id=str(office.pk),
                                      object_type="accounts.User").latest("id")
    # The password change is recorded, the hash is not.
    assert entry.before == {"password": "******"} and entry.after == {"password": "******"}

    client.post("/admin/org/category/add/", {"code": "general", "name": "综合部门", "order": 3})
    added = AuditEntry.objects.filter(action="admin.add", object_type="org.Category").get()
    assert added.before is None and added.after["name"] == "综合部门" and added.after["code"] == "general"
