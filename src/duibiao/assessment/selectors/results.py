"""Reads of scoring runs and results, through the access gate.

Who sees what: the office sees every run of its district; a leader sees published runs;
a unit head (and reporter) sees its own unit's result once a run is released to units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from duibiao.accounts import gate
from duibiao.assessment.models import Indicator, Period, RunResult, ScoringRun
from duibiao.assessment.selectors.categories import category_names
from duibiao.assessment.selectors.periods import period_list
from duibiao.assessment.selectors.traces import result_trace

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.assessment.models import Appeal
    from duibiao.org.models import Unit

VISIBLE_TO_UNITS = (ScoringRun.Stage.RELEASED, ScoringRun.Stage.PUBLISHED)
# Who sees a finished run's results at each stage (the office sees every stage:
# assessment.run.view_all): released to the units for appeals, then published to leaders too.
RESULT_ACTIONS: dict[str, str] = {
    ScoringRun.Stage.RELEASED: "assessment.result.view",
    ScoringRun.Stage.PUBLISHED: "assessment.result.view_published",
    # A withdrawn publication stays readable by those who saw it, marked withdrawn with the
    # reason: that is how the units and leaders are told (the page says so at the top).
    ScoringRun.Stage.WITHDRAWN: "assessment.result.view_published",
}
STABLE_SHARE = 0.8  # below this share of perturbed runs keeping the rank: 排名不稳定


def _fixed(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _short(value: float | None) -> str:
    """1.0 → "1", 2.5 → "2.5", 1.25 → "1.25": ranks, changes and points as people write them."""
    return "" if value is None else f"{round(value, 2):g}"


def run_list(*, user: User | AnonymousUser) -> QuerySet[ScoringRun]:
    # The input snapshot (every approved value: ~3 MB of JSON for 600 units × 200 indicators)
    # is loaded only by the few views that read it, not by every page that shows a run.
    runs = ScoringRun.objects.filter(period__in=period_list(user=user)).select_related("period").defer("inputs")
    if gate.allows(user, "assessment.run.view_all"):
        return runs
    stages = [stage for stage, action in RESULT_ACTIONS.items() if gate.allows(user, action)]
    return runs.filter(stage__in=stages, status=ScoringRun.Status.DONE)


@dataclass
class PeriodRuns:
    """One period on the 计分排名 page: its runs the user may see, and whether the user may
    start a run of it now (a period that has opened and is not yet published and frozen)."""

    period: Period
    runs: list[ScoringRun]
    can_start: bool


def run_index_periods(*, user: User | AnonymousUser, limit: int = 30) -> list[PeriodRuns]:
    """The periods the user sees, newest first, each with its visible runs: the 计分排名
    page lists periods, not only finished runs, so a period with no run yet can be scored
    from there."""
    periods = list(period_list(user=user).exclude(status=Period.Status.PLANNED)
                   .select_related("version__scheme__district").order_by("-opens_on", "-pk")[:limit])
    runs: dict[int, list[ScoringRun]] = {p.pk: [] for p in periods}
    for run in run_list(user=user).filter(period__in=periods).order_by("-number"):
        runs[run.period_id].append(run)
    rows = []
    for period in periods:
        published = any(r.stage == ScoringRun.Stage.PUBLISHED for r in runs[period.pk])
        may = gate.allows(user, "assessment.run.start", unit=period.version.scheme.district)
        if runs[period.pk] or may:
            rows.append(PeriodRuns(period=period, runs=runs[period.pk], can_start=may and not published))
    return rows


def run_get(*, user: User | AnonymousUser, pk: int) -> ScoringRun:
    return get_object_or_404(run_list(user=user), pk=pk)


def run_analysed_get(*, user: User | AnonymousUser, pk: int) -> ScoringRun:
    """A run whose sensitivity analysis and inputs the user may read: 403 before the lookup
    for anyone who reads none, 404 for a run not of a unit in the user's scope."""
    gate.require(user, "assessment.run.analyse")
    run = run_get(user=user, pk=pk)
    gate.require(user, "assessment.run.analyse", unit=run.period.version.scheme.district)
    return run


def run_results(*, user: User | AnonymousUser, run: ScoringRun) -> QuerySet[RunResult]:
    """The results of a run the user may see, for the run's stage: every unit in scope for
    the office (any stage), task forces and leaders; its own unit's for a unit user."""
    units = gate.units(user, "assessment.run.view_all")
    if run.stage in RESULT_ACTIONS:
        units = units | gate.units(user, RESULT_ACTIONS[run.stage])
    return RunResult.objects.filter(run=run, unit__in=units).select_related("unit")


def published_unit_grades(*, year: int) -> dict[int, str]:
    """Each unit's grade in the latest published run of the year (annual before quarterly).
    For derived lists (cadre awards); not gated — callers gate what they show."""
    grades: dict[int, str] = {}
    runs = ScoringRun.objects.filter(
        stage=ScoringRun.Stage.PUBLISHED, period__year=year
    ).order_by("period__kind", "period__number", "number")  # "year" sorts after "quarter"/"month"
    for run in runs:
        for unit_id, grade in run.results.values_list("unit_id", "grade"):
            grades[unit_id] = grade
    return grades


# --- Rankings ----------------------------------------------------------------------

SORTS = {"rank": ("category", "rank"), "score": ("category", "-score"), "change": ("category", "-rank_change")}


def dimension_columns(run: ScoringRun) -> list[tuple[str, str]]:
    """(code, name) of the top-level nodes, for the ranking table's per-dimension columns."""
    from duibiao.assessment.scoring import scheme_of

    scheme = scheme_of(run.document)
    return [(child.code, child.name) for child in scheme.tree.children]


def ranking(*, user: User | AnonymousUser, run: ScoringRun, category: str = "", grade: str = "", sort: str = "rank") -> dict:
    # Not the traces: ~120 KB of JSON per unit with 200 indicators, and the table needs none.
    results = run_results(user=user, run=run).defer("legacy_trace")
    # Results keep their category's code; people read its name (the code is the filter's
    # value). Groups come in the categories' own order, each keyed by its name.
    names = category_names()
    order = {code: i for i, code in enumerate(names)}
    codes = sorted(set(results.values_list("category", flat=True)), key=lambda c: (order.get(c, len(order)), c))
    categories = [(code, names.get(code, code)) for code in codes]
    if category:
        results = results.filter(category=category)
    if grade:
        results = results.filter(grade=grade)
    results = results.order_by(*SORTS.get(sort, SORTS["rank"]))
    dimensions = dimension_columns(run)
    groups: dict[str, list[RunResult]] = {names.get(code, code): [] for code in codes}
    for row in results:
        # Cells are formatted here, once: Django's floatformat goes through Decimal and costs
        # more than the rest of a 600-row page; the per-dimension columns come in order.
        row.cells = {
            "rank": _short(row.rank), "score": _fixed(row.score),
            "dimensions": [_fixed(row.node_scores.get(code)) for code, _ in dimensions],
            "bonus": _short(row.bonus) if row.bonus else "", "penalty": _short(row.penalty) if row.penalty else "",
            "change": _short(abs(row.rank_change)) if row.rank_change else "",
        }
        row.category_name = names.get(row.category, row.category)
        groups[row.category_name].append(row)
    groups = {name: rows for name, rows in groups.items() if rows}
    unstable = {
        u["unit"] for u in (run.sensitivity or {}).get("units", [])
        if u["keep_share"] < STABLE_SHARE
    }
    return {"groups": groups, "categories": categories, "dimensions": dimensions, "unstable": unstable}




def ranking_grades(table: dict) -> list[str]:
    """The grades present in a ranking table (the page's grade filter offers these)."""
    return sorted({r.grade for rows in table["groups"].values() for r in rows})


def ranking_chart(table: dict) -> dict[str, list[dict]]:
    """Per category, each unit's score and rank change: the data of the ranking chart."""
    return {
        category: [{"name": r.unit.name, "score": round(r.score or 0, 2), "change": r.rank_change}
                   for r in rows]
        for category, rows in table["groups"].items()
    }


def run_indicators(run: ScoringRun) -> dict[str, Indicator]:
    """The indicators of the scheme version the run scored, by code. Not gated: the caller got
    the run through `run_get`."""
    return {i.code: i for i in Indicator.objects.filter(
        version__scheme=run.period.version.scheme_id, version__number=run.scheme_version)}


def sensitivity_rows(*, user: User | AnonymousUser, run: ScoringRun) -> list[dict]:
    """Each visible unit's rank interval under perturbed weights, unstable ones first, with
    its category's name (ranks are within the category: a rank means nothing without it)."""
    visible = {code: (name, category) for code, name, category in
               run_results(user=user, run=run).values_list("unit__code", "unit__name", "category")}
    categories = category_names()
    rows = [
        {**u, "name": visible[u["unit"]][0], "unstable": u["keep_share"] < STABLE_SHARE,
         "category": categories.get(visible[u["unit"]][1], visible[u["unit"]][1])}
        for u in (run.sensitivity or {}).get("units", []) if u["unit"] in visible
    ]
    return sorted(rows, key=lambda r: (not r["unstable"], r["keep_share"]))


# --- One unit's result ----------------------------------------------------------------

def unit_result(*, user: User | AnonymousUser, run: ScoringRun, unit_code: str) -> RunResult:
    """The unit's result with its explanation trace (rebuilt from the run's arrays)."""
    result = get_object_or_404(run_results(user=user, run=run), unit__code=unit_code)
    result.category_name = category_names().get(result.category, result.category)
    result.trace = result_trace(result, run)
    return result


@dataclass(frozen=True)
class UnitAbove:
    """The unit ranked just above in the same category (the one to catch up with: 晋位), as
    far as the user may see it. Everyone who sees the result sees how far it is, indicator
    by indicator (what it takes to move up); its name, its score and its own figures only
    those who may see other units' results (assessment.result.view_peers over that unit)."""

    distance: float  # its score minus the unit's
    gap: list[dict]  # trace_gap items; "upper" (its contribution) only when named
    name: str | None = None
    score: float | None = None


def unit_above(*, user: User | AnonymousUser, run: ScoringRun, result: RunResult) -> UnitAbove | None:
    """For a result the user may see (404 otherwise), the unit above as the user may see it."""
    if not run_results(user=user, run=run).filter(pk=result.pk).exists():
        raise Http404
    if result.rank is None:
        return None
    above = (
        RunResult.objects.filter(run=run, category=result.category, rank__lt=result.rank)
        .select_related("unit").order_by("-rank", "unit__code").first()
    )
    if above is None:
        return None
    # unit_result has rebuilt the unit's trace already; a result from elsewhere has none yet
    lower = getattr(result, "trace", None) or result_trace(result, run)
    gap = trace_gap(result_trace(above, run), lower)
    distance = (above.score or 0.0) - (result.score or 0.0)
    if gate.allows(user, "assessment.result.view_peers", unit=above.unit):
        return UnitAbove(distance, gap, name=above.unit.name, score=above.score)
    return UnitAbove(distance, [{**item, "upper": None} for item in gap])


def trace_gap(upper: dict, lower: dict) -> list[dict]:
    """Indicator by indicator, how much more the upper unit's indicators contribute to its
    total than the lower unit's, plus adjustments and veto; the items add up to the gap."""
    lower_by_code = {i["code"]: i for i in lower["indicators"]}
    items = []
    for ind in upper["indicators"]:
        a = ind.get("contribution_to_total") or 0.0
        b = (lower_by_code.get(ind["code"]) or {}).get("contribution_to_total") or 0.0
        if abs(a - b) > 1e-9:
            items.append({"code": ind["code"], "name": ind["name"], "upper": a, "lower": b, "difference": a - b})
    adjust = (upper["adjusted_score"] - upper["base_score"]) - (lower["adjusted_score"] - lower["base_score"])
    if abs(adjust) > 1e-9:
        items.append({"code": "", "name": "奖惩事项", "upper": None, "lower": None, "difference": adjust})
    veto = (upper["score"] - upper["adjusted_score"]) - (lower["score"] - lower["adjusted_score"])
    if abs(veto) > 1e-9:
        items.append({"code": "", "name": "一票否决", "upper": None, "lower": None, "difference": veto})
    return sorted(items, key=lambda x: -abs(x["difference"]))


PARAMETER_LABELS = {
    "target": _l("目标值"), "threshold": _l("门槛值"), "cap": _l("封顶"), "floor": _l("保底"),
    "min": _l("同类最低"), "max": _l("同类最高"), "best": _l("前沿值"), "worst": _l("最差值"),
    "full": _l("满分"), "peers": _l("参与排名单位数"), "top": _l("第一名得分"), "step": _l("每名次递减"),
    "mean": _l("均值"), "sd": _l("标准差"), "previous": _l("上期值"),
}


def unit_tree(result: RunResult, benchmarks: dict | None) -> list[dict]:
    """The score tree for the page: each dimension with its indicators, contributions and
    the category's best / median as the 对标 reference."""
    trace = result.trace
    bench = (benchmarks or {}).get(result.category, {})
    by_parent: dict[str, list[dict]] = {}
    for ind in trace["indicators"]:
        if not ind.get("applicable"):
            continue
        ref = bench.get("indicators", {}).get(ind["code"], {})
        # Known parameters in a fixed order (jsonb does not keep key order), others after.
        params = ind.get("used") or {}
        order = [k for k in PARAMETER_LABELS if k in params] + sorted(set(params) - set(PARAMETER_LABELS))
        used = [(PARAMETER_LABELS.get(k, k), params[k]) for k in order]
        by_parent.setdefault(ind["parent"], []).append(
            {**ind, "best": ref.get("best"), "median": ref.get("median"), "used_labels": used}
        )
    tree = []
    for node in trace["nodes"]:
        if node["code"] in by_parent or node.get("parent") == "total" or node.get("parent") is None:
            ref = bench.get("nodes", {}).get(node["code"], {})
            tree.append({**node, "indicators": by_parent.get(node["code"], []),
                         "best": ref.get("best"), "median": ref.get("median")})
    return tree


# --- Comparing two runs -------------------------------------------------------------

def unit_radar(result: RunResult, benchmarks: dict | None) -> dict:
    """Dimension scores of the unit against the best and the median of its category."""
    dims = [n for n in result.trace["nodes"] if n.get("parent") == "total"]
    bench = (benchmarks or {}).get(result.category, {}).get("nodes", {})
    return {
        "dimensions": [d["name"] for d in dims],
        "unit": [round(d["score"] or 0, 2) for d in dims],
        "best": [round((bench.get(d["code"]) or {}).get("best") or 0, 2) for d in dims],
        "median": [round((bench.get(d["code"]) or {}).get("median") or 0, 2) for d in dims],
        "labels": [result.unit.name, _("同类最优"), _("同类中位")],
    }


def run_diff(*, user: User | AnonymousUser, a: ScoringRun, b: ScoringRun) -> list[dict]:
    """Units whose score or rank changed from run a to run b, and the input values that
    changed for them (the why)."""
    old = {r.unit.code: r for r in run_results(user=user, run=a)}
    new = {r.unit.code: r for r in run_results(user=user, run=b)}
    old_data = {(u, c): v for u, c, v in a.inputs["data"]}
    new_data = {(u, c): v for u, c, v in b.inputs["data"]}
    rows = []
    for code, after in new.items():
        before = old.get(code)
        changes = [
            {"indicator": c, "before": old_data.get((u, c)), "after": new_data.get((u, c))}
            for (u, c) in sorted(set(old_data) | set(new_data))
            if u == code and old_data.get((u, c)) != new_data.get((u, c))
        ]
        moved = before is None or before.score != after.score or before.rank != after.rank
        if moved or changes:
            rows.append({"unit": after.unit, "before": before, "after": after, "changes": changes})
    return rows


def what_if(*, user: User | AnonymousUser, run: ScoringRun, unit_code: str, values: dict[str, float]) -> dict:
    """The score, rank and grade the unit would get with some values changed. Nothing is
    saved; everyone else's values stay as the run took them."""
    from duibiao.assessment.scoring import previous_context, score_snapshot

    result = unit_result(user=user, run=run, unit_code=unit_code)
    scored = score_snapshot(
        run.document, run.inputs, **previous_context(run),
        overrides={(unit_code, code): value for code, value in values.items()},
    )
    i = scored.units.index(unit_code)
    return {
        "score": float(scored.score[i]), "rank": float(scored.rank[i]), "grade": scored.grades[i],
        "was_score": result.score, "was_rank": result.rank, "was_grade": result.grade,
    }


def appeal_list(*, user: User | AnonymousUser, run: ScoringRun) -> QuerySet:
    """Appeals of a run the user may see: its own unit's for a unit user; the ones on its
    indicators for a task force; all for the office."""
    from duibiao.assessment.models import Appeal

    appeals = Appeal.objects.filter(run=run).select_related("unit", "indicator", "filed_by", "decided_by")
    return gate.restrict(user, appeals, "assessment.appeal.view", taskforce_field="indicator__taskforce")


def appeal_overview(*, user: User | AnonymousUser) -> QuerySet[Appeal]:
    """Every appeal the user may see, of every run the user sees, pending ones first: the
    申诉复核 page a task force reaches from its menu and its home page."""
    from duibiao.assessment.models import Appeal

    appeals = Appeal.objects.filter(run__in=run_list(user=user)).select_related(
        "unit", "indicator", "run__period")
    visible = gate.restrict(user, appeals, "assessment.appeal.view", taskforce_field="indicator__taskforce")
    waiting = Case(When(status=Appeal.Status.PENDING, then=Value(0)), default=Value(1))
    return visible.order_by(waiting, "-filed_at")


def appeals_pending_count(*, user: User | AnonymousUser) -> int:
    """How many appeals wait for this user's decision (the count on the home page)."""
    from duibiao.assessment.models import Appeal

    pending = Appeal.objects.filter(run__in=run_list(user=user), status=Appeal.Status.PENDING)
    return gate.restrict(user, pending, "assessment.appeal.decide", taskforce_field="indicator__taskforce").count()


def appeal_decisions(*, user: User | AnonymousUser, run: ScoringRun) -> list:
    """The run's appeals the user may see, each with `can_decide`: still pending, on an
    indicator the user reviews, of a unit in the user's scope."""
    from duibiao.assessment.models import Appeal

    appeals = list(appeal_list(user=user, run=run))
    pending = Appeal.objects.filter(run=run, status=Appeal.Status.PENDING)
    decidable = set(gate.restrict(user, pending, "assessment.appeal.decide", taskforce_field="indicator__taskforce")
                    .values_list("pk", flat=True))
    for appeal in appeals:
        appeal.can_decide = appeal.pk in decidable
    return appeals


def appeal_get(*, user: User | AnonymousUser, pk: int) -> Appeal:
    from duibiao.assessment.models import Appeal

    appeal = get_object_or_404(Appeal.objects.select_related("run"), pk=pk)
    return get_object_or_404(appeal_list(user=user, run=appeal.run), pk=pk)


def unit_trend(*, user: User | AnonymousUser, run: ScoringRun, unit_code: str) -> dict:
    """The unit's score and rank in the published runs of the same scheme and period kind,
    oldest first, ending with this run."""
    runs = [
        r for r in run_list(user=user).filter(
            period__version__scheme=run.period.version.scheme, period__kind=run.period.kind,
            stage=ScoringRun.Stage.PUBLISHED,
        ).defer("document", "sensitivity", "benchmarks")  # a name and a pk per run are all it shows
        .order_by("period__year", "period__number") if r.pk != run.pk
    ] + [run]
    results = {
        r.run_id: r for r in RunResult.objects.filter(run__in=runs, unit__code=unit_code).defer("legacy_trace")
    }
    points = [(r.period.name, x) for r in runs if (x := results.get(r.pk)) is not None]
    return {"periods": [p for p, _ in points], "scores": [round(x.score or 0, 2) for _, x in points],
            "ranks": [x.rank for _, x in points], "labels": [_("得分"), _("名次")]}


def unit_items(*, run: ScoringRun, unit: Unit) -> list:
    """The reward / penalty / veto records behind the unit's adjustments, with evidence."""
    from duibiao.assessment.models import Indicator, Submission

    return list(
        Submission.objects.filter(
            period=run.period, unit=unit, status=Submission.Status.APPROVED,
            indicator__item_kind__in=(Indicator.ItemKind.BONUS, Indicator.ItemKind.PENALTY, Indicator.ItemKind.VETO),
        ).select_related("indicator").prefetch_related("evidence")
    )
