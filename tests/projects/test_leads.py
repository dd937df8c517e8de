"""项目线索 services and selectors: pushing a lead, stage moves with history and working-day
limits, overdue per stage, the funnel, conversion into a project (linked both ways, refused
before the evidence is complete or twice), stale versions and other units refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from duibiao.audit.models import AuditEntry
from duibiao.projects.errors import ConflictError, ProjectError, ProjectInvalid
from duibiao.projects.models import Lead, LeadStageLimit, Project
from duibiao.projects.selectors import leads as sel
from duibiao.projects.services.leads import lead_advance, lead_convert, lead_create

FOUND_ON = date(2026, 9, 30)


def push(w, who="reporter_a", unit="a", name="新能源装备产业园", amount="12000", on=FOUND_ON):
    return lead_create(actor=w[who], unit=w[unit], name=name, expected_investment=amount, legal_person="王某",
                       contact="13800000000", on=on)


def advance(w, lead, times=1, who="reporter_a", on=FOUND_ON):
    for _ in range(times):
        lead.refresh_from_db()
        lead = lead_advance(actor=w[who], lead=lead, version=lead.version, note="已对接", on=on)
    return lead


def convert(w, lead, code="XM-L1", who="office"):
    lead.refresh_from_db()
    return lead_convert(actor=w[who], lead=lead, version=lead.version, code=code, level="district",
                        type="industry", source="enterprise")


def test_a_unit_pushes_a_lead_and_it_moves_stage_by_stage_with_history(world):
    lead = push(world)
    assert lead.stage == "found" and lead.expected_investment == Decimal("12000.00")
    lead = advance(world, lead, 2, on=date(2026, 10, 9))
    assert lead.stage == "guidance" and lead.stage_entered_on == date(2026, 10, 9)
    assert [(e.stage, e.by.username) for e in lead.entries.all()] == [
        ("found", "tb_a"), ("contact", "tb_a"), ("guidance", "tb_a")]
    assert AuditEntry.objects.filter(action="dispatch.lead.advance").count() == 2


def test_the_last_stage_has_no_next(world):
    lead = advance(world, push(world), 5)
    assert lead.stage == "counted"
    with pytest.raises(ProjectError, match="没有下一阶段"):
        advance(world, lead)


def test_stage_limit_in_working_days_and_overdue_per_stage(world):
    lead = push(world)  # found 9-30; 3 working days: 10-08, 10-09, 10-10 (调休)
    rows, _gap = sel.lead_rows(Lead.objects.filter(pk=lead.pk), as_of=date(2026, 10, 10))
    assert rows[0].deadline == date(2026, 10, 10) and not rows[0].overdue
    rows, _gap = sel.lead_rows(Lead.objects.filter(pk=lead.pk), as_of=date(2026, 10, 11))
    assert rows[0].overdue
    LeadStageLimit.objects.create(stage="found", workdays=5)  # the office's own limit
    rows, _gap = sel.lead_rows(Lead.objects.filter(pk=lead.pk), as_of=date(2026, 10, 11))
    assert rows[0].deadline == date(2026, 10, 13) and not rows[0].overdue


def test_funnel_counts_and_amounts_of_the_leads_one_may_see(world):
    push(world, amount="100")
    advance(world, push(world, amount="2000"), 3)
    push(world, who="reporter_b", unit="b", amount="999")
    steps = {s.stage: s for s in sel.lead_funnel(user=world["reporter_a"])}
    assert steps["found"].reached == 2 and steps["found"].now == 1
    assert steps["evidence"].now == 1 and steps["evidence"].amount_now == Decimal("2000")
    assert steps["found"].amount_reached == Decimal("2100")  # unit B's 999 is not A's to see
    assert {s.stage: s.reached for s in sel.lead_funnel(user=world["office"])}["found"] == 3


def test_conversion_creates_the_project_linked_both_ways(world):
    lead = advance(world, push(world), 3)  # 完善佐证
    project = convert(world, lead)
    lead.refresh_from_db()
    assert lead.project == project and project.lead == lead
    assert (project.name, project.owner_unit, project.stage, project.planned_total) == (
        "新能源装备产业园", world["a"], "new", Decimal("12000.00"))
    assert AuditEntry.objects.filter(action="dispatch.lead.convert").count() == 1
    # Made through the library's own service: its ledger history starts with the creation.
    assert [(c.field, c.source) for c in project.ledger_changes.all()] == [("created", "lead")]


def test_conversion_values_are_checked_by_the_ledgers_rules(world):
    lead = advance(world, push(world), 3)
    lead.refresh_from_db()
    with pytest.raises(ProjectInvalid) as bad:
        lead_convert(actor=world["office"], lead=lead, version=lead.version, code="XM-L1", level="county",
                     type="industry", source="enterprise")
    assert "level" in bad.value.errors
    assert not Project.objects.exists() and Lead.objects.get(pk=lead.pk).project is None


def test_conversion_checks_its_preconditions_on_the_server(world):
    early = advance(world, push(world), 2)  # 点对点指导: evidence not complete yet
    with pytest.raises(ProjectError, match="完善佐证"):
        convert(world, early)
    ready = advance(world, push(world, name="第二个"), 3)
    convert(world, ready, code="XM-L2")
    with pytest.raises(ProjectError, match="重复转化"):
        convert(world, ready, code="XM-L3")
    other = advance(world, push(world, name="第三个"), 3)
    with pytest.raises(ProjectInvalid) as taken:
        convert(world, other, code="XM-L2")
    assert "code" in taken.value.errors
    assert Project.objects.count() == 1


def test_only_the_office_converts_and_another_unit_is_refused(world):
    lead = advance(world, push(world), 3)
    with pytest.raises(PermissionDenied):
        convert(world, lead, who="reporter_a")
    with pytest.raises(Http404):
        advance(world, lead, who="reporter_b")
    with pytest.raises(Http404):
        push(world, who="reporter_b", unit="a")
    with pytest.raises(Http404):
        sel.lead_get(user=world["reporter_b"], pk=lead.pk)
    assert not Project.objects.exists() and Lead.objects.get(pk=lead.pk).stage == "evidence"


def test_stale_version_is_refused(world):
    lead = push(world)
    read = lead.version
    lead_advance(actor=world["reporter_a"], lead=lead, version=read)
    with pytest.raises(ConflictError):
        lead_advance(actor=world["reporter_a"], lead=lead, version=read)
    assert Lead.objects.get(pk=lead.pk).stage == "contact"


@pytest.mark.parametrize("amount, message", [("abc", "应为数字"), ("-1", "之间"), ("NaN", "应为数字"), ("", "应为数字")])
def test_bad_amounts_are_refused_beside_their_field(world, amount, message):
    with pytest.raises(ProjectInvalid) as bad:
        push(world, amount=amount)
    assert message in bad.value.errors["expected_investment"]
    assert not Lead.objects.exists()


def test_lead_stages_match_the_pure_rules():
    from duibiao.projects import lead_rules
    from duibiao.projects.models import LeadStage

    assert tuple(LeadStage.values) == lead_rules.STAGE_CODES
    assert [str(label) for label in LeadStage.labels] == [label for _, label in lead_rules.STAGES]
