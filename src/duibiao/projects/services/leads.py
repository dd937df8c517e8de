"""项目线索 writes: a unit pushes a lead, the lead moves stage by stage (each move kept with
who and when), and once its evidence is complete the office converts it into a project,
linked both ways. Keyword-only, gate first, one transaction, one audit row, versions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.audit.services import audit_record
from duibiao.org.models import Unit
from duibiao.projects import lead_rules
from duibiao.projects.errors import ConflictError, ProjectError, ProjectInvalid
from duibiao.projects.models import Lead, LeadStageEntry, Project, Stage
from duibiao.projects.services.dispatch import bump, clean_text
from duibiao.projects.services.projects import Binding, project_create

if TYPE_CHECKING:
    from duibiao.accounts.models import User

MAX_INVESTMENT = Decimal("999999999999.99")  # the column: 14 digits, 2 decimals (万元)


def clean_amount(value: Decimal | str | float | int | None, *, field: str) -> Decimal:
    """预计投资 in 万元: a finite number, not negative, fitting its column (two decimals)."""
    try:
        amount = Decimal(str(value).strip()) if value is not None and str(value).strip() else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ProjectInvalid({field: "请填写预计投资（万元），应为数字。"})
    if amount < 0 or amount > MAX_INVESTMENT:
        raise ProjectInvalid({field: "预计投资应在 0 到 999 999 999 999.99 万元之间。"})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def lead_create(
    *, actor: User, unit: Unit, name: str, expected_investment: Decimal | str | float | int | None,
    legal_person: str = "", contact: str = "", note: str = "", on: date | None = None,
) -> Lead:
    gate.require(actor, "projects.lead.edit", unit=unit)
    values = {
        "name": clean_text(name, field="name", max_length=200, required="请填写线索名称。"),
        "expected_investment": clean_amount(expected_investment, field="expected_investment"),
        "legal_person": clean_text(legal_person, field="legal_person", max_length=100),
        "contact": clean_text(contact, field="contact", max_length=100),
        "note": clean_text(note, field="note", max_length=1000),
    }
    entered = on or timezone.localdate()
    lead = Lead.objects.create(unit=unit, stage=lead_rules.STAGE_CODES[0], stage_entered_on=entered,
                               created_by=actor, **values)
    LeadStageEntry.objects.create(lead=lead, stage=lead.stage, entered_on=entered, by=actor, note="推送线索")
    audit_record(actor=actor, action="dispatch.lead.create", obj=lead, unit=unit,
                 after={**values, "expected_investment": str(values["expected_investment"])})
    return lead


@transaction.atomic
def lead_advance(*, actor: User, lead: Lead, version: int, note: str = "", on: date | None = None) -> Lead:
    """Move the lead to its next stage (对接法人 after 发现线索 …), noting what was done."""
    gate.require(actor, "projects.lead.edit", unit=lead.unit)
    following = lead_rules.next_stage(lead.stage)
    if following is None:
        raise ProjectError("线索已入库入统，没有下一阶段。")
    text = clean_text(note, field="note", max_length=500)
    entered = on or timezone.localdate()
    bump(Lead, lead.pk, version, stage=following, stage_entered_on=entered)
    LeadStageEntry.objects.create(lead=lead, stage=following, entered_on=entered, by=actor, note=text)
    audit_record(actor=actor, action="dispatch.lead.advance", obj=lead, unit=lead.unit,
                 before={"stage": lead.stage}, after={"stage": following, "note": text})
    lead.refresh_from_db()
    return lead


@transaction.atomic
def lead_convert(
    *, actor: User, lead: Lead, version: int, code: str, level: str, type: str, source: str,
) -> Project:
    """转为项目 (irreversible): a lead whose evidence is complete becomes a 新开工 project of its
    unit through the library's own project_create (its values checked by the ledger's one
    rule per field, its first ledger-history row written), with the lead's name, expected
    investment as planned total, legal person and contact; linked both ways (`lead.project`,
    `project.lead`)."""
    gate.require(actor, "projects.lead.convert", unit=lead.unit)
    if lead.project_id is not None:
        raise ProjectError("该线索已转为项目，不能重复转化。")
    if not lead_rules.can_convert(lead.stage):
        raise ProjectError(f"线索须到“{lead_rules.STAGE_LABELS[lead_rules.CONVERTIBLE_FROM]}”阶段"
                           f"（佐证材料齐全）后才能转为项目，现在是“{lead.get_stage_display()}”。")
    if not Lead.objects.filter(pk=lead.pk, version=version).exists():
        raise ConflictError("该记录已被他人修改，请刷新页面查看最新内容后再操作。")
    raw = {"code": code, "name": lead.name, "level": level, "type": type, "stage": Stage.NEW, "source": source,
           "legal_person": lead.legal_person, "contact_phone": lead.contact[:30],
           "planned_total": str(lead.expected_investment)}
    project = project_create(actor=actor, raw=raw, binding=Binding(lead.unit), source="lead")
    bump(Lead, lead.pk, version, project=project)
    audit_record(actor=actor, action="dispatch.lead.convert", obj=lead, unit=lead.unit,
                 after={"project": project.code, "name": project.name, "planned_total": str(project.planned_total)})
    lead.refresh_from_db()
    return project
