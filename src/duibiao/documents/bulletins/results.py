"""考核结果通报: a scoring run's results as the office issues them — the ranking of each
category, the units that moved up, the grades, and 希望和要求 — drafted on the GB/T 9704
engine from the ranking selector the ranking page and its workbook read, so every figure in
the text equals the published ranking.

    doc = results_bulletin(user=office, run=run, date=dt.date(2026, 11, 26))
    docx = doc.save()

A draft: no number is taken (documents.register does that when the bulletin is issued).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from duibiao.assessment.selectors.results import ranking, run_get
from duibiao.documents.word import Bulletin
from duibiao.documents.word.charts import figure

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.assessment.models import ScoringRun

# 希望和要求: the office rewrites these in the draft; these say what every such bulletin says.
REQUIREMENTS = (
    ("正视差距，对标提升", "排名靠后的单位要认真查找差距和不足，逐项分析失分原因，制定整改措施，"
     "明确时限和责任人，确保在下一考核周期实现晋位升级。"),
    ("巩固优势，争先进位", "排名靠前和实现晋位的单位要总结经验、保持优势，在关键性、引领性指标上"
     "持续发力，发挥示范带动作用。"),
    ("压实责任，抓好落实", "各单位主要负责同志要切实履行第一责任人职责，把对标晋位工作摆上重要议事日程，"
     "确保各项指标任务按时保质完成。"),
)
CC = "区委办公室，区人大常委会办公室，区政府办公室，区政协办公室"


@dataclass(frozen=True)
class Mover:
    category: str
    unit: str
    places: int
    rank: str


def results_figures(*, user: User | AnonymousUser, run: ScoringRun) -> dict[str, Any]:
    """What the bulletin states, read through the ranking selector (so through the gate):
    per category the rows in rank order, the units that moved up, the units by grade."""
    run = run_get(user=user, pk=run.pk)  # refused (404) as the ranking page is
    table = ranking(user=user, run=run)
    groups = table["groups"]
    movers = [
        Mover(category, r.unit.name, int(r.rank_change), r.cells["rank"])
        for category, rows in groups.items() for r in rows if r.rank_change and r.rank_change > 0
    ]
    grades: dict[str, list[str]] = {}
    for rows in groups.values():
        for r in rows:
            if r.grade:
                grades.setdefault(r.grade, []).append(r.unit.name)
    return {"table": table, "groups": groups, "movers": movers, "grades": grades,
            "units": sum(len(rows) for rows in groups.values())}


def results_bulletin(*, user: User | AnonymousUser, run: ScoringRun, date: dt.date, organ: str = "",
                     printed_by: str = "", number: str = "", texts: Mapping[str, str] | None = None) -> Bulletin:
    """The 考核结果通报 of a run (see the module's docstring): a draft unless `number` is given.
    `texts` are the office's rewrites of the text parts (开头 `opening`, 希望和要求
    `requirements`, one paragraph a line); the defaults where absent."""
    period = run.period
    scheme = period.version.scheme
    organ = organ or f"{scheme.district.name}对标晋位考核评价办公室"
    facts = results_figures(user=user, run=run)
    doc = Bulletin(organ=organ, number=number, title=f"关于{period.name}对标晋位考核结果的通报", date=date,
                   addressee="各街道办事处，区直各部门")
    texts = texts or {}
    opening = texts.get("opening") or (f"根据《{scheme.name}》，{organ}对{facts['units']}个单位{period.name}的工作"
                                       "进行了考核评价。现将考核结果通报如下。")
    for line in opening.splitlines():
        if line.strip():
            doc.paragraph(line)
    _rankings(doc, facts)
    _movers(doc, facts["movers"])
    _grades(doc, facts["grades"])
    doc.heading(1, "希望和要求")
    if texts.get("requirements"):
        for line in texts["requirements"].splitlines():
            if line.strip():
                doc.paragraph(line)
    else:
        for title, text in REQUIREMENTS:
            doc.heading(2, title).paragraph(text)
    doc.attachment(f"{period.name}对标晋位考核得分排名表", lambda body: _full_table(body, facts["table"]))
    doc.imprint(cc=CC, printed_by=printed_by or organ, printed_on=date)
    return doc


def _rankings(doc: Bulletin, facts: dict[str, Any]) -> None:
    doc.heading(1, "考核结果")
    for category, rows in facts["groups"].items():
        doc.heading(2, category)
        listed = "、".join(f"{r.unit.name}（{r.cells['score']}分）" for r in rows)
        doc.paragraph(f"{category}共{len(rows)}个单位，按得分排名依次为：{listed}。")
        doc.table(["名次", "单位", "得分", "等次", "名次变化"],
                  [[r.cells["rank"], r.unit.name, r.cells["score"], r.grade or "", _change(r.rank_change)]
                   for r in rows])
    if facts["groups"]:
        with figure(150, 75) as fig:
            axes = fig.subplots()
            names = [f"{r.unit.name}" for rows in facts["groups"].values() for r in rows]
            scores = [float(r.score or 0) for rows in facts["groups"].values() for r in rows]
            axes.barh(names[::-1], scores[::-1], color="#c00000")
            axes.set_xlabel("得分")
            axes.set_title("各单位考核得分")
            doc.chart(fig)


def _movers(doc: Bulletin, movers: list[Mover]) -> None:
    doc.heading(1, "晋位情况")
    if not movers:
        doc.paragraph("本期没有名次上升的单位。")
        return
    parts = "；".join(f"{m.category}{m.unit}晋升{m.places}位，现列第{m.rank}名" for m in movers)
    doc.paragraph(f"与上期相比，{len(movers)}个单位实现晋位：{parts}。")


def _grades(doc: Bulletin, grades: dict[str, list[str]]) -> None:
    doc.heading(1, "等次评定")
    if not grades:
        doc.paragraph("本期未评定等次。")
        return
    for grade, units in grades.items():
        doc.paragraph(f"评定为“{grade}”等次的单位{len(units)}个：{'、'.join(units)}。")


def _full_table(body: Any, table: dict[str, Any]) -> None:
    dims = table["dimensions"]
    header = ["类别", "名次", "单位", "得分", *[name for _, name in dims], "等次"]
    rows = [[category, r.cells["rank"], r.unit.name, r.cells["score"], *r.cells["dimensions"], r.grade or ""]
            for category, group in table["groups"].items() for r in group]
    body.table(header, rows)


def _change(change: float | None) -> str:
    if not change:
        return "—" if change == 0 else ""
    return f"↑{change:g}" if change > 0 else f"↓{-change:g}"
