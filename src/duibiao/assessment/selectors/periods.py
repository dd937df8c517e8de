"""Reads for 考核周期 and the working-day calendar: the periods a user sees (`period_list`,
`period_get`), the periods page, the deadline preview and the calendar overview."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from chinese_calendar import constants as published
from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Period, Scheme, SchemeVersion, Submission
from duibiao.assessment.selectors.schemes import scheme_list
from duibiao.assessment.services.periods import deadline_for
from duibiao.workdays.models import HolidayDate, HolidayYear
from duibiao.workdays.selectors import PUBLISHED_YEARS, holiday_text, work_calendar

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

# chinese-calendar names its holidays in English; the interface shows the official names.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


# ── periods ────────────────────────────────────────────────────────────────────────────


def period_list(*, user: User | AnonymousUser) -> QuerySet[Period]:
    """Periods of the schemes the user can see."""
    return Period.objects.filter(version__scheme__in=scheme_list(user=user)).select_related(
        "version__scheme"
    )


def period_get(*, user: User | AnonymousUser, pk: int) -> Period:
    """A period of a scheme the user can see; 404 otherwise."""
    return get_object_or_404(period_list(user=user), pk=pk)


@dataclass
class SchemePeriods:
    scheme: Scheme
    periods: list[Period]
    latest_version: int | None


def scheme_periods(*, user: User | AnonymousUser) -> list[SchemePeriods]:
    """Each visible scheme with its periods, newest first (read-only for all but the office)."""
    schemes = list(scheme_list(user=user).order_by("-year", "code"))
    latest = dict(
        SchemeVersion.objects.filter(scheme__in=schemes).values("scheme_id")
        .annotate(n=Max("number")).values_list("scheme_id", "n")
    )
    periods: dict[int, list[Period]] = {}
    for period in period_list(user=user).order_by("-year", "kind", "-number"):
        periods.setdefault(period.version.scheme_id, []).append(period)
    return [SchemePeriods(s, periods.get(s.pk, []), latest.get(s.pk)) for s in schemes]


def office_schemes(*, user: User | AnonymousUser) -> QuerySet[Scheme]:
    """Schemes the office may open periods for: those it sees that have a saved version."""
    return scheme_list(user=user).filter(versions__isnull=False).distinct().order_by("-year", "code")


@dataclass
class DeadlinePreview:
    opens_on: date | None
    workdays: int | None
    deadline: date | None = None
    error: str = ""
    skipped: list[tuple[date, str]] = field(default_factory=list)  # holidays on weekdays
    makeup: list[tuple[date, str]] = field(default_factory=list)  # 调休上班 weekends


def _day_names(start: date, end: date) -> dict[date, str]:
    names = {d: HOLIDAY_NAMES.get(n, n) for d, n in published.holidays.items() if start <= d <= end}
    names.update({d: HOLIDAY_NAMES.get(n, n) for d, n in published.workdays.items() if start <= d <= end})
    names.update(
        {e.date: e.name for e in HolidayDate.objects.filter(date__range=(start, end)) if e.name}
    )
    return names


def deadline_preview(*, opens_on: date | None, workdays: int | None) -> DeadlinePreview:
    """What the deadline will be, and which holidays and make-up days it crosses; the
    calendar's own error for a year nobody has entered."""
    preview = DeadlinePreview(opens_on, workdays)
    if opens_on is None or workdays is None:
        return preview
    if not 1 <= workdays <= 120:
        preview.error = "填报时限应为 1–120 个工作日"
        return preview
    try:
        preview.deadline = deadline_for(opens_on, workdays)
    except AssessmentError as error:
        preview.error = str(error)
        return preview
    cal = work_calendar()
    names = _day_names(opens_on, preview.deadline)
    day = opens_on + timedelta(days=1)
    while day <= preview.deadline:
        if day.weekday() < 5 and not cal.is_workday(day):
            preview.skipped.append((day, names.get(day, "")))
        elif day.weekday() >= 5 and cal.is_workday(day):
            preview.makeup.append((day, names.get(day, "")))
        day += timedelta(days=1)
    return preview


# ── calendar ───────────────────────────────────────────────────────────────────────────


@dataclass
class EnteredYear:
    year: int
    note: str
    holidays: int
    workdays: int
    text: str
    published: bool


@dataclass
class CalendarOverview:
    published_from: int
    published_to: int
    entered: list[EnteredYear]
    uncovered_soon: list[int]  # this year and the next two, when nobody has entered them
    suggested_year: int


def calendar_overview(*, today: date | None = None) -> CalendarOverview:
    today = today or timezone.localdate()
    rows = HolidayYear.objects.order_by("year")
    counts = {  # year → (days off, working days) entered by the office
        r["date__year"]: (r["off"], r["on"])
        for r in HolidayDate.objects.values("date__year").annotate(
            off=Count("pk", filter=Q(is_workday=False)), on=Count("pk", filter=Q(is_workday=True))
        )
    }
    entered = [
        EnteredYear(
            y.year, y.note, *counts.get(y.year, (0, 0)),
            holiday_text(y.year), y.year in PUBLISHED_YEARS,
        )
        for y in rows
    ]
    covered = PUBLISHED_YEARS | {e.year for e in entered}
    soon = [y for y in range(today.year, today.year + 3) if y not in covered]
    return CalendarOverview(
        min(PUBLISHED_YEARS), max(PUBLISHED_YEARS), entered, soon,
        soon[0] if soon else max(covered) + 1,
    )


def calendar_years() -> list[dict]:
    """Every covered year and where its arrangement comes from (for the API)."""
    entered = {y.year: y.note for y in HolidayYear.objects.all()}
    years = sorted(PUBLISHED_YEARS | set(entered))
    return [
        {"year": y, "published": y in PUBLISHED_YEARS, "entered": y in entered, "note": entered.get(y, "")}
        for y in years
    ]


__all__ = [
    "CalendarOverview", "DeadlinePreview", "SchemePeriods", "calendar_overview", "calendar_years",
    "deadline_preview", "office_schemes", "period_get", "period_list", "scheme_periods",
]


@dataclass
class CloseReview:
    """What closing a period early leaves undone (the confirmation page)."""

    period: Period
    days_to_deadline: int
    by_status: list[tuple[str, int]]  # values not approved yet, by their status's name
    open_values: int


def period_close_review(*, user: User | AnonymousUser, period: Period) -> CloseReview:
    """For the office that may close this period only."""
    gate.require(user, "assessment.period.open", unit=period.version.scheme.district)
    counts = dict(Submission.objects.filter(period=period).exclude(status=Submission.Status.APPROVED)
                  .values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    by_status = [(str(label), counts[value]) for value, label in Submission.Status.choices if counts.get(value)]
    return CloseReview(period=period, days_to_deadline=(period.deadline - timezone.localdate()).days,
                       by_status=by_status, open_values=sum(counts.values()))
