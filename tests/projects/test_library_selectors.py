"""Who sees which projects (decided by the gate alone), the one ledger mapping and the
secretary's week."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from duibiao.projects.models import ProgressReport, Project
from duibiao.projects.rhythm import due_this_week, period_of
from duibiao.projects.selectors import Filters, ledger_rows, my_projects, portfolio, project_page
from tests.projects.library import build_library

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 6, 30)


@pytest.fixture
def lib(world):
    return build_library(world)


def _codes(lib, who, **filters) -> list[str]:
    return [r.project.code for r in portfolio(user=lib[who], filters=Filters(**filters), as_of=AS_OF).rows]


def test_each_role_sees_its_projects(lib):
    assert _codes(lib, "office") == ["XM-001", "XM-002", "XM-003"]
    assert _codes(lib, "leader") == ["XM-001", "XM-002", "XM-003"]
    assert _codes(lib, "reporter_a") == ["XM-001", "XM-002"]
    assert _codes(lib, "reporter_b") == ["XM-003"]
    # a secretary sees only the projects he serves, though his grant is the whole district
    assert _codes(lib, "secretary") == ["XM-001", "XM-003"]
    assert _codes(lib, "secretary_2") == ["XM-002"]
    assert _codes(lib, "sysadmin") == []


def test_another_units_project_page_is_not_found(lib):
    with pytest.raises(Http404):
        project_page(user=lib["reporter_b"], pk=lib["project_a"].pk, as_of=AS_OF)
    with pytest.raises(Http404):
        project_page(user=lib["secretary_2"], pk=lib["project_a"].pk, as_of=AS_OF)
    page = project_page(user=lib["secretary"], pk=lib["project_a"].pk, as_of=AS_OF)
    assert page.can_report and page.can_solve and not page.can_edit


def test_filters(lib):
    assert _codes(lib, "office", type="logistics") == ["XM-002"]
    assert _codes(lib, "office", source="enterprise") == ["XM-002"]
    assert _codes(lib, "office", unit=lib["b"].pk) == ["XM-003"]
    # XM-002 (800 万元, started, 入库 on time) and the others are green on 2026-06-30 with no
    # report: behind 序时进度 by 50 points → red
    assert _codes(lib, "office", flag="red") == ["XM-001", "XM-002", "XM-003"]
    assert _codes(lib, "office", flag="green") == []


def _report(project: Project, day: date, done: str, funds: str | None = None) -> None:
    ProgressReport.objects.create(project=project, reported_on=day, year=day.year, completed_ytd=Decimal(done),
                                  funds_in_place=Decimal(funds) if funds else None)


def test_ledger_rows_take_the_latest_report_of_the_year_up_to_the_date(lib):
    project = lib["project_a"]
    _report(project, date(2025, 12, 31), "9000", "8000")  # last year: not this year's figure
    _report(project, date(2026, 3, 31), "1000", "700")
    _report(project, date(2026, 6, 26), "2400", "1900")
    _report(project, date(2026, 7, 3), "2600", "2100")  # after the as-of date
    row = ledger_rows(Project.objects.filter(pk=project.pk), AS_OF)[0]
    assert (row.completed_ytd, row.funds_in_place) == (Decimal("2400.00"), Decimal("1900.00"))
    assert row.unit == "靖宇街道" and row.stage == "continuing" and row.planned_annual == Decimal("4800.00")
    early = ledger_rows(Project.objects.filter(pk=project.pk), date(2026, 1, 15))[0]
    assert early.completed_ytd is None  # no report yet this year: blank, not last year's
    totals = portfolio(user=lib["office"], filters=Filters(unit=lib["a"].pk), as_of=AS_OF).totals
    assert totals.investment_rate == Decimal("2400") * 100 / Decimal("5400")


def test_ledger_rows_take_two_queries_whatever_the_number_of_reports(lib):
    for day in range(1, 20):
        _report(lib["project_a"], date(2026, 5, day), str(day))
        _report(lib["project_b"], date(2026, 5, day), str(day))
    with CaptureQueriesContext(connection) as queries:
        rows = ledger_rows(Project.objects.select_related("owner_unit"), AS_OF)
    assert len(rows) == 3 and len(queries) == 2  # the projects, then their latest reports
    assert {r.code: r.completed_ytd for r in rows}["XM-003"] == Decimal("19.00")


def test_rhythm_periods():
    assert period_of("weekly", date(2026, 3, 11)) == (date(2026, 3, 9), date(2026, 3, 15))
    assert period_of("half_monthly", date(2026, 2, 20)) == (date(2026, 2, 16), date(2026, 2, 28))
    assert period_of("monthly", date(2026, 2, 3)) == (date(2026, 2, 1), date(2026, 2, 28))
    wednesday = date(2026, 3, 11)
    assert due_this_week("weekly", None, wednesday)
    assert not due_this_week("weekly", date(2026, 3, 9), wednesday)  # already reported this week
    assert due_this_week("weekly", date(2026, 3, 6), wednesday)  # last week's does not count
    assert due_this_week("half_monthly", None, wednesday)  # the 15th is this Sunday
    assert not due_this_week("monthly", None, wednesday)  # due on the 31st, not this week
    assert due_this_week("monthly", None, date(2026, 3, 30))  # Monday of the week of the 31st


def test_my_projects_lists_the_secretarys_own_due_first(lib):
    today = date(2026, 3, 11)
    _report(lib["project_a"], date(2026, 3, 10), "100")
    items = my_projects(user=lib["secretary"], today=today)
    assert [(i.project.code, i.due_this_week) for i in items] == [("XM-003", True), ("XM-001", False)]
    assert my_projects(user=lib["reporter_a"], today=today) == []  # he serves none


def test_the_districts_rhythm_applies_to_projects_without_their_own(lib, settings):
    from duibiao.projects.selectors import rhythm_of

    project = lib["project_a"]
    settings.DUIBIAO_PROJECT_RHYTHM = "monthly"
    assert rhythm_of(project) == "monthly"
    settings.DUIBIAO_PROJECT_RHYTHM = "daily"  # not a rhythm: weekly
    assert rhythm_of(project) == "weekly"
    project.rhythm = "half_monthly"
    assert rhythm_of(project) == "half_monthly"


def test_the_unit_filter_offers_only_the_units_of_visible_projects(lib):
    units = portfolio(user=lib["secretary_2"], filters=Filters(), as_of=AS_OF).units
    assert [u.code for u in units] == ["jingyu"]  # not 太古, whose project he does not serve


def test_the_gate_asks_for_the_secretary_where_a_secretary_holds_the_action(lib):
    from django.core.exceptions import ImproperlyConfigured, PermissionDenied

    from duibiao.accounts import gate

    secretary, project = lib["secretary"], lib["project_a"]
    with pytest.raises(ImproperlyConfigured):  # a read that forgot the secretary's rule
        gate.restrict(secretary, Project.objects.all(), "projects.project.view", unit_field="owner_unit")
    with pytest.raises(ImproperlyConfigured):  # a check on a unit that forgot the project's secretary
        gate.allows(secretary, "projects.progress.report", unit=lib["a"])
    assert gate.allows(secretary, "projects.progress.report")  # holding it somewhere: the menu
    assert gate.allows(secretary, "projects.progress.report", unit=lib["a"], secretary=secretary.pk)
    assert not gate.allows(secretary, "projects.progress.report", unit=lib["a"], secretary=None)
    assert not gate.allows(lib["secretary_2"], "projects.progress.report", unit=lib["a"], secretary=secretary.pk)
    with pytest.raises(PermissionDenied, match="只有您服务的项目"):
        gate.require(lib["secretary_2"], "projects.progress.report", unit=project.owner_unit,
                     secretary=project.secretary_id)
    # the office's reach is unchanged by the secretary argument
    assert gate.allows(lib["office"], "projects.progress.report", unit=lib["a"], secretary=None)
