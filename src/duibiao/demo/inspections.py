"""The demo's supervision: three campaigns shaped like the district's (a city-management check, a
spring greening campaign, a food-safety month) with findings of every unit in every state —
open, reported, returned, closed, closed not fixed, extended and overdue — the enterprises they
found problems at, each with its file and risk list (valid 统一社会信用代码), and a season of
work statistics of the streets.

Deterministic: one seeded generator and dates counted from today, so every load of the same day
gives the same picture; rows go in with bulk_create, as an import of the season's records would.
The findings start in the spring, so the published past quarter's 问题处置率 (nl02, fed by
`inspections.disposal_rate`) has values for every unit.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from duibiao.accounts.models import User
from duibiao.engine import WorkCalendar
from duibiao.inspections.credit_code import CODE_SET, check_character
from duibiao.inspections.deadlines import deadline_for
from duibiao.inspections.models import (
    Campaign,
    Enterprise,
    ExtensionRequest,
    Finding,
    FindingEvent,
    RiskItem,
    WorkLog,
    WorkType,
)
from duibiao.inspections.selectors.worklogs import district_of
from duibiao.inspections.services._common import address_key
from duibiao.org.models import Unit
from duibiao.workdays.selectors import work_calendar

SEED = 2026
CAMPAIGNS = {
    Campaign.Kind.CITY: "城市管理专项检查",
    Campaign.Kind.GREENING: "春季绿化整治行动",
    Campaign.Kind.FOOD: "餐饮食品安全整治月",
}
CATEGORIES = {
    Campaign.Kind.CITY: ("占道经营", "乱堆乱放", "违规设置广告牌", "垃圾未及时清运", "人行道破损", "井盖缺失"),
    Campaign.Kind.GREENING: ("绿地黄土裸露", "行道树缺株", "绿地内垃圾", "绿篱未修剪"),
    Campaign.Kind.FOOD: ("后厨卫生不达标", "从业人员无健康证明", "超过保质期食品", "未公示许可证", "油烟净化设施未运行"),
}
ROADS = ("靖宇街", "南勋街", "景阳街", "北三道街", "升平街", "太古街", "东莱街", "南马路", "北环路", "承德街")
WORK_TYPES = (("清理绿地", "平方米"), ("修剪树木", "株"), ("清运垃圾", "吨"), ("维修设施", "处"),
              ("维修果皮箱", "个"), ("清理小广告", "处"))
ENTERPRISES = (
    ("老鼎丰糕点道外店", "食品生产"), ("张包铺靖宇街店", "餐饮服务"), ("老仁义馅饼店", "餐饮服务"),
    ("南勋门烧烤城", "餐饮服务"), ("太古街生鲜超市", "商贸零售"), ("东莱农贸市场", "商贸零售"),
    ("滨江建筑工程公司", "建筑施工"), ("北环物流仓储中心", "物流仓储"), ("景阳街火锅城", "餐饮服务"),
    ("升平街大药房", "商贸零售"), ("团结镇粮食加工厂", "食品生产"), ("民主镇农家乐", "餐饮服务"),
    ("承德街洗浴中心", "生活服务"), ("道外区第一中学食堂", "集体用餐"), ("南马路汽车修理厂", "机动车维修"),
    ("北三道街旅馆", "住宿服务"),
)
RISKS = (("燃气管道老化", "major"), ("消防通道堵塞", "general"), ("灭火器过期", "general"),
         ("冷库温控失效", "major"), ("电线私拉乱接", "severe"), ("油烟管道积油", "general"),
         ("危化品存放不规范", "severe"), ("安全出口标识缺失", "low"))


def credit_code(rng: random.Random, kind: str) -> str:
    """A valid 统一社会信用代码 of 道外区 (230104): 91 for a company, 92 for 个体工商户."""
    body = ("92" if kind in ("餐饮服务", "生活服务", "住宿服务") else "91") + "230104"
    body += "".join(rng.choice(CODE_SET) for _ in range(9))
    return body + check_character(body)


def _campaigns(today: date, units: list[Unit], inspector: User, office: User) -> dict[str, Campaign]:
    windows = {
        Campaign.Kind.GREENING: (date(today.year, 4, 1), date(today.year, 5, 31)),
        Campaign.Kind.CITY: (date(today.year, 4, 15), min(date(today.year, 12, 31), today + timedelta(days=30))),
        Campaign.Kind.FOOD: (date(today.year, 9, 1), date(today.year, 9, 30)),
    }
    out: dict[str, Campaign] = {}
    for kind, name in CAMPAIGNS.items():
        starts, ends = windows[kind]
        status = Campaign.Status.FINISHED if ends < today else Campaign.Status.ACTIVE
        campaign = Campaign.objects.create(name=f"{today.year}年{name}", kind=kind, starts_on=starts, ends_on=ends,
                                           status=status, created_by=office, places="、".join(ROADS[:5]))
        campaign.units.set(units)
        campaign.inspectors.set([inspector])
        out[kind] = campaign
    return out


def _enterprises(rng: random.Random, streets: list[Unit], inspector: User, today: date) -> list[Enterprise]:
    rows = []
    for n, (name, kind) in enumerate(ENTERPRISES):
        unit = streets[n % len(streets)]
        rows.append(Enterprise(credit_code=credit_code(rng, kind), name=name, kind=kind, unit=unit,
                               address=f"{unit.name}{rng.choice(ROADS)}{rng.randint(1, 300)}号",
                               legal_person=rng.choice("王李张刘陈杨赵") + rng.choice(("建国", "丽华", "海涛", "秀英")),
                               contact=rng.choice(("店长", "经理", "负责人")), phone=f"0451-8{rng.randint(1000000, 9999999)}"))
    enterprises = Enterprise.objects.bulk_create(rows)
    risks = []
    for enterprise in enterprises:
        for text, level in rng.sample(RISKS, rng.randint(1, 3)):
            found = today - timedelta(days=rng.randint(10, 200))
            status = rng.choice((RiskItem.Status.OPEN, RiskItem.Status.CONTROLLED, RiskItem.Status.CLOSED))
            controlled = found + timedelta(days=rng.randint(1, 9)) if status != RiskItem.Status.OPEN else None
            risks.append(RiskItem(
                enterprise=enterprise, text=text, level=level, status=status, identified_on=found,
                due_on=found + timedelta(days=30), recorded_by=inspector,
                measures="已落实整改措施，专人负责" if controlled else "",
                controlled_on=controlled,
                closed_on=controlled + timedelta(days=rng.randint(1, 20)) if status == RiskItem.Status.CLOSED
                and controlled else None))
    RiskItem.objects.bulk_create(risks)
    return enterprises


def _state(rng: random.Random, deadline: date, today: date) -> str:
    """Old findings are mostly closed; recent ones still open or waiting to be checked."""
    roll = rng.random()
    if deadline < today - timedelta(days=5):
        return ("closed" if roll < 0.72 else "closed_not_fixed" if roll < 0.77 else "overdue" if roll < 0.9
                else "returned" if roll < 0.95 else "extended")
    return "open" if roll < 0.45 else "reported" if roll < 0.7 else "closed" if roll < 0.9 else "extended"


def _finding(rng: random.Random, *, campaign: Campaign, unit: Unit, found: date, calendar: WorkCalendar,
             today: date, inspector: User, enterprise: Enterprise | None) -> tuple[Finding, str]:
    severity = rng.choice((Finding.Severity.MINOR, Finding.Severity.MINOR, Finding.Severity.MAJOR,
                           Finding.Severity.SEVERE))
    workdays = {Finding.Severity.MINOR: 5, Finding.Severity.MAJOR: 10, Finding.Severity.SEVERE: 3}[severity]
    deadline = deadline_for(found, workdays, calendar)
    category = rng.choice(CATEGORIES[Campaign.Kind(campaign.kind)])
    address = enterprise.address if enterprise else f"{unit.name}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
    finding = Finding(campaign=campaign, description=f"{category}，现场拍照取证，责令限期整改", category=category,
                      address=address, address_key=address_key(address), unit=unit, severity=severity, found_on=found,
                      found_by=inspector, workdays=workdays, deadline=deadline, enterprise=enterprise)
    state = _state(rng, deadline, today)
    if state == "extended":
        finding.extended_to = deadline_for(deadline, 10, calendar)
        state = "open" if finding.extended_to >= today else rng.choice(("closed", "overdue"))
        finding.state = Finding.State.OPEN
    if state in ("closed", "closed_not_fixed"):
        limit = finding.extended_to or deadline
        closed = found + timedelta(days=rng.randint(1, max(2, (limit - found).days + 6)))
        finding.closed_on = min(closed, today)
        finding.outcome = state
        finding.state = state
    elif state in ("reported", "returned"):
        finding.state = state
    return finding, state


def _events(findings: list[tuple[Finding, str]], reporters: dict[int, User], inspector: User) -> None:
    """The timeline of each finding (who and when), dated as it happened."""
    events: list[tuple[FindingEvent, date]] = []
    for finding, _state_name in findings:
        events.append((FindingEvent(finding=finding, kind=FindingEvent.Kind.RECORD, to_state=Finding.State.OPEN,
                                    by=inspector, text=finding.description), finding.found_on))
        reporter = reporters.get(finding.unit_id)
        if finding.extended_to:
            events.append((FindingEvent(finding=finding, kind=FindingEvent.Kind.EXTEND_APPROVE, by=inspector,
                                        from_state=Finding.State.OPEN, to_state=Finding.State.OPEN,
                                        text=f"同意延期至 {finding.extended_to:%Y-%m-%d}"), finding.deadline))
        if finding.state in (Finding.State.REPORTED, Finding.State.RETURNED, Finding.State.CLOSED,
                             Finding.State.CLOSED_NOT_FIXED):
            day = finding.closed_on or finding.found_on + timedelta(days=1)
            events.append((FindingEvent(finding=finding, kind=FindingEvent.Kind.REPORT, by=reporter,
                                        from_state=Finding.State.OPEN, to_state=Finding.State.REPORTED,
                                        text="已按要求整改，附整改后照片"), day))
        step = {Finding.State.RETURNED: (FindingEvent.Kind.RETURN, "整改不到位，请重新整改"),
                Finding.State.CLOSED: (FindingEvent.Kind.CLOSE, ""),
                Finding.State.CLOSED_NOT_FIXED: (FindingEvent.Kind.CLOSE_NOT_FIXED, "商户拒不整改，已移交执法部门")}
        if finding.state in step:
            kind, text = step[Finding.State(finding.state)]
            events.append((FindingEvent(finding=finding, kind=kind, by=inspector, from_state=Finding.State.REPORTED,
                                        to_state=finding.state, text=text),
                           finding.closed_on or finding.found_on + timedelta(days=2)))
    FindingEvent.objects.bulk_create([event for event, _day in events])
    by_day: dict[date, list[int]] = defaultdict(list)
    for event, day in events:
        by_day[day].append(event.pk)
    tz = timezone.get_current_timezone()
    for day, ids in by_day.items():  # `at` is stamped on insert; dated afterwards, one query a day
        FindingEvent.objects.filter(pk__in=ids).update(
            at=datetime(day.year, day.month, day.day, 10, 0, tzinfo=tz))


def _findings(rng: random.Random, campaigns: dict[str, Campaign], units: list[Unit], enterprises: list[Enterprise],
              inspector: User, today: date) -> None:
    calendar = work_calendar()
    by_unit: dict[int, list[Enterprise]] = defaultdict(list)
    for shop in enterprises:
        if shop.unit_id is not None:
            by_unit[shop.unit_id].append(shop)
    made: list[tuple[Finding, str]] = []
    for unit in units:
        for _n in range(rng.randint(6, 12)):
            kind = rng.choice((Campaign.Kind.CITY, Campaign.Kind.CITY, Campaign.Kind.GREENING, Campaign.Kind.FOOD))
            campaign = campaigns[kind]
            last = min(campaign.ends_on, today)
            found = campaign.starts_on + timedelta(days=rng.randint(0, max(0, (last - campaign.starts_on).days)))
            enterprise: Enterprise | None = (
                rng.choice(by_unit[unit.pk]) if kind == Campaign.Kind.FOOD and by_unit[unit.pk] else None)
            made.append(_finding(rng, campaign=campaign, unit=unit, found=found, calendar=calendar, today=today,
                                 inspector=inspector, enterprise=enterprise))
    Finding.objects.bulk_create([finding for finding, _state in made])
    ExtensionRequest.objects.bulk_create([
        ExtensionRequest(finding=f, requested_to=f.extended_to, reason="雨季施工受限，申请延期", requested_by=None,
                         decision=ExtensionRequest.Decision.APPROVED, decided_by=inspector,
                         decided_at=timezone.now(), decision_note="同意")
        for f, _state in made if f.extended_to])
    reporters = {u.unit_id: u for u in User.objects.filter(username__endswith="_tb").exclude(unit=None)}
    _events(made, reporters, inspector)


def _work(rng: random.Random, streets: list[Unit], campaigns: dict[str, Campaign], office: User, today: date) -> None:
    types = []
    district = district_of(streets[0])  # the demo's streets are one district's: its office keeps the types
    assert district is not None
    for order, (name, measure) in enumerate(WORK_TYPES):
        types.append(WorkType.objects.get_or_create(district=district, name=name, defaults={
            "unit_of_measure": measure, "order": order})[0])
    reporters = {u.unit_id: u for u in User.objects.filter(username__endswith="_tb").exclude(unit=None)}
    scale = {"平方米": (200, 3000), "株": (10, 120), "吨": (5, 60), "处": (2, 30), "个": (5, 40)}
    logs = []
    for unit in streets:
        for week in range(13):  # a season, week by week
            day = today - timedelta(days=7 * week + rng.randint(0, 4))
            for work_type in rng.sample(types, 3):
                low, high = scale[work_type.unit_of_measure]
                campaign = campaigns[Campaign.Kind.CITY] if campaigns[Campaign.Kind.CITY].starts_on <= day else None
                logs.append(WorkLog(unit=unit, work_type=work_type, campaign=campaign, done_on=day,
                                    quantity=Decimal(rng.randint(low, high)), note="",
                                    recorded_by=reporters.get(unit.pk, office)))
    WorkLog.objects.bulk_create(logs)


def demo_inspections_load() -> None:
    """Campaigns, findings, enterprises and work statistics; skipped when the campaigns exist."""
    today = timezone.localdate()
    if Campaign.objects.filter(name=f"{today.year}年{CAMPAIGNS[Campaign.Kind.CITY]}").exists():
        return
    rng = random.Random(SEED)
    inspector = User.objects.get(username="duchao")
    office = User.objects.get(username="khb")
    units = list(Unit.objects.filter(category__isnull=False).order_by("order", "code"))
    streets = [u for u in units if u.category and u.category.code == "street"]
    campaigns = _campaigns(today, units, inspector, office)
    enterprises = _enterprises(rng, streets, inspector, today)
    campaigns[Campaign.Kind.FOOD].enterprises.set(enterprises)
    _findings(rng, campaigns, units, enterprises, inspector, today)
    _work(rng, streets, campaigns, office, today)
