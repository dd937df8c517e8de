"""The rectification state machine: the ONE table of which step may follow which state.

    待整改 open ──report──► 待核查 reported ──close──► 已销号 closed
        ▲                        │ ──close_not_fixed──► 未整改销号 closed_not_fixed
        └──── 被退回 returned ◄──return┘  (the unit reports again from returned)

Extension requests (延期申请) are made while open or returned and decided while the finding
is not closed; reminders (催办) while it waits for the unit. Every service asks `step_check`
before it writes, so no page or API call can move a finding any other way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from duibiao.inspections.errors import IllegalTransition
from duibiao.inspections.models import Finding

S = Finding.State
WAITING_FOR_UNIT = frozenset({S.OPEN, S.RETURNED})
NOT_CLOSED = frozenset({S.OPEN, S.RETURNED, S.REPORTED})
CLOSED_STATES = frozenset({S.CLOSED, S.CLOSED_NOT_FIXED})


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset[str]  # the states it may be taken from
    target: str | None  # the state it leads to (None: the state is unchanged)
    action: str  # the gate's action it needs


STEPS: dict[str, Step] = {step.name: step for step in (
    Step("report", WAITING_FOR_UNIT, S.REPORTED, "inspections.finding.rectify"),
    Step("close", frozenset({S.REPORTED}), S.CLOSED, "inspections.finding.verify"),
    Step("return", frozenset({S.REPORTED}), S.RETURNED, "inspections.finding.verify"),
    Step("close_not_fixed", frozenset({S.REPORTED}), S.CLOSED_NOT_FIXED, "inspections.finding.verify"),
    Step("extend_request", WAITING_FOR_UNIT, None, "inspections.finding.extend"),
    Step("extend_decide", NOT_CLOSED, None, "inspections.extension.decide"),
    Step("remind", WAITING_FOR_UNIT, None, "inspections.finding.remind"),
)}


def step_labels() -> dict[str, str]:
    """Each step's Chinese name, in the language of the request."""
    return {
        "report": _("报告整改"), "close": _("核查销号"), "return": _("退回重改"),
        "close_not_fixed": _("未整改销号"), "extend_request": _("申请延期"),
        "extend_decide": _("审批延期"), "remind": _("催办"),
    }


def step_check(state: str, name: str) -> Step:
    """The step, or IllegalTransition naming the current state (in Chinese)."""
    step = STEPS[name]
    if state not in step.sources:
        raise IllegalTransition(_("该问题当前为“%(state)s”，不能%(step)s") % {
            "state": S(state).label, "step": step_labels()[name]})
    return step


def allowed_steps(state: str) -> frozenset[str]:
    """The steps the state allows (whether the user may take them is the gate's question)."""
    return frozenset(name for name, step in STEPS.items() if state in step.sources)
