"""一企一档一清单: an enterprise's file and its list of risks, kept by the inspectors and the
office over the units they hold (an enterprise belongs to the unit it is supervised by)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.audit.services import audit_record
from duibiao.inspections.errors import ConflictError
from duibiao.inspections.models import Enterprise, RiskItem
from duibiao.inspections.validation import (
    InvalidValue,
    choice_clean,
    credit_code_clean,
    day_clean,
    text_clean,
)

if TYPE_CHECKING:
    from duibiao.accounts.models import User
    from duibiao.org.models import Unit

EDIT = "inspections.enterprise.edit"


@dataclass
class EnterpriseInput:
    credit_code: str
    name: str
    unit: Unit | None
    kind: str = ""
    address: str = ""
    legal_person: str = ""
    contact: str = ""
    phone: str = ""
    note: str = ""


def enterprise_clean(data: EnterpriseInput, *, exclude: int | None = None) -> dict[str, object]:
    """The file's fields as stored, each checked once (form, API and demo alike)."""
    code = credit_code_clean(data.credit_code)
    taken = Enterprise.objects.filter(credit_code=code).exclude(pk=exclude or 0).first()
    if taken is not None:
        raise InvalidValue("credit_code", _("统一社会信用代码 %(code)s 已登记为“%(name)s”") % {
            "code": code, "name": taken.name})
    if data.unit is None:
        raise InvalidValue("unit", _("请选择属地单位"))
    fields: dict[str, object] = {"credit_code": code, "unit": data.unit}
    fields["name"] = text_clean(data.name, model=Enterprise, field="name", required=True)
    for name in ("kind", "address", "legal_person", "contact", "phone", "note"):
        fields[name] = text_clean(getattr(data, name), model=Enterprise, field=name)
    return fields


def _snapshot(enterprise: Enterprise) -> dict[str, object]:
    return {
        "credit_code": enterprise.credit_code, "name": enterprise.name, "kind": enterprise.kind,
        "address": enterprise.address, "unit": enterprise.unit.code if enterprise.unit else None,
        "legal_person": enterprise.legal_person, "contact": enterprise.contact, "phone": enterprise.phone,
        "note": enterprise.note,
    }


@transaction.atomic
def enterprise_create(*, actor: User, data: EnterpriseInput) -> Enterprise:
    """建档: a new enterprise file in a unit the actor keeps files for."""
    if data.unit is not None:
        gate.require(actor, EDIT, unit=data.unit)
    fields = enterprise_clean(data)
    enterprise = Enterprise.objects.create(**fields)
    audit_record(actor=actor, action="inspections.enterprise.create", obj=enterprise, unit=enterprise.unit,
                 after=_snapshot(enterprise))
    return enterprise


@transaction.atomic
def enterprise_update(*, actor: User, enterprise: Enterprise, expected_version: int,
                      data: EnterpriseInput) -> Enterprise:
    """Change a file; moving it to another unit needs the actor to hold both."""
    gate.require(actor, EDIT, unit=enterprise.unit)
    if data.unit is not None and data.unit != enterprise.unit:
        gate.require(actor, EDIT, unit=data.unit)
    fields = enterprise_clean(data, exclude=enterprise.pk)
    before = _snapshot(enterprise)
    if not Enterprise.objects.filter(pk=enterprise.pk, version=expected_version).update(
            version=F("version") + 1, **fields):
        raise ConflictError(_("该企业档案已被他人修改，请刷新页面后再保存。"))
    enterprise.refresh_from_db()
    audit_record(actor=actor, action="inspections.enterprise.update", obj=enterprise, unit=enterprise.unit,
                 before=before, after=_snapshot(enterprise))
    return enterprise


@dataclass
class RiskInput:
    text: str
    level: str
    identified_on: datetime.date | None
    due_on: datetime.date | None = None
    measures: str = ""


def _risk_fields(data: RiskInput) -> dict[str, object]:
    identified = day_clean(data.identified_on, field="identified_on", label=_("发现日期"),
                           not_after=timezone.localdate())
    due = day_clean(data.due_on, field="due_on", label=_("管控期限"), required=False)
    if due is not None and identified is not None and due < identified:
        raise InvalidValue("due_on", _("管控期限不能早于发现日期"))
    return {
        "text": text_clean(data.text, model=RiskItem, field="text", required=True),
        "level": choice_clean(data.level, choices=RiskItem.Level, field="level", label=_("风险等级")),
        "measures": text_clean(data.measures, model=RiskItem, field="measures"),
        "identified_on": identified, "due_on": due,
    }


def _risk_snapshot(risk: RiskItem) -> dict[str, object]:
    return {"text": risk.text, "level": risk.level, "status": risk.status, "measures": risk.measures,
            "identified_on": str(risk.identified_on), "due_on": str(risk.due_on or ""),
            "controlled_on": str(risk.controlled_on or ""), "closed_on": str(risk.closed_on or "")}


@transaction.atomic
def risk_add(*, actor: User, enterprise: Enterprise, data: RiskInput) -> RiskItem:
    """Put a risk on the enterprise's list (status 待管控)."""
    gate.require(actor, EDIT, unit=enterprise.unit)
    risk = RiskItem.objects.create(enterprise=enterprise, recorded_by=actor, **_risk_fields(data))
    audit_record(actor=actor, action="inspections.risk.add", obj=risk, unit=enterprise.unit,
                 after=_risk_snapshot(risk))
    return risk


@transaction.atomic
def risk_set_status(*, actor: User, risk: RiskItem, expected_version: int, status: str,
                    measures: str = "") -> RiskItem:
    """Move a risk on its list: 待管控 → 已管控 → 已消除 (or straight to 已消除), or back to
    待管控 when it returns; each change is dated today. Measures are required to control it."""
    gate.require(actor, EDIT, unit=risk.enterprise.unit)
    status = choice_clean(status, choices=RiskItem.Status, field="status", label=_("状态"))
    measures = text_clean(measures or risk.measures, model=RiskItem, field="measures",
                          required=status == RiskItem.Status.CONTROLLED)
    today = timezone.localdate()
    changes: dict[str, object] = {"status": status, "measures": measures}
    if status == RiskItem.Status.OPEN:
        changes.update(controlled_on=None, closed_on=None)
    elif status == RiskItem.Status.CONTROLLED:
        changes.update(controlled_on=risk.controlled_on or today, closed_on=None)
    else:
        changes.update(closed_on=today)
    before = _risk_snapshot(risk)
    if not RiskItem.objects.filter(pk=risk.pk, version=expected_version).update(version=F("version") + 1, **changes):
        raise ConflictError(_("该风险项已被他人修改，请刷新页面后再保存。"))
    risk.refresh_from_db()
    audit_record(actor=actor, action="inspections.risk.status", obj=risk, unit=risk.enterprise.unit,
                 before=before, after=_risk_snapshot(risk))
    return risk
