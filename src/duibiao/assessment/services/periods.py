"""考核周期: created by the office with a deadline counted in working days, then opened and
closed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.limits import text_clean, year_clean
from duibiao.assessment.models import Period, SchemeVersion
from duibiao.audit.services import audit_record
from duibiao.engine import CalendarGap
from duibiao.workdays.selectors import PUBLISHED_YEARS, work_calendar

if TYPE_CHECKING:
    from duibiao.accounts.models import User

KIND_NAMES = {Period.Kind.MONTH: "{year}年{number}月", Period.Kind.QUARTER: "{year}年第{q}季度",
              Period.Kind.YEAR: "{year}年度"}
QUARTERS = "一二三四"


def period_name(kind: str, year: int, number: int) -> str:
    q = QUARTERS[number - 1] if kind == Period.Kind.QUARTER and 1 <= number <= 4 else number
    return KIND_NAMES[Period.Kind(kind)].format(year=year, number=number, q=q)


def deadline_for(opens_on: date, workdays: int) -> date:
    """The deadline `workdays` working days after opening; CalendarGap → AssessmentError."""
    try:
        return work_calendar().add_workdays(opens_on, workdays)
    except CalendarGap as gap:
        raise AssessmentError(
            f"{gap.year} 年的节假日安排尚未录入（内置数据只覆盖到 {max(PUBLISHED_YEARS)} 年），"
            f"请先在“工作日历”页面录入 {gap.year} 年的放假和调休安排。"
        ) from None


@transaction.atomic
def period_create(
    *, actor: User, version: SchemeVersion | None, kind: str, year: int, number: int, opens_on: date,
    deadline_workdays: int = 10, name: str = "",
) -> Period:
    """`version`: the scheme's latest (None, for a scheme without one, is refused)."""
    if version is None:  # (every scheme is created with its first version)
        raise AssessmentError("该方案还没有任何版本，请先保存方案")
    gate.require(actor, "assessment.period.open", unit=version.scheme.district)
    name = text_clean(name, model=Period, name="name")
    year_clean(year)
    if kind not in Period.Kind.values:
        raise AssessmentError("周期类型应为月度、季度或年度")
    if not 1 <= deadline_workdays <= 120:
        raise AssessmentError("填报时限应为 1–120 个工作日")
    if kind == Period.Kind.YEAR:
        number = 1
    if kind == Period.Kind.QUARTER and not 1 <= number <= 4:
        raise AssessmentError("季度序号应为 1–4")
    if kind == Period.Kind.MONTH and not 1 <= number <= 12:
        raise AssessmentError("月份应为 1–12")
    if Period.objects.filter(version__scheme=version.scheme, kind=kind, year=year, number=number).exists():
        raise AssessmentError("该考核周期已存在")
    period = Period.objects.create(
        version=version, kind=kind, year=year, number=number,
        name=name or period_name(kind, year, number), opens_on=opens_on,
        deadline_workdays=deadline_workdays, deadline=deadline_for(opens_on, deadline_workdays),
    )
    audit_record(
        actor=actor, action="period.create", obj=period, unit=version.scheme.district,
        after={"name": period.name, "deadline": str(period.deadline)},
    )
    return period


@transaction.atomic
def period_set_status(
    *, actor: User, period: Period, status: str, current: str | None = None, reason: str = "",
) -> Period:
    """Open (开始填报) or close (关闭) a period.

    `current` is the status the page showed (the period's version): a page left open while
    someone else opened or closed the period is refused. Closing before the reporting
    deadline has passed needs `reason`, stored on the period and audited."""
    gate.require(actor, "assessment.period.open", unit=period.version.scheme.district)
    Period.objects.select_for_update().filter(pk=period.pk).first()  # lock, then read it fresh
    period.refresh_from_db()
    if current is not None and current != period.status:
        raise AssessmentError(f"页面已过期：{period.name}已是“{period.get_status_display()}”，请刷新页面后再操作")
    allowed: dict[str, set[str]] = {
        Period.Status.OPEN: {Period.Status.PLANNED, Period.Status.CLOSED},
        Period.Status.CLOSED: {Period.Status.OPEN},
    }
    if period.status not in allowed.get(status, set()):
        raise AssessmentError(f"{period.name}当前为“{period.get_status_display()}”，不能改为该状态")
    reason = text_clean(reason, model=Period, name="close_reason")
    early = status == Period.Status.CLOSED and timezone.localdate() <= period.deadline
    if early and not reason:
        raise AssessmentError(
            f"{period.name}的填报截止日（{period.deadline:%Y年%m月%d日}）尚未过，提前关闭须填写理由")
    before = period.status
    period.status = status
    period.close_reason = reason if early else ""
    period.save(update_fields=["status", "close_reason"])
    audit_record(
        actor=actor, action="period.status", obj=period, before={"status": before},
        after={"status": status, "close_reason": period.close_reason},
    )
    return period
