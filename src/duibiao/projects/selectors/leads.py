"""项目线索 reads, through the gate (by the unit that pushed the lead): the list with each
lead's stage deadline and whether it is overdue, a lead with its stage history, the funnel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.engine import CalendarGap, WorkCalendar
from duibiao.org.models import Unit
from duibiao.projects import lead_rules
from duibiao.projects.models import Lead, LeadStageLimit
from duibiao.workdays.selectors import work_calendar

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

    AnyUser = User | AnonymousUser


def stage_limits() -> dict[str, int]:
    """Working days per stage: the defaults, each replaced by the office's row when set."""
    return {**lead_rules.DEFAULT_STAGE_LIMITS, **dict(LeadStageLimit.objects.values_list("stage", "workdays"))}


def lead_list(*, user: AnyUser, stage: str = "", unit: Unit | None = None) -> QuerySet[Lead]:
    qs = gate.restrict(user, Lead.objects.select_related("unit", "project"), "projects.lead.view")
    if stage:
        qs = qs.filter(stage=stage)
    return qs.filter(unit=unit) if unit is not None else qs


def lead_get(*, user: AnyUser, pk: int) -> Lead:
    """A lead the user may see; 404 otherwise (another unit's lead is not leaked)."""
    lead = lead_list(user=user).filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


@dataclass(frozen=True)
class LeadRow:
    lead: Lead
    deadline: date | None  # last working day in the current stage (None: final, or no calendar)
    overdue: bool


def lead_rows(leads: QuerySet[Lead], as_of: date | None = None) -> tuple[list[LeadRow], str]:
    """Each lead with its stage deadline and overdue flag on `as_of` (today by default); the
    second value names a year missing from the holiday table, if one was met."""
    as_of = as_of or timezone.localdate()
    limits = stage_limits()
    calendar: WorkCalendar | None
    try:
        calendar = work_calendar()
    except CalendarGap as gap:  # pragma: no cover - work_calendar() itself does not raise
        return [LeadRow(lead, None, False) for lead in leads], str(gap)
    rows, gap_text = [], ""
    for lead in leads:
        try:
            deadline = lead_rules.stage_deadline(entered_on=lead.stage_entered_on, stage=lead.stage, limits=limits,
                                                 calendar=calendar)
        except CalendarGap as gap:
            rows.append(LeadRow(lead, None, False))
            gap_text = str(gap)
            continue
        rows.append(LeadRow(lead, deadline, deadline is not None and as_of > deadline))
    return rows, gap_text


def lead_funnel(*, user: AnyUser) -> list[lead_rules.FunnelStep]:
    """The funnel of the leads the user may see: per stage, now and reached, with amounts."""
    return lead_rules.funnel(lead_list(user=user).values_list("stage", "expected_investment"))


def lead_units(*, user: AnyUser) -> QuerySet[Unit]:
    """The units the user may push a lead for (the choice on the new-lead form)."""
    return gate.units(user, "projects.lead.edit").exclude(kind__in=[Unit.Kind.CITY, Unit.Kind.DISTRICT])


def can_edit(*, user: AnyUser, lead: Lead) -> bool:
    return gate.allows(user, "projects.lead.edit", unit=lead.unit)


def can_convert(*, user: AnyUser, lead: Lead) -> bool:
    return (lead.project_id is None and lead_rules.can_convert(lead.stage)
            and gate.allows(user, "projects.lead.convert", unit=lead.unit))
