"""项目库 as a user may see it: the portfolio (filtered, with flags and the 全部 rates), one
project's page, a service secretary's own projects and what is due this week.

Who sees which projects is decided by the gate alone (`projects.project.view`, by the owner
unit; a 项目服务秘书 holds it for the projects he serves — `secretary_field`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Max, Prefetch, QuerySet
from django.http import Http404

from duibiao.accounts import gate
from duibiao.org.models import Unit
from duibiao.projects.models import Milestone, Problem, ProgressPhoto, ProgressReport, Project
from duibiao.projects.rates import Flag, GroupRates, LedgerRow, group_rates, project_flag
from duibiao.projects.rhythm import HALF_MONTHLY, MONTHLY, WEEKLY, due_on, due_this_week
from duibiao.projects.selectors.ledger import ledger_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

VIEW = "projects.project.view"
FLAG_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}


def visible_projects(*, user: User | AnonymousUser) -> QuerySet[Project]:
    """Every project the user may see (the one place the portfolio's scope is decided)."""
    return gate.restrict(user, Project.objects.select_related("owner_unit", "secretary"), VIEW,
                         unit_field="owner_unit", secretary_field="secretary")


@dataclass(frozen=True)
class Filters:
    unit: int | None = None
    level: str = ""
    type: str = ""
    stage: str = ""
    source: str = ""
    flag: str = ""  # red / yellow / green / none


@dataclass
class PortfolioRow:
    project: Project
    ledger: LedgerRow
    flag: Flag

    @property
    def flag_word(self) -> str:
        return FLAG_WORDS.get(self.flag.colour or "", "不亮灯")


@dataclass
class Portfolio:
    as_of: date
    rows: list[PortfolioRow]
    totals: GroupRates
    units: list[Unit] = field(default_factory=list)
    count: int = 0  # matching projects (rows holds one page of them when a page was asked)
    number: int = 1
    pages: int = 1


PAGE_SIZE = 50  # portfolio rows per page


def portfolio(*, user: User | AnonymousUser, filters: Filters, as_of: date, page: int | None = None) -> Portfolio:
    """The user's projects matching the filters, each with its ledger row and flag at
    `as_of`, and the rates of all of them (the 全部 group). With `page`, the rows of that page
    only (PAGE_SIZE a page; past the end, the last): flags and totals come from the ledger
    rows, and only the page's projects are loaded as models (thousands of model objects made
    the page slow)."""
    projects = visible_projects(user=user)
    for name in ("level", "type", "stage", "source"):
        if getattr(filters, name):
            # A value outside the field's vocabulary matches nothing; it is not sent to the
            # database, which may refuse it (PostgreSQL: a NUL) where it should find no row.
            wanted = getattr(filters, name)
            known = {value for value, _label in getattr(Project._meta.get_field(name), "flatchoices", ())}
            projects = projects.filter(**{name: wanted}) if wanted in known else projects.none()
    if filters.unit is not None:
        projects = projects.filter(owner_unit_id=filters.unit)
    projects = projects.order_by("code")
    flagged = [(row, project_flag(row, as_of)) for row in ledger_rows(projects, as_of)]
    if filters.flag:
        wanted = None if filters.flag == "none" else filters.flag
        flagged = [(row, flag) for row, flag in flagged if flag.colour == wanted]
    totals = group_rates([row for row, _flag in flagged], as_of, None)[-1]
    pages = max(1, -(-len(flagged) // PAGE_SIZE))
    number = 1 if page is None else min(max(page, 1), pages)
    shown = flagged if page is None else flagged[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
    chosen = projects if page is None else projects.filter(code__in=[row.code for row, _flag in shown])
    by_code = {p.code: p for p in chosen}
    rows = [PortfolioRow(by_code[row.code], row, flag) for row, flag in shown]
    # The units of the projects the user sees (a secretary's grant is wider than his projects).
    units = list(Unit.objects.filter(projects__in=visible_projects(user=user)).distinct().order_by("path"))
    return Portfolio(as_of=as_of, rows=rows, totals=totals, units=units, count=len(flagged), number=number,
                     pages=pages)


@dataclass
class ProjectPage:
    project: Project
    ledger: LedgerRow
    flag: Flag
    can_edit: bool
    can_report: bool
    can_raise: bool
    can_solve: bool
    # Every milestone step in order: (code, label, planned, actual), blank when not set.
    milestones: list[tuple[str, str, date | None, date | None]] = field(default_factory=list)


def _may(user: User | AnonymousUser, action: str, project: Project) -> bool:
    return gate.allows(user, action, unit=project.owner_unit, secretary=project.secretary_id)


def project_page(*, user: User | AnonymousUser, pk: int, as_of: date) -> ProjectPage:
    """One project with its milestones, reports (with photos), problems and ledger history;
    404 for a project outside the user's view."""
    reports = ProgressReport.objects.select_related("reporter").prefetch_related("photos")
    project = (
        visible_projects(user=user)
        .prefetch_related("milestones", Prefetch("reports", queryset=reports),
                          "problems__asked_unit", "ledger_changes__changed_by")
        .filter(pk=pk).first()
    )
    if project is None:
        raise Http404
    row = ledger_rows(Project.objects.filter(pk=pk).select_related("owner_unit"), as_of)[0]
    return ProjectPage(
        project=project, ledger=row, flag=project_flag(row, as_of),
        can_edit=_may(user, "projects.project.edit", project),
        can_report=_may(user, "projects.progress.report", project),
        can_raise=_may(user, "projects.problem.raise", project),
        can_solve=_may(user, "projects.problem.solve", project),
        milestones=_milestones(project),
    )


def _milestones(project: Project) -> list[tuple[str, str, date | None, date | None]]:
    known = {m.step: m for m in project.milestones.all()}
    return [(code, str(label), known[code].planned_on if code in known else None,
             known[code].actual_on if code in known else None) for code, label in Milestone.Step.choices]


def project_for(*, user: User | AnonymousUser, pk: int) -> Project:
    """A project the user may see (404 otherwise), for a write to check its action on."""
    project = visible_projects(user=user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def photo_for(*, user: User | AnonymousUser, pk: int) -> ProgressPhoto:
    """A progress report's photo on a project the user may see (404 otherwise), for the page's
    and the API's download."""
    photo = (ProgressPhoto.objects.select_related("report")
             .filter(pk=pk, report__project__in=visible_projects(user=user)).first())
    if photo is None:
        raise Http404
    return photo


@dataclass
class WorkItem:
    project: Project
    flag: Flag
    last_reported: date | None
    due: date | None
    due_this_week: bool
    open_problems: int = 0


def rhythm_of(project: Project) -> str:
    """The project's reporting rhythm, else the district's (DUIBIAO_PROJECT_RHYTHM; weekly when
    that is not one of the three)."""
    default = getattr(settings, "DUIBIAO_PROJECT_RHYTHM", WEEKLY)
    return project.rhythm or (default if default in (WEEKLY, HALF_MONTHLY, MONTHLY) else WEEKLY)


def my_projects(*, user: User | AnonymousUser, today: date) -> list[WorkItem]:
    """The projects the user serves as 项目服务秘书 and may report on, each with its flag, the
    last report and whether one is due this week — due first, then by code. 竣工投产 projects
    are done with reporting and left out."""
    projects = (
        gate.restrict(user, Project.objects.select_related("owner_unit"), "projects.progress.report",
                      unit_field="owner_unit", secretary_field="secretary")
        .filter(secretary_id=getattr(user, "pk", None)).exclude(stage="completed").order_by("code")
    )
    items_ = list(projects)
    ledgers = ledger_rows(projects, today)
    last = dict(ProgressReport.objects.filter(project__in=projects).values("project_id")
                .annotate(last=Max("reported_on")).values_list("project_id", "last"))
    open_counts = dict(Problem.objects.filter(project__in=projects, status=Problem.Status.OPEN)
                       .values("project_id").annotate(n=Count("id")).values_list("project_id", "n"))
    items = []
    for project, row in zip(items_, ledgers, strict=True):
        reported = last.get(project.pk)
        rhythm = rhythm_of(project)
        items.append(WorkItem(project, project_flag(row, today), reported, due_on(rhythm, reported, today),
                              due_this_week(rhythm, reported, today), open_counts.get(project.pk, 0)))
    items.sort(key=lambda i: (not i.due_this_week, i.project.code))
    return items


@dataclass(frozen=True)
class ServedCounts:
    projects: int
    due: int  # due this week
    red: int


def served_counts(*, user: User | AnonymousUser, today: date) -> ServedCounts | None:
    """For a 项目服务秘书's home page: how many projects he serves, how many are due this week
    and how many are red; None for a user who serves none."""
    items = my_projects(user=user, today=today)
    if not items:
        return None
    return ServedCounts(len(items), sum(1 for i in items if i.due_this_week),
                        sum(1 for i in items if i.flag.colour == "red"))


def last_report(*, project: Project) -> ProgressReport | None:
    """The project's latest report (shown beside the progress form: the figures are cumulative)."""
    return project.reports.order_by("-reported_on", "-id").first()


def problems_asked(*, user: User | AnonymousUser) -> QuerySet[Problem]:
    """难点堵点 other units' projects ask the user's unit to solve (open first), with a flag
    per row whether the user may answer it (he holds projects.problem.answer there)."""
    return (gate.restrict(user, Problem.objects.select_related("project", "project__owner_unit", "asked_unit"),
                          "projects.problem.answer", unit_field="asked_unit")
            .order_by("-status", "-raised_on", "-id"))


def problem_for(*, user: User | AnonymousUser, pk: int) -> Problem:
    """A problem the user sees: on a project he sees, or asked of a unit he answers for (404
    otherwise)."""
    problem = (Problem.objects.select_related("project", "project__owner_unit", "asked_unit")
               .filter(pk=pk, project__in=visible_projects(user=user)).first()
               or problems_asked(user=user).filter(pk=pk).first())
    if problem is None:
        raise Http404
    return problem
