"""填报进度: per period, the units × indicators matrix of reporting status.

Built from a fixed handful of queries whatever the size (units, indicators, one query for all
submissions), because the office opens it for 60 units × 150 indicators and leaders on a
phone. The office sees everything, leaders read everything in their scope, a task-force
member sees only the indicators its task force owns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duibiao.accounts import gate
from duibiao.assessment.models import Indicator, Period, Submission
from duibiao.assessment.selectors.periods import period_list
from duibiao.org.models import Category, TaskForce, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

EMPTY, NA = "empty", "na"
# Display order of the legend; "done" means the unit has handed the value in.
STATUSES = (EMPTY, *Submission.Status.values)
DONE = frozenset({Submission.Status.SUBMITTED, Submission.Status.APPROVED})
STATUS_LABELS = {
    EMPTY: gettext_lazy("未填"),
    **{value: label for value, label in Submission.Status.choices},
    NA: gettext_lazy("不适用"),
}
# One character per cell keeps a 9 000-cell page small; the legend spells them out.
STATUS_MARKS = {EMPTY: "未", "draft": "草", "submitted": "交", "returned": "退", "approved": "审", NA: "—"}
# Fills shared by the page (CSS) and the Excel export, so both read the same way.
STATUS_COLOURS = {
    EMPTY: "F8D7DA", "draft": "FFF3CD", "submitted": "CFE2FF", "returned": "F5C2C7",
    "approved": "D1E7DD", NA: "F1F3F5",
}


@dataclass(frozen=True)
class ProgressFilters:
    category: str = ""  # Category.code
    status: str = ""  # keep units with at least one cell in this status
    taskforce: str = ""  # TaskForce.code: only that task force's columns
    q: str = ""  # part of the unit's name
    overdue: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ProgressFilters:
        status = query.get("status", "")
        return cls(
            category=query.get("category", "").strip(),
            status=status if status in STATUSES else "",
            taskforce=query.get("taskforce", "").strip(),
            q=query.get("q", "").strip()[:40],
            overdue=query.get("overdue", "") in ("1", "on", "true"),
        )

    @property
    def active(self) -> bool:
        return bool(self.category or self.status or self.taskforce or self.q or self.overdue)


@dataclass
class ProgressRow:
    unit: Unit
    cells: list[str]
    counts: dict[str, int]
    applicable: int
    done: int
    overdue: bool = False

    @property
    def complete(self) -> bool:
        return self.done == self.applicable

    @property
    def category(self) -> Category:
        """The unit's category: every unit in the matrix has one (scope_units asks for it)."""
        if self.unit.category is None:
            raise ValueError(f"{self.unit.code} has no category")
        return self.unit.category


@dataclass
class ProgressGroup:
    category: Category
    rows: list[ProgressRow]


@dataclass
class ProgressMatrix:
    period: Period
    today: date
    columns: list[Indicator]
    groups: list[ProgressGroup]
    filters: ProgressFilters
    categories: list[Category] = field(default_factory=list)
    taskforces: list[TaskForce] = field(default_factory=list)
    column_done: list[int] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> list[ProgressRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def deadline_passed(self) -> bool:
        return self.today > self.period.deadline

    @property
    def overdue_count(self) -> int:
        return sum(row.overdue for row in self.rows)

    @property
    def legend(self) -> list[tuple[str, str, str, str, int | None]]:
        """(status, mark, label, colour, cells in that status) for the legend, CSS and filter."""
        return [
            (s, STATUS_MARKS[s], str(STATUS_LABELS[s]), STATUS_COLOURS[s], self.totals.get(s))
            for s in (*STATUSES, NA)
        ]


def can_see_progress(user: User | AnonymousUser) -> bool:
    return gate.allows(user, "assessment.progress.view", taskforce=gate.ANY)


def progress_periods(*, user: User | AnonymousUser) -> list[Period]:
    """Periods whose progress the user may open: open ones first, then the most recent."""
    if not can_see_progress(user):
        raise PermissionDenied(_("仅考核办、区领导和考核专班可以查看填报进度"))
    periods = (
        period_list(user=user).exclude(status=Period.Status.PLANNED)
        .select_related("version__scheme__district")
    )
    return sorted(periods, key=lambda p: (p.status != Period.Status.OPEN, -p.deadline.toordinal()))


def progress_period_get(*, user: User | AnonymousUser, pk: int) -> tuple[Period, list[Period]]:
    """The period asked for and the others to switch to, read through the gate once."""
    periods = progress_periods(user=user)
    found = next((p for p in periods if p.pk == pk), None)
    if found is None:
        raise Http404
    return found, periods


def reportable_indicators(period: Period) -> list[Indicator]:
    """Indicators units fill in (manual scores and reward / penalty items are not theirs)."""
    rows = Indicator.objects.filter(version_id=period.version_id).select_related("taskforce")
    return [i for i in rows.order_by("order") if i.entered_by_units]


def scope_units(
    user: User | AnonymousUser, period: Period, action: str = "assessment.progress.view"
) -> QuerySet[Unit]:
    """Assessed units under the period's district that the user may do `action` on."""
    district = period.version.scheme.district
    return (
        gate.units(user, action)
        .filter(path__startswith=district.path, category__isnull=False, is_active=True)
        .select_related("category")
        .order_by("category__order", "category__code", "order", "code")
    )


def status_table(period: Period, unit_ids: list[int]) -> dict[tuple[int, int], str]:
    """(unit id, indicator id) → status, for every submission of those units: one query."""
    subs = Submission.objects.filter(period=period, unit_id__in=unit_ids)
    return {(u, i): s for u, i, s in subs.values_list("unit_id", "indicator_id", "status")}


def build_row(
    unit: Unit, columns: list[Indicator], table: dict[tuple[int, int], str], *, deadline_passed: bool
) -> ProgressRow:
    cells: list[str] = []
    pk, get = unit.pk, table.get
    for indicator in columns:
        # Most indicators apply to every unit: ask applies_to only of those that name whom
        # (9 000 cells for 60 units × 150 indicators).
        if (indicator.applies_units or indicator.applies_categories) and not indicator.applies_to(unit):
            cells.append(NA)
        else:
            cells.append(get((pk, indicator.id), EMPTY))  # .id, not the .pk property: 9 000 calls
    counts = {s: cells.count(s) for s in STATUSES}
    applicable = len(columns) - cells.count(NA)
    done = sum(counts[s] for s in DONE)
    return ProgressRow(unit, cells, counts, applicable, done,
                       overdue=deadline_passed and done < applicable)


def progress_matrix(
    *, user: User | AnonymousUser, period: Period, filters: ProgressFilters | None = None, today: date | None = None
) -> ProgressMatrix:
    """The matrix for a period the caller got through `period_get` (so the scheme is visible).

    Raises PermissionDenied for anyone but the office, leaders and task-force members.
    """
    if not can_see_progress(user):
        raise PermissionDenied(_("仅考核办、区领导和考核专班可以查看填报进度"))
    filters = filters or ProgressFilters()
    today = today or timezone.localdate()
    columns = reportable_indicators(period)
    mine = gate.taskforces(user, "assessment.progress.view")  # None: every task force's columns
    if mine is not None:
        columns = [c for c in columns if c.taskforce_id in mine]
    taskforces = sorted({c.taskforce for c in columns if c.taskforce}, key=lambda t: (t.order, t.code))
    if filters.taskforce:
        columns = [c for c in columns if c.taskforce and c.taskforce.code == filters.taskforce]

    units = list(scope_units(user, period))
    # (every unit in scope has a category: scope_units asks for one)
    categories = list({u.category_id: u.category for u in units if u.category is not None}.values())
    if filters.category:
        units = [u for u in units if u.category is not None and u.category.code == filters.category]
    if filters.q:
        units = [u for u in units if filters.q in u.name or filters.q in u.code]

    table = status_table(period, [u.pk for u in units])
    passed = today > period.deadline
    rows = [build_row(u, columns, table, deadline_passed=passed) for u in units]
    if filters.status:
        rows = [r for r in rows if r.counts.get(filters.status)]
    if filters.overdue:
        rows = [r for r in rows if r.overdue]

    groups: list[ProgressGroup] = []
    for row in rows:
        if not groups or groups[-1].category.pk != row.unit.category_id:
            groups.append(ProgressGroup(row.category, []))
        groups[-1].rows.append(row)
    columns_of_cells = zip(*(r.cells for r in rows), strict=True) if rows else ([] for _ in columns)
    column_done = [sum(c in DONE for c in cells) for cells in columns_of_cells]
    totals = {s: sum(r.counts[s] for r in rows) for s in STATUSES}
    return ProgressMatrix(
        period=period, today=today, columns=columns, groups=groups, filters=filters,
        categories=categories, taskforces=taskforces, column_done=column_done, totals=totals,
    )


def matrix_as_dict(matrix: ProgressMatrix) -> dict:
    """The matrix as plain data, for the API."""
    codes = [c.code for c in matrix.columns]
    return {
        "period": {"id": matrix.period.pk, "name": matrix.period.name,
                   "deadline": matrix.period.deadline, "status": matrix.period.status},
        "today": matrix.today,
        "deadline_passed": matrix.deadline_passed,
        "indicators": [
            {"code": c.code, "name": c.name, "taskforce": c.taskforce.code if c.taskforce else None}
            for c in matrix.columns
        ],
        "units": [
            {
                "code": r.unit.code, "name": r.unit.name, "category": r.category.name,
                "cells": dict(zip(codes, r.cells, strict=True)), "counts": r.counts,
                "applicable": r.applicable, "done": r.done, "overdue": r.overdue,
            }
            for r in matrix.rows
        ],
        "totals": matrix.totals,
    }
