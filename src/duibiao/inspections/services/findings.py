"""问题 and its rectification: recording, the unit's report, the inspector's verification,
extension requests and reminders. Each step: the gate, the version read, the state machine
(`inspections.states`), then one UPDATE … WHERE version, one event and one audit row."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.audit.services import audit_record
from duibiao.inspections.errors import ConflictError, InspectionError
from duibiao.inspections.models import (
    Campaign,
    Enterprise,
    ExtensionRequest,
    Finding,
    FindingEvent,
    Reminder,
)
from duibiao.inspections.services._common import (
    address_key,
    deadline_for,
    photos_prepare,
    photos_store,
    text_clean,
)
from duibiao.inspections.states import STEPS, step_check

if TYPE_CHECKING:
    from duibiao.accounts.models import User
    from duibiao.org.models import Unit

S = Finding.State
MAX_WORKDAYS = 90


@dataclass
class FindingInput:
    unit: Unit
    description: str
    category: str
    address: str
    workdays: int
    severity: str = Finding.Severity.MINOR
    found_on: datetime.date | None = None
    lat: Decimal | None = None
    lng: Decimal | None = None
    enterprise: Enterprise | None = None


def _snapshot(finding: Finding) -> dict[str, Any]:
    return {
        "state": finding.state, "deadline": finding.deadline.isoformat(),
        "extended_to": finding.extended_to.isoformat() if finding.extended_to else None,
        "closed_on": finding.closed_on.isoformat() if finding.closed_on else None,
        "outcome": finding.outcome, "version": finding.version,
    }


def _coordinates(lat: Decimal | None, lng: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    if (lat is None) != (lng is None):
        raise InspectionError(_("经度和纬度须同时填写，或都不填"), field="lat")
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InspectionError(_("坐标超出范围：纬度 -90～90，经度 -180～180"), field="lat")
    return lat, lng


def _record_fields(campaign: Campaign, data: FindingInput) -> dict[str, Any]:
    today = timezone.localdate()
    found_on = data.found_on or today
    if campaign.status != Campaign.Status.ACTIVE:
        raise InspectionError(_("检查活动“%(name)s”不在进行中，不能记录问题") % {"name": campaign.name})
    if not campaign.units.filter(pk=data.unit.pk).exists():
        raise InspectionError(_("%(unit)s 不在本次检查的单位范围内") % {"unit": data.unit.name}, field="unit")
    if found_on > today:
        raise InspectionError(_("发现日期不能晚于今天"), field="found_on")
    if found_on < campaign.starts_on:
        raise InspectionError(_("发现日期早于检查活动开始日期（%(d)s）") % {"d": campaign.starts_on.isoformat()},
                             field="found_on")
    if not 1 <= data.workdays <= MAX_WORKDAYS:
        raise InspectionError(_("整改时限须为 1～%(n)d 个工作日") % {"n": MAX_WORKDAYS}, field="workdays")
    if data.severity not in Finding.Severity.values:
        raise InspectionError(_("请选择严重程度"), field="severity")
    if data.enterprise is not None and not campaign.enterprises.filter(pk=data.enterprise.pk).exists():
        raise InspectionError(_("企业“%(name)s”不在本次检查范围内") % {"name": data.enterprise.name},
                             field="enterprise")
    lat, lng = _coordinates(data.lat, data.lng)
    address = text_clean(data.address, model=Finding, name="address", required=_("请填写问题地点"))
    return {
        "description": text_clean(data.description, model=Finding, name="description", required=_("请填写问题描述")),
        "category": text_clean(data.category, model=Finding, name="category", required=_("请填写问题类别")),
        "address": address, "address_key": address_key(address), "lat": lat, "lng": lng,
        "enterprise": data.enterprise, "unit": data.unit, "severity": data.severity, "found_on": found_on,
        "workdays": data.workdays, "deadline": deadline_for(found_on, data.workdays),
    }


@transaction.atomic
def finding_record(*, actor: User, campaign: Campaign, data: FindingInput, photos: Sequence[IO[bytes]]) -> Finding:
    """记录问题 with its "before" photos, by an inspector of the campaign. A likely duplicate
    is not refused: the finding's page warns the inspector (selectors.likely_duplicates)."""
    gate.require(actor, "inspections.finding.record", unit=data.unit)
    if not campaign.inspectors.filter(pk=actor.pk).exists():
        raise InspectionError(_("您不是检查活动“%(name)s”的督导员，不能在其中记录问题") % {"name": campaign.name})
    fields = _record_fields(campaign, data)
    prepared = photos_prepare(photos, required=_("请至少拍摄或上传一张整改前照片"))
    finding = Finding.objects.create(campaign=campaign, found_by=actor, **fields)
    photos_store(finding=finding, stage="before", photos=prepared, actor=actor)
    FindingEvent.objects.create(finding=finding, kind=FindingEvent.Kind.RECORD, to_state=S.OPEN,
                                text=finding.description[:1000], by=actor)
    audit_record(actor=actor, action="finding.record", obj=finding, unit=finding.unit,
                 after={**_snapshot(finding), "campaign": campaign.pk, "photos": [p.sha256 for p in prepared]})
    return finding


def _locked(actor: User, finding: Finding, expected_version: int, step: str) -> Finding:
    """The finding as it is now, locked: the gate first (nothing about a finding is told to
    whom may not act on it), then the version read, then the state machine."""
    current = Finding.objects.select_for_update().select_related("unit").get(pk=finding.pk)
    gate.require(actor, STEPS[step].action, unit=current.unit)
    if current.version != expected_version:
        raise ConflictError()
    step_check(current.state, step)
    return current


def _move(*, actor: User, finding: Finding, step: str, kind: str, text: str = "", **changes: Any) -> Finding:
    """Write one step: the new state (if any) and changes, one event, one audit row."""
    rule = step_check(finding.state, step)
    before = _snapshot(finding)
    target = rule.target or finding.state
    updated = Finding.objects.filter(pk=finding.pk, version=finding.version, state=finding.state).update(
        state=target, version=F("version") + 1, **changes)
    if not updated:
        raise ConflictError()
    FindingEvent.objects.create(finding=finding, kind=kind, from_state=finding.state, to_state=target,
                                text=text[:1000], by=actor)
    fresh = Finding.objects.select_related("unit").get(pk=finding.pk)
    audit_record(actor=actor, action=AUDIT_ACTIONS[kind], obj=fresh, unit=fresh.unit, before=before,
                 after={**_snapshot(fresh), "text": text})
    return fresh


# The audit event of each kind of step (every code has its name in audit/event_labels.py).
AUDIT_ACTIONS: dict[str, str] = {
    FindingEvent.Kind.REPORT: "finding.report",
    FindingEvent.Kind.CLOSE: "finding.close",
    FindingEvent.Kind.RETURN: "finding.return",
    FindingEvent.Kind.CLOSE_NOT_FIXED: "finding.close_not_fixed",
    FindingEvent.Kind.EXTEND_REQUEST: "extension.request",
    FindingEvent.Kind.EXTEND_APPROVE: "extension.approve",
    FindingEvent.Kind.EXTEND_REFUSE: "extension.refuse",
    FindingEvent.Kind.REMIND: "finding.remind",
}


@transaction.atomic
def finding_report(*, actor: User, finding: Finding, expected_version: int, text: str,
                   photos: Sequence[IO[bytes]]) -> Finding:
    """The unit reports what it did, with "after" photos: 待整改 / 被退回 → 待核查."""
    current = _locked(actor, finding, expected_version, "report")
    text = text_clean(text, model=FindingEvent, name="text", required=_("请填写整改情况"))
    prepared = photos_prepare(photos, required=_("请至少上传一张整改后照片"))
    fresh = _move(actor=actor, finding=current, step="report", kind=FindingEvent.Kind.REPORT, text=text)
    photos_store(finding=fresh, stage="after", photos=prepared, actor=actor)
    return fresh


VERIFY_KINDS = {
    "close": FindingEvent.Kind.CLOSE,
    "return": FindingEvent.Kind.RETURN,
    "close_not_fixed": FindingEvent.Kind.CLOSE_NOT_FIXED,
}


@transaction.atomic
def finding_verify(*, actor: User, finding: Finding, expected_version: int, step: str, reason: str = "") -> Finding:
    """The inspector's check of a reported finding: 销号, 退回 (with a reason) or 未整改销号
    (with a reason)."""
    if step not in VERIFY_KINDS:
        raise InspectionError(_("请选择核查结果"))
    current = _locked(actor, finding, expected_version, step)
    required = "" if step == "close" else (
        _("退回须填写原因") if step == "return" else _("未整改销号须填写原因"))
    reason = text_clean(reason, model=FindingEvent, name="text", required=required, field="reason")
    changes: dict[str, Any] = {}
    if step != "return":
        outcome = Finding.Outcome.CLOSED if step == "close" else Finding.Outcome.CLOSED_NOT_FIXED
        changes = {"closed_on": timezone.localdate(), "outcome": outcome}
    return _move(actor=actor, finding=current, step=step, kind=VERIFY_KINDS[step], text=reason, **changes)


@transaction.atomic
def extension_request(*, actor: User, finding: Finding, expected_version: int, requested_to: datetime.date,
                      reason: str) -> ExtensionRequest:
    """延期申请 by the unit: one pending request at a time, for a later date than the deadline
    in force."""
    current = _locked(actor, finding, expected_version, "extend_request")
    reason = text_clean(reason, model=ExtensionRequest, name="reason", required=_("请填写延期理由"))
    if current.extensions.filter(decision="").exists():
        raise InspectionError(_("已有一份延期申请待审批，请等待审批结果"), field="requested_to")
    if requested_to <= current.deadline_in_force:
        raise InspectionError(_("申请延期至的日期须晚于现在的整改期限（%(d)s）") % {
            "d": current.deadline_in_force.isoformat()}, field="requested_to")
    if requested_to > current.deadline_in_force + datetime.timedelta(days=365):
        raise InspectionError(_("延期不能超过一年"), field="requested_to")
    request = ExtensionRequest.objects.create(finding=current, requested_to=requested_to, reason=reason,
                                              requested_by=actor)
    _move(actor=actor, finding=current, step="extend_request", kind=FindingEvent.Kind.EXTEND_REQUEST,
          text=_("申请延期至 %(d)s：%(r)s") % {"d": requested_to.isoformat(), "r": reason})
    return request


@transaction.atomic
def extension_decide(*, actor: User, extension: ExtensionRequest, expected_version: int, approve: bool,
                     note: str = "") -> ExtensionRequest:
    """同意 (the new deadline is in force) or 不同意 (the deadline is unchanged)."""
    current = _locked(actor, extension.finding, expected_version, "extend_decide")
    locked = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if locked.decision:
        raise ConflictError(_("该延期申请已审批"))
    note = text_clean(note, model=ExtensionRequest, name="decision_note", field="note",
                      required="" if approve else _("不同意延期须填写理由"))
    locked.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    locked.decision_note, locked.decided_by, locked.decided_at = note, actor, timezone.now()
    locked.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
    if approve:
        _move(actor=actor, finding=current, step="extend_decide", kind=FindingEvent.Kind.EXTEND_APPROVE,
              text=_("同意延期至 %(d)s。%(n)s") % {"d": locked.requested_to.isoformat(), "n": note},
              extended_to=locked.requested_to)
    else:
        _move(actor=actor, finding=current, step="extend_decide", kind=FindingEvent.Kind.EXTEND_REFUSE,
              text=note)
    return locked


@transaction.atomic
def finding_remind(*, actor: User, finding: Finding, expected_version: int, text: str) -> Reminder:
    """催办: a note to the unit on a finding that waits for it."""
    current = _locked(actor, finding, expected_version, "remind")
    text = text_clean(text, model=Reminder, name="text", required=_("请填写催办内容"))
    reminder = Reminder.objects.create(finding=current, text=text, by=actor)
    _move(actor=actor, finding=current, step="remind", kind=FindingEvent.Kind.REMIND, text=text)
    return reminder
