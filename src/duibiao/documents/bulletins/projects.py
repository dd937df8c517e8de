"""重点项目周通报: the four rates of the district and of each unit, the units ahead of and
behind 序时进度, and the red and yellow projects with their reasons as 附件.

The figures come from what the 四率 page reads — ``ledger_rows`` of the projects the user
sees and the pure ``group_rates`` by unit — and are kept as a JSON snapshot, so the issued
copy can be told from the figures it was built on:

    figures = projects_figures(user=office, as_of=dt.date(2026, 11, 27))
    docx = projects_bulletin(figures, texts=DEFAULT_TEXTS, date=dt.date(2026, 11, 27)).save()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.documents.word import Bulletin
from duibiao.documents.word.bulletin import Body
from duibiao.projects.rates import ALL, RED, YELLOW, GroupRates, fmt, group_rates, project_flag
from duibiao.projects.selectors.ledger import ledger_rows
from duibiao.projects.selectors.portfolio import VIEW, visible_projects

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

RATE_NAMES = (("start_rate", "开复工率"), ("investment_rate", "投资完成率"), ("funds_rate", "资金到位率"),
              ("completion_rate", "按期竣工率"))
DEFAULT_TEXTS = {
    "opening": "为压实重点项目建设责任，加快项目建设进度，现将本周全区重点项目推进情况通报如下。",
    "requirements": "各责任单位要对照通报的问题逐项研究解决，欠序时进度的单位要倒排工期、挂图作战，"
                    "红灯、黄灯项目的服务秘书要每周跟踪，确保项目按计划推进。",
}
TEXT_LABELS = {"opening": "开头", "requirements": "工作要求"}


def _rates(g: GroupRates) -> dict[str, Any]:
    return {"group": g.group, "projects": g.projects, **{name: fmt(getattr(g, name)) for name, _ in RATE_NAMES},
            "schedule": fmt(g.schedule), "schedule_gap": fmt(g.schedule_gap), "red": g.red, "yellow": g.yellow,
            "green": g.green}


def projects_figures(*, user: User | AnonymousUser, as_of: dt.date) -> dict[str, Any]:
    """What the bulletin states, as JSON: the 全部 row and each unit's rates (the 四率 page's
    cells), and the red and yellow projects with the reasons of their flags."""
    if VIEW not in gate.actions(user):
        raise PermissionDenied(_("您没有查看重点项目的权限"))
    rows = ledger_rows(visible_projects(user=user).order_by("code"), as_of)
    flags = [project_flag(r, as_of) for r in rows]
    groups = group_rates(rows, as_of, "unit", flags=flags)
    flagged: dict[str, list[dict[str, Any]]] = {RED: [], YELLOW: []}
    for row, flag in zip(rows, flags, strict=True):
        if flag.colour in flagged:
            flagged[flag.colour].append({"code": row.code, "name": row.name, "unit": row.unit,
                                         "reasons": "；".join(flag.reasons)})
    return {"as_of": as_of.isoformat(), "total": _rates(groups[-1]),
            "units": [_rates(g) for g in groups if g.group != ALL], "red": flagged[RED], "yellow": flagged[YELLOW]}


def _pct(value: str) -> str:
    return f"{value}%" if value else "—"


def projects_bulletin(figures: Mapping[str, Any], *, texts: Mapping[str, str], date: dt.date, organ: str,
                      number: str = "") -> Bulletin:
    """The 重点项目周通报 of a snapshot with the office's texts (a draft when `number` is empty)."""
    as_of = dt.date.fromisoformat(figures["as_of"])
    total = figures["total"]
    doc = Bulletin(organ=organ, number=number, title=f"关于{as_of.year}年{as_of.month}月{as_of.day}日重点项目推进情况的通报",
                   date=date, addressee="各街道办事处，区直各部门")
    for line in _lines(texts.get("opening", "")):
        doc.paragraph(line)
    doc.heading(1, "总体情况")
    doc.paragraph(
        f"截至{as_of.year}年{as_of.month}月{as_of.day}日，全区共有重点项目{total['projects']}个，"
        + "，".join(f"{label}{_pct(total[name])}" for name, label in RATE_NAMES)
        + f"；序时进度{_pct(total['schedule'])}。红灯项目{total['red']}个，黄灯项目{total['yellow']}个，"
          f"绿灯项目{total['green']}个。")
    units = figures["units"]
    doc.heading(1, "各单位推进情况")
    if units:
        doc.table(["单位", "项目数", *[label for _, label in RATE_NAMES], "较序时进度", "红灯", "黄灯"],
                  [[u["group"], u["projects"], *[u[name] or "—" for name, _ in RATE_NAMES], u["schedule_gap"] or "—",
                    u["red"], u["yellow"]] for u in units])
    ahead = [u for u in units if u["schedule_gap"] and not u["schedule_gap"].startswith("-")]
    behind = [u for u in units if u["schedule_gap"].startswith("-")]
    doc.paragraph(f"超序时进度的单位{len(ahead)}个" + (f"：{'、'.join(u['group'] for u in ahead)}。" if ahead else "。"))
    doc.paragraph(f"欠序时进度的单位{len(behind)}个" + (
        "：" + "、".join(f"{u['group']}（{u['schedule_gap']}个百分点）" for u in behind) + "。" if behind else "。"))
    doc.heading(1, "工作要求")
    for line in _lines(texts.get("requirements", "")):
        doc.paragraph(line)
    for colour, label in ((RED, "红灯"), (YELLOW, "黄灯")):
        doc.attachment(f"{label}项目清单（{len(figures[colour])}个）", _flagged_table(figures[colour]))
    doc.imprint(cc="区委办公室，区政府办公室", printed_by=organ, printed_on=date)
    return doc


def _flagged_table(listed: list[dict[str, Any]]) -> Callable[[Body], object]:
    def build(body: Body) -> object:
        return body.table(["项目编号", "项目名称", "责任单位", "原因"],
                          [[p["code"], p["name"], p["unit"], p["reasons"]] for p in listed] or [["—", "无", "", ""]])
    return build


def _lines(text: str) -> list[str]:
    """The paragraphs of a text part: one per non-empty line."""
    return [line.strip() for line in text.splitlines() if line.strip()]
