"""问题处置率 and its companions (issue 12, "The rates"): each rule on hand-computed cases, the
rounding, and properties that hold for any set of findings. Plain pytest; no database."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from duibiao.inspections.rates import (
    ALL,
    FindingRow,
    GroupRates,
    Outcome,
    deadline_in_force,
    fmt2,
    group_rates,
    is_overdue,
    rates_rows,
)

D = date(2026, 6, 30)
C, NF = Outcome.CLOSED, Outcome.CLOSED_NOT_FIXED


def f(fid: str, found: str, deadline: str | None, closed: str | None = None,
      outcome: Outcome | None = None, extended: str | None = None, unit: str = "A",
      campaign: str = "春季绿化") -> FindingRow:
    def d(text: str | None) -> date | None:
        return date.fromisoformat(f"2026-{text}") if text else None

    found_on = d(found)
    assert found_on is not None
    return FindingRow(id=fid, unit=unit, campaign=campaign, found_on=found_on, deadline=d(deadline),
                      extended_to=d(extended), closed_on=d(closed), outcome=outcome)


# Unit A, as of 06-30 (each line says what it counts for, worked out by hand):
UNIT_A = [
    f("a1", "06-01", "06-10", "06-05", C),  # due, closed on time, 4 days
    f("a2", "06-01", "06-10", "06-15", C),  # due, closed late, 14 days
    f("a3", "06-01", "06-20"),  # due, overdue
    f("a4", "06-20", "07-10", "06-25", C),  # closed before its deadline: due, on time, 5 days
    f("a5", "06-20", "07-10"),  # not yet due: nothing
    f("a6", "06-01", "06-10", extended="07-05"),  # extension in force: not due, not overdue
    f("a7", "06-01", "06-30"),  # deadline is D: due, but not overdue on the day itself
    f("a8", "06-01", "06-10", "06-12", NF),  # closed not fixed: due, neither closed nor overdue
    f("a9", "07-01", "07-10", "07-02", C),  # found after D: does not exist
    f("a10", "06-01", "06-10", "07-02", C),  # closed after D: at D due and overdue
    f("a11", "06-01", "06-10", "06-18", C, extended="06-20"),  # on time by the extension, 17 days
]
UNIT_B = [f("b1", "06-01", "07-31", unit="B")]  # one finding, nothing due: rates blank
UNIT_C = [
    f("c1", "06-01", "06-04", "06-03", C, unit="C", campaign="餐饮"),  # 2 days
    f("c2", "06-01", "06-04", unit="C", campaign="餐饮"),
    f("c3", "06-01", "06-04", unit="C", campaign="餐饮"),
]


def test_unit_a_hand_computed() -> None:
    [a, total] = group_rates(UNIT_A, D, by="unit")
    assert (a.group, a.findings, a.due, a.closed, a.on_time, a.overdue) == ("A", 10, 8, 4, 3, 2)
    assert a.disposal_rate == Decimal(50)  # 4 / 8
    assert a.on_time_rate == Decimal("37.5")  # 3 / 8
    assert a.avg_days == Decimal(10)  # (4 + 14 + 5 + 17) / 4
    assert total.group == ALL and total.findings == 10
    assert "a9" not in a.ids and "a5" in a.ids


def test_each_unit_and_all_rows_as_written() -> None:
    rows = rates_rows(group_rates(UNIT_C + UNIT_B + UNIT_A, D, by="unit"))
    assert rows == [
        ["group", "findings", "due", "closed", "disposal_rate", "on_time_rate", "overdue", "avg_days"],
        ["A", "10", "8", "4", "50.00", "37.50", "2", "10.00"],
        ["B", "1", "0", "0", "", "", "0", ""],
        ["C", "3", "3", "1", "33.33", "33.33", "2", "2.00"],
        [ALL, "14", "11", "5", "45.45", "36.36", "4", "8.40"],  # 5/11, 4/11, 42/5
    ]


def test_by_campaign_and_without_grouping() -> None:
    data = UNIT_A + UNIT_C
    by_campaign = group_rates(data, D, by="campaign")
    # Sorted by name (code points): 春 (U+6625) before 餐 (U+9910), then 全部 last.
    assert [g.group for g in by_campaign] == ["春季绿化", "餐饮", ALL]
    assert (by_campaign[1].due, by_campaign[1].closed) == (3, 1)
    only_all = group_rates(data, D)
    assert [g.group for g in only_all] == [ALL]
    assert rates_rows(only_all)[1] == rates_rows(by_campaign)[-1]


def test_closed_early_counts_in_due_and_closed() -> None:
    [g] = group_rates([f("x", "06-01", "12-31", "06-02", C)], D)
    assert (g.due, g.closed, g.on_time, g.overdue) == (1, 1, 1, 0)
    assert g.disposal_rate == 100


def test_closed_not_fixed_is_due_but_not_closed_and_not_overdue() -> None:
    [g] = group_rates([f("x", "06-01", "06-10", "06-20", NF)], D)
    assert (g.due, g.closed, g.on_time, g.overdue) == (1, 0, 0, 0)
    assert g.disposal_rate == 0 and g.avg_days is None
    # Closed not fixed before a later deadline is due as well (closed either way by D).
    [early] = group_rates([f("y", "06-01", "12-31", "06-20", NF)], D)
    assert (early.due, early.closed) == (1, 0)


def test_extension_in_force_decides_due_on_time_and_overdue() -> None:
    late_by_original = f("x", "06-01", "06-10", "06-25", C, extended="06-28")
    [g] = group_rates([late_by_original], D)
    assert (g.due, g.closed, g.on_time) == (1, 1, 1)
    extended_open = f("y", "06-01", "06-10", extended="07-15")
    [h] = group_rates([extended_open], D)
    assert (h.findings, h.due, h.overdue) == (1, 0, 0) and h.disposal_rate is None
    # An extension that ends before D and is not met is overdue like any deadline.
    [k] = group_rates([f("z", "06-01", "06-10", extended="06-29")], D)
    assert (k.due, k.overdue) == (1, 1)
    assert deadline_in_force(date(2026, 6, 10), None) == date(2026, 6, 10)
    assert deadline_in_force(date(2026, 6, 10), date(2026, 6, 1)) == date(2026, 6, 1)


def test_overdue_only_strictly_after_the_deadline() -> None:
    on_day = f("x", "06-01", "06-30")
    after = f("y", "06-01", "06-29")
    assert not is_overdue(on_day, D) and is_overdue(after, D)
    [g] = group_rates([on_day, after], D)
    assert (g.due, g.overdue) == (2, 1)


def test_closed_on_the_deadline_day_is_on_time_and_the_day_after_is_not() -> None:
    [g] = group_rates([f("x", "06-01", "06-10", "06-10", C), f("y", "06-01", "06-10", "06-11", C)], D)
    assert (g.closed, g.on_time) == (2, 1)
    assert g.on_time_rate == 50


def test_a_closure_after_d_has_not_happened_yet() -> None:
    # Deadline after D, closed after D: at D it is neither due nor closed.
    [g] = group_rates([f("x", "06-01", "07-20", "07-10", C)], D)
    assert (g.findings, g.due, g.closed, g.on_time) == (1, 0, 0, 0)


def test_findings_found_after_d_do_not_exist() -> None:
    assert group_rates([f("x", "07-01", "07-01", "07-01", C, unit="Z")], D, by="unit") == [
        GroupRates(ALL)
    ]
    [g] = group_rates([f("x", "06-30", "06-30")], D)
    assert (g.findings, g.due, g.overdue) == (1, 1, 0)  # found on D itself exists


def test_no_deadline_is_never_due_unless_closed() -> None:
    [g] = group_rates([f("x", "06-01", None), f("y", "06-01", None, "06-03", C)], D)
    assert (g.findings, g.due, g.closed, g.on_time, g.overdue) == (2, 1, 1, 1, 0)


def test_empty_input_gives_a_blank_all_row() -> None:
    assert rates_rows(group_rates([], D, by="unit")) == [
        ["group", "findings", "due", "closed", "disposal_rate", "on_time_rate", "overdue", "avg_days"],
        [ALL, "0", "0", "0", "", "", "0", ""],
    ]


def test_rounding_is_half_up_to_two_decimals() -> None:
    assert fmt2(Decimal("3.125")) == "3.13"  # banker's rounding would give 3.12
    assert fmt2(Decimal("2.675")) == "2.68"
    assert fmt2(Decimal("66.6666")) == "66.67"
    assert fmt2(Decimal(100)) == "100.00"
    assert fmt2(None) == ""
    # 1 closed of 32 due: 3.125 % → 3.13; 7 closed the same day and 1 a day later: 0.125 → 0.13.
    rows = [f(f"o{i}", "06-01", "06-10") for i in range(31)] + [f("c", "06-01", "06-10", "06-01", C)]
    [g] = group_rates(rows, D)
    assert g.disposal_rate == Decimal("3.125") and fmt2(g.disposal_rate) == "3.13"
    days = [f(f"d{i}", "06-01", "06-10", "06-01", C) for i in range(7)] + [f("e", "06-01", "06-10", "06-02", C)]
    [h] = group_rates(days, D)
    assert h.avg_days == Decimal("0.125") and fmt2(h.avg_days) == "0.13"


# Properties: any findings, any as-of date.
DAY0 = date(2026, 1, 1)
days = st.integers(min_value=0, max_value=200)


@st.composite
def finding_rows(draw: st.DrawFn) -> list[FindingRow]:
    n = draw(st.integers(min_value=0, max_value=40))
    out = []
    for i in range(n):
        found = DAY0 + timedelta(days=draw(days))
        deadline = draw(st.none() | st.builds(lambda k, base=found: base + timedelta(days=k), days))
        extended = draw(st.none() | st.builds(lambda k, base=found: base + timedelta(days=k), days))
        outcome = draw(st.none() | st.sampled_from(list(Outcome)))
        closed = found + timedelta(days=draw(days)) if outcome else None
        out.append(FindingRow(id=str(i), unit=draw(st.sampled_from("ABC")),
                              campaign=draw(st.sampled_from(["春季", "餐饮"])), found_on=found,
                              deadline=deadline, extended_to=extended, closed_on=closed, outcome=outcome))
    return out


def _counts(g: GroupRates) -> tuple[int, ...]:
    return (g.findings, g.due, g.closed, g.on_time, g.overdue, g.closed_days)


@settings(max_examples=150, deadline=None)
@given(rows=finding_rows(), as_of=days.map(lambda k: DAY0 + timedelta(days=k)),
       by=st.sampled_from(["unit", "campaign", None]))
def test_properties_hold_for_any_findings(rows: list[FindingRow], as_of: date, by: str | None) -> None:
    table = group_rates(rows, as_of, by=by)  # type: ignore[arg-type]
    *groups, total = table
    assert total.group == ALL
    assert [g.group for g in groups] == sorted(g.group for g in groups)
    for g in table:
        assert 0 <= g.on_time <= g.closed <= g.due <= g.findings
        assert g.closed + g.overdue <= g.due  # overdue ones are not closed, both are due
        for rate in (g.disposal_rate, g.on_time_rate):
            assert (rate is None) == (g.due == 0)
            assert rate is None or 0 <= rate <= 100
        assert g.findings > 0 or g is total  # a group exists only with a finding found by D
    if groups:
        assert _counts(total) == tuple(sum(c) for c in zip(*map(_counts, groups), strict=True))
    assert total.findings == sum(r.found_on <= as_of for r in rows)
    # The same totals whatever the grouping and whatever the order of the rows.
    assert _counts(group_rates(rows, as_of)[-1]) == _counts(total)
    shuffled = rows[:]
    random.Random(len(rows)).shuffle(shuffled)
    assert rates_rows(group_rates(shuffled, as_of, by=by)) == rates_rows(table)  # type: ignore[arg-type]


def test_a_models_plain_outcome_text_counts_like_the_enum() -> None:
    # The pages map their Finding rows straight from the database, where the outcome is text.
    plain = FindingRow(id="m", unit="A", campaign="c", found_on=date(2026, 6, 1), deadline=date(2026, 6, 10),
                       closed_on=date(2026, 6, 3), outcome="closed")  # type: ignore[arg-type]
    [g] = group_rates([plain], D)
    assert (g.due, g.closed, g.on_time) == (1, 1, 1)
