"""Projects, meetings and assignments for the dispatch and lead tests (and D's end-to-end
test): a district with a red, a yellow and a green project in unit A, and a city-level red
project in unit B, flagged by the rates' own rules at the dates used below."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

# Meetings in October 2026: National Day week off (10-01..10-07), Saturday 10-10 a 调休 workday.
DAY = date(2026, 10, 12)


def make_project(unit, code: str, *, level: str = "district", planned_start: date | None = None,
                 actual_start: date | None = None, stage: str = "new", planned_total: str = "300"):
    from duibiao.projects.models import Project

    return Project.objects.create(
        code=code, name=f"项目{code}", level=level, type="industry", stage=stage, source="enterprise",
        owner_unit=unit, planned_total=Decimal(planned_total), planned_start=planned_start,
        actual_start=actual_start)


def make_portfolio(w: dict) -> dict:
    """XM-R red (planned to start in May, not started), XM-Y yellow (planned this month),
    XM-G green (started, small), XM-C a red city-level project of unit B."""
    w["p_red"] = make_project(w["a"], "XM-R", planned_start=date(2026, 5, 10))
    w["p_yellow"] = make_project(w["a"], "XM-Y", planned_start=date(2026, 10, 8))
    w["p_green"] = make_project(w["a"], "XM-G", planned_start=date(2026, 3, 1), actual_start=date(2026, 3, 1),
                                stage="continuing")
    w["p_city"] = make_project(w["b"], "XM-C", level="city", planned_start=date(2026, 1, 5))
    return w


def make_meeting(w: dict, cadence: str = "daily", held_on: date = DAY):
    from duibiao.projects.services.dispatch import meeting_create

    return meeting_create(actor=w["office"], district=w["district"], cadence=cadence, held_on=held_on)
