"""督导检查's work lists over the API, under /api/inspections: 整改任务 (a unit's findings still to
deal with, overdue and returned first), 待核查 (reported findings and extension requests waiting
for the inspector) and the recording form's duplicate check. The pages' selectors, so the same
gate and the same order."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Router, Schema

from duibiao.accounts import gate
from duibiao.api.inspections import FindingOut
from duibiao.api.pagination import paged
from duibiao.inspections.models import ExtensionRequest
from duibiao.inspections.selectors.findings import (
    ListedFinding,
    recording_duplicates,
    rectification_list,
    verify_queue,
)

router = Router(tags=["inspections"])


class DeadlineOut(Schema):
    state: Literal["closed", "open", "due_today", "overdue", "none"]
    deadline: date | None  # the deadline in force
    workdays_left: int | None
    overdue_days: int


class ListedOut(Schema):
    finding: FindingOut
    deadline: DeadlineOut


class PendingExtensionOut(Schema):
    id: int
    finding: int
    unit: str
    requested_to: date
    reason: str
    requested_by: str | None
    requested_at: datetime


class VerifyQueueOut(Schema):
    reported: list[ListedOut]  # to verify, the longest waiting first (at most 500)
    extensions: list[PendingExtensionOut]  # to decide, oldest first (at most 500)


def _listed(row: ListedFinding) -> dict:
    d = row.deadline
    return {"finding": row.finding, "deadline": {"state": d.state, "deadline": d.deadline,
                                                 "workdays_left": d.workdays_left, "overdue_days": d.overdue_days}}


def _extension(e: ExtensionRequest) -> PendingExtensionOut:
    return PendingExtensionOut(id=e.pk, finding=e.finding_id, unit=e.finding.unit.code, requested_to=e.requested_to,
                               reason=e.reason, requested_by=e.requested_by.username if e.requested_by else None,
                               requested_at=e.requested_at)


@router.get("/rectify", response=list[ListedOut], summary="整改任务：本单位待整改的问题（逾期、退回在前）")
@paged
def rectify(request):
    gate.require(request.user, "inspections.finding.rectify")
    return [_listed(row) for row in rectification_list(request.user)]


@router.get("/verify", response=VerifyQueueOut, summary="待核查：已报告整改的问题与待审批的延期申请")
def verify(request):
    if not gate.allows(request.user, "inspections.extension.decide"):
        gate.require(request.user, "inspections.finding.verify")
    queue = verify_queue(request.user)
    return {"reported": [_listed(row) for row in queue.reported],
            "extensions": [_extension(e) for e in queue.extensions]}


@router.get("/campaigns/{pk}/duplicates", response=list[FindingOut],
            summary="记录问题前的查重：本次检查中同一地点、同一类别已记录的问题（仅提示，不阻止记录）")
@paged
def duplicates(request, pk: int, category: str = "", address: str = "", lat: str = "", lng: str = ""):
    return recording_duplicates(request.user, campaign_id=pk, category=category, address=address, lat=lat, lng=lng)
