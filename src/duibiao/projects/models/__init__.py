"""Key projects (重点项目): the project library with its milestones and ledger history, and
what owners and service secretaries report on them — progress, photos, problems."""

from duibiao.projects.models.dispatch import Assignment, Cadence, CadenceRule, DispatchMeeting
from duibiao.projects.models.leads import Lead, LeadStage, LeadStageEntry, LeadStageLimit
from duibiao.projects.models.progress import Problem, ProgressPhoto, ProgressReport
from duibiao.projects.models.projects import (
    Funding,
    Kind,
    LedgerChange,
    Level,
    Milestone,
    Project,
    ReportingRhythm,
    Stage,
)

__all__ = [
    "Assignment",
    "Cadence",
    "CadenceRule",
    "DispatchMeeting",
    "Lead",
    "LeadStage",
    "LeadStageEntry",
    "LeadStageLimit",
    "Funding",
    "Kind",
    "LedgerChange",
    "Level",
    "Milestone",
    "Problem",
    "ProgressPhoto",
    "ProgressReport",
    "Project",
    "ReportingRhythm",
    "Stage",
]
