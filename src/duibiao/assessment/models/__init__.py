"""Assessment data: schemes and their versions, periods and the working-day calendar,
submissions with evidence, and the review trail."""

from duibiao.assessment.models.comments import SubmissionComment
from duibiao.assessment.models.periods import Period
from duibiao.assessment.models.runs import (
    Appeal,
    Combination,
    CombinationPart,
    RunArrays,
    RunResult,
    ScoringRun,
)
from duibiao.assessment.models.schemes import Dimension, Indicator, Scheme, SchemeVersion
from duibiao.assessment.models.submissions import Evidence, ReviewEvent, Submission, UnitSignoff

__all__ = [
    "Appeal",
    "Combination",
    "CombinationPart",
    "RunArrays",
    "RunResult",
    "ScoringRun",
    "Dimension",
    "Evidence",
    "Indicator",
    "Period",
    "ReviewEvent",
    "Scheme",
    "SchemeVersion",
    "Submission",
    "SubmissionComment",
    "UnitSignoff",
]
