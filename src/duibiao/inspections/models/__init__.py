"""Inspections data: campaigns, their findings with photos and rectification records, and the
enterprises they concern."""

from duibiao.inspections.models.campaigns import Campaign
from duibiao.inspections.models.enterprises import Enterprise
from duibiao.inspections.models.findings import (
    ExtensionRequest,
    Finding,
    FindingEvent,
    FindingPhoto,
    Reminder,
)
from duibiao.inspections.models.risks import RiskItem
from duibiao.inspections.models.worklogs import WorkLog, WorkType

__all__ = [
    "Campaign",
    "Enterprise",
    "ExtensionRequest",
    "Finding",
    "FindingEvent",
    "FindingPhoto",
    "Reminder",
    "RiskItem",
    "WorkLog",
    "WorkType",
]
