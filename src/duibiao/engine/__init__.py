"""The scoring engine (计分引擎): pure numpy, no Django.

Usage::

    from duibiao import engine
    scheme = engine.build_scheme(parsed_yaml_mapping)
    result = engine.score(scheme, values, engine.Units(codes, categories))
    result.score, result.rank, result.grades, result.trace(codes[0])
"""

from ._version import __version__
from .adjust import apply_adjustments, apply_vetoes
from .aggregate import aggregate
from .cadres import (
    ANNUAL_GRADES,
    DEFAULT_CADRE_RULES,
    ROUTINE_GRADES,
    TIANJIN_LIMITS,
    CadreGrading,
    CadreRules,
    RoutineLimit,
    cadre_grades,
    routine_caps,
)
from .cells import cells_break_rules, input_codes, place_cells
from .combine import average_periods, combine_parts
from .data import DataProblem, Inputs, dense_inputs, value_problems
from .explain import data_warnings, gap, table, trace
from .grade import assign_grades, quota_counts
from .numbers import MisplacedSeparator, parse_judgement, plain, strip_thousands
from .pipeline import scope_groups, score
from .prepare import coverage, denominate, impute, kurtosis, skewness, treat_skew_kurtosis
from .rank import encode_groups, rank_change, rank_within, round_half_up
from .result import Result, Units
from .scheme import (
    Adjustment,
    AdjustmentRules,
    Applicability,
    CombinationPart,
    Grade,
    Grading,
    Indicator,
    Node,
    Preparation,
    Ranking,
    Scheme,
    SchemeError,
    TaskForce,
    ValueRule,
    Veto,
    WeightSpec,
)
from .scheme_build import build_scheme, default_value_rule
from .sensitivity import SensitivityResult, sensitivity
from .weights import (
    RANDOM_INDEX,
    AHPResult,
    InconsistentJudgements,
    ahp_weights,
    combine_weights,
    critic_weights,
    entropy_weights,
    normalise_weights,
)
from .workdays import CalendarGap, WorkCalendar

__all__ = [
    "ANNUAL_GRADES",
    "DEFAULT_CADRE_RULES",
    "ROUTINE_GRADES",
    "TIANJIN_LIMITS",
    "CadreGrading",
    "CadreRules",
    "RoutineLimit",
    "cadre_grades",
    "routine_caps",
    "RANDOM_INDEX",
    "AHPResult",
    "CalendarGap",
    "Adjustment",
    "AdjustmentRules",
    "Applicability",
    "CombinationPart",
    "DataProblem",
    "Grade",
    "Grading",
    "InconsistentJudgements",
    "Indicator",
    "Inputs",
    "MisplacedSeparator",
    "Node",
    "Preparation",
    "Ranking",
    "Result",
    "Scheme",
    "SchemeError",
    "SensitivityResult",
    "TaskForce",
    "Units",
    "ValueRule",
    "Veto",
    "WeightSpec",
    "WorkCalendar",
    "__version__",
    "aggregate",
    "ahp_weights",
    "apply_adjustments",
    "apply_vetoes",
    "assign_grades",
    "average_periods",
    "build_scheme",
    "cells_break_rules",
    "combine_parts",
    "combine_weights",
    "coverage",
    "critic_weights",
    "data_warnings",
    "denominate",
    "default_value_rule",
    "dense_inputs",
    "encode_groups",
    "entropy_weights",
    "gap",
    "impute",
    "input_codes",
    "kurtosis",
    "normalise_weights",
    "parse_judgement",
    "place_cells",
    "plain",
    "quota_counts",
    "rank_change",
    "rank_within",
    "round_half_up",
    "scope_groups",
    "score",
    "sensitivity",
    "skewness",
    "strip_thousands",
    "table",
    "trace",
    "treat_skew_kurtosis",
    "value_problems",
]
