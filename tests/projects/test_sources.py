"""The projects' indicator sources (DESIGN §5): the four rates, overdue assignments and late 入库
per unit at the period's as-of date, with the projects they were computed from; a scheme that
names one takes the value at its run without anyone typing it, and the trace says where it
came from. Figures are hand-computed from the projects below (as of 2025-09-30, 序时进度 75 %)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from duibiao.assessment import sources
from duibiao.assessment.models import Period, RunResult, ScoringRun
from duibiao.assessment.selectors.traces import result_trace
from duibiao.assessment.services.runs import run_start
from duibiao.assessment.services.schemes import scheme_version_save
from duibiao.assessment.sources import period_as_of
from duibiao.projects.models import Assignment, DispatchMeeting, ProgressReport, Project
from duibiao.projects.sources import SOURCES, money

AS_OF = date(2025, 9, 30)


def _period(version, *, kind=Period.Kind.QUARTER, year=2025, number=3, status=Period.Status.CLOSED):
    return Period.objects.create(
        version=version, kind=kind, year=year, number=number, name=f"{year}-{kind}-{number}",
        opens_on=date(year, 1, 8), deadline_workdays=10, deadline=date(year, 1, 22), status=status,
    )


def _project(unit, code, name, **fields):
    defaults = {"level": "city", "type": "industry", "stage": "continuing", "source": "enterprise",
                "planned_total": Decimal(3000)}
    return Project.objects.create(code=code, name=name, owner_unit=unit, **{**defaults, **fields})


def _report(project, day, done, funds=None):
    ProgressReport.objects.create(project=project, reported_on=day, year=day.year,
                                  completed_ytd=Decimal(done), funds_in_place=funds)


@pytest.fixture
def portfolio(assessed):
    a, fagai = assessed["a"], assessed["fagai"]
    p1 = _project(a, "XM-001", "道外产业园", planned_total=Decimal(6000), planned_annual=Decimal(2000),
                  funds_planned=Decimal(1000), planned_start=date(2024, 5, 1), actual_start=date(2024, 5, 10),
                  planned_completion=date(2025, 6, 30), actual_completion=date(2025, 6, 20),
                  in_stats_on=date(2024, 6, 1))
    _report(p1, date(2024, 12, 27), 1900, Decimal(900))  # last year's: not this year's figure
    _report(p1, date(2025, 9, 26), 1234, Decimal(1200))
    _report(p1, date(2025, 10, 3), 1800, Decimal(1300))  # after the as-of date: not counted
    p2 = _project(a, "XM-002", "滨江路改造", stage="new", type="infrastructure", source="government",
                  planned_annual=Decimal(1000), funds_planned=Decimal(500), planned_start=date(2025, 3, 1),
                  actual_start=date(2025, 3, 20), planned_completion=date(2025, 9, 15))
    _report(p2, date(2025, 9, 19), 266, Decimal(500))
    _project(a, "XM-003", "智能装备园", stage="new", planned_total=Decimal(800),
             planned_start=date(2025, 8, 15))
    # 区发改局: one small project, planned to start after the as-of date, nothing reported yet.
    _project(fagai, "XM-010", "数字经济孵化园", level="district", planned_total=Decimal(400),
             planned_annual=Decimal(500), planned_start=date(2025, 10, 15),
             planned_completion=date(2026, 10, 30))
    return assessed


def _values(name, period, units):
    return sources.source_values(name, period, units)


def test_the_six_sources_are_registered_when_the_app_starts():
    names = {s.name: (s.label, s.unit_of_measure) for s in sources.registered_sources()}
    for name, _fn, label, unit in SOURCES:
        assert names[name] == (label, unit)
    assert {"projects.start_rate", "projects.investment_completion_rate", "projects.funds_rate",
            "projects.completion_rate", "projects.overdue_assignments", "projects.late_stats"} <= set(names)


def test_the_as_of_date_is_the_periods_end_or_today_while_it_runs():
    def period(kind, year, number, status=Period.Status.CLOSED):
        return Period(kind=kind, year=year, number=number, status=status)

    assert period_as_of(period(Period.Kind.QUARTER, 2025, 3)) == date(2025, 9, 30)
    assert period_as_of(period(Period.Kind.MONTH, 2025, 2)) == date(2025, 2, 28)
    assert period_as_of(period(Period.Kind.MONTH, 2024, 2)) == date(2024, 2, 29)
    assert period_as_of(period(Period.Kind.YEAR, 2024, 1)) == date(2024, 12, 31)
    running = period(Period.Kind.QUARTER, 2026, 4, Period.Status.OPEN)
    assert period_as_of(running, today=date(2026, 11, 20)) == date(2026, 11, 20)
    assert period_as_of(running, today=date(2027, 1, 10)) == date(2026, 12, 31)  # ended, not closed yet
    # A period closed before its last day is read today: a later day's figures do not exist yet
    # (the same rule as the inspections' sources, which once read such a period differently).
    assert period_as_of(period(Period.Kind.QUARTER, 2026, 2), today=date(2026, 5, 1)) == date(2026, 5, 1)


def test_money_is_written_as_in_a_ledger():
    assert money(Decimal("1234.00")) == "1 234"
    assert money(Decimal("1234.5")) == "1 234.5"
    assert money(Decimal("266")) == "266"
    assert money(None) == "—"


def test_investment_completion_rate_per_unit_with_the_projects_behind_it(portfolio):
    period = _period(portfolio["version"])
    got = _values("projects.investment_completion_rate", period,
                  [portfolio["a"], portfolio["b"], portfolio["fagai"]])
    # (1234 + 266) / (2000 + 1000): the latest report of 2025 dated on or before 09-30.
    assert got["jingyu"].value == 50.0
    assert got["jingyu"].provenance == ("项目 XM-001 道外产业园 投资完成 1 234 / 2 000 万元",
                                        "项目 XM-002 滨江路改造 投资完成 266 / 1 000 万元")
    assert got["taigu"].value is None and got["taigu"].provenance == ()  # no project at all
    assert got["fagai"].value == 0.0  # a plan and nothing reported: 0, not blank
    assert got["fagai"].provenance == ("项目 XM-010 数字经济孵化园 投资完成 0 / 500 万元",)


def test_start_funds_and_completion_rates(portfolio):
    period = _period(portfolio["version"])
    units = [portfolio["a"], portfolio["b"], portfolio["fagai"]]
    start = _values("projects.start_rate", period, units)
    assert start["jingyu"].value == pytest.approx(200 / 3, abs=1e-6)  # 2 of 3 due have started
    assert start["jingyu"].provenance[2] == "项目 XM-003 智能装备园 计划 2025-08-15 开工，未开工"
    assert start["fagai"].value is None  # planned after the as-of date: an empty denominator
    funds = _values("projects.funds_rate", period, units)
    assert funds["jingyu"].value == pytest.approx(1700 / 15, abs=1e-6)  # above 100 %: kept
    assert funds["fagai"].value is None and funds["taigu"].value is None
    done = _values("projects.completion_rate", period, units)
    assert done["jingyu"].value == 50.0  # XM-001 on time, XM-002 due 09-15 and not finished
    assert done["jingyu"].provenance == ("项目 XM-001 道外产业园 计划 2025-06-30 竣工，2025-06-20 按期竣工",
                                         "项目 XM-002 滨江路改造 计划 2025-09-15 竣工，未竣工")
    assert done["fagai"].value is None  # due next year


def test_the_rates_follow_a_project_moved_to_another_unit(portfolio):
    Project.objects.filter(code="XM-002").update(owner_unit=portfolio["b"])
    got = _values("projects.investment_completion_rate", _period(portfolio["version"]),
                  [portfolio["a"], portfolio["b"]])
    assert got["jingyu"].value == pytest.approx(61.7)  # 1234 / 2000
    assert got["taigu"].value == pytest.approx(26.6)  # 266 / 1000


def test_late_stats_counts_the_projects_the_statistics_rule_flags(portfolio):
    got = _values("projects.late_stats", _period(portfolio["version"]),
                  [portfolio["a"], portfolio["b"], portfolio["fagai"]])
    assert got["jingyu"].value == 1.0
    assert got["jingyu"].provenance == ("项目 XM-002 滨江路改造 2025-03-20开工，2个月以上未入库入统",)
    assert got["taigu"].value is None  # no project at all
    assert got["fagai"].value is None  # none of 500 万元 or more: none belongs in the statistics


def test_overdue_assignments_count_what_was_past_its_deadline_and_not_done(portfolio):
    meeting = DispatchMeeting.objects.create(district=portfolio["district"], cadence="daily",
                                             held_on=date(2025, 9, 1))

    def assign(unit, text, assigned, deadline, **done):
        return Assignment.objects.create(meeting=meeting, unit=unit, text=text, assigned_on=assigned,
                                         workdays=3, deadline=deadline, **done)

    a = portfolio["a"]
    assign(a, "协调施工用电", date(2025, 9, 1), date(2025, 9, 5))  # overdue
    assign(a, "完成环评批复", date(2025, 9, 1), date(2025, 9, 10), status="done", replied_on=date(2025, 9, 8))
    assign(a, "落实征收", date(2025, 9, 20), date(2025, 10, 10))  # not due yet
    assign(a, "贷款到位", date(2025, 9, 1), date(2025, 9, 12), status="done", replied_on=date(2025, 10, 2))
    assign(portfolio["fagai"], "下季度的事", date(2025, 10, 8), date(2025, 10, 13))
    got = _values("projects.overdue_assignments", _period(portfolio["version"]),
                  [a, portfolio["b"], portfolio["fagai"]])
    assert got["jingyu"].value == 2.0  # done only after the as-of date still counts as overdue then
    assert got["jingyu"].provenance == (
        "交办事项 协调施工用电 2025-09-01 交办，2025-09-05 到期未办结",
        "交办事项 贷款到位 2025-09-01 交办，2025-09-12 到期未办结",
    )
    assert got["taigu"].value is None and got["fagai"].value is None  # nothing assigned by 09-30


GZ03 = "{code: gz03, name: 重点项目投资完成率,"


def test_a_run_takes_the_units_investment_rate_from_its_projects(portfolio, client_for):
    """gz03 names the source: the run reads 50 % for 靖宇街道 from the projects, nobody typed it,
    and the unit's result page names the projects."""
    document = portfolio["version"].document
    assert document.count(GZ03) == 1
    version = scheme_version_save(
        actor=None, scheme=portfolio["scheme"], note="gz03 取自重点项目",
        document=document.replace(GZ03, GZ03 + " value_from: projects.investment_completion_rate,"))
    period = _period(version, status=Period.Status.OPEN)  # 2025 Q3, ended: read at 09-30
    run = run_start(actor=portfolio["office"], period=period)
    assert run.status == ScoringRun.Status.DONE, run.error
    data = {(u, c): v for u, c, v in run.inputs["data"]}
    assert data[("jingyu", "gz03")] == 50.0 and data[("fagai", "gz03")] == 0.0
    assert ("taigu", "gz03") not in data  # no projects: missing, scored by the scheme's rule
    entry = next(e for e in result_trace(RunResult.objects.get(run=run, unit__code="jingyu"), run)["indicators"]
                 if e["code"] == "gz03")
    assert entry["raw"] == 50.0 and entry["source"]["name"] == "projects.investment_completion_rate"
    assert "项目 XM-001 道外产业园 投资完成 1 234 / 2 000 万元" in entry["source"]["provenance"]
    html = client_for(portfolio["office"]).get(
        reverse("assessment:unit_result", args=[run.pk, "jingyu"])).content.decode()
    line = html[html.index('data-testid="source-gz03"'):]
    assert "投资完成率" in line[:400] and "XM-001 道外产业园" in line[:400]
