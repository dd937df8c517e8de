"""领导驾驶舱: one page with everything a leader reads, composed from the selectors of the pages
each figure comes from, so the cockpit and its source pages cannot disagree:

- the ranking: the ranking page's table (``assessment.selectors.ranking_table``, a finished run's
  figures read once per process) of the latest run the user may see
  (a leader: the latest published; the office: its latest finished run, marked unpublished
  until it is published);
- the four rates: ``projects.selectors.rates.rates_page`` (the 四率 page; its 全部 row), the
  red projects from ``projects.selectors.portfolio.portfolio`` (the 项目库 filtered on 红灯);
- the rectification picture: ``inspections.selectors.stats.daily_picture`` (the 督导日报).

Every read goes through the gate inside those selectors; this module only picks and shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.assessment.models import ScoringRun
from duibiao.assessment.selectors.ranking_table import ranking_table
from duibiao.assessment.selectors.results import run_list
from duibiao.inspections.selectors.stats import VIEW as FINDINGS_VIEW
from duibiao.inspections.selectors.stats import RateLine, daily_picture
from duibiao.projects.rates import fmt
from duibiao.projects.selectors.portfolio import VIEW as PROJECTS_VIEW
from duibiao.projects.selectors.portfolio import Filters, PortfolioRow, portfolio
from duibiao.projects.selectors.rates import RatesRow, rates_page

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.assessment.models import RunResult

VIEW = "web.cockpit.view"
TOP = 10  # rows of each ranking, lagging projects and units shown; the source page has them all
TREND_RUNS = 12  # published runs on the trend chart
WATERMARK_TILES = range(24)  # text tiles of the watermark layer (a grid that covers a section)


def _pct(value: Decimal | None) -> float | None:
    return None if value is None else float(fmt(value))


@dataclass
class RankingPart:
    run: ScoringRun
    published: bool
    groups: list[tuple[str, list[RunResult], int]]  # (category, top rows, how many units)
    movers: list[RunResult]  # units that moved up, most places first
    trend: dict[str, Any]


@dataclass
class ProjectsPart:
    total: RatesRow
    lagging: list[PortfolioRow]
    lagging_count: int


@dataclass
class FindingsPart:
    total: RateLine
    units: list[RateLine]  # the lowest 处置率 first (who needs pressing), at most TOP
    overdue_count: int
    new_count: int
    closed_count: int

    @property
    def rate_text(self) -> str:
        return fmt(self.total.rates.disposal_rate)


@dataclass
class Cockpit:
    as_of: date
    viewer: str
    at: datetime
    ranking: RankingPart | None = None
    projects: ProjectsPart | None = None
    findings: FindingsPart | None = None
    charts: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    watermark: range = WATERMARK_TILES

    def data(self) -> dict[str, Any]:
        """What the large screen reloads every minute: the charts and the figures' texts."""
        at = timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M")
        return {"charts": self.charts, "figures": self.figures, "at": at, "watermark": f"{self.viewer} {at}"}


def latest_run(*, user: User | AnonymousUser) -> ScoringRun | None:
    """The newest finished run the user may see, withdrawn ones aside (the gate decides the
    stages: a leader sees published runs only)."""
    return (run_list(user=user).filter(status=ScoringRun.Status.DONE)
            .exclude(stage=ScoringRun.Stage.WITHDRAWN)
            .select_related("period__version__scheme")
            .order_by("-period__year", "-period__opens_on", "-number").first())


def _trend(user: User | AnonymousUser, run: ScoringRun) -> dict[str, Any]:
    """Each category's average score over the published runs of the run's scheme and period
    kind, oldest first (the run itself last, published or not)."""
    runs = list(run_list(user=user).filter(
        period__version__scheme=run.period.version.scheme, period__kind=run.period.kind,
        stage=ScoringRun.Stage.PUBLISHED, status=ScoringRun.Status.DONE,
    ).exclude(pk=run.pk).order_by("-period__year", "-period__number")[:TREND_RUNS - 1])[::-1] + [run]
    lines: dict[str, list[float | None]] = {}
    for n, each in enumerate(runs):
        table = ranking_table(user=user, run=each)
        for name, rows in table["groups"].items():
            scores = [r.score for r in rows if r.score is not None]
            lines.setdefault(name, [None] * len(runs))[n] = round(sum(scores) / len(scores), 2) if scores else None
    return {"periods": [r.period.name for r in runs],
            "series": [{"name": name, "values": values} for name, values in lines.items()]}


def _ranking(user: User | AnonymousUser) -> RankingPart | None:
    run = latest_run(user=user)
    if run is None:
        return None
    table = ranking_table(user=user, run=run)
    groups = [(name, rows[:TOP], len(rows)) for name, rows in table["groups"].items()]
    movers = sorted((r for rows in table["groups"].values() for r in rows if (r.rank_change or 0) > 0),
                    key=lambda r: (-(r.rank_change or 0), r.rank or 0))[:TOP]
    return RankingPart(run=run, published=run.stage == ScoringRun.Stage.PUBLISHED, groups=groups,
                       movers=movers, trend=_trend(user, run))


def _projects(user: User | AnonymousUser, as_of: date) -> tuple[ProjectsPart, dict[str, Any]]:
    page = rates_page(user=user, as_of=as_of, by="unit")
    red = portfolio(user=user, filters=Filters(flag="red"), as_of=as_of, page=1)
    part = ProjectsPart(total=page.rows[-1], lagging=red.rows[:TOP], lagging_count=red.count)
    return part, page.charts["progress"]


def _findings(user: User | AnonymousUser, as_of: date) -> FindingsPart:
    picture = daily_picture(user=user, day=as_of, limit=0)
    units = picture.ranking[:-1]
    lowest = [line for line in reversed(units) if line.rates.due][:TOP]
    return FindingsPart(total=picture.ranking[-1], units=lowest, overdue_count=picture.overdue_count,
                        new_count=picture.new_count, closed_count=picture.closed_count)


def _figures(page: Cockpit) -> dict[str, str]:
    out: dict[str, str] = {}
    if page.projects is not None:
        cells = page.projects.total.cells()
        out.update({f"projects.{name}": cells[name] for name in cells})
        g = page.projects.total.now
        out.update({"projects.red": str(g.red), "projects.yellow": str(g.yellow), "projects.green": str(g.green),
                    "projects.count": str(g.projects)})
    if page.findings is not None:
        total = page.findings.total.rates
        out.update({"findings.disposal_rate": fmt(total.disposal_rate), "findings.due": str(total.due),
                    "findings.closed": str(total.closed), "findings.overdue": str(page.findings.overdue_count)})
    return out


def cockpit_page(*, user: User | AnonymousUser, as_of: date) -> Cockpit:
    """The cockpit of `user` at `as_of`: refused (403) to anyone without the cockpit; each
    part shown only to those who may read its source page."""
    if not gate.allows(user, VIEW):
        raise PermissionDenied(_("领导驾驶舱仅供区领导和考核办使用。"))
    page = Cockpit(as_of=as_of, viewer=getattr(user, "display_name", ""), at=timezone.now())
    page.ranking = _ranking(user)
    if page.ranking is not None:
        page.charts["trend"] = page.ranking.trend
    held = gate.actions(user)
    if PROJECTS_VIEW in held:
        page.projects, progress = _projects(user, as_of)
        g = page.projects.total.now
        page.charts["progress"] = progress
        page.charts["flags"] = {"labels": [_("红灯"), _("黄灯"), _("绿灯")], "values": [g.red, g.yellow, g.green],
                                "links": [reverse("projects:portfolio") + f"?flag={c}" for c in ("red", "yellow", "green")]}
    if FINDINGS_VIEW in held:
        page.findings = _findings(user, as_of)
        shown = page.findings.units
        page.charts["disposal"] = {"units": [line.name for line in shown],
                                   "rates": [_pct(line.rates.disposal_rate) for line in shown],
                                   "overdue": [line.rates.overdue for line in shown],
                                   "labels": {"rate": _("问题处置率"), "overdue": _("逾期")}}
    page.figures = _figures(page)
    return page
