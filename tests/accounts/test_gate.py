"""The one access gate: each role sees exactly its scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from duibiao.accounts.gate import gate_filter, gate_unit, gate_units, org_units, require_role
from duibiao.accounts.models import User
from duibiao.accounts.roles import Role
from duibiao.accounts.services import role_grant
from duibiao.audit.models import AuditEntry


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_reporter_sees_only_its_unit(world):
    assert codes(gate_units(world["reporter_a"])) == {"jingyu"}
    assert codes(gate_units(world["reporter_b"])) == {"taigu"}


def test_office_sees_its_district_subtree_not_the_neighbour(world):
    seen = codes(gate_units(world["office"]))
    assert seen == {"daowai", "jingyu", "taigu", "fagai"}
    assert "nangang" not in seen and "harbin" not in seen


def test_gate_unit_refuses_another_unit_with_404(world):
    assert gate_unit(world["reporter_a"], world["a"]) == world["a"]
    with pytest.raises(Http404):
        gate_unit(world["reporter_a"], world["b"])


def test_gate_filter_restricts_unit_owned_rows(world):
    rows = gate_filter(world["reporter_a"], User.objects.all())
    assert set(rows.values_list("username", flat=True)) == {"tb_a", "fzr_a"}


def test_auditor_and_secadmin_see_no_business_data(world):
    assert not gate_units(world["auditor"]).exists()
    assert not gate_units(world["secadmin"]).exists()


def test_sysadmin_keeps_the_whole_tree_but_sees_no_data(world):
    assert "nangang" in codes(org_units(world["sysadmin"]))
    assert not gate_units(world["sysadmin"]).exists()


def test_anonymous_and_inactive_users_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not gate_units(AnonymousUser()).exists()
    office = world["office"]
    office.is_active = False
    office.save()
    assert not gate_units(User.objects.get(pk=office.pk)).exists()


def test_require_role(world):
    require_role(world["auditor"], Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        require_role(world["reporter_a"], Role.AUDITOR)


def test_administrator_roles_are_separated(world):
    with pytest.raises(ValueError, match="三权分立"):
        role_grant(actor=None, user=world["sysadmin"], role=Role.AUDITOR, units=[world["district"]])


def test_grants_are_audited(world):
    entry = AuditEntry.objects.filter(action="role.grant", object_id=str(world["reporter_a"].pk)).get()
    assert entry.after["role"] == Role.REPORTER
    assert entry.after["units"] == ["jingyu"]
