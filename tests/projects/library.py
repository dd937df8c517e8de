"""A small project library on top of `world`: two service secretaries and three projects
(two of 靖宇街道's, one of 太古街道's), for the library's tests."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import PASSWORD

LEDGER = {
    "code": "XM-001", "name": "靖宇街道老旧小区改造", "level": "district", "type": "infrastructure",
    "stage": "continuing", "source": "government", "leader_name": "张副区长", "legal_person": "区城投公司",
    "contact_phone": "0451-88000001", "planned_total": "12000", "planned_annual": "4800",
    "funds_planned": "4000", "planned_start": "2025-04-01", "planned_completion": "2026-10-31",
    "actual_start": "2025-04-10", "actual_completion": "", "in_stats_on": "2025-05-20", "location": "靖宇街道",
}


def build_library(w: dict) -> dict:
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.projects.services.projects import Binding, project_create

    def secretary(username: str):
        user = user_create(actor=None, username=username, password=PASSWORD)
        role_grant(actor=None, user=user, role=Role.SECRETARY, units=[w["district"]])
        return user

    w["secretary"] = secretary("mishu")
    w["secretary_2"] = secretary("mishu2")
    office = w["office"]
    w["project_a"] = project_create(actor=office, raw=LEDGER, binding=Binding(w["a"], w["secretary"]))
    w["project_a2"] = project_create(
        actor=office, raw={**LEDGER, "code": "XM-002", "name": "靖宇农贸市场", "type": "logistics",
                           "source": "enterprise", "planned_total": "800", "planned_annual": "600"},
        binding=Binding(w["a"], w["secretary_2"]))
    w["project_b"] = project_create(
        actor=office, raw={**LEDGER, "code": "XM-003", "name": "太古街道停车场", "planned_total": "3000",
                           "planned_annual": Decimal("1000")},
        binding=Binding(w["b"], w["secretary"]))
    return w
