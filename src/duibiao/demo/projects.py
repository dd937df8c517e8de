"""The demo's key-project portfolio, shaped like the district's published one: 27 province- and
city-level key projects with an annual plan of 50.05 亿元 (500 500 万元) — 13 new and 14
continuing; 9 infrastructure, 15 industrial, 3 social; 13 government- and 14
enterprise-invested — and 20 district-level projects, over the streets and economic
departments (the units gz02–gz05 apply to), with a year of weekly progress.

Deterministic: one seeded generator and dates counted from today, so every load of the same
day gives the same portfolio. Rows go in with bulk_create, as a ledger import of a year's
history would; the demo stays quick to load.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from duibiao.accounts.models import User
from duibiao.engine.workdays import CalendarGap, WorkCalendar
from duibiao.org.models import Unit
from duibiao.projects.models import (
    Assignment,
    DispatchMeeting,
    Lead,
    LeadStageEntry,
    Milestone,
    Problem,
    ProgressReport,
    Project,
)
from duibiao.projects.models.leads import LeadStage
from duibiao.workdays.selectors import work_calendar

SEED = 2023
KEY_ANNUAL_TOTAL = Decimal(500500)  # 万元: the published 50.05 亿元

# (name, type, source) of the 27 province- and city-level projects. Stage and level follow
# from the position: the first 13 are new, the others continuing; every fourth is 省重点.
KEY_PROJECTS: tuple[tuple[str, str, str], ...] = (
    ("道外区老旧小区改造（二期）", "infrastructure", "government"),
    ("南勋门片区城市更新", "infrastructure", "government"),
    ("滨江湿地配套道路工程", "infrastructure", "government"),
    ("团结镇污水处理厂扩建", "infrastructure", "government"),
    ("哈东新区智能装备产业园", "industry", "enterprise"),
    ("中药材精深加工基地", "industry", "enterprise"),
    ("冷链物流智慧仓储中心", "industry", "enterprise"),
    ("民主镇绿色食品产业园", "industry", "enterprise"),
    ("新能源汽车零部件项目", "industry", "enterprise"),
    ("数字经济产业孵化园", "industry", "government"),
    ("区人民医院门诊综合楼", "social", "government"),
    ("北三道街历史文化街区提升", "industry", "enterprise"),
    ("生物医药中试基地", "industry", "enterprise"),
    ("三棵树货运枢纽改造", "infrastructure", "government"),
    ("东原街道供热管网改造", "infrastructure", "government"),
    ("太平大道综合管廊", "infrastructure", "government"),
    ("振国街道雨污分流工程", "infrastructure", "government"),
    ("化工新材料产业园（一期）", "industry", "enterprise"),
    ("巨源镇光伏发电项目", "industry", "enterprise"),
    ("永源镇肉牛屠宰加工", "industry", "enterprise"),
    ("高端乳制品加工项目", "industry", "enterprise"),
    ("中华巴洛克文旅综合体", "industry", "enterprise"),
    ("靖宇街商业综合体", "industry", "enterprise"),
    ("区第十九中学教学楼", "social", "government"),
    ("道外区养老服务中心", "social", "government"),
    ("哈尔滨东站站前广场改造", "infrastructure", "government"),
    ("智能制造产业园标准厂房", "industry", "enterprise"),
)
# (name, type, stage, source) of the district-level projects.
DISTRICT_PROJECTS: tuple[tuple[str, str, str, str], ...] = (
    ("黎华街道社区卫生服务站", "social", "new", "government"),
    ("火车头街道口袋公园", "infrastructure", "new", "government"),
    ("大有坊农贸市场改造", "logistics", "continuing", "enterprise"),
    ("团结镇设施农业大棚", "agriculture", "new", "enterprise"),
    ("民主镇高标准农田", "agriculture", "continuing", "government"),
    ("新一街道停车场", "infrastructure", "new", "enterprise"),
    ("南马街道电商直播基地", "logistics", "new", "enterprise"),
    ("化工街道老旧管网更新", "infrastructure", "continuing", "government"),
    ("太古街道智慧社区", "social", "new", "government"),
    ("仁里街道商贸步行街", "logistics", "continuing", "enterprise"),
    ("永源镇稻米加工厂", "agriculture", "continuing", "enterprise"),
    ("巨源镇乡村旅游配套", "agriculture", "new", "government"),
    ("崇俭街道养老驿站", "social", "completed", "government"),
    ("滨江街道滨水步道", "infrastructure", "completed", "government"),
    ("区科技企业孵化器", "industry", "new", "enterprise"),
    ("区农产品检测中心", "agriculture", "continuing", "government"),
    ("三棵树物流分拨中心", "logistics", "suspended", "enterprise"),
    ("水泥路街道便民市场", "logistics", "new", "enterprise"),
    ("东莱街道社区食堂", "social", "continuing", "government"),
    ("南直路街道充电桩网络", "infrastructure", "new", "enterprise"),
)
LEADERS = ("冯振华", "刘志明", "张晓光", "王秀芳", "李国栋")
SECRETARIES = ("mishu", "mishu2", "mishu3")
STEPS = [step for step, _label in Milestone.Step.choices]
PROBLEMS = (
    ("施工用电增容审批未完成", "zhujian"),
    ("征收范围内 3 户未签约", "ziguan"),
    ("环评批复待市局出具", "fagai"),
    ("配套道路未接通，材料进场受限", "jiaotong"),
    ("企业贷款到位滞后", "caizheng"),
)


@dataclass
class _Plan:
    """One project as drawn, before it becomes rows."""

    code: str
    name: str
    level: str
    kind: str
    stage: str
    source: str
    annual: Decimal
    pace: float  # share of 序时进度 the project keeps up (1.0 = on schedule)


def _yuan(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _key_annuals(rng: random.Random) -> list[Decimal]:
    """27 annual plans (万元, whole hundreds) that add up to 500 500 exactly."""
    weights = [rng.uniform(0.4, 2.2) for _ in KEY_PROJECTS]
    scale = float(KEY_ANNUAL_TOTAL) / sum(weights)
    plans = [Decimal(round(w * scale / 100) * 100) for w in weights]
    plans[0] += KEY_ANNUAL_TOTAL - sum(plans)
    return plans


def _plans(rng: random.Random) -> list[_Plan]:
    plans = []
    for i, ((name, kind, source), annual) in enumerate(zip(KEY_PROJECTS, _key_annuals(rng), strict=True)):
        plans.append(_Plan(
            code=f"XM-{i + 1:03d}", name=name, level="province" if i % 4 == 0 else "city", kind=kind,
            stage="new" if i < 13 else "continuing", source=source, annual=annual,
            # a few fall well behind 序时进度 (yellow / red), most keep up
            pace=rng.choice((0.35, 0.6, 0.75)) if i % 5 == 2 else rng.uniform(0.9, 1.15),
        ))
    for j, (name, kind, stage, source) in enumerate(DISTRICT_PROJECTS):
        plans.append(_Plan(
            code=f"QX-{j + 1:03d}", name=name, level="district", kind=kind, stage=stage, source=source,
            annual=Decimal(rng.randrange(8, 80) * 100),
            pace=rng.choice((0.4, 0.6, 0.75)) if j % 4 == 1 else rng.uniform(0.85, 1.15),
        ))
    return plans


def _fridays(start: date, end: date) -> list[date]:
    day = start + timedelta(days=(4 - start.weekday()) % 7)
    out = []
    while day <= end:
        out.append(day)
        day += timedelta(days=7)
    return out


def _dates(plan: _Plan, index: int, rng: random.Random, today: date) -> dict[str, date | None]:
    """Planned and actual dates: new projects plan to start this year (a few have not), the
    continuing ones started before; some are due to finish this year, on time or not."""
    year = today.year
    if plan.stage == "new":
        planned_start = date(year, 3 + index % 7, 1 + rng.randrange(27))
        late_start = index % 6 == 4  # not started: yellow this month, red after three
        started = None if late_start or planned_start > today else planned_start + timedelta(days=rng.randrange(-10, 20))
        if started is not None and started > today:
            started = today
    else:
        planned_start = date(year - 1 - index % 2, 4 + index % 6, 10)
        started = planned_start + timedelta(days=rng.randrange(0, 25))
    due_this_year = plan.stage in ("continuing", "completed") and index % 3 == 0 or plan.stage == "completed"
    planned_completion = (date(year, 5 + index % 6, 28) if due_this_year
                          else date(year + 1 + index % 2, 10, 30))
    actual_completion = None
    if due_this_year and planned_completion <= today and started is not None:
        # most finish on time, every fourth late or not yet
        if index % 4 != 1:
            actual_completion = planned_completion - timedelta(days=rng.randrange(0, 20))
        elif planned_completion + timedelta(days=30) <= today:
            actual_completion = planned_completion + timedelta(days=30)
    in_stats = None
    if started is not None and index % 7 != 3:  # every seventh started project is not 入库 yet
        in_stats = min(started + timedelta(days=rng.randrange(7, 28)), today)
    return {"planned_start": planned_start, "actual_start": started, "planned_completion": planned_completion,
            "actual_completion": actual_completion, "in_stats_on": in_stats}


def _reports(project: Project, plan: _Plan, today: date, year: int) -> list[ProgressReport]:
    """Weekly cumulative reports of one year, each Friday from the year's (or the project's)
    start up to today: investment keeping to the project's pace of 序时进度."""
    begin = date(year, 1, 1)
    if project.actual_start is not None and project.actual_start.year == year:
        begin = project.actual_start
    if project.actual_start is None or project.actual_start > min(today, date(year, 12, 31)):
        return []
    rows = []
    annual = float(plan.annual)
    funds = float(project.funds_planned or 0)
    for friday in _fridays(begin, min(today, date(year, 12, 31))):
        elapsed = (friday - date(year, 1, 1)).days / 365
        share = min(elapsed * plan.pace, 1.15)
        rows.append(ProgressReport(
            project=project, reported_on=friday, year=year,
            completed_ytd=_yuan(annual * share), funds_in_place=_yuan(funds * min(share * 1.05, 1.3)),
            text=f"第{friday.isocalendar()[1]}周：按计划推进，累计完成投资{_yuan(annual * share)}万元",
        ))
    return rows


def _owners(plans: list[_Plan], units: list[Unit]) -> list[Unit]:
    """Each project's owner unit: the street or town its name starts with (黎华街道…, 团结镇…),
    the others spread so that every unit gz02–gz05 apply to owns at least one project."""
    def short(unit: Unit) -> str:
        return unit.name.removesuffix("街道") if unit.name.endswith("街道") else unit.name

    named = [next((u for u in units if len(short(u)) >= 2 and plan.name.startswith(short(u))), None)
             for plan in plans]
    waiting = [u for u in units if u not in named]
    out = []
    for index, unit in enumerate(named):
        if unit is None:
            unit = waiting.pop(0) if waiting else units[index % len(units)]
        out.append(unit)
    return out


def demo_projects_load() -> int:
    """Load the portfolio unless it is there; returns the number of projects created."""
    if Project.objects.filter(code__startswith="XM-").exists():
        return 0
    rng = random.Random(SEED)
    today = timezone.localdate()
    units = list(Unit.objects.filter(category__code__in=["street", "economic"]).order_by("order", "code"))
    secretaries = list(User.objects.filter(username__in=SECRETARIES).order_by("username"))
    plans = _plans(rng)
    owners = _owners(plans, units)
    projects = []
    for index, plan in enumerate(plans):
        dates = _dates(plan, index, rng, today)
        projects.append(Project(
            code=plan.code, name=plan.name, level=plan.level, type=plan.kind, stage=plan.stage,
            source=plan.source, owner_unit=owners[index],
            leader_name=LEADERS[index % len(LEADERS)],
            secretary=secretaries[index % len(secretaries)] if secretaries else None,
            legal_person=f"哈尔滨{plan.name[:4]}建设有限公司",
            contact_phone=f"0451-8{rng.randrange(1000000, 9999999)}",
            planned_total=plan.annual * rng.choice((2, 3, 4)),
            planned_annual=plan.annual, funds_planned=(plan.annual * Decimal("0.9")).quantize(Decimal(1)),
            location=f"道外区{owners[index].name}", **dates,
        ))
    Project.objects.bulk_create(projects)
    projects = list(Project.objects.filter(code__in=[p.code for p in plans]).order_by("code"))
    by_code = {p.code: p for p in plans}
    reports: list[ProgressReport] = []
    milestones: list[Milestone] = []
    for project in projects:
        plan = by_code[project.code]
        reports += _reports(project, plan, today, today.year)
        if plan.stage != "new":  # continuing projects reported last year too (year on year)
            reports += _reports(project, plan, today, today.year - 1)
        milestones += _milestones(project)
    ProgressReport.objects.bulk_create(reports, batch_size=1000)
    Milestone.objects.bulk_create(milestones)
    _problems(projects, today)
    office = User.objects.filter(username="khb").first()
    _meetings(projects, today, office)
    _leads(units, today, office)
    return len(projects)


def _milestones(project: Project) -> list[Milestone]:
    """立项 … 竣工, planned back from the start and forward to the completion."""
    start = project.planned_start or project.created_at.date()
    before = {"approval": 120, "land": 90, "planning": 60, "environment": 45, "permit": 15, "start": 0}
    rows = []
    for step in STEPS:
        planned: date | None
        actual: date | None
        if step in before:
            planned = start - timedelta(days=before[step])
            actual = project.actual_start - timedelta(days=before[step]) if project.actual_start else None
        elif step == "structure":
            planned, actual = (project.planned_completion or start) - timedelta(days=90), None
        else:
            planned, actual = project.planned_completion, project.actual_completion
        rows.append(Milestone(project=project, step=step, planned_on=planned, actual_on=actual))
    return rows


def _problems(projects: list[Project], today: date) -> None:
    units = {u.code: u for u in Unit.objects.filter(code__in=[code for _t, code in PROBLEMS])}
    rows = []
    for n, (text, unit) in enumerate(PROBLEMS):
        if unit not in units:
            continue
        solved = n % 3 == 2
        rows.append(Problem(
            project=projects[(n * 5 + 2) % len(projects)], text=text, asked_unit=units[unit],
            raised_on=today - timedelta(days=20 + n * 9), status="solved" if solved else "open",
            solved_on=today - timedelta(days=5) if solved else None,
            solution="已协调解决" if solved else "",
        ))
    Problem.objects.bulk_create(rows)


# (text, working days) of what dispatch meetings assign; the project comes from the agenda.
ASSIGNMENTS = (
    ("协调供电公司完成施工用电增容", 3),
    ("约谈项目法人，报送赶工计划", 2),
    ("督促完成入库入统资料报送", 3),
    ("协调征收范围内未签约户", 5),
    ("落实配套道路接通时间", 5),
    ("协调银行加快贷款投放", 3),
)
LEADS = (
    ("哈东物流园冷库扩建", 12000), ("民主镇粮食烘干仓储", 3500), ("靖宇街老字号餐饮综合体", 2600),
    ("太平大道加油加气站", 1800), ("巨源镇生物质热电", 26000), ("南马街道社区养老综合体", 2200),
    ("团结镇温室大棚二期", 4800), ("东原街道标准化厂房", 9000), ("化工街道再生资源分拣中心", 5200),
    ("永源镇农机合作社机库", 900), ("三棵树铁路专用线改造", 15000), ("滨江街道游船码头", 3000),
)


def _add_workdays(calendar: WorkCalendar | None, day: date, count: int) -> date:
    """The deadline in working days; in a year the holiday table does not cover yet, Monday
    to Friday (the demo must load on any day)."""
    if calendar is not None:
        try:
            return calendar.add_workdays(day, count)
        except CalendarGap:
            pass
    while count > 0:
        day += timedelta(days=1)
        count -= day.weekday() < 5
    return day


def _meetings(projects: list[Project], today: date, office: User | None) -> None:
    """Three weeks of dispatch: daily meetings of the economic task force, the district head's
    every three days, the secretary's weekly, each held with minutes and assignments — done,
    still open, or past their deadline (escalating) — and today's daily meeting planned."""
    try:
        calendar: WorkCalendar | None = work_calendar()
    except CalendarGap:
        calendar = None
    district = Unit.objects.get(code="daowai")
    days = [today - timedelta(days=n) for n in range(21, 0, -1)]
    schedule = [(d, "daily") for d in days if d.weekday() < 5 and d.weekday() != 2]
    schedule += [(d, "three_day") for d in days if d.weekday() == 2]
    schedule += [(d, "weekly") for d in days if d.weekday() == 4][-2:]
    schedule.sort()
    chairs = {"daily": "经济专班", "three_day": "区政府主要领导", "weekly": "区委主要领导"}
    meetings = [DispatchMeeting(district=district, cadence=cadence, held_on=day, chair=chairs[cadence],
                                status=DispatchMeeting.Status.HELD, created_by=office, closed_by=office,
                                minutes=f"听取{len(projects) // 3}个红黄灯项目进展汇报，逐项研究难点堵点，明确责任单位和完成时限。")
                for day, cadence in schedule]
    meetings.append(DispatchMeeting(district=district, cadence="daily", held_on=today, chair=chairs["daily"],
                                    created_by=office))
    DispatchMeeting.objects.bulk_create(meetings)
    meetings = list(DispatchMeeting.objects.filter(district=district).order_by("held_on", "id"))
    lagging = [p for p in projects if p.level != "district"] or projects
    rows = []
    for m, meeting in enumerate(meetings):
        if meeting.status != DispatchMeeting.Status.HELD:
            continue
        for k in range(2 if meeting.cadence == "daily" else 3):
            text, workdays = ASSIGNMENTS[(m + k) % len(ASSIGNMENTS)]
            project = lagging[(m * 3 + k * 7) % len(lagging)]
            deadline = _add_workdays(calendar, meeting.held_on, workdays)
            done = (m + k) % 3 != 0 and deadline < today  # a third of what fell due is still open
            replied = min(deadline, today) if done else None
            rows.append(Assignment(
                meeting=meeting, project=project, text=text, unit=project.owner_unit,
                assigned_on=meeting.held_on, workdays=workdays, deadline=deadline,
                status=Assignment.Status.DONE if done else Assignment.Status.OPEN,
                reply="已按要求办结，相关材料已报经济专班" if done else "", replied_on=replied, created_by=office,
            ))
    Assignment.objects.bulk_create(rows)


def _leads(units: list[Unit], today: date, office: User | None) -> None:
    """Leads pushed by the streets and departments, at every stage of 三及时三迅速, each with the
    history of the stages it went through (some overstaying their stage's time limit)."""
    stages = [code for code, _label in LeadStage.choices]
    leads = []
    for n, (name, amount) in enumerate(LEADS):
        reached = stages[: 1 + n % len(stages)]
        leads.append(Lead(
            unit=units[(n * 5) % len(units)], name=name, expected_investment=Decimal(amount),
            legal_person=f"{name[:4]}投资有限公司", contact=f"1390451{n:04d}", stage=reached[-1],
            stage_entered_on=today - timedelta(days=3 + 4 * n), created_by=office,
        ))
    Lead.objects.bulk_create(leads)
    entries = []
    for lead in Lead.objects.filter(name__in=[name for name, _amount in LEADS]):
        passed = stages[: stages.index(lead.stage) + 1]
        for back, stage in enumerate(reversed(passed)):
            entries.append(LeadStageEntry(lead=lead, stage=stage, by=office,
                                          entered_on=lead.stage_entered_on - timedelta(days=6 * back)))
    LeadStageEntry.objects.bulk_create(entries)
