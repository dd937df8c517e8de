"""The rates read from the database (finding_rows → group_rates), the daily picture and the
indicator sources, on a hand-computed set of findings of units A and B."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.inspections.findings_world import insp  # noqa: F401  (fixture)

D = date(2026, 10, 20)


def _finding(w, unit, found, deadline, *, extended=None, closed=None, outcome="", code=""):
    from duibiao.inspections.models import Finding

    state = {"": Finding.State.OPEN, "closed": Finding.State.CLOSED,
             "closed_not_fixed": Finding.State.CLOSED_NOT_FIXED}[outcome]
    return Finding.objects.create(
        campaign=w["campaign"], description=f"问题{code}", category="占道经营", address=f"靖宇街{code}号",
        unit=w[unit], found_on=found, workdays=5, deadline=deadline, extended_to=extended, state=state,
        closed_on=closed, outcome=outcome)


@pytest.fixture
def findings(insp):  # noqa: F811
    d = date
    w = insp
    w["f"] = {
        "f1": _finding(w, "a", d(2026, 10, 1), d(2026, 10, 10), closed=d(2026, 10, 9), outcome="closed", code="f1"),
        "f2": _finding(w, "a", d(2026, 10, 5), d(2026, 10, 15), code="f2"),
        "f3": _finding(w, "a", d(2026, 10, 10), d(2026, 10, 25), closed=d(2026, 10, 12), outcome="closed", code="f3"),
        "f4": _finding(w, "a", d(2026, 10, 10), d(2026, 10, 15), extended=d(2026, 10, 30), code="f4"),
        "f5": _finding(w, "a", d(2026, 10, 2), d(2026, 10, 12), closed=d(2026, 10, 18), outcome="closed_not_fixed",
                       code="f5"),
        "f6": _finding(w, "a", d(2026, 10, 21), d(2026, 10, 28), code="f6"),
        "f7": _finding(w, "a", d(2026, 10, 3), d(2026, 10, 13), closed=d(2026, 10, 19), outcome="closed", code="f7"),
        "g1": _finding(w, "b", d(2026, 10, 8), d(2026, 10, 20), code="g1"),
        "g2": _finding(w, "b", d(2026, 10, 1), d(2026, 10, 9), closed=d(2026, 10, 20), outcome="closed", code="g2"),
        "g3": _finding(w, "b", d(2026, 10, 20), d(2026, 10, 27), code="g3"),
    }
    return w


def test_the_daily_picture_on_hand_computed_findings(findings):
    from duibiao.inspections.selectors.stats import daily_picture

    w = findings
    day = daily_picture(user=w["office"], day=D)
    assert [f.pk for f in day.new] == [w["f"]["g3"].pk] and day.new_count == 1
    assert [f.pk for f in day.closed] == [w["f"]["g2"].pk] and day.closed_count == 1
    # g1's deadline is today: not late yet; f4's deadline was extended to 10-30.
    assert [f.pk for f in day.overdue] == [w["f"]["f2"].pk] and day.overdue_count == 1
    a, b, total = day.ranking
    assert (a.name, a.rates.findings, a.rates.due, a.rates.closed, a.rates.on_time, a.rates.overdue) == \
        ("靖宇街道", 6, 5, 3, 2, 1)
    assert a.rates.disposal_rate == Decimal(60) and a.rates.on_time_rate == Decimal(40)
    assert round(a.rates.avg_days, 2) == Decimal("8.67")  # (8 + 2 + 16) / 3
    assert (b.name, b.rates.findings, b.rates.due, b.rates.closed, b.rates.on_time) == ("太古街道", 3, 2, 1, 0)
    assert b.rates.disposal_rate == Decimal(50) and b.rates.avg_days == Decimal(19)
    assert total.is_total and (total.rates.due, total.rates.closed, total.rates.overdue) == (7, 4, 1)


def test_the_overdue_list_is_the_rule_of_the_rates_on_every_day(findings):
    """逾期 listed on the page, counted in the ranking, and the rule written out as a query
    (deadline in force before the day, found by it, not closed by it) agree every day."""
    from django.db.models import Q

    from duibiao.inspections.models import Finding
    from duibiao.inspections.selectors.stats import daily_picture

    day = date(2026, 9, 28)
    while day <= date(2026, 11, 5):
        expected = set(Finding.objects.filter(found_on__lte=day).filter(
            Q(extended_to__lt=day) | Q(extended_to__isnull=True, deadline__lt=day),
        ).exclude(Q(closed_on__lte=day) & ~Q(outcome="")).values_list("pk", flat=True))
        picture = daily_picture(user=findings["office"], day=day)
        assert {f.pk for f in picture.overdue} == expected, day
        assert picture.overdue_count == picture.total.overdue == len(expected), day
        deadlines = [f.deadline_in_force for f in picture.overdue]
        assert deadlines == sorted(deadlines), day  # the longest overdue first
        day += timedelta(days=1)


def test_a_unit_sees_only_its_own_findings_in_the_picture(findings):
    from duibiao.inspections.selectors.stats import daily_picture, rates_table

    w = findings
    day = daily_picture(user=w["reporter_b"], day=D)
    assert [line.name for line in day.ranking] == ["太古街道", "全部"]
    assert day.overdue_count == 0 and [f.pk for f in day.new] == [w["f"]["g3"].pk]
    table = rates_table(user=w["reporter_a"], as_of=D, by="campaign")
    assert [(line.name, line.rates.findings) for line in table.lines] == [
        ("2026年秋季城市管理检查", 6), ("全部", 6)]
    # Roles without the statistics see nothing at all.
    assert daily_picture(user=w["sysadmin"], day=D).ranking[-1].rates.findings == 0


def test_rates_of_a_period_start_only_count_findings_found_since(findings):
    from duibiao.inspections.selectors.stats import rates_table

    table = rates_table(user=findings["office"], as_of=D, starts_on=date(2026, 10, 8), by="unit")
    # A: f3 (closed early), f4 (extended) found from 10-08; B: g1 (due today), g3 (new).
    counts = {line.name: (line.rates.findings, line.rates.due, line.rates.closed) for line in table.lines}
    assert counts == {"靖宇街道": (2, 1, 1), "太古街道": (2, 1, 0), "全部": (4, 2, 1)}
    assert [line.name for line in table.lines] == ["靖宇街道", "太古街道", "全部"]  # by 处置率: 100 % first


def test_the_sources_give_each_unit_its_rates_as_of_the_period_end(findings):
    from duibiao.assessment.sources import period_as_of as as_of_date
    from duibiao.assessment.sources import period_end, source_values

    w = findings
    october = SimpleNamespace(kind="month", year=2026, number=10)
    assert period_end("quarter", 2026, 4) == date(2026, 12, 31) and period_end("month", 2024, 2) == date(2024, 2, 29)
    assert as_of_date(october, today=date(2026, 11, 29)) == date(2026, 10, 31)
    assert as_of_date(SimpleNamespace(kind="year", year=2026, number=1), today=date(2026, 11, 29)) == date(2026, 11, 29)
    units = [w["a"], w["b"], w["fagai"]]
    disposal = source_values("inspections.disposal_rate", october, units)
    # At 10-31 every finding of A is due (f4's extension ran out on 10-30, f6's deadline 10-28).
    assert disposal["jingyu"].value == round(300 / 7, 6)
    assert disposal["taigu"].value == round(100 / 3, 6)
    assert disposal["fagai"].value is None and disposal["fagai"].provenance == ()
    assert len(disposal["jingyu"].provenance) == 7
    assert any(p.startswith(f"问题 #{w['f']['f1'].pk} 占道经营（2026年秋季城市管理检查，靖宇街f1号）已销号 2026-10-09")
               for p in disposal["jingyu"].provenance)
    on_time = source_values("inspections.on_time_rate", october, units)
    assert on_time["jingyu"].value == round(200 / 7, 6) and on_time["taigu"].value == 0
    overdue = source_values("inspections.overdue_findings", october, units)
    assert (overdue["jingyu"].value, overdue["taigu"].value, overdue["fagai"].value) == (3, 2, 0)
    assert sorted(p.split()[1] for p in overdue["jingyu"].provenance) == sorted(
        f"#{w['f'][k].pk}" for k in ("f2", "f4", "f6"))


def test_the_pages_reading_of_the_findings_follows_every_change(findings):
    """The pages keep their reading of the findings while nothing changed; a step of the
    rectification (one UPDATE that bumps the version) or a new finding is seen at once."""
    from django.db.models import F

    from duibiao.inspections.models import Finding
    from duibiao.inspections.selectors.stats import daily_picture

    w = findings
    before = daily_picture(user=w["office"], day=D)
    assert daily_picture(user=w["office"], day=D).total.closed == before.total.closed == 4
    Finding.objects.filter(pk=w["f"]["f2"].pk).update(state="closed", outcome="closed", closed_on=D,
                                                      version=F("version") + 1)
    after = daily_picture(user=w["office"], day=D)
    assert (after.total.closed, after.overdue_count, after.ranking[0].rates.closed) == (5, 0, 4)
    _finding(w, "b", date(2026, 10, 2), date(2026, 10, 9), code="g4")
    newer = daily_picture(user=w["office"], day=D)
    assert (newer.total.findings, newer.overdue_count) == (after.total.findings + 1, 1)
