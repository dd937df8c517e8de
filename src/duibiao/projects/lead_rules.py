"""项目线索 and the 三及时三迅速 service chain, pure: the stages in order, each stage's time
limit in working days, whether a lead is overdue in its stage, and the funnel.

    stage_deadline(entered_on=d, stage="found", limits=DEFAULT_STAGE_LIMITS, calendar=cal)
    funnel(leads)   # per stage: leads now there, leads that reached it, their amounts
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from duibiao.engine.workdays import WorkCalendar

# (code, 中文) in the order a lead moves through them; the last one is where it ends.
STAGES: tuple[tuple[str, str], ...] = (
    ("found", "发现线索"),
    ("contact", "对接法人"),
    ("guidance", "点对点指导"),
    ("evidence", "完善佐证"),
    ("statistics", "对接统计"),
    ("counted", "入库入统"),
)
STAGE_CODES = tuple(code for code, _ in STAGES)
STAGE_LABELS = dict(STAGES)
FINAL = STAGE_CODES[-1]
# A lead becomes a project once its evidence is complete (立项/备案, contract or site photos,
# licence: what 入库 asks for): from 完善佐证 on.
CONVERTIBLE_FROM = "evidence"

# Working days a lead may stay in each stage before it is overdue (三及时三迅速: found leads
# contacted within days, not weeks). The office may change them (LeadStageLimit rows).
DEFAULT_STAGE_LIMITS: dict[str, int] = {
    "found": 3,
    "contact": 5,
    "guidance": 10,
    "evidence": 10,
    "statistics": 5,
}


def stage_index(stage: str) -> int:
    """Position of a stage (0 = 发现线索); ValueError naming it when unknown."""
    try:
        return STAGE_CODES.index(stage)
    except ValueError:
        raise ValueError(f"unknown lead stage {stage!r}") from None


def next_stage(stage: str) -> str | None:
    """The stage after `stage` (None after 入库入统)."""
    index = stage_index(stage)
    return STAGE_CODES[index + 1] if index + 1 < len(STAGE_CODES) else None


def can_convert(stage: str) -> bool:
    """Whether a lead in `stage` may become a project."""
    return stage_index(stage) >= stage_index(CONVERTIBLE_FROM)


def stage_deadline(
    *, entered_on: date, stage: str, limits: Mapping[str, int], calendar: WorkCalendar,
) -> date | None:
    """The last working day a lead may stay in `stage` (None for the final stage or one
    without a limit). Usage: ``stage_deadline(entered_on=d, stage="found", limits=L, calendar=cal)``."""
    limit = limits.get(stage)
    if stage == FINAL or limit is None:
        return None
    return calendar.add_workdays(entered_on, limit)


def stage_overdue(
    *, entered_on: date, stage: str, as_of: date, limits: Mapping[str, int], calendar: WorkCalendar,
) -> bool:
    """True once the lead has stayed past its stage's limit."""
    deadline = stage_deadline(entered_on=entered_on, stage=stage, limits=limits, calendar=calendar)
    return deadline is not None and as_of > deadline


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    label: str
    now: int  # leads in this stage now
    reached: int  # leads in this stage or past it
    amount_now: Decimal  # expected investment (万元) of the leads in this stage now
    amount_reached: Decimal


def funnel(leads: Iterable[tuple[str, Decimal | None]]) -> list[FunnelStep]:
    """Per stage, in order: how many leads stand there now and how many reached it, with
    their expected investment. `leads` are (stage, expected investment 万元) pairs.

    Usage: ``funnel([("found", Decimal(100)), ("counted", Decimal(2000))])``."""
    now = dict.fromkeys(STAGE_CODES, 0)
    amount = dict.fromkeys(STAGE_CODES, Decimal(0))
    for stage, investment in leads:
        stage_index(stage)
        now[stage] += 1
        amount[stage] += investment or Decimal(0)
    steps: list[FunnelStep] = []
    reached, amount_reached = 0, Decimal(0)
    for code in reversed(STAGE_CODES):  # reached = this stage and every later one
        reached += now[code]
        amount_reached += amount[code]
        steps.append(FunnelStep(code, STAGE_LABELS[code], now[code], reached, amount[code], amount_reached))
    return steps[::-1]
