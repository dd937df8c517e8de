"""督导检查日通报: the day's new, closed and overdue findings and the units ranked by 问题处置率,
from the daily page's selector (``inspections.selectors.stats.daily_picture``), so every
number equals the page's. The figures are kept as a JSON snapshot with the issued copy:

    figures = inspections_figures(user=office, day=dt.date(2026, 11, 27))
    docx = inspections_bulletin(figures, texts=DEFAULT_TEXTS, date=dt.date(2026, 11, 27)).save()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.documents.bulletins.projects import _lines
from duibiao.documents.word import Bulletin
from duibiao.inspections.selectors.stats import VIEW, daily_picture, days_late

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.inspections.models import Finding

DEFAULT_TEXTS = {
    "opening": "为推动督导检查发现问题及时整改到位，现将当日督导检查及问题整改情况通报如下。",
    "requirements": "各责任单位要对逾期未整改的问题立即组织整改，确有困难的按程序申请延期；"
                    "问题处置率排名靠后的单位要分析原因、明确专人，限期销号。",
}
TEXT_LABELS = {"opening": "开头", "requirements": "工作要求"}


def _rate(value: Decimal | None) -> str:
    """As the daily page shows it: two decimals (blank: no finding due)."""
    return "" if value is None else str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _finding(f: Finding, day: dt.date) -> dict[str, Any]:
    return {"id": f.pk, "unit": f.unit.name, "category": f.category, "description": f.description,
            "deadline": f.deadline_in_force.isoformat(), "days_late": days_late(f, day)}


def inspections_figures(*, user: User | AnonymousUser, day: dt.date) -> dict[str, Any]:
    """The daily picture of `day` over the findings the user sees, as JSON."""
    if VIEW not in gate.actions(user):
        raise PermissionDenied(_("您没有查看督导检查统计的权限"))
    picture = daily_picture(user=user, day=day, limit=None)
    ranking = [{"unit": line.name, "findings": line.rates.findings, "due": line.rates.due,
                "closed": line.rates.closed, "overdue": line.rates.overdue,
                "disposal_rate": _rate(line.rates.disposal_rate)} for line in picture.ranking if not line.is_total]
    total = picture.total
    return {"day": day.isoformat(), "new": picture.new_count, "closed": picture.closed_count,
            "overdue": picture.overdue_count,
            "total": {"findings": total.findings, "due": total.due, "closed": total.closed,
                      "disposal_rate": _rate(total.disposal_rate)},
            "ranking": ranking, "overdue_list": [_finding(f, day) for f in picture.overdue]}


def inspections_bulletin(figures: Mapping[str, Any], *, texts: Mapping[str, str], date: dt.date, organ: str,
                         number: str = "") -> Bulletin:
    """The 督导检查日通报 of a snapshot with the office's texts (a draft when `number` is empty)."""
    day = dt.date.fromisoformat(figures["day"])
    when = f"{day.year}年{day.month}月{day.day}日"
    doc = Bulletin(organ=organ, number=number, title=f"关于{when}督导检查情况的通报", date=date,
                   addressee="各街道办事处，区直各部门")
    for line in _lines(texts.get("opening", "")):
        doc.paragraph(line)
    total = figures["total"]
    doc.heading(1, "总体情况")
    doc.paragraph(f"{when}，督导检查新发现问题{figures['new']}个，整改销号{figures['closed']}个，"
                  f"逾期未整改{figures['overdue']}个。截至当日，累计发现问题{total['findings']}个，"
                  f"应整改{total['due']}个，已销号{total['closed']}个，"
                  f"问题处置率{total['disposal_rate'] + '%' if total['disposal_rate'] else '—'}。")
    doc.heading(1, "各单位问题处置率排名")
    ranking = figures["ranking"]
    if ranking:
        doc.table(["名次", "单位", "问题数", "应整改", "已销号", "问题处置率(%)", "逾期"],
                  [[n, r["unit"], r["findings"], r["due"], r["closed"], r["disposal_rate"] or "—", r["overdue"]]
                   for n, r in enumerate(ranking, start=1)])
        doc.paragraph("问题处置率排名前列的单位：" + "、".join(r["unit"] for r in ranking[:3]) + "。")
    else:
        doc.paragraph("截至当日没有督导检查发现的问题。")
    doc.heading(1, "工作要求")
    for line in _lines(texts.get("requirements", "")):
        doc.paragraph(line)
    listed = figures["overdue_list"]
    doc.attachment(f"逾期未整改问题清单（{len(listed)}个）", lambda body: body.table(
        ["编号", "责任单位", "问题类别", "问题描述", "整改期限", "逾期天数"],
        [[f["id"], f["unit"], f["category"], f["description"], f["deadline"], f["days_late"]] for f in listed]
        or [["—", "无", "", "", "", ""]]))
    doc.imprint(cc="区委办公室，区政府办公室", printed_by=organ, printed_on=date)
    return doc
