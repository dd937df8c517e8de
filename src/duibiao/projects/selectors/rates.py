"""四率 page: the four rates of the projects a user may see, grouped as `duibiao project-rates
--by` groups them, at a date and at the same date a year earlier, with the charts' data.

The same code as the command: B's ``ledger_rows`` (the one mapping of the database to ledger
rows) and the pure ``rates.group_rates``. Who sees which projects is ``visible_projects``'s
decision (the gate, ``projects.project.view``).
"""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import StringIO
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duibiao.accounts import gate
from duibiao.files.cells import csv_cell
from duibiao.org.models import Unit
from duibiao.projects.models import Project
from duibiao.projects.rates import (
    ALL,
    RATES_HEADER,
    GroupRates,
    Kind,
    Stage,
    fmt,
    group_rates,
    group_rates_by,
)
from duibiao.projects.selectors.ledger import ledger_rows, with_latest_report
from duibiao.projects.selectors.portfolio import VIEW, visible_projects

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

# The command's --by choices, with the words the page shows.
BY_CHOICES = (
    ("unit", gettext_lazy("按责任单位")),
    ("level", gettext_lazy("按项目级别")),
    ("type", gettext_lazy("按项目类型")),
    ("stage", gettext_lazy("按建设阶段")),
    ("source", gettext_lazy("按投资来源")),
)
RATES = ("start_rate", "investment_rate", "funds_rate", "completion_rate")


def by_error(by: str) -> str | None:
    """Why `by` is not a grouping the page and the command know (None when it is): the one
    check of the value, for the page and the API."""
    if by in dict(BY_CHOICES):
        return None
    return _("分组方式只能是：%(allowed)s") % {"allowed": "、".join(str(label) for _c, label in BY_CHOICES)}


def one_year_earlier(day: date) -> date:
    """The same date a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class RatesRow:
    now: GroupRates
    last_year: GroupRates | None

    @property
    def is_total(self) -> bool:
        return self.now.group == ALL

    def cells(self) -> dict[str, str]:
        return {name: fmt(getattr(self.now, name)) for name in (*RATES, "schedule", "schedule_gap")}

    def changes(self) -> dict[str, str]:
        """Each rate minus last year's at the same date, in points (blank when either is)."""
        out = {}
        for name in RATES:
            now = getattr(self.now, name)
            then = getattr(self.last_year, name) if self.last_year else None
            out[name] = "" if now is None or then is None else fmt(now - then)
        return out

    def previous(self) -> dict[str, str]:
        return {name: fmt(getattr(self.last_year, name)) if self.last_year else "" for name in RATES}


@dataclass(frozen=True)
class RatesPage:
    as_of: date
    last_year: date
    by: str
    rows: list[RatesRow]
    units: list[Unit]
    unit: Unit | None
    charts: dict[str, Any]


def _visible(user: User | AnonymousUser) -> QuerySet[Project]:
    if VIEW not in gate.actions(user):
        raise PermissionDenied(_("您没有查看重点项目的权限"))
    return visible_projects(user=user).order_by("code")


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(fmt(value))


def _month_ends(as_of: date) -> list[date]:
    """The last day of each month of as_of's year up to as_of, and as_of itself."""
    days = [date(as_of.year, m, calendar.monthrange(as_of.year, m)[1]) for m in range(1, as_of.month)]
    return [*days, as_of]


def _through_the_year(projects: QuerySet[Project], as_of: date) -> list[float | None]:
    """投资完成率 of these projects at each month's end of the year (and at as_of): the figures
    ledger_rows reads (each project's latest report of the year by that day), summed by the
    database — twelve sums instead of twelve ledgers, so the chart stays quick at thousands of
    projects."""
    planned = projects.aggregate(total=Sum("planned_annual"))["total"] or Decimal(0)
    out: list[float | None] = []
    for day in _month_ends(as_of):
        done = with_latest_report(projects, day).aggregate(total=Sum("_completed_ytd"))["total"]
        out.append(None if not planned else _number((done or Decimal(0)) * 100 / planned))
    return out


def _flags(groups: list[GroupRates], order: list[str]) -> dict[str, Any]:
    by_name = {g.group: g for g in groups if g.group != ALL}
    names = [name for name in order if name in by_name]
    return {
        "groups": names,
        "red": [by_name[n].red for n in names], "yellow": [by_name[n].yellow for n in names],
        "green": [by_name[n].green for n in names],
        "labels": {"red": _("红灯"), "yellow": _("黄灯"), "green": _("绿灯")},
    }


def rates_page(*, user: User | AnonymousUser, as_of: date, by: str, unit: str = "") -> RatesPage:
    """The rates of the user's projects grouped `by`, with last year's at the same date, and
    the charts: 投资完成率 against 序时进度 through the year (all the user's projects, and the
    chosen unit's), the four rates by group, red / yellow / green by type and by stage."""
    projects = _visible(user)
    rows = ledger_rows(projects, as_of)
    # One pass of flags for the table's grouping and the two flag charts' (type, stage).
    grouped = group_rates_by(rows, as_of, (by, "type", "stage"))
    groups = grouped[by]
    last = one_year_earlier(as_of)
    earlier = {g.group: g for g in group_rates(ledger_rows(projects, last), last, by)}
    table = [RatesRow(g, earlier.get(g.group)) for g in groups]
    units = list(Unit.objects.filter(pk__in=projects.values("owner_unit")).order_by("path"))
    chosen = next((u for u in units if u.code == unit), None)
    months = [f"{d.month}月" for d in _month_ends(as_of)]
    schedule = [_number(group_rates([], d, None)[-1].schedule) for d in _month_ends(as_of)]
    series = [{"name": _("全部项目"), "values": _through_the_year(projects, as_of)}]
    if chosen is not None:
        series.append({"name": chosen.name,
                       "values": _through_the_year(projects.filter(owner_unit=chosen), as_of)})
    by_group = [g for g in groups if g.group != ALL]
    labels = {"start_rate": _("开复工率"), "investment_rate": _("投资完成率"), "funds_rate": _("资金到位率"),
              "completion_rate": _("按期竣工率")}
    charts = {
        "progress": {"months": months, "schedule": schedule, "series": series,
                     "labels": {"schedule": _("序时进度")}},
        "rates": {"groups": [g.group for g in by_group],
                  "rates": [{"name": labels[name], "values": [_number(getattr(g, name)) for g in by_group]}
                            for name in RATES]},
        "by_type": _flags(grouped["type"], [k.label for k in Kind]),
        "by_stage": _flags(grouped["stage"], [s.label for s in Stage]),
    }
    return RatesPage(as_of=as_of, last_year=last, by=by, rows=table, units=units, unit=chosen, charts=charts)


LAST_YEAR_HEADER = tuple(f"{name}_last_year" for name in RATES)


def rates_csv(page: RatesPage) -> tuple[str, str]:
    """RATES.csv of a 四率 page and its file name, for the page's export and the API's: the
    columns `duibiao project-rates` writes, with last year's four rates at the same date
    appended to each row; UTF-8 with a BOM, because this file is for Excel. The group (a unit's
    name) is the only text: it goes through the formula-injection rule, while the numbers
    ("-30.00" behind schedule) stay numbers."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow((*RATES_HEADER, *LAST_YEAR_HEADER))
    for row in page.rows:
        group, *figures = row.now.csv_row()
        writer.writerow((csv_cell(group), *figures, *row.previous().values()))
    return "\ufeff" + out.getvalue(), f"project-rates-{page.by}-{page.as_of.isoformat()}.csv"
