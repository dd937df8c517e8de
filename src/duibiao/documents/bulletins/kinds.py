"""The three bulletins behind one interface, for the pages, the services and `duibiao bulletin`:
what a new draft states (its figures as JSON and its default texts) and how a bulletin is laid
out from its figures and texts.

    title, figures, texts = draft_parts("projects", user=office, district=daowai, run=None, day=today)
    docx = layout("projects", user=office, district=daowai, run=None, figures=figures, texts=texts,
                  date=today).save()
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from duibiao.documents.bulletins import inspections, projects, results
from duibiao.documents.word import Bulletin

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.assessment.models import ScoringRun
    from duibiao.org.models import Unit

KINDS = ("results", "projects", "inspections")
# The editable text parts of every bulletin, in the order the draft page shows them.
TEXT_LABELS = {"opening": "开头", "requirements": "希望和要求"}
TEXT_LIMIT = 4000  # characters of one text part


def organ(district: Unit) -> str:
    """发文机关: the district's assessment office (the name results.py gives it too)."""
    return f"{district.name}对标晋位考核评价办公室"


def number_prefix(district: Unit) -> str:
    """机关代字 of the district's office: 道外区 → 道外考核办."""
    return f"{district.name.removesuffix('区')}考核办"


def _results_figures(*, user: User | AnonymousUser, run: ScoringRun) -> dict[str, Any]:
    facts = results.results_figures(user=user, run=run)
    return {
        "run": run.pk, "period": run.period.name, "units": facts["units"],
        "groups": {category: [{"rank": r.cells["rank"], "unit": r.unit.name, "score": r.cells["score"],
                               "grade": r.grade or ""} for r in rows]
                   for category, rows in facts["groups"].items()},
        "movers": [{"category": m.category, "unit": m.unit, "places": m.places, "rank": m.rank}
                   for m in facts["movers"]],
        "grades": facts["grades"],
    }


def draft_parts(kind: str, *, user: User | AnonymousUser, district: Unit, run: ScoringRun | None,
                day: dt.date) -> tuple[str, dict[str, Any], dict[str, str]]:
    """(title, figures, default texts) of a new draft, the figures read through the gate as
    `user` sees them."""
    if kind == "results":
        if run is None:
            raise ValueError("a results bulletin needs a run")
        figures = _results_figures(user=user, run=run)
        scheme = run.period.version.scheme
        texts = {
            "opening": f"根据《{scheme.name}》，{organ(district)}对{figures['units']}个单位{run.period.name}的工作"
                       "进行了考核评价。现将考核结果通报如下。",
            "requirements": "\n".join(f"{title}。{text}" for title, text in results.REQUIREMENTS),
        }
        return f"关于{run.period.name}对标晋位考核结果的通报", figures, texts
    if kind == "projects":
        figures = projects.projects_figures(user=user, as_of=day)
        return (f"关于{day.year}年{day.month}月{day.day}日重点项目推进情况的通报", figures,
                dict(projects.DEFAULT_TEXTS))
    if kind == "inspections":
        figures = inspections.inspections_figures(user=user, day=day)
        return (f"关于{day.year}年{day.month}月{day.day}日督导检查情况的通报", figures,
                dict(inspections.DEFAULT_TEXTS))
    raise ValueError(f"unknown bulletin kind {kind!r}")


def layout(kind: str, *, user: User | AnonymousUser, district: Unit, run: ScoringRun | None,
           figures: dict[str, Any], texts: dict[str, str], date: dt.date, number: str = "") -> Bulletin:
    """The bulletin as a document: from its snapshot (projects, inspections) or its published
    run through the ranking selector (results; a published run does not change)."""
    if kind == "results":
        if run is None:
            raise ValueError("a results bulletin needs a run")
        return results.results_bulletin(user=user, run=run, date=date, organ=organ(district), number=number,
                                        texts=texts)
    if kind == "projects":
        return projects.projects_bulletin(figures, texts=texts, date=date, organ=organ(district), number=number)
    if kind == "inspections":
        return inspections.inspections_bulletin(figures, texts=texts, date=date, organ=organ(district),
                                                number=number)
    raise ValueError(f"unknown bulletin kind {kind!r}")
