"""The one access gate: each role sees exactly its scope (asked by action)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from duibiao.accounts import gate
from duibiao.accounts.models import User
from duibiao.accounts.roles import Role
from duibiao.accounts.services import role_grant
from duibiao.audit.models import AuditEntry


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_reporter_sees_only_its_unit(world):
    assert codes(gate.units(world["reporter_a"], "org.unit.view")) == {"jingyu"}
    assert codes(gate.units(world["reporter_b"], "org.unit.view")) == {"taigu"}


def test_office_sees_its_district_subtree_not_the_neighbour(world):
    seen = codes(gate.units(world["office"], "org.unit.view"))
    assert seen == {"daowai", "jingyu", "taigu", "fagai"}
    assert "nangang" not in seen and "harbin" not in seen


def test_another_units_object_answers_404(world):
    gate.require(world["reporter_a"], "org.unit.view", unit=world["a"])
    with pytest.raises(Http404):
        gate.require(world["reporter_a"], "org.unit.view", unit=world["b"])


def test_restrict_filters_unit_owned_rows(world):
    rows = gate.restrict(world["reporter_a"], User.objects.all(), "org.unit.view")
    assert set(rows.values_list("username", flat=True)) == {"tb_a", "fzr_a"}


def test_auditor_and_secadmin_see_no_business_data(world):
    assert not gate.units(world["auditor"], "org.unit.view").exists()
    assert not gate.units(world["secadmin"], "org.unit.view").exists()


def test_sysadmin_keeps_the_whole_tree_but_sees_no_data(world):
    assert "nangang" in codes(gate.units(world["sysadmin"], "org.tree.view"))
    assert not gate.units(world["sysadmin"], "org.unit.view").exists()


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not gate.units(AnonymousUser(), "org.unit.view").exists()
    office = world["office"]
    office.is_active = False
    office.save()
    assert not gate.units(User.objects.get(pk=office.pk), "org.unit.view").exists()


def test_require_by_action(world):
    gate.require(world["auditor"], "audit.log.view")
    with pytest.raises(PermissionDenied, match="审计日志"):
        gate.require(world["reporter_a"], "audit.log.view")


def test_a_new_grant_is_seen_at_once_by_the_same_user_object(world):
    reporter = world["reporter_a"]
    assert not gate.allows(reporter, "assessment.submission.report", unit=world["b"])
    role_grant(actor=None, user=reporter, role=Role.REPORTER, units=[world["a"], world["b"]], include_subtree=False)
    assert gate.allows(reporter, "assessment.submission.report", unit=world["b"])


def test_administrator_roles_are_separated(world):
    with pytest.raises(ValueError, match="三权分立"):
        role_grant(actor=None, user=world["sysadmin"], role=Role.AUDITOR, units=[world["district"]])


def test_grants_are_audited(world):
    entry = AuditEntry.objects.filter(action="role.grant", object_id=str(world["reporter_a"].pk)).get()
    assert entry.after["role"] == Role.REPORTER
    assert entry.after["units"] == ["jingyu"]
