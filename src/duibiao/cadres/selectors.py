"""Reads of the cadre register, always through the access gate, and the derived lists.

Who sees cadres (issue 5): the office (考核办) for the units in its scope, and a unit head for
its own unit only. Reporters, task forces, leaders and other units' heads see nothing: a
unit outside a user's cadre scope is a 404, so its existence is not leaked.

The derived lists (选拔任用, 评先评优, 墩苗培养) are small rule functions below, with their
thresholds as module constants, so the office can read (and the code review can check)
exactly what puts a cadre on a list.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import mean
from typing import TYPE_CHECKING

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from duibiao import engine
from duibiao.accounts import gate
from duibiao.assessment.models import RunResult, ScoringRun
from duibiao.assessment.selectors.results import published_unit_grades
from duibiao.cadres.models import (
    AnnualGrade,
    Cadre,
    CadreAnnualGrade,
    CadreIndicatorScore,
    CadreQuotaApproval,
    CadreRoutineGrade,
    RoutineGrade,
)
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

QUARTERS = (1, 2, 3, 4)
DIMENSIONS = tuple(CadreIndicatorScore.Dimension)

# 选拔任用: annual 优秀 in at least SELECTION_MIN_EXCELLENT of the last SELECTION_WINDOW years
# (this year included), or 优秀 this year in a unit whose published grade is UNIT_TOP_GRADE.
SELECTION_WINDOW = 3
SELECTION_MIN_EXCELLENT = 2
UNIT_TOP_GRADE = "优秀"
# 评先评优: annual 优秀 this year, and the unit neither graded as below nor vetoed.
AWARD_BARRED_UNIT_GRADES = frozenset({"较差"})
# 墩苗培养: young (age on 31 December of the year), every recorded routine grade good, capable.
TRAINING_MAX_AGE = 35
TRAINING_ROUTINE_GRADES = frozenset({RoutineGrade.GOOD, RoutineGrade.FAIRLY_GOOD})
TRAINING_MIN_CAPABILITY = 85.0

LISTS = {
    "selection": "选拔任用",
    "award": "评先评优",
    "training": "墩苗培养",
}


# ---- scope -------------------------------------------------------------------------------

def cadre_units(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    """Units whose cadres the user may see: the office's scope, and a head's own unit."""
    return gate.units(user, "cadres.sheet.view")


def cadre_unit_list(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    """The assessed units (those with a category) in the user's cadre scope, with counts."""
    return (
        cadre_units(user=user).filter(category__isnull=False)
        .select_related("category")
        .annotate(n_cadres=Count("cadres", filter=Q(cadres__is_active=True)))
        .order_by("category__order", "order", "path")
    )


def cadre_unit_get(*, user: User | AnonymousUser, code: str) -> Unit:
    return get_object_or_404(cadre_units(user=user), code=code)


def cadre_can_edit(*, user: User | AnonymousUser, unit: Unit) -> bool:
    """Only the office (over a unit in its scope) writes cadre data; a unit head reads."""
    return gate.allows(user, "cadres.sheet.edit", unit=unit)


def cadre_require_editor(*, user: User | AnonymousUser | None, unit: Unit) -> None:
    """For services: no actor (demo, system) passes; others must be the office over the unit
    (PermissionDenied for anyone else, 404 for a unit outside the office's scope)."""
    if user is not None:
        gate.require(user, "cadres.sheet.edit", unit=unit)


def cadre_list(*, user: User | AnonymousUser, unit: Unit, include_inactive: bool = False) -> QuerySet[Cadre]:
    cadres = Cadre.objects.filter(unit__in=cadre_units(user=user), unit=unit).select_related("unit")
    return cadres if include_inactive else cadres.filter(is_active=True)


def cadre_get(*, user: User | AnonymousUser, pk: int) -> Cadre:
    return get_object_or_404(
        Cadre.objects.filter(unit__in=cadre_units(user=user)).select_related("unit"), pk=pk
    )


# ---- the year sheet of a unit -----------------------------------------------------------

@dataclass
class CadreYearRow:
    cadre: Cadre
    routine: dict[int, str] = field(default_factory=dict)
    annual: CadreAnnualGrade | None = None
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def routine_list(self) -> list[str]:
        return [self.routine.get(q, "") for q in QUARTERS]

    @property
    def score_cells(self) -> list[tuple[str, str, float | None]]:
        """(dimension, label, score) in the order 党性, 发展, 能力."""
        return [(d.value, str(d.label), self.scores.get(d.value)) for d in DIMENSIONS]

    @property
    def ranking_score(self) -> float:
        """The annual grade's score if given, else the mean of the indicator scores (NaN if none)."""
        if self.annual is not None and self.annual.score is not None:
            return float(self.annual.score)
        return mean(self.scores.values()) if self.scores else math.nan

    @property
    def changed(self) -> bool:
        a = self.annual
        return bool(a and a.final and a.final != a.proposed)


@dataclass
class CadreYearSheet:
    unit: Unit
    year: int
    rows: list[CadreYearRow]
    approval: CadreQuotaApproval | None

    @property
    def proposed_count(self) -> int:
        return sum(1 for r in self.rows if r.annual is not None)

    @property
    def excellent_proposed(self) -> int:
        return sum(1 for r in self.rows if r.annual is not None and r.annual.proposed == AnnualGrade.EXCELLENT)

    @property
    def quota(self) -> int:
        """优秀 places for the cadres proposed (20 %, or 25 % when approved; declared rounding)."""
        rules = engine.DEFAULT_CADRE_RULES
        share = rules.approved_quota if self.approval else rules.quota
        return int(engine.quota_counts(np.array([float(self.proposed_count)]), share, rules.rounding)[0])

    @property
    def applied(self) -> bool:
        return any(r.annual is not None and r.annual.applied_at for r in self.rows)


def cadre_year_rows(cadres: Iterable[Cadre], year: int) -> list[CadreYearRow]:
    """Routine grades, annual grade and indicator scores of the given cadres for one year."""
    rows = {c.pk: CadreYearRow(cadre=c) for c in cadres}
    for g in CadreRoutineGrade.objects.filter(cadre_id__in=rows, year=year):
        rows[g.cadre_id].routine[g.quarter] = g.grade
    for a in CadreAnnualGrade.objects.filter(cadre_id__in=rows, year=year):
        rows[a.cadre_id].annual = a
    for s in CadreIndicatorScore.objects.filter(cadre_id__in=rows, year=year):
        rows[s.cadre_id].scores[s.dimension] = s.score
    return list(rows.values())


def cadre_year_sheet(*, user: User | AnonymousUser, unit: Unit, year: int) -> CadreYearSheet:
    rows = cadre_year_rows(cadre_list(user=user, unit=unit), year)
    approval = CadreQuotaApproval.objects.filter(unit=unit, year=year).select_related("approved_by").first()
    return CadreYearSheet(unit=unit, year=year, rows=rows, approval=approval)


# ---- derived lists -----------------------------------------------------------------------

def qualifies_for_selection(finals: dict[int, str], year: int, unit_grade: str) -> str:
    """选拔任用: the reason a cadre qualifies ("" = not). ``finals``: final annual grade by year."""
    window = range(year - SELECTION_WINDOW + 1, year + 1)
    excellent = sum(1 for y in window if finals.get(y) == AnnualGrade.EXCELLENT)
    if excellent >= SELECTION_MIN_EXCELLENT:
        return f"近{SELECTION_WINDOW}年{excellent}次年度考核优秀"
    if finals.get(year) == AnnualGrade.EXCELLENT and unit_grade == UNIT_TOP_GRADE:
        return f"{year}年度考核优秀，所在单位考核等次为{UNIT_TOP_GRADE}"
    return ""


def qualifies_for_award(final: str, unit_grade: str, unit_vetoed: bool) -> str:
    """评先评优: annual 优秀 this year, in a unit neither graded 较差 nor vetoed."""
    if final != AnnualGrade.EXCELLENT or unit_vetoed or unit_grade in AWARD_BARRED_UNIT_GRADES:
        return ""
    return "年度考核优秀" + (f"，所在单位考核等次为{unit_grade}" if unit_grade else "")


def qualifies_for_training(age: int, routine: Iterable[str], capability: float | None) -> str:
    """墩苗培养: age ≤ 35, at least one routine grade and all of them 好/较好, 能力 ≥ 85."""
    grades = [g for g in routine if g]
    if age > TRAINING_MAX_AGE or not grades or any(g not in TRAINING_ROUTINE_GRADES for g in grades):
        return ""
    if capability is None or capability < TRAINING_MIN_CAPABILITY:
        return ""
    return f"{age}岁，平时考核均为好或较好，能力指标{capability:g}分"


@dataclass(frozen=True)
class ListEntry:
    cadre: Cadre
    age: int
    final: str
    reason: str


def _unit_standing(year: int) -> tuple[dict[int, str], set[int]]:
    """Published unit grades of the year, and the units with a veto in a published run."""
    vetoed = set(
        RunResult.objects.filter(run__stage=ScoringRun.Stage.PUBLISHED, run__period__year=year)
        .exclude(vetoes=[]).values_list("unit_id", flat=True)
    )
    return published_unit_grades(year=year), vetoed


def cadre_derived_list(*, user: User | AnonymousUser, kind: str, year: int, unit: Unit | None = None) -> list[ListEntry]:
    """One of the derived lists (`LISTS`) over the cadres the user may see."""
    if kind not in LISTS:
        raise Http404
    cadres = (
        Cadre.objects.filter(unit__in=cadre_units(user=user), is_active=True).select_related("unit")
        .order_by("unit__category__order", "unit__order", "unit__code", "order", "pk")
    )
    if unit is not None:
        cadres = cadres.filter(unit=unit)
    rows = cadre_year_rows(cadres, year)
    unit_grades, vetoed = _unit_standing(year)
    history: dict[int, dict[int, str]] = {}
    if kind == "selection":
        for cadre_id, y, final in CadreAnnualGrade.objects.filter(
            cadre__in=cadres, year__gt=year - SELECTION_WINDOW, year__lte=year
        ).exclude(final="").values_list("cadre_id", "year", "final"):
            history.setdefault(cadre_id, {})[y] = final
    out = []
    for row in rows:
        cadre = row.cadre
        final = row.annual.final if row.annual else ""
        age = year - cadre.birth_month.year
        unit_grade = unit_grades.get(cadre.unit_id, "")
        if kind == "selection":
            reason = qualifies_for_selection(history.get(cadre.pk, {}), year, unit_grade)
        elif kind == "award":
            reason = qualifies_for_award(final, unit_grade, cadre.unit_id in vetoed)
        else:
            reason = qualifies_for_training(
                age, row.routine_list, row.scores.get(CadreIndicatorScore.Dimension.CAPABILITY)
            )
        if reason:
            out.append(ListEntry(cadre=cadre, age=age, final=final, reason=reason))
    return out
