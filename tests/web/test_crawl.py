"""Every page reachable by clicking (issue 10, item 1).

From each role's home page the test follows only `<a href>` links of this site (GET, never
signing out), as a person clicking through would, and collects the URL names of the pages
that answered. Each role must reach every page of its table below: a page missing from the
crawl fails with its name, since a page nobody can click to is a page nobody uses.

The district is the access sweep's filled one (periods in every state, runs, an appeal,
cadres, a lock), built once for this module.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.web.test_access_sweep import filled  # noqa: F401  (the module-scoped district)

HREF = re.compile(r"<a\b[^>]*?\bhref=\"([^\"]+)\"", re.IGNORECASE)
# Links that are not pages to click through: signing out ends the crawl, the language switch
# and static files are not pages of the system.
SKIP = ("web:logout",)
PER_NAME = 2  # distinct URLs fetched per URL name (e.g. two unit results, not fifty-two)
MAX_PAGES = 250  # per role: a bound, so a link loop cannot run for ever

# The pages each role must reach by clicking, by the role's user in the filled district.
REACHES: dict[str, set[str]] = {
    "office": {
        "web:schemes", "assessment:scheme_detail", "assessment:scheme_edit", "assessment:period_list",
        "assessment:period_runs", "assessment:run_index", "assessment:run_detail", "assessment:progress",
        "assessment:review_index", "assessment:appeal_index", "assessment:appeals",
        "assessment:combination_index", "assessment:combination_detail", "cadres:cadre_index",
        "documents:index", "org:unit_list", "org:unit_detail", "assessment:calendar",
        "projects:portfolio", "projects:project_detail", "projects:project_new", "projects:project_edit",
        "documents:project_ledger",
    },
    "taskforce": {
        "assessment:review_index", "assessment:review_home", "assessment:review_indicator",
        "assessment:appeal_index", "assessment:appeals", "assessment:progress",
    },
    "reporter_a": {
        "org:my_unit", "assessment:my_unit", "assessment:report_index", "assessment:report_unit", "documents:index",
        "web:schemes", "assessment:scheme_detail",
        "projects:portfolio", "projects:project_detail", "projects:progress_new", "projects:problems_asked",
    },
    "head_a": {"org:my_unit", "assessment:my_unit", "assessment:report_unit", "assessment:run_index", "assessment:run_detail",
               "assessment:unit_result"},
    "leader": {"assessment:run_index", "assessment:run_detail", "assessment:progress_index",
               "assessment:progress", "assessment:combination_index", "projects:portfolio",
               "projects:project_detail"},
    "secretary": {"projects:workspace", "projects:project_detail", "projects:progress_new",
                  "projects:portfolio"},
    "secadmin": {"accounts:grants", "accounts:grant_user", "web:security", "accounts:security",
                 "accounts:actions"},
    "auditor": {"audit:list", "audit:detail", "audit_export:xlsx"},
    "sysadmin": {"admin:index", "org:unit_list"},
}

# 调度会, 交办事项 and 项目线索: the menu's 项目调度 (office, leaders) and 交办与线索 (units).
_DISPATCH_UNIT = {"dispatch:assignment_list", "dispatch:lead_list", "dispatch:lead_detail", "dispatch:lead_funnel"}
_DISPATCH_DISTRICT = _DISPATCH_UNIT | {"dispatch:meeting_list", "dispatch:meeting_detail"}
for _who, _pages in (("office", _DISPATCH_DISTRICT), ("leader", _DISPATCH_DISTRICT), ("reporter_a", _DISPATCH_UNIT),
                     ("head_a", _DISPATCH_UNIT)):
    REACHES[_who] = REACHES[_who] | _pages

# 项目四率 from the menu of the office, leaders and units.
for _who in ("office", "leader", "reporter_a", "head_a"):
    REACHES[_who] = REACHES[_who] | {"projects:rates"}

# 督导日报 / 问题处置率, 企业档案 (一企一档一清单) and 工作量统计, from each role's menu.
_STATS = {"inspections:daily", "inspections:rates"}
_FILES = {"inspections:enterprises", "inspections:enterprise"}
_KEEP_FILES = _FILES | {"inspections:enterprise_new", "inspections:enterprise_edit"}
REACHES.setdefault("inspector", set())
for _who, _pages in (
    ("office", _STATS | _KEEP_FILES | {"inspections:worklogs", "inspections:worklog_edit", "inspections:worktypes"}),
    ("inspector", _STATS | _KEEP_FILES | {"inspections:worklogs"}),
    ("leader", _STATS | _FILES | {"inspections:worklogs"}),
    ("reporter_a", _STATS | _FILES | {"inspections:worklogs", "inspections:worklog_edit"}),
    ("head_a", _STATS | _FILES | {"inspections:worklogs"}),
    ("taskforce", _STATS),
):
    REACHES[_who] = REACHES[_who] | _pages

# 督导检查: the workspace (menu 督导检查) for the office, leaders and inspectors; 整改任务 for units.
_FINDING_PAGES = {"inspections:finding", "inspections:photo"}
for _who, _pages in (
        ("office", {"inspections:index", "inspections:campaigns", "inspections:campaign", "inspections:campaign_new",
                    "inspections:campaign_edit", "inspections:verify"} | _FINDING_PAGES),
        ("leader", {"inspections:index", "inspections:campaigns", "inspections:campaign"} | _FINDING_PAGES),
        ("inspector", {"inspections:index", "inspections:campaigns", "inspections:campaign", "inspections:finding_new",
                       "inspections:verify"} | _FINDING_PAGES),
        ("reporter_a", {"inspections:rectify"} | _FINDING_PAGES),
        ("head_a", {"inspections:rectify"} | _FINDING_PAGES)):
    REACHES[_who] = REACHES.get(_who, set()) | _pages
# 领导驾驶舱 (总览, the leader's home) and its 大屏, for the office and leaders.
for _who in ("office", "leader"):
    REACHES[_who] = REACHES[_who] | {"web:cockpit", "web:cockpit_screen"}


# 任务 (background imports, exports and scoring runs) from the menu of every role that starts one.
for _who in ("office", "taskforce", "reporter_a", "head_a", "leader"):
    REACHES[_who] = REACHES[_who] | {"web:jobs"}

# 通报, from the menu of the office (drafts, 印发) and of leaders (the issued ones).
REACHES["office"] = REACHES["office"] | {"documents:bulletins", "documents:bulletin", "documents:bulletin_issue",
                                         "documents:bulletin_download", "documents:bulletin_auto"}
REACHES["leader"] = REACHES["leader"] | {"documents:bulletins", "documents:bulletin", "documents:bulletin_download"}

# 接口令牌: every role, from 修改密码 in the top bar.
for _who in REACHES:
    REACHES[_who] = REACHES[_who] | {"accounts:password_change", "accounts:tokens"}


def _name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client: Client) -> tuple[set[str], list[str]]:
    """(URL names of the pages that answered 200, problems met on the way) from the home page."""
    reached: set[str] = set()
    problems: list[str] = []
    fetched: Counter[str] = Counter()
    seen: set[str] = {"/"}
    queue: deque[tuple[str, str]] = deque([("/", "web:home")])
    pages = 0
    while queue and pages < MAX_PAGES:
        url, name = queue.popleft()
        response = client.get(url)
        pages += 1
        if response.status_code in (301, 302):
            reached.add(name)  # clicked, and sent on (e.g. 本单位 → the unit's own page)
            target = urljoin(url, response["Location"])
            if urlsplit(target).path not in seen:
                queue.append((target, _name(urlsplit(target).path) or ""))
                seen.add(urlsplit(target).path)
            continue
        if response.status_code != 200:
            problems.append(f"{url} ({name}): {response.status_code}")
            continue
        reached.add(name)
        if "text/html" not in response.get("Content-Type", ""):
            continue  # a download: reached, nothing to follow
        for href in HREF.findall(response.content.decode()):
            target = urljoin(url, unescape(href))
            parts = urlsplit(target)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            target_name = _name(parts.path)
            if not target_name or target_name in SKIP or link in seen:
                continue
            seen.add(link)
            if fetched[target_name] >= PER_NAME:
                continue
            fetched[target_name] += 1
            queue.append((link, target_name))
    return reached, problems


@pytest.mark.parametrize("who", sorted(REACHES))
def test_every_page_of_a_role_is_reachable_by_clicking(filled, db, who):  # noqa: F811
    client = Client()
    client.force_login(filled[who])
    reached, problems = crawl(client)
    missing = sorted(REACHES[who] - reached)
    assert not missing, f"{who} cannot click to: {', '.join(missing)} (problems: {problems[:5]})"


def test_the_crawl_notices_a_page_without_links(filled, db, monkeypatch):  # noqa: F811
    """The crawl follows links only: with the menu gone, the office no longer reaches the
    period list it reaches through the menu."""
    from duibiao.web import navigation

    kept = tuple(i for i in navigation.NAV_ITEMS if i.url_name != "assessment:period_list")
    monkeypatch.setattr(navigation, "NAV_ITEMS", kept)
    client = Client()
    client.force_login(filled["office"])
    reached, _ = crawl(client)
    assert "assessment:period_list" not in reached
    assert "web:schemes" in reached


# ---------------------------------------------------------------------------- the new links


def test_the_run_index_lists_a_period_without_runs_with_a_start_button_for_the_office(filled, db):  # noqa: F811
    from duibiao.assessment.models import Period

    fresh = Period.objects.create(
        version=filled["version"], kind=Period.Kind.QUARTER, year=2026, number=1, name="2026年第1季度",
        opens_on=filled["period"].opens_on.replace(month=1), deadline=filled["period"].deadline.replace(month=1),
        status=Period.Status.OPEN)
    office = Client()
    office.force_login(filled["office"])
    page = office.get("/assessment/runs/").content.decode()
    assert f'data-period="{fresh.pk}"' in page and f'data-testid="start-run-{fresh.pk}"' in page
    # A published period is frozen: listed, but no start button.
    published = filled["period_published"].pk
    assert f'data-period="{published}"' in page and f'data-testid="start-run-{published}"' not in page
    leader = Client()
    leader.force_login(filled["leader"])
    page = leader.get("/assessment/runs/").content.decode()
    assert f'data-period="{fresh.pk}"' not in page  # nothing to see, nothing to start
    assert "start-run-" not in page and f'data-period="{published}"' in page


def test_task_forces_see_their_pending_appeals_on_the_home_page(filled, db):  # noqa: F811
    counts = {}
    for who in ("taskforce", "taskforce_zb2", "office", "reporter_a"):
        client = Client()
        client.force_login(filled[who])
        page = client.get("/").content.decode()
        found = re.search(r"待复核申诉 (\d+) 件", page)
        counts[who] = int(found.group(1)) if found else None
    # zb1 reviews nl02, the indicator of unit A's appeal; zb2 does not; a reporter decides none.
    assert counts == {"taskforce": 1, "taskforce_zb2": 0, "office": 1, "reporter_a": None}


def test_the_appeal_list_shows_only_appeals_the_user_may_see(filled, db):  # noqa: F811
    row = f'data-testid="appeal-row-{filled["appeal"].pk}"'
    for who, sees in (("taskforce", True), ("office", True), ("head_a", True),
                      ("taskforce_zb2", False), ("reporter_b", False), ("leader", False)):
        client = Client()
        client.force_login(filled[who])
        response = client.get("/assessment/appeals/")
        assert response.status_code == 200
        assert (row in response.content.decode()) is sees, who
