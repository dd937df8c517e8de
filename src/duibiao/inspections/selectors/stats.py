"""The rates and the daily picture (督导检查日通报) read from the findings, through the gate.

`finding_rows` is the ONE mapping from Finding to the pure `rates.FindingRow`; the pages, the
export, the indicator sources and the bench all go through it and `rates.group_rates`, so a
unit's 处置率 is the same number wherever it is shown.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from threading import Lock
from typing import TYPE_CHECKING, Literal, TypeVar, cast

from django.db.models import CharField, Count, Max, QuerySet, Sum
from django.db.models.functions import Cast

from duibiao.accounts import gate
from duibiao.inspections.models import Campaign, Finding
from duibiao.inspections.rates import (
    ALL,
    FindingRow,
    GroupRates,
    Outcome,
    deadline_in_force,
    group_rates,
    is_overdue,
)
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

VIEW = "inspections.stats.view"
LIST_LIMIT = 100  # rows of each list on the daily page; the export and the counts have them all
_OUTCOMES = {Finding.Outcome.CLOSED.value: Outcome.CLOSED,
             Finding.Outcome.CLOSED_NOT_FIXED.value: Outcome.CLOSED_NOT_FIXED}


class _Days(dict[str | None, date | None]):
    """ISO texts to dates, each distinct day parsed once (a year of findings has ~365)."""

    def __missing__(self, text: str | None) -> date | None:
        day = self[text] = date.fromisoformat(text) if text else None
        return day


_DATES = ("found_on", "deadline", "extended_to", "closed_on")


def finding_rows(findings: QuerySet[Finding], as_of: date, *, key: Literal["code", "pk"] = "code") -> list[FindingRow]:
    """The findings found by `as_of` as the rates see them: unit by its code (or pk), campaign
    by its pk. One query of plain values; the dates come as ISO text and are parsed once per
    distinct day instead of once per cell — 50 000 findings in a fraction of a second."""
    unit_key = "unit__code" if key == "code" else "unit_id"
    texts = {f"{name}_iso": Cast(name, CharField()) for name in _DATES}
    values = findings.filter(found_on__lte=as_of).order_by().annotate(**texts).values_list(
        "pk", unit_key, "campaign_id", *texts, "outcome")
    days = _Days()
    return [
        FindingRow(id=str(pk), unit=str(unit), campaign=str(campaign), found_on=days[found_on],  # type: ignore[arg-type]
                   deadline=days[deadline], extended_to=days[extended_to],
                   closed_on=days[closed_on] if outcome else None, outcome=_OUTCOMES.get(outcome))
        for pk, unit, campaign, found_on, deadline, extended_to, closed_on, outcome in values
    ]


# The pages read every finding in scope for the ranking; a reading is kept while nothing that
# the rates depend on has changed. Every change of a finding goes through one UPDATE that bumps
# its version (services.findings), and a new finding changes the count, the last id and the
# newest record time — so (scope, day, count, Σ version, last id, newest time) names the
# reading exactly. Per process, the last few readings only.
_ROWS_CACHE: OrderedDict[tuple[object, ...], object] = OrderedDict()
_ROWS_CACHE_SIZE = 16
T = TypeVar("T")
_ROWS_LOCK = Lock()


def _reading_key(findings: QuerySet[Finding], as_of: date) -> tuple[object, ...] | None:
    if findings.query.is_empty():  # a user who may count nothing
        return None
    mark = findings.filter(found_on__lte=as_of).aggregate(
        n=Count("pk"), versions=Sum("version"), last=Max("pk"), newest=Max("created_at"))
    return (str(findings.query), as_of, mark["n"], mark["versions"], mark["last"], mark["newest"])


def _kept(key: tuple[object, ...], compute: Callable[[], T]) -> T:
    with _ROWS_LOCK:
        if key in _ROWS_CACHE:
            _ROWS_CACHE.move_to_end(key)
            return cast(T, _ROWS_CACHE[key])
    value = compute()
    with _ROWS_LOCK:
        _ROWS_CACHE[key] = value
        while len(_ROWS_CACHE) > _ROWS_CACHE_SIZE:
            _ROWS_CACHE.popitem(last=False)
    return value


def page_finding_rows(findings: QuerySet[Finding], as_of: date) -> list[FindingRow]:
    """`finding_rows(findings, as_of, key="pk")`, reused while the findings are unchanged."""
    key = _reading_key(findings, as_of)
    if key is None:
        return []
    return _kept(("rows", *key), lambda: finding_rows(findings, as_of, key="pk"))


def findings_in_scope(*, user: User | AnonymousUser) -> QuerySet[Finding]:
    """The findings whose responsible unit is within the user's reach for the statistics."""
    return gate.restrict(user, Finding.objects.all(), VIEW)


def stats_campaigns(*, user: User | AnonymousUser) -> QuerySet[Campaign]:
    """The campaigns with a finding the user may count (the 处置率 page's choice)."""
    return Campaign.objects.filter(pk__in=findings_in_scope(user=user).values("campaign")).order_by("-starts_on", "pk")


@dataclass(frozen=True)
class RateLine:
    """One row of a rates table: the group's name beside its counts and rates."""

    key: str
    name: str
    rates: GroupRates

    @property
    def is_total(self) -> bool:
        return self.key == ALL


def _named(table: Sequence[GroupRates], names: dict[str, str]) -> list[RateLine]:
    return [RateLine(g.group, names.get(g.group, g.group) if g.group != ALL else "全部", g) for g in table]


def rank_by_disposal(table: Sequence[GroupRates]) -> list[GroupRates]:
    """Groups best first: 处置率 high to low (blank last), then fewer overdue, then name."""
    groups = [g for g in table if g.group != ALL]
    return sorted(groups, key=lambda g: (g.disposal_rate is None, -(g.disposal_rate or Decimal(0)),
                                         g.overdue, g.group))


@dataclass(frozen=True)
class RatesTable:
    as_of: date
    starts_on: date | None
    by: str
    lines: list[RateLine]


def rates_table(*, user: User | AnonymousUser, as_of: date, by: Literal["unit", "campaign"] = "unit",
                starts_on: date | None = None, campaign: Campaign | None = None) -> RatesTable:
    """处置率 page: the rates of the findings found in [starts_on, as_of] (all found by as_of
    when no start), as of `as_of`, per unit or per campaign, units ranked by 处置率."""
    findings = findings_in_scope(user=user)
    if starts_on is not None:
        findings = findings.filter(found_on__gte=starts_on)
    if campaign is not None:
        findings = findings.filter(campaign=campaign)
    rows = page_finding_rows(findings, as_of)
    table = group_rates(rows, as_of, by=by)
    if by == "unit":
        names = dict((str(pk), name) for pk, name in Unit.objects.filter(
            pk__in={int(r.unit) for r in rows}).values_list("pk", "name"))
        ordered = [*rank_by_disposal(table), table[-1]]
    else:
        names = dict((str(pk), name) for pk, name in Campaign.objects.filter(
            pk__in={int(r.campaign) for r in rows}).values_list("pk", "name"))
        ordered = sorted(table[:-1], key=lambda g: names.get(g.group, "")) + [table[-1]]
    return RatesTable(as_of=as_of, starts_on=starts_on, by=by, lines=_named(ordered, names))


@dataclass(frozen=True)
class DailyPicture:
    """督导检查日通报 for one day: what was found and closed that day, what is overdue, and the
    units ranked by 问题处置率 as of the day."""

    day: date
    new: list[Finding]
    new_count: int
    closed: list[Finding]
    closed_count: int
    overdue: list[Finding]
    overdue_count: int
    ranking: list[RateLine]  # units best first, then 全部
    limit: int = LIST_LIMIT

    @property
    def total(self) -> GroupRates:
        return self.ranking[-1].rates


def _listed(qs: QuerySet[Finding], limit: int | None) -> tuple[list[Finding], int]:
    qs = qs.select_related("unit", "campaign", "enterprise")
    if limit is None:
        items = list(qs)
        return items, len(items)
    return list(qs[:limit]), qs.count()


def daily_picture(*, user: User | AnonymousUser, day: date, limit: int | None = LIST_LIMIT) -> DailyPicture:
    """The day's picture over the findings the user may see. `limit` caps each list (None:
    all of them, for the export); the counts are always complete."""
    findings = findings_in_scope(user=user)
    new, new_count = _listed(findings.filter(found_on=day).order_by("unit__order", "pk"), limit)
    closed, closed_count = _listed(
        findings.filter(closed_on=day, found_on__lte=day).exclude(outcome="").order_by("unit__order", "pk"), limit)
    key = _reading_key(findings, day)

    def derive() -> tuple[list[GroupRates], list[FindingRow]]:
        rows = finding_rows(findings, day, key="pk")
        # 逾期 from the same rows the ranking counts (rates.is_overdue), longest overdue
        # first: no second reading of every finding, and the list always agrees with the count.
        late = sorted((r for r in rows if is_overdue(r, day)),
                      key=lambda r: (deadline_in_force(r.deadline, r.extended_to), int(r.id)))
        return group_rates(rows, day, by="unit"), late

    table, late = derive() if key is None else _kept(("daily", *key), derive)
    names = dict((str(pk), name) for pk, name in Unit.objects.filter(
        pk__in={int(g.group) for g in table[:-1]}).values_list("pk", "name"))
    order = {int(r.id): n for n, r in enumerate(late if limit is None else late[:limit])}
    overdue = sorted(Finding.objects.filter(pk__in=order).select_related("unit", "campaign", "enterprise"),
                     key=lambda f: order[f.pk])
    overdue_count = len(late)
    ranking = _named([*rank_by_disposal(table), table[-1]], names)
    return DailyPicture(day=day, new=new, new_count=new_count, closed=closed, closed_count=closed_count,
                        overdue=overdue, overdue_count=overdue_count, ranking=ranking,
                        limit=limit or 0)


def days_late(finding: Finding, day: date) -> int:
    """Calendar days past the deadline in force at `day`."""
    return (day - finding.deadline_in_force).days


def unit_rates(units: Iterable[Unit], as_of: date) -> dict[str, tuple[GroupRates, list[Finding]]]:
    """Each unit's rates as of a date, by unit code, with the findings counted (for the
    indicator sources: no user, the assessment asks for the units of a run)."""
    units = list(units)
    findings = Finding.objects.filter(unit__in=units, found_on__lte=as_of)
    rows = finding_rows(findings, as_of)
    table = {g.group: g for g in group_rates(rows, as_of, by="unit")[:-1]}
    by_unit: dict[str, list[Finding]] = {}
    for f in findings.select_related("unit", "campaign").order_by("found_on", "pk"):
        by_unit.setdefault(f.unit.code, []).append(f)
    return {code: (table[code], by_unit.get(code, [])) for code in table}
