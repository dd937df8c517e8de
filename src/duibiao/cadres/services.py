"""Writes to the cadre register and its grades. Each function: keyword-only arguments, one
transaction, one audit row; the actor must be the office over the unit (`actor=None` is the
system, e.g. the demo loader)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from django.db import transaction
from django.utils import timezone

from duibiao import engine
from duibiao.assessment.errors import InvalidValue
from duibiao.assessment.limits import text_clean, year_clean
from duibiao.audit.services import audit_record
from duibiao.cadres.models import (
    AnnualGrade,
    Cadre,
    CadreAnnualGrade,
    CadreIndicatorScore,
    CadreQuotaApproval,
    CadreRoutineGrade,
    RoutineGrade,
)
from duibiao.cadres.selectors import cadre_require_editor, cadre_year_rows
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from duibiao.accounts.models import User


_P = ParamSpec("_P")
_T = TypeVar("_T")


class CadreInputError(ValueError):
    """Input the office must correct (shown on the page, 422 in the API)."""


class CadreConflict(ValueError):
    """Someone changed the cadre since the form was read: nothing was overwritten (409)."""

    def __init__(self, message: str = "该干部信息已被他人修改，请刷新页面查看最新内容后再保存") -> None:
        super().__init__(message)


CADRE_FIELDS = ("name", "position", "rank", "gender", "birth_month", "is_active", "order")


def _cadre_snapshot(cadre: Cadre) -> dict[str, object]:
    return {
        f: (getattr(cadre, f).isoformat() if f == "birth_month" else getattr(cadre, f))
        for f in CADRE_FIELDS
    }


def _checked(check: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """A check of `assessment.limits` (texts to their column's length, years within range, the
    same on SQLite and PostgreSQL), refused as the cadre pages and API refuse input."""
    try:
        return check(*args, **kwargs)
    except InvalidValue as exc:
        raise CadreInputError(str(exc)) from None


def _check_cadre(*, name: str, position: str, rank: str, gender: str) -> None:
    if not name.strip() or not position.strip():
        raise CadreInputError("姓名和职务不能为空")
    _checked(text_clean, name, model=Cadre, name="name")
    _checked(text_clean, position, model=Cadre, name="position")
    if rank not in Cadre.Rank.values:
        raise CadreInputError(f"未知职级：{rank}")
    if gender not in Cadre.Gender.values:
        raise CadreInputError(f"未知性别：{gender}")


@transaction.atomic
def cadre_create(
    *, actor: User | None, unit: Unit, name: str, position: str, rank: str, gender: str, birth_month: date,
    order: int = 0,
) -> Cadre:
    cadre_require_editor(user=actor, unit=unit)
    _check_cadre(name=name, position=position, rank=rank, gender=gender)
    cadre = Cadre.objects.create(
        unit=unit, name=name.strip(), position=position.strip(), rank=rank, gender=gender,
        birth_month=birth_month.replace(day=1), order=order,
    )
    audit_record(actor=actor, action="cadre.create", obj=cadre, unit=unit, after=_cadre_snapshot(cadre))
    return cadre


@transaction.atomic
def cadre_update(
    *, actor: User | None, cadre: Cadre, expected_version: int, name: str, position: str, rank: str,
    gender: str, birth_month: date, is_active: bool = True, order: int = 0,
) -> Cadre:
    """Change a cadre built from `expected_version`; a stale version changes nothing."""
    cadre_require_editor(user=actor, unit=cadre.unit)
    _check_cadre(name=name, position=position, rank=rank, gender=gender)
    # Locked, so two saves of the same version cannot both pass the check below.
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if cadre.version != expected_version:
        raise CadreConflict()
    before = _cadre_snapshot(cadre)
    cadre.name, cadre.position, cadre.rank, cadre.gender = name.strip(), position.strip(), rank, gender
    cadre.birth_month, cadre.is_active, cadre.order = birth_month.replace(day=1), is_active, order
    cadre.version += 1
    cadre.save()
    audit_record(actor=actor, action="cadre.update", obj=cadre, unit=cadre.unit, before=before,
                 after=_cadre_snapshot(cadre))
    return cadre


def _own_cadres(unit: Unit, cadres: Iterable[Cadre | int]) -> dict[int, Cadre]:
    """The unit's cadres by id; any cadre of another unit in the input is refused."""
    by_id = {c.pk: c for c in Cadre.objects.filter(unit=unit)}
    for c in cadres:
        pk = c.pk if isinstance(c, Cadre) else int(c)
        if pk not in by_id:
            raise CadreInputError("干部不属于该单位")
    return by_id


@transaction.atomic
def cadre_routine_grades_set(
    *, actor: User | None, unit: Unit, year: int, grades: dict[tuple[int, int], str]
) -> int:
    """Set routine grades of a unit's cadres for a year: (cadre id, quarter) → grade ("" clears).
    Returns how many grades changed."""
    cadre_require_editor(user=actor, unit=unit)
    _checked(year_clean, year)
    if any(q not in (1, 2, 3, 4) for _, q in grades):
        raise CadreInputError("季度应为1–4")
    _own_cadres(unit, {cadre_id for cadre_id, _ in grades})
    existing = {
        (g.cadre_id, g.quarter): g for g in CadreRoutineGrade.objects.filter(cadre__unit=unit, year=year)
    }
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for (cadre_id, quarter), grade in grades.items():
        if grade and grade not in RoutineGrade.values:
            raise CadreInputError(f"未知平时考核等次：{grade}")
        old = existing.get((int(cadre_id), quarter))
        if (old.grade if old else "") == grade:
            continue
        key = f"{cadre_id}:Q{quarter}"
        before[key], after[key] = (old.grade if old else ""), grade
        if old is None:  # (then the grade is not "": an unchanged empty one was skipped above)
            CadreRoutineGrade.objects.create(cadre_id=cadre_id, year=year, quarter=quarter, grade=grade)
        elif not grade:
            old.delete()
        else:
            old.grade = grade
            old.save(update_fields=["grade"])
    audit_record(actor=actor, action="cadre.routine_set", unit=unit, before=before, after=after,
                 detail=f"{year}年度平时考核 {len(after)} 项")
    return len(after)


@dataclass(frozen=True)
class CadreYearInput:
    """One cadre's row of the annual sheet: proposed grade ("" = none), optional ranking score,
    and indicator scores by dimension (None clears)."""

    cadre_id: int
    proposed: str = ""
    score: float | None = None
    indicators: dict[str, float | None] = field(default_factory=dict)


def _check_score(value: float | None, what: str) -> None:
    if value is not None and not 0 <= value <= 100:
        raise CadreInputError(f"{what}应在0–100之间")


@transaction.atomic
def cadre_year_save(*, actor: User | None, unit: Unit, year: int, entries: list[CadreYearInput]) -> int:
    """Save proposed annual grades, ranking scores and 党性/发展/能力 scores of a unit's cadres.
    A changed proposal clears the final grade: the rules must be applied again."""
    cadre_require_editor(user=actor, unit=unit)
    _checked(year_clean, year)
    _own_cadres(unit, [e.cadre_id for e in entries])
    annual = {a.cadre_id: a for a in CadreAnnualGrade.objects.filter(cadre__unit=unit, year=year)}
    indicators = {
        (s.cadre_id, s.dimension): s for s in CadreIndicatorScore.objects.filter(cadre__unit=unit, year=year)
    }
    changes: dict[int, dict[str, object]] = {}
    for e in entries:
        if e.proposed and e.proposed not in AnnualGrade.values:
            raise CadreInputError(f"未知年度考核等次：{e.proposed}")
        _check_score(e.score, "排序得分")
        change: dict[str, object] = {}
        old = annual.get(e.cadre_id)
        if not e.proposed:
            if old:
                old.delete()
                change["proposed"] = ""
        elif old is None:
            CadreAnnualGrade.objects.create(cadre_id=e.cadre_id, year=year, proposed=e.proposed, score=e.score)
            change.update(proposed=e.proposed, score=e.score)
        elif (old.proposed, old.score) != (e.proposed, e.score):
            if old.proposed != e.proposed:
                old.final, old.reason, old.applied_at = "", "", None
            old.proposed, old.score = e.proposed, e.score
            old.save()
            change.update(proposed=e.proposed, score=e.score)
        for dim, value in e.indicators.items():
            if dim not in CadreIndicatorScore.Dimension.values:
                raise CadreInputError(f"未知指标：{dim}")
            _check_score(value, "指标得分")
            row = indicators.get((e.cadre_id, dim))
            if value is None:
                if row:
                    row.delete()
                    change[dim] = None
            elif row is None:
                CadreIndicatorScore.objects.create(cadre_id=e.cadre_id, year=year, dimension=dim, score=value)
                change[dim] = value
            elif row.score != value:
                row.score = value
                row.save(update_fields=["score"])
                change[dim] = value
        if change:
            changes[e.cadre_id] = change
    audit_record(actor=actor, action="cadre.year_save", unit=unit, after=changes,
                 detail=f"{year}年度 {len(changes)} 人")
    return len(changes)


@transaction.atomic
def cadre_rules_apply(
    *, actor: User | None, unit: Unit, year: int, rules: engine.CadreRules = engine.DEFAULT_CADRE_RULES
) -> engine.CadreGrading:
    """Apply the routine limit and the 优秀 quota to the unit's proposals (engine.cadre_grades)
    and store each final grade with its reason."""
    cadre_require_editor(user=actor, unit=unit)
    cadres = Cadre.objects.filter(unit=unit, is_active=True)
    graded = [(r, r.annual) for r in cadre_year_rows(cadres, year) if r.annual is not None]
    rows = [r for r, _annual in graded]
    approved = CadreQuotaApproval.objects.filter(unit=unit, year=year).exists()
    result = engine.cadre_grades(
        [a.proposed for _row, a in graded],
        [[g for g in r.routine_list if g] for r in rows],
        [unit.code] * len(rows),
        [r.ranking_score for r in rows],
        approved_groups={unit.code} if approved else (),
        rules=rules,
    )
    now = timezone.now()
    for (_row, a), final, reason in zip(graded, result.final, result.reasons, strict=True):
        a.final, a.reason, a.applied_at = final, reason, now
        a.save(update_fields=["final", "reason", "applied_at"])
    audit_record(
        actor=actor, action="cadre.rules_apply", unit=unit,
        after={r.cadre.name: {"proposed": a.proposed, "final": f, "reason": why}
               for (r, a), f, why in zip(graded, result.final, result.reasons, strict=True)},
        detail=f"{year}年度 优秀限额{result.quotas.get(unit.code, 0)}名"
               + ("（已批准25%）" if approved else ""),
    )
    return result


@transaction.atomic
def cadre_year_submit(
    *, actor: User | None, unit: Unit, year: int, entries: list[CadreYearInput], apply_rules: bool
) -> engine.CadreGrading | None:
    """The annual sheet as the page submits it: save the entries and, when asked, apply the
    rules to what was just saved, in one transaction (a failure keeps neither). Returns the
    grading when the rules were applied. Each step keeps its own audit entry."""
    cadre_year_save(actor=actor, unit=unit, year=year, entries=entries)
    return cadre_rules_apply(actor=actor, unit=unit, year=year) if apply_rules else None


@transaction.atomic
def cadre_quota_set(*, actor: User | None, unit: Unit, year: int, approved: bool, note: str = "") -> bool:
    """Approve (or withdraw) the 25 % 优秀 quota of a unit for a year. Returns the new state."""
    cadre_require_editor(user=actor, unit=unit)
    _checked(year_clean, year)
    note = _checked(text_clean, note, model=CadreQuotaApproval, name="note")
    existing = CadreQuotaApproval.objects.filter(unit=unit, year=year).first()
    if approved and existing is None:
        approval = CadreQuotaApproval.objects.create(
            unit=unit, year=year, approved_by=actor if getattr(actor, "pk", None) else None, note=note
        )
        audit_record(actor=actor, action="cadre.quota_approve", obj=approval, unit=unit,
                     after={"year": year, "note": note})
    elif not approved and existing is not None:
        audit_record(actor=actor, action="cadre.quota_withdraw", obj=existing, unit=unit,
                     before={"year": year, "note": existing.note})
        existing.delete()
    return approved
