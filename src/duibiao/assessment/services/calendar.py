"""Writes to the working-day calendar: the office's table (HolidayYear / HolidayDate) for the
years chinese-calendar does not cover, and corrections. The calendar in force is read by
`duibiao.workdays.selectors.work_calendar`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.limits import text_clean, text_limit, year_clean
from duibiao.audit.services import audit_record
from duibiao.workdays.models import HolidayDate, HolidayYear

if TYPE_CHECKING:
    from duibiao.accounts.models import User


class HolidayTextError(AssessmentError):
    """The office's text has problems; each names its line so it can be fixed in place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


OFF_WORDS = {"休": False, "放假": False, "休息": False, "班": True, "上班": True, "调休上班": True}
WEEKDAYS = "一二三四五六日"
NAME_MAX = text_limit(HolidayDate, "name")


def parse_holiday_text(text: str, *, year: int) -> list[tuple[date, bool, str]]:
    """Read lines like ``2027-01-01 元旦 休`` / ``2027-02-07 春节调休 班`` (blank lines and
    lines starting with # are skipped). Raises HolidayTextError listing every bad line."""
    days: list[tuple[date, bool, str]] = []
    seen: dict[date, int] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        where = f"第 {number} 行"
        try:
            day = date.fromisoformat("-".join(p.zfill(2) for p in parts[0].split("-")))
        except ValueError:
            problems.append(f"{where}：“{parts[0]}”不是有效日期（应为 {year}-01-01 这样的格式）")
            continue
        if len(parts) < 2 or parts[-1] not in OFF_WORDS:
            problems.append(f"{where}：应以“休”（放假）或“班”（调休上班）结尾")
            continue
        is_workday, name = OFF_WORDS[parts[-1]], " ".join(parts[1:-1])
        if len(name) > NAME_MAX:
            problems.append(f"{where}：名称最多 {NAME_MAX} 字")
        elif day.year != year:
            problems.append(f"{where}：{day.isoformat()} 不在 {year} 年")
        elif day in seen:
            problems.append(f"{where}：{day.isoformat()} 与第 {seen[day]} 行重复")
        elif is_workday and day.weekday() < 5:
            # A weekday is a workday anyway: marking it 班 is almost always a typo for 休.
            problems.append(
                f"{where}：{day.isoformat()} 是星期{WEEKDAYS[day.weekday()]}，本就是工作日，"
                "只有周六、周日才需要标为“班”"
            )
        else:
            seen[day] = number
            days.append((day, is_workday, name))
    if not days and not problems:
        problems.append(f"没有录入任何日期：请逐行填写 {year} 年的放假和调休上班日期")
    if problems:
        raise HolidayTextError(problems)
    return days


@transaction.atomic
def holiday_year_save(
    *, actor: User, year: int, days: list[tuple[date, bool, str]], note: str = ""
) -> HolidayYear:
    """Enter a year's whole arrangement: (date, is make-up workday, name) for every day that
    breaks the Monday–Friday rule. The year then counts as covered."""
    gate.require(actor, "assessment.calendar.edit")
    year_clean(year)
    note = text_clean(note, model=HolidayYear, name="note")
    wrong = [d for d, _, _ in days if d.year != year]
    if wrong:
        raise AssessmentError(f"日期 {wrong[0]} 不在 {year} 年")
    entry, _ = HolidayYear.objects.update_or_create(year=year, defaults={"note": note})
    before = list(
        HolidayDate.objects.filter(date__year=year).values_list("date", "is_workday", "name")
    )
    HolidayDate.objects.filter(date__year=year).delete()
    HolidayDate.objects.bulk_create(HolidayDate(date=d, is_workday=w, name=n) for d, w, n in days)
    audit_record(
        actor=actor, action="calendar.year", obj=entry,
        before=[[str(d), w, n] for d, w, n in before], after=[[str(d), w, n] for d, w, n in days],
    )
    return entry


@transaction.atomic
def holiday_year_import(*, actor: User, year: int, text: str, note: str = "") -> HolidayYear:
    """Parse the office's text for a year and save it as that year's whole arrangement."""
    gate.require(actor, "assessment.calendar.edit")
    if not 2000 <= year <= 2100:
        raise AssessmentError("年度应在 2000–2100 之间")
    return holiday_year_save(actor=actor, year=year, days=parse_holiday_text(text, year=year), note=note)
