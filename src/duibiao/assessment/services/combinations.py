"""多考合一: the office defines how routine, target and annual results make the annual one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.limits import text_clean, year_clean
from duibiao.assessment.models import Combination, CombinationPart, ScoringRun
from duibiao.audit.services import audit_record

if TYPE_CHECKING:
    from duibiao.accounts.models import User
    from duibiao.org.models import Unit


@transaction.atomic
def combination_save(
    *, actor: User, code: str, name: str, year: int, district: Unit | None,
    parts: list[tuple[str, float, list[ScoringRun]]],
) -> Combination:
    """parts: (name, weight in %, published runs averaged into the part). `district`: the unit
    whose schemes the runs belong to (None, when the office sees no scheme yet, is refused)."""
    gate.require(actor, "assessment.combination.edit")
    code = text_clean(code, model=Combination, name="code", required="请填写代码")
    name = text_clean(name, model=Combination, name="name", required="请填写名称")
    year_clean(year)
    if district is None:
        raise AssessmentError("还没有考核方案，不能合成年度结果")
    for part_name, _weight, _runs in parts:
        text_clean(part_name, model=CombinationPart, name="name")
    if not parts:
        raise AssessmentError("至少需要一个组成部分")
    total = sum(weight for _, weight, _ in parts)
    if abs(total - 100) > 1e-6:
        raise AssessmentError(f"各组成部分权重合计应为 100%，现为 {total:g}%")
    for part_name, weight, runs in parts:
        if weight <= 0:
            raise AssessmentError(f"“{part_name}”的权重应大于 0")
        if not runs:
            raise AssessmentError(f"“{part_name}”没有选择考核结果")
        unpublished = [r for r in runs if r.stage != ScoringRun.Stage.PUBLISHED]
        if unpublished:
            raise AssessmentError(f"“{part_name}”只能使用已公布的结果（{unpublished[0]} 未公布）")
    combination, _ = Combination.objects.update_or_create(
        code=code, defaults={"name": name, "year": year, "district": district, "created_by": actor}
    )
    combination.parts.all().delete()
    for order, (part_name, weight, runs) in enumerate(parts):
        part = CombinationPart.objects.create(combination=combination, name=part_name, weight=weight, order=order)
        part.runs.set(runs)
    audit_record(
        actor=actor, action="combination.save", obj=combination, unit=district,
        after=[{"name": n, "weight": w, "runs": [r.pk for r in rs]} for n, w, rs in parts],
    )
    return combination
