"""工作量统计 read through the gate: the logs, and their totals by period, unit and type with the
sentence a bulletin quotes ("截至目前，共清理绿地 12.35 万平方米、清运垃圾 737 吨。")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.http import Http404

from duibiao.accounts import gate
from duibiao.inspections.models import Campaign, WorkLog, WorkType
from duibiao.inspections.numbers import quantity_text, totals_sentence
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

VIEW = "inspections.worklog.view"
RECORD = "inspections.worklog.record"


@dataclass(frozen=True)
class WorkFilters:
    starts_on: date | None = None
    ends_on: date | None = None
    unit: Unit | None = None
    work_type: WorkType | None = None
    campaign: Campaign | None = None


def worklogs(*, user: User | AnonymousUser, filters: WorkFilters) -> QuerySet[WorkLog]:
    qs = gate.restrict(user, WorkLog.objects.select_related("unit", "work_type", "campaign", "recorded_by"), VIEW)
    if filters.starts_on:
        qs = qs.filter(done_on__gte=filters.starts_on)
    if filters.ends_on:
        qs = qs.filter(done_on__lte=filters.ends_on)
    if filters.unit:
        qs = qs.filter(unit=filters.unit)
    if filters.work_type:
        qs = qs.filter(work_type=filters.work_type)
    if filters.campaign:
        qs = qs.filter(campaign=filters.campaign)
    return qs


def worklog_get(*, user: User | AnonymousUser, pk: int, action: str = VIEW) -> WorkLog:
    log = gate.restrict(user, WorkLog.objects.select_related("unit", "work_type"), action).filter(pk=pk).first()
    if log is None:
        raise Http404
    return log


@dataclass(frozen=True)
class TypeTotal:
    work_type: WorkType
    total: Decimal

    @property
    def text(self) -> str:
        return quantity_text(self.total, self.work_type.unit_of_measure)


@dataclass
class UnitTotals:
    unit: Unit
    cells: list[Decimal | None] = field(default_factory=list)  # one per type of the table's columns


@dataclass(frozen=True)
class WorkTotals:
    filters: WorkFilters
    types: list[TypeTotal]  # the columns: every type with work in the selection
    units: list[UnitTotals]
    sentence: str
    count: int


def worklog_totals(*, user: User | AnonymousUser, filters: WorkFilters, lead: str = "截至目前") -> WorkTotals:
    """Totals by type (the sentence) and by unit × type, over the logs the user may read."""
    qs = worklogs(user=user, filters=filters)
    by_type = {row["work_type"]: row["total"] for row in qs.values("work_type").annotate(total=Sum("quantity"))}
    types = [TypeTotal(t, by_type[t.pk]) for t in WorkType.objects.filter(pk__in=by_type).order_by("order", "name")]
    column = {t.work_type.pk: i for i, t in enumerate(types)}
    units: dict[int, UnitTotals] = {}
    names = Unit.objects.in_bulk({row["unit"] for row in qs.values("unit")})
    for row in qs.values("unit", "work_type").annotate(total=Sum("quantity")).order_by():
        line = units.setdefault(row["unit"], UnitTotals(names[row["unit"]], [None] * len(types)))
        line.cells[column[row["work_type"]]] = row["total"]
    ordered = sorted(units.values(), key=lambda u: (u.unit.order, u.unit.code))
    sentence = totals_sentence([(t.work_type.name, t.total, t.work_type.unit_of_measure) for t in types], lead=lead)
    return WorkTotals(filters=filters, types=types, units=ordered, sentence=sentence, count=qs.count())


def record_units(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    """The units the user may log work for."""
    return gate.units(user, RECORD).filter(category__isnull=False).order_by("order", "code")


def view_units(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    return gate.units(user, VIEW).filter(category__isnull=False).order_by("order", "code")


EDIT_TYPES = "inspections.worktype.edit"


def district_of(unit: Unit) -> Unit | None:
    """The district a unit lies in (itself when it is one): the nearest district on its path."""
    parts = unit.path.strip("/").split("/")
    prefixes = ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]
    return Unit.objects.filter(path__in=prefixes, kind=Unit.Kind.DISTRICT).order_by("-path").first()


def _districts(user: User | AnonymousUser, action: str) -> QuerySet[Unit]:
    """The districts in which the user may do ACTION on some unit (a street's reporter reads
    his district's types though his grant is his street only)."""
    scope = gate.units(user, action)
    return Unit.objects.filter(kind=Unit.Kind.DISTRICT).filter(
        Exists(scope.filter(path__startswith=OuterRef("path"))))


def type_districts(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    """The districts whose types the office may keep (each office keeps its own district's)."""
    return gate.units(user, EDIT_TYPES).filter(kind=Unit.Kind.DISTRICT).order_by("path")


def active_types(*, user: User | AnonymousUser, unit: Unit | None = None) -> QuerySet[WorkType]:
    """The types a log may use: those of the district of `unit` when given, else of the districts
    the user may log work in."""
    qs = WorkType.objects.filter(active=True)
    if unit is not None:
        district = district_of(unit)
        return qs.filter(district=district).order_by("order", "name") if district else qs.none()
    return qs.filter(district__in=_districts(user, RECORD)).order_by("order", "name")


def all_types(*, user: User | AnonymousUser) -> QuerySet[WorkType]:
    """The types the user reads: the office's whole list of its district(s), inactive ones too;
    the active types of the districts whose statistics the user reads, for everyone else."""
    if gate.allows(user, EDIT_TYPES):
        return WorkType.objects.filter(district__in=type_districts(user=user)).order_by("order", "name")
    return WorkType.objects.filter(active=True, district__in=_districts(user, VIEW)).order_by("order", "name")


def worktype_get(*, user: User | AnonymousUser, pk: int) -> WorkType:
    """A type the office may change: another district's answers 404, as a missing one does."""
    gate.require(user, EDIT_TYPES)
    worktype = WorkType.objects.select_related("district").filter(
        pk=pk, district__in=type_districts(user=user)).first()
    if worktype is None:
        raise Http404
    return worktype
