"""工作量统计: the office keeps the types of work; each unit logs what it did, once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.audit.services import audit_record
from duibiao.inspections.errors import ConflictError
from duibiao.inspections.models import Campaign, WorkLog, WorkType
from duibiao.inspections.selectors.worklogs import EDIT_TYPES, district_of, type_districts
from duibiao.inspections.validation import InvalidValue, day_clean, quantity_clean, text_clean

if TYPE_CHECKING:
    from duibiao.accounts.models import User
    from duibiao.org.models import Unit

RECORD = "inspections.worklog.record"


@transaction.atomic
def worktype_save(*, actor: User, name: str, unit_of_measure: str, order: int = 0, active: bool = True,
                  worktype: WorkType | None = None, expected_version: int | None = None,
                  district: Unit | None = None) -> WorkType:
    """Add a type of work to a district's list (the actor's own district unless `district` is
    given), or change one (with the version read). Another district's type, or a district
    outside the actor's scope, answers 404 as a missing one does."""
    gate.require(actor, EDIT_TYPES)
    if worktype is not None:
        district = worktype.district
    elif district is None:
        district = type_districts(user=actor).first()
        if district is None:
            raise PermissionDenied(_("您的授权范围内没有区县，不能维护工作类型。"))
    gate.require(actor, EDIT_TYPES, unit=district)
    if district.kind != district.Kind.DISTRICT:
        raise InvalidValue("district", _("工作类型按区县维护，请选择区县。"))
    fields = {
        "name": text_clean(name, model=WorkType, field="name", required=True),
        "unit_of_measure": text_clean(unit_of_measure, model=WorkType, field="unit_of_measure", required=True),
        "order": max(0, int(order)), "active": bool(active),
    }
    clash = WorkType.objects.filter(district=district, name=fields["name"]).exclude(
        pk=worktype.pk if worktype else 0).exists()
    if clash:
        raise InvalidValue("name", _("已有名为“%(name)s”的工作类型") % {"name": fields["name"]})
    if worktype is None:
        worktype = WorkType.objects.create(district=district, **fields)
        audit_record(actor=actor, action="inspections.worktype.create", obj=worktype, unit=district, after=fields)
        return worktype
    before = {"name": worktype.name, "unit_of_measure": worktype.unit_of_measure, "order": worktype.order,
              "active": worktype.active}
    if expected_version is None or not WorkType.objects.filter(pk=worktype.pk, version=expected_version).update(
            version=F("version") + 1, **fields):
        raise ConflictError(_("该工作类型已被他人修改，请刷新页面后再保存。"))
    worktype.refresh_from_db()
    audit_record(actor=actor, action="inspections.worktype.update", obj=worktype, unit=district, before=before,
                 after=fields)
    return worktype


@dataclass
class WorkLogInput:
    work_type: WorkType | None
    quantity: object  # as typed: checked by quantity_clean
    done_on: datetime.date | None
    campaign: Campaign | None = None
    note: str = ""


def _fields(data: WorkLogInput, *, unit: Unit) -> dict[str, object]:
    # Only an active type of the unit's own district: another district's is refused as an unknown one.
    if data.work_type is None or not data.work_type.active or (
            getattr(district_of(unit), "pk", None) != data.work_type.district_id):
        raise InvalidValue("work_type", _("请选择工作类型"))
    if data.campaign is not None and not data.campaign.units.filter(pk=unit.pk).exists():
        raise InvalidValue("campaign", _("本单位不在专项行动“%(name)s”的检查范围内") % {"name": data.campaign.name})
    return {
        "work_type": data.work_type, "campaign": data.campaign,
        "quantity": quantity_clean(data.quantity),
        "done_on": day_clean(data.done_on, field="done_on", label=_("日期"), not_after=timezone.localdate()),
        "note": text_clean(data.note, model=WorkLog, field="note"),
    }


def _snapshot(log: WorkLog) -> dict[str, object]:
    return {"unit": log.unit.code, "work_type": log.work_type.name, "quantity": str(log.quantity),
            "unit_of_measure": log.work_type.unit_of_measure, "done_on": log.done_on.isoformat(),
            "campaign": log.campaign.name if log.campaign else None, "note": log.note}


@transaction.atomic
def worklog_record(*, actor: User, unit: Unit, data: WorkLogInput) -> WorkLog:
    """登记: one unit's count of one type of work on one day."""
    gate.require(actor, RECORD, unit=unit)
    log = WorkLog.objects.create(unit=unit, recorded_by=actor, **_fields(data, unit=unit))
    audit_record(actor=actor, action="inspections.worklog.record", obj=log, unit=unit, after=_snapshot(log))
    return log


@transaction.atomic
def worklog_update(*, actor: User, log: WorkLog, expected_version: int, data: WorkLogInput) -> WorkLog:
    gate.require(actor, RECORD, unit=log.unit)
    fields = _fields(data, unit=log.unit)
    before = _snapshot(log)
    if not WorkLog.objects.filter(pk=log.pk, version=expected_version).update(version=F("version") + 1, **fields):
        raise ConflictError(_("该条工作量已被他人修改，请刷新页面后再保存。"))
    log.refresh_from_db()
    audit_record(actor=actor, action="inspections.worklog.update", obj=log, unit=log.unit, before=before,
                 after=_snapshot(log))
    return log


@transaction.atomic
def worklog_delete(*, actor: User, log: WorkLog, expected_version: int) -> None:
    """Remove a mistaken entry (the audit row keeps what it said)."""
    gate.require(actor, RECORD, unit=log.unit)
    before = _snapshot(log)
    deleted, _rows = WorkLog.objects.filter(pk=log.pk, version=expected_version).delete()
    if not deleted:
        raise ConflictError(_("该条工作量已被他人修改，请刷新页面后再操作。"))
    audit_record(actor=actor, action="inspections.worklog.delete", unit=log.unit, before=before,
                 detail=f"WorkLog #{log.pk}")
