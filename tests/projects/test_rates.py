"""The four rates, 序时进度 and the red / yellow / green flags of projects.rates (issue 11,
"The rates") on hand-computed cases and their edges, plus Hypothesis properties."""

from __future__ import annotations

import csv
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duibiao.projects.rates import (
    ALL,
    GREEN,
    RATES_HEADER,
    RED,
    YELLOW,
    Flag,
    Funding,
    GroupRates,
    Kind,
    LedgerRow,
    Level,
    Stage,
    completed_months,
    fmt,
    group_rates,
    group_rates_by,
    months_before,
    project_flag,
    schedule_share,
    stats_flag,
    write_flags_csv,
    write_rates_csv,
)

D = date(2023, 6, 30)  # 序时进度 50 %


def M(text: str) -> Decimal:  # noqa: N802 - money, as the ledger gives it
    return Decimal(text)


def total(rows: list[LedgerRow], as_of: date = D) -> GroupRates:
    return group_rates(rows, as_of)[-1]


# --- vocabularies -----------------------------------------------------------------------

def test_vocabularies_take_the_code_or_the_chinese_label_and_nothing_else() -> None:
    assert Stage.parse(" 续建 ") is Stage.CONTINUING and Stage.parse("completed") is Stage.COMPLETED
    assert Level.parse("省") is Level.PROVINCE and Level.parse("市重点") is Level.CITY
    assert Kind.parse("商贸物流") is Kind.LOGISTICS and Funding.parse("企业投资") is Funding.ENTERPRISE
    assert Stage.parse("在建") is None and Stage.parse("") is None and Level.parse("县") is None
    assert Stage.NEW == "new" and Stage.NEW.label == "新开工"
    assert Stage.allowed() == "新开工（new）、续建（continuing）、竣工投产（completed）、停缓建（suspended）"
    assert Kind.choices()[1] == ("infrastructure", "基础设施")


# --- 序时进度 -------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "months"), [
    (date(2023, 3, 31), 3), (date(2023, 4, 15), 3), (date(2023, 12, 31), 12),
    (date(2023, 1, 31), 1), (date(2023, 1, 30), 0), (date(2023, 1, 1), 0),
    (date(2023, 2, 28), 2),  # February's last day in a common year
    (date(2024, 2, 28), 1), (date(2024, 2, 29), 2),  # a leap February ends on the 29th
])
def test_a_month_counts_as_completed_on_its_last_day(day: date, months: int) -> None:
    assert completed_months(day) == months
    assert schedule_share(day) == Decimal(months) / 12


def test_schedule_in_percent_as_the_contract_prints_it() -> None:
    assert fmt(schedule_share(date(2023, 3, 31)) * 100) == "25.00"
    assert fmt(schedule_share(date(2023, 4, 15)) * 100) == "25.00"
    assert fmt(schedule_share(date(2023, 12, 31)) * 100) == "100.00"
    assert fmt(schedule_share(date(2023, 1, 31)) * 100) == "8.33"
    assert fmt(schedule_share(date(2023, 8, 31)) * 100) == "66.67"


@pytest.mark.parametrize(("day", "n", "expected"), [
    (date(2023, 5, 31), 3, date(2023, 2, 28)), (date(2024, 5, 31), 3, date(2024, 2, 29)),
    (date(2023, 6, 15), 3, date(2023, 3, 15)), (date(2023, 2, 15), 3, date(2022, 11, 15)),
    (date(2023, 3, 31), 1, date(2023, 2, 28)), (date(2023, 1, 10), 1, date(2022, 12, 10)),
])
def test_months_before_is_the_same_day_clamped_to_the_month_end(day: date, n: int, expected: date) -> None:
    assert months_before(day, n) == expected


# --- the rates ----------------------------------------------------------------------------

def test_start_rate_counts_starts_by_d_among_projects_planned_to_start_by_d() -> None:
    rows = [
        LedgerRow("A", planned_start=date(2023, 3, 1), actual_start=date(2023, 3, 5)),
        LedgerRow("B", planned_start=date(2023, 4, 1), actual_start=date(2023, 7, 2)),  # after D
        LedgerRow("C", planned_start=date(2023, 6, 30)),  # due on D itself, not started
        LedgerRow("E", planned_start=date(2023, 8, 1), actual_start=date(2023, 5, 1)),  # not due yet
        LedgerRow("F"),  # no planned start: not in the rate
    ]
    g = total(rows)
    assert (g.started, g.due_to_start) == (1, 3)
    assert fmt(g.start_rate) == "33.33"


def test_investment_rate_is_the_sum_of_completed_over_the_sum_of_annual_plans() -> None:
    rows = [
        LedgerRow("A", planned_annual=M("100"), completed_ytd=M("30")),
        LedgerRow("B", planned_annual=M("200"), completed_ytd=M("45")),
        LedgerRow("C", planned_annual=M("50")),  # nothing reported yet: counts as 0
    ]
    g = total(rows)
    assert g.investment_rate == Decimal("75") * 100 / 350
    assert fmt(g.investment_rate) == "21.43"
    assert fmt(g.schedule) == "50.00"
    assert fmt(g.schedule_gap) == "-28.57"  # 落后序时进度 28.57 个百分点


def test_schedule_gap_is_positive_ahead_of_schedule_and_rounds_half_up() -> None:
    g = total([LedgerRow("A", planned_annual=M("100"), completed_ytd=M("62.345"))], date(2023, 3, 31))
    assert fmt(g.investment_rate) == "62.35"  # half-up, where banker's rounding gives 62.34
    assert fmt(g.schedule_gap) == "37.35"  # 62.345 − 25, rounded once at the end
    assert g.csv_row()[3:6] == ["62.35", "25.00", "37.35"]


def test_formatting_never_prints_minus_zero_and_survives_huge_rates() -> None:
    assert fmt(Decimal("-0.001")) == "0.00" and fmt(Decimal("-0.005")) == "-0.01"
    assert fmt(Decimal("1E+40")) == "1" + "0" * 40 + ".00"
    g = total([LedgerRow("A", planned_annual=M("100"), completed_ytd=M("49.999"))])
    assert g.csv_row()[5] == "0.00"  # −0.001 points behind


def test_funds_rate_may_exceed_one_hundred() -> None:
    rows = [LedgerRow("A", funds_planned=M("100"), funds_in_place=M("120")),
            LedgerRow("B", funds_planned=M("100"), funds_in_place=M("180"))]
    assert fmt(total(rows).funds_rate) == "150.00"


def test_completion_rate_counts_projects_due_in_the_year_by_d_completed_by_their_plan() -> None:
    rows = [
        LedgerRow("early", planned_completion=date(2023, 5, 31), actual_completion=date(2023, 4, 20)),
        LedgerRow("on-the-day", planned_completion=date(2023, 6, 30), actual_completion=date(2023, 6, 30)),
        LedgerRow("late", planned_completion=date(2023, 3, 31), actual_completion=date(2023, 4, 1)),
        LedgerRow("open", planned_completion=date(2023, 2, 28)),
        LedgerRow("due-later", planned_completion=date(2023, 9, 30), actual_completion=date(2023, 6, 1)),
        LedgerRow("last-year", planned_completion=date(2022, 12, 31), actual_completion=date(2022, 12, 1)),
        LedgerRow("next-year", planned_completion=date(2024, 3, 31)),
    ]
    g = total(rows)
    assert (g.on_time, g.due_to_complete) == (2, 4)
    assert fmt(g.completion_rate) == "50.00"


def test_an_empty_denominator_leaves_the_rate_blank_never_0_or_100() -> None:
    rows = [LedgerRow("A", completed_ytd=M("10"), funds_in_place=M("5"),
                      planned_start=date(2023, 9, 1), planned_completion=date(2024, 6, 30))]
    g = total(rows)
    assert (g.start_rate, g.investment_rate, g.schedule_gap, g.funds_rate, g.completion_rate) == \
        (None, None, None, None, None)
    assert g.csv_row() == [ALL, "1", "", "", "50.00", "", "", "", "0", "0", "1"]
    zero_plan = total([LedgerRow("Z", planned_annual=M("0"), funds_planned=M("0"))])
    assert zero_plan.investment_rate is None and zero_plan.funds_rate is None


def test_a_year_boundary_reads_the_new_year_only() -> None:
    rows = [LedgerRow("A", planned_annual=M("100"), completed_ytd=M("0"),
                      planned_start=date(2023, 3, 1), actual_start=date(2023, 3, 1),
                      planned_completion=date(2023, 12, 31), actual_completion=date(2024, 1, 5))]
    jan = total(rows, date(2024, 1, 15))
    assert fmt(jan.schedule) == "0.00" and fmt(jan.schedule_gap) == "0.00"
    assert jan.completion_rate is None  # its planned completion lies in 2023, not in 2024
    dec = total(rows, date(2023, 12, 31))
    assert fmt(dec.schedule) == "100.00" and dec.completion_rate == 0
    assert project_flag(rows[0], date(2024, 1, 15)).colour == GREEN  # 序时 0: nobody is behind


def test_a_project_moved_to_another_unit_groups_under_the_new_unit() -> None:
    before = [LedgerRow("P1", unit="太古街道", planned_annual=M("100"), completed_ytd=M("40")),
              LedgerRow("P2", unit="靖宇街道", planned_annual=M("100"), completed_ytd=M("10"))]
    moved = [before[0], LedgerRow("P2", unit="太古街道", planned_annual=M("100"), completed_ytd=M("10"))]
    assert [g.group for g in group_rates(before, D, "unit")] == ["太古街道", "靖宇街道", ALL]
    after = group_rates(moved, D, "unit")
    assert [(g.group, g.projects, g.codes) for g in after] == [
        ("太古街道", 2, ("P1", "P2")), (ALL, 2, ("P1", "P2"))]
    assert fmt(after[0].investment_rate) == "25.00"


def test_groups_by_label_sorted_by_name_then_all() -> None:
    rows = [LedgerRow("A", stage=Stage.NEW), LedgerRow("B", stage=Stage.CONTINUING),
            LedgerRow("C", stage=Stage.NEW), LedgerRow("E", stage=Stage.COMPLETED)]
    groups = group_rates(rows, D, "stage")
    assert [(g.group, g.projects) for g in groups] == sorted(
        [("新开工", 2), ("续建", 1), ("竣工投产", 1)]) + [(ALL, 4)]
    assert [g.group for g in group_rates(rows, D, None)] == [ALL]
    with pytest.raises(ValueError, match="by must be one of"):
        group_rates(rows, D, "owner")


def test_all_groupings_at_once_equal_the_single_calls() -> None:
    rows = [LedgerRow("A", unit="u1", stage=Stage.NEW, planned_start=date(2023, 1, 1)),
            LedgerRow("B", unit="u2", level=Level.CITY, planned_annual=M("10"), completed_ytd=M("1"),
                      actual_start=date(2023, 1, 1))]
    every = group_rates_by(rows, D)
    assert list(every) == [None, "unit", "level", "type", "stage", "source"]
    for by, groups in every.items():
        assert groups == group_rates(rows, D, by)
    with pytest.raises(ValueError, match="one flag per row"):
        group_rates(rows, D, "unit", flags=[Flag(GREEN)])


# --- flags ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("as_of", "planned", "colour"), [
    (date(2023, 6, 15), date(2023, 3, 15), YELLOW),  # exactly three months before: not "more than"
    (date(2023, 6, 15), date(2023, 3, 14), RED),
    (date(2023, 5, 31), date(2023, 2, 28), YELLOW),  # month end: three months before 05-31 is 02-28
    (date(2023, 5, 31), date(2023, 2, 27), RED),
    (date(2023, 5, 10), date(2023, 5, 20), YELLOW),  # planned in D's month, later that month
    (date(2023, 5, 10), date(2023, 5, 10), YELLOW),
    (date(2023, 5, 10), date(2023, 6, 1), GREEN),  # next month: not due yet
    (date(2023, 2, 15), date(2022, 11, 14), RED),  # across the year
])
def test_start_rule_and_its_calendar_month_edges(as_of: date, planned: date, colour: str) -> None:
    flag = project_flag(LedgerRow("P", planned_start=planned), as_of)
    assert flag.colour == colour
    if colour == RED:
        assert flag.reasons == (f"计划{planned.isoformat()}开工，逾期3个月以上未开工",)


def test_a_start_after_d_is_not_a_start() -> None:
    row = LedgerRow("P", planned_start=date(2023, 1, 15), actual_start=date(2023, 7, 1))
    assert project_flag(row, D) == Flag(RED, ("计划2023-01-15开工，逾期3个月以上未开工",))


@pytest.mark.parametrize(("completed", "colour"), [
    ("41", GREEN), ("40", YELLOW), ("20", YELLOW), ("19.99", RED), ("0", RED), ("90", GREEN),
])
def test_progress_rule_behind_schedule_by_10_to_30_points_yellow_more_red(completed: str, colour: str) -> None:
    row = LedgerRow("P", planned_start=date(2023, 1, 1), actual_start=date(2023, 1, 1),
                    planned_annual=M("100"), completed_ytd=M(completed))
    assert project_flag(row, D).colour == colour  # 序时进度 50 % on D


@pytest.mark.parametrize(("as_of", "done", "plan", "colour"), [
    (date(2023, 5, 31), "19", "60", YELLOW),  # 41.67 − 31.67: exactly 10 points behind
    (date(2023, 5, 31), "7", "60", YELLOW),  # 41.67 − 11.67: exactly 30 points behind
    (date(2023, 5, 31), "6.99", "60", RED),
    (date(2023, 1, 31), "0", "7", GREEN),  # 8.33 points behind a one-month schedule
])
def test_progress_edges_on_a_schedule_that_is_no_round_number(as_of: date, done: str, plan: str,
                                                              colour: str) -> None:
    row = LedgerRow("P", actual_start=date(2023, 1, 1), planned_annual=M(plan), completed_ytd=M(done))
    assert project_flag(row, as_of).colour == colour


def test_progress_reason_names_the_figures() -> None:
    row = LedgerRow("P", actual_start=date(2023, 1, 1), planned_annual=M("300"), completed_ytd=M("50"))
    assert project_flag(row, D).reasons == ("投资完成16.67%，落后序时进度33.33个百分点",)


def test_no_annual_plan_no_progress_rule_and_not_started_judged_by_start_only() -> None:
    no_plan = LedgerRow("P", actual_start=date(2023, 1, 1), completed_ytd=M("0"))
    assert project_flag(no_plan, D) == Flag(GREEN)
    not_started = LedgerRow("Q", planned_start=date(2023, 8, 1), planned_annual=M("100"), completed_ytd=M("0"))
    assert project_flag(not_started, D) == Flag(GREEN)  # 50 points behind, but not due to start


@pytest.mark.parametrize(("started", "in_stats", "total_plan", "colour"), [
    (date(2023, 5, 30), None, "500", GREEN),  # exactly a month before D: not "more than"
    (date(2023, 5, 29), None, "500", YELLOW),
    (date(2023, 4, 30), None, "500", YELLOW),  # exactly two months
    (date(2023, 4, 29), None, "800", RED),
    (date(2023, 4, 29), date(2023, 6, 30), "800", GREEN),  # 入库 on D
    (date(2023, 4, 29), date(2023, 7, 1), "800", RED),  # 入库 after D does not count yet
    (date(2023, 1, 1), None, "499.99", GREEN),  # below 500 万元: not in the statistics
    (date(2023, 1, 1), None, None, GREEN),
])
def test_statistics_rule(started: date, in_stats: date | None, total_plan: str | None, colour: str) -> None:
    row = LedgerRow("P", actual_start=started, in_stats_on=in_stats,
                    planned_total=M(total_plan) if total_plan else None)
    assert project_flag(row, D).colour == colour
    assert (stats_flag(row, D) or Flag(GREEN)).colour == colour


def test_the_worst_of_the_rules_wins_and_every_reason_is_given() -> None:
    row = LedgerRow("P", actual_start=date(2023, 2, 1), planned_total=M("600"),
                    planned_annual=M("100"), completed_ytd=M("35"))
    flag = project_flag(row, D)
    assert flag.colour == RED
    assert flag.reasons == ("投资完成35.00%，落后序时进度15.00个百分点", "2023-02-01开工，2个月以上未入库入统")


@pytest.mark.parametrize("stage", [Stage.COMPLETED, Stage.SUSPENDED])
def test_completed_and_suspended_projects_get_no_flag_and_are_not_counted(stage: Stage) -> None:
    row = LedgerRow("P", stage=stage, planned_start=date(2022, 1, 1))  # would be red
    assert project_flag(row, D).colour is None
    g = total([row, LedgerRow("Q", planned_start=date(2022, 1, 1))])
    assert (g.projects, g.red, g.yellow, g.green) == (2, 1, 0, 0)


# --- the CSV files --------------------------------------------------------------------------

def test_rates_and_flags_csv_have_no_bom_and_the_contract_headers(tmp_path: Path) -> None:
    rows = [LedgerRow("P1", unit="u", planned_start=date(2022, 1, 1)), LedgerRow("P2", unit="u", stage=Stage.COMPLETED)]
    write_rates_csv(group_rates(rows, D, "unit"), tmp_path / "r.csv")
    write_flags_csv(rows, [project_flag(r, D) for r in rows], tmp_path / "f.csv")
    raw = (tmp_path / "r.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # a file for programs: "group", not "\ufeffgroup"
    lines = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert lines[0] == list(RATES_HEADER)
    assert [line[0] for line in lines[1:]] == ["u", ALL]
    flags = list(csv.reader((tmp_path / "f.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert flags == [["code", "flag", "reasons"], ["P1", "red", "计划2022-01-01开工，逾期3个月以上未开工"],
                     ["P2", "", "竣工投产项目不亮灯"]]


# --- properties -----------------------------------------------------------------------------

days = st.dates(min_value=date(2022, 1, 1), max_value=date(2024, 12, 31))
money = st.one_of(st.none(), st.decimals(min_value=0, max_value=5000, places=2))


@st.composite
def ledger_rows(draw: st.DrawFn) -> list[LedgerRow]:
    n = draw(st.integers(min_value=0, max_value=25))
    return [LedgerRow(
        code=f"P{i}", unit=draw(st.sampled_from(["甲", "乙", "丙"])),
        level=draw(st.sampled_from(list(Level))), type=draw(st.sampled_from(list(Kind))),
        stage=draw(st.sampled_from(list(Stage))), source=draw(st.sampled_from(list(Funding))),
        planned_total=draw(money), planned_annual=draw(money), completed_ytd=draw(money),
        funds_planned=draw(money), funds_in_place=draw(money),
        planned_start=draw(st.none() | days), actual_start=draw(st.none() | days),
        planned_completion=draw(st.none() | days), actual_completion=draw(st.none() | days),
        in_stats_on=draw(st.none() | days),
    ) for i in range(n)]


BY = st.sampled_from([None, "unit", "level", "type", "stage", "source"])


@settings(max_examples=150, deadline=None)
@given(ledger_rows(), days, BY)
def test_rates_stay_in_range_and_colours_never_exceed_projects(rows: list[LedgerRow], as_of: date, by: str | None) -> None:
    for g in group_rates(rows, as_of, by):
        for rate in (g.start_rate, g.completion_rate):
            assert rate is None or 0 <= rate <= 100
        for rate in (g.investment_rate, g.funds_rate):
            assert rate is None or rate >= 0  # may pass 100
        assert 0 <= g.schedule <= 100
        assert g.red + g.yellow + g.green <= g.projects
        assert g.started <= g.due_to_start and g.on_time <= g.due_to_complete


@settings(max_examples=150, deadline=None)
@given(ledger_rows(), days, BY.filter(lambda b: b is not None))
def test_the_all_row_is_the_sum_of_the_groups(rows: list[LedgerRow], as_of: date, by: str) -> None:
    *groups, everything = group_rates(rows, as_of, by)
    assert everything.group == ALL
    for name in ("projects", "started", "due_to_start", "completed_ytd", "planned_annual",
                 "funds_in_place", "funds_planned", "on_time", "due_to_complete", "red", "yellow", "green"):
        assert getattr(everything, name) == sum(getattr(g, name) for g in groups), name
    assert [g.group for g in groups] == sorted(g.group for g in groups)
    lit = sum(r.stage not in (Stage.COMPLETED, Stage.SUSPENDED) for r in rows)
    assert everything.red + everything.yellow + everything.green == lit  # every other project has a colour


@settings(max_examples=100, deadline=None)
@given(ledger_rows(), days, BY, st.randoms(use_true_random=False))
def test_the_order_of_the_ledger_changes_nothing(rows: list[LedgerRow], as_of: date, by: str | None,
                                                 rnd: random.Random) -> None:
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert [g.csv_row() for g in group_rates(rows, as_of, by)] == \
        [g.csv_row() for g in group_rates(shuffled, as_of, by)]
