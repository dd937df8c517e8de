"""指标数据源: values that other apps compute for assessment indicators (DESIGN §5, 最多报一次).

A scheme indicator may say ``value_from: projects.investment_completion_rate`` instead of being
reported by the units. The app that owns the data registers the source when it starts, so
assessment never imports it (the layers contract in pyproject.toml holds that)::

    # projects/apps.py
    class ProjectsConfig(AppConfig):
        def ready(self) -> None:
            from duibiao.assessment.sources import SourceValue, register_source
            from duibiao.projects.rates import investment_completion_rate
            register_source("projects.investment_completion_rate", investment_completion_rate,
                            label="投资完成率", unit_of_measure="%")

    # the function: one value per unit code, with the records it was computed from
    def investment_completion_rate(period, units) -> dict[str, SourceValue]:
        return {"daowai-jingyu": SourceValue(87.5, ("项目 XM-001 …", "项目 XM-007 …"))}

At a run's snapshot (``selectors.runs.run_snapshot``) every such indicator takes its value from
``source_values`` for the period; the value goes into the snapshot like an approved one and
the provenance into the run's trace, so a published result still says where it came from.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from numbers import Real
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.limits import DECIMALS

if TYPE_CHECKING:
    from duibiao.assessment.limits import ValueRules
    from duibiao.assessment.models import Indicator, Period
    from duibiao.engine import Scheme
    from duibiao.org.models import Unit

__all__ = [
    "Source", "SourceError", "SourceValue", "register_source", "registered_sources",
    "period_as_of", "period_end", "snapshot_sources", "source_get", "source_trace", "source_values",
    "unknown_sources", "unregister_source",
]

# app.name, lower case: the app that owns the data, then what it computes.
NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
PROVENANCE_LIMIT = 200  # records named per unit: enough to check, small enough for the trace
PROVENANCE_TEXT = 200  # characters per record


def period_end(kind: str, year: int, number: int) -> date:
    """The last day of a 考核周期: of its month, its quarter, or its year."""
    month = {"month": number, "quarter": 3 * number}.get(kind, 12)
    return date(year, month, calendar.monthrange(year, month)[1])


def period_as_of(period: Period, today: date | None = None) -> date:
    """The day every source reads a period's figures at: its last day, or today while that
    day has not come (a period closed early included: figures of a day not yet lived would
    count as due what is not yet due). One rule, so the projects' and the inspections' values
    of one run describe the same day."""
    end = period_end(period.kind, period.year, period.number)
    return min(end, today or timezone.localdate())


@dataclass(frozen=True)
class SourceValue:
    """One unit's value (None: no data, scored as a missing value) and the records it was
    computed from, each named in a short text (e.g. "项目 XM-001 某某产业园")."""

    value: float | None
    provenance: tuple[str, ...] = ()


SourceFunction = Callable[["Period", Sequence["Unit"]], Mapping[str, SourceValue]]


@dataclass(frozen=True)
class Source:
    name: str
    fn: SourceFunction
    label: str
    unit_of_measure: str


class SourceError(AssessmentError):
    """A source that cannot give its values; the run is refused with this message."""


_REGISTRY: dict[str, Source] = {}


def register_source(name: str, fn: SourceFunction, *, label: str, unit_of_measure: str) -> Source:
    """Register a source under ``app.name``; call it from the owning app's ``AppConfig.ready``.
    Registering the same function again is harmless (ready() may run twice); another
    function under a taken name is a configuration error, never a silent replacement."""
    if not NAME.fullmatch(name):
        raise ImproperlyConfigured(f"indicator source name {name!r} must look like 'app.name'")
    if not callable(fn):
        raise ImproperlyConfigured(f"indicator source {name!r}: {fn!r} is not callable")
    source = Source(name=name, fn=fn, label=str(label), unit_of_measure=str(unit_of_measure))
    known = _REGISTRY.get(name)
    if known is not None and known != source:
        raise ImproperlyConfigured(f"indicator source {name!r} is already registered by {known.fn!r}")
    _REGISTRY[name] = source
    return source


def unregister_source(name: str) -> None:
    """Remove a source (tests that register one of their own)."""
    _REGISTRY.pop(name, None)


def source_get(name: str) -> Source | None:
    return _REGISTRY.get(name)


def registered_sources() -> list[Source]:
    return sorted(_REGISTRY.values(), key=lambda s: s.name)


def unknown_sources(scheme: Scheme) -> list[tuple[str, str]]:
    """(path, message) for every indicator naming a source nobody registered: a scheme that
    says where its values come from must name a place that exists when it is saved."""
    return [
        (f"{ind.path}.value_from", _("未登记的数据源“%(name)s”（已登记：%(known)s）") % {
            "name": ind.value_from,
            "known": "、".join(s.name for s in registered_sources()) or _("无"),
        })
        for ind in scheme.indicators
        if ind.value_from is not None and ind.value_from not in _REGISTRY
    ]


def source_values(name: str, period: Period, units: Iterable[Unit]) -> dict[str, SourceValue]:
    """Each unit's value from the source, keyed by unit code, with its provenance. Values are
    rounded to the decimals a reported value keeps (Decimal(20, 6)); what the source returns
    that is not a number, or for a unit it was not asked about, refuses the run."""
    source = _REGISTRY.get(name)
    if source is None:
        raise SourceError(_("未登记的数据源“%(name)s”") % {"name": name})
    units = list(units)
    asked = {u.code for u in units}
    try:
        answer = source.fn(period, units)
    except Exception as exc:  # a source's bug must not pass as data: the run says which one
        raise SourceError(_("数据源“%(label)s”取值失败：%(error)s") % {
            "label": source.label, "error": f"{type(exc).__name__}: {exc}"}) from exc
    if not isinstance(answer, Mapping):
        raise SourceError(_("数据源“%(label)s”没有按单位返回取值") % {"label": source.label})
    out: dict[str, SourceValue] = {}
    for code, item in answer.items():
        if code not in asked:
            raise SourceError(_("数据源“%(label)s”返回了未参与考核的单位“%(unit)s”") % {
                "label": source.label, "unit": code})
        out[code] = _clean(source, code, item)
    return out


def _clean(source: Source, code: str, item: Any) -> SourceValue:
    if not isinstance(item, SourceValue):
        raise SourceError(_("数据源“%(label)s”对单位“%(unit)s”的返回值格式不对") % {
            "label": source.label, "unit": code})
    value = item.value
    if value is not None:
        # numbers.Real takes numpy's numbers too; True is a number to Python, not to a rate.
        if isinstance(value, bool) or not isinstance(value, (Real, Decimal)) \
                or not math.isfinite(float(value)):
            raise SourceError(_("数据源“%(label)s”对单位“%(unit)s”的取值不是有效数字") % {
                "label": source.label, "unit": code})
        value = round(float(value), DECIMALS)
    records = [str(p)[:PROVENANCE_TEXT] for p in item.provenance]
    if len(records) > PROVENANCE_LIMIT:
        more = _("……另 %(n)d 项") % {"n": len(records) - PROVENANCE_LIMIT}
        records = [*records[:PROVENANCE_LIMIT], more]
    return SourceValue(value, tuple(records))


def snapshot_sources(
    period: Period, indicators: Iterable[Indicator], units: Sequence[Unit], rules: ValueRules,
) -> tuple[list[list[Any]], dict[str, Any], list[str]]:
    """For a run's snapshot: the value rows of every indicator that takes its values from a
    source, the record of where they came from (stored as the snapshot's "sources"), and the
    values the scheme's value rules refuse (the run is refused with them, as for approved
    values). Each source is asked once, for every unit; an indicator keeps the units it
    applies to."""
    rows: list[list[Any]] = []
    record: dict[str, Any] = {}
    problems: list[str] = []
    answers: dict[str, dict[str, SourceValue]] = {}
    for indicator in indicators:
        name = indicator.value_from
        if not name:
            continue
        if name not in answers:
            answers[name] = source_values(name, period, units)
        source = _REGISTRY[name]
        provenance: dict[str, list[str]] = {}
        for unit in units:
            item = answers[name].get(unit.code)
            if item is None or not indicator.applies_to(unit):
                continue
            provenance[unit.code] = list(item.provenance)
            if item.value is None:
                continue
            problem = rules.problem(indicator, Decimal(str(item.value)))
            if problem:
                problems.append(f"{unit.code} {indicator.code}（{source.label}）：{problem}")
            else:
                rows.append([unit.code, indicator.code, item.value])
        record[indicator.code] = {"name": source.name, "label": source.label,
                                  "unit_of_measure": source.unit_of_measure, "units": provenance}
    return rows, record, problems


def source_trace(trace: dict[str, Any], record: Mapping[str, Any] | None, unit: str) -> dict[str, Any]:
    """A unit's trace with, on each indicator fed by a source, the source and the records its
    value was computed from (from the snapshot's "sources")."""
    if not record:
        return trace
    for entry in trace.get("indicators", []):
        fed = record.get(entry.get("code"))
        if fed is not None:
            entry["source"] = {"name": fed["name"], "label": fed["label"],
                               "unit_of_measure": fed["unit_of_measure"],
                               "provenance": fed["units"].get(unit, [])}
    return trace
