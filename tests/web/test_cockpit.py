"""领导驾驶舱: its figures are the source pages' figures (the ranking of the run page, the 四率
page's 全部 row, the daily page's 处置率 and 逾期) on one district with published results,
projects and findings; who gets it (the office and leaders; units refused); a leader granted
one street sees that street only; the large screen's data; the leader's home is the cockpit."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from duibiao.accounts.roles import Role
from duibiao.accounts.services import role_grant, user_create
from duibiao.assessment.services.runs import run_publish, run_release, run_start
from tests.conftest import PASSWORD
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)
from tests.projects.test_rates_page import _project, _report

COCKPIT = reverse("web:cockpit")


def publish(w: dict):
    run = run_start(actor=w["office"], period=w["period"])
    run_release(actor=w["office"], run=run)
    return run_publish(actor=w["office"], run=run, stage=run.stage, override_reason="测试：申诉期内公布")


@pytest.fixture
def district(findings, approved):  # noqa: F811
    """Published results of the three units, four projects (one red), the findings of
    tests/inspections/test_statistics (as of D: 4 of 7 closed, one overdue)."""
    w = {**approved, **findings}
    p1 = _project(w["a"], "XM-001", "道外产业园", planned_start=date(2026, 3, 2), actual_start=date(2026, 3, 5),
                  in_stats_on=date(2026, 3, 20))
    _report(p1, date(2026, 10, 16), 300, 200)  # 30 % at 9 of 12 months: red (45 points behind)
    p2 = _project(w["a"], "XM-002", "滨江路改造", type="infrastructure", source="government",
                  planned_start=date(2026, 3, 1), actual_start=date(2026, 3, 3), in_stats_on=date(2026, 3, 30))
    _report(p2, date(2026, 10, 16), 800, 700)
    p3 = _project(w["b"], "XM-003", "太古智慧社区", type="social", source="government",
                  planned_start=date(2026, 4, 1), actual_start=date(2026, 4, 2), in_stats_on=date(2026, 4, 20))
    _report(p3, date(2026, 10, 16), 700, 800)
    p4 = _project(w["b"], "XM-004", "太古物流园", stage="new", planned_start=date(2026, 11, 2), actual_start=None,
                  in_stats_on=None)
    w["run"] = publish(w)
    w["projects"] = (p1, p2, p3, p4)
    leader_a = user_create(actor=None, username="leader_jingyu", password=PASSWORD)
    role_grant(actor=None, user=leader_a, role=Role.LEADER, units=[w["a"]], include_subtree=False)
    w["leader_a"] = leader_a
    return w


def _cockpit(client, **params):
    response = client.get(COCKPIT, {"as_of": D.isoformat(), **params})
    assert response.status_code == 200, response.content.decode()[:500]
    return response.context["page"]


def test_the_figures_are_the_source_pages_figures(district, client_for):
    w = district
    for who in ("office", "leader"):
        client = client_for(w[who])
        page = _cockpit(client)
        # The ranking: the run page's table, category by category, in the same order.
        table = client.get(reverse("assessment:run_detail", args=[w["run"].pk])).context["table"]
        assert page.ranking.run == w["run"] and page.ranking.published
        shown = {name: [(r.unit.code, r.cells["rank"], r.cells["score"]) for r in rows] for name, rows, _n in page.ranking.groups}
        source = {name: [(r.unit.code, r.cells["rank"], r.cells["score"]) for r in rows] for name, rows in table["groups"].items()}
        assert shown == source and sum(len(v) for v in shown.values()) == 3
        # 四率: the 全部 row of the 四率 page at the same date.
        rates = client.get(reverse("projects:rates"), {"as_of": D.isoformat(), "by": "unit"}).context["page"]
        total = rates.rows[-1]
        assert total.is_total and page.projects.total.cells() == total.cells()
        assert (page.projects.total.now.red, page.projects.total.now.green) == (total.now.red, total.now.green)
        assert page.figures["projects.investment_rate"] == total.cells()["investment_rate"] != ""
        # The red project is listed, with the reason the portfolio gives.
        assert [row.project.code for row in page.projects.lagging] == ["XM-001"] and page.projects.lagging_count == 1
        # 处置率 and 逾期: the daily page of the same day.
        picture = client.get(reverse("inspections:daily"), {"day": D.isoformat()}).context["picture"]
        assert page.findings.rate_text == page.figures["findings.disposal_rate"] == "57.14"  # 4 of 7 closed
        assert f"{picture.total.disposal_rate:.2f}" == "57.14"
        assert page.findings.overdue_count == picture.overdue_count == 1
        html = client.get(COCKPIT, {"as_of": D.isoformat()}).content.decode()
        assert 'data-testid="disposal-rate">57.14<' in html
        assert f'data-testid="investment-rate">{total.cells()["investment_rate"]}<' in html


def test_each_figure_links_to_its_source_page(district, client_for):
    html = client_for(district["leader"]).get(COCKPIT, {"as_of": D.isoformat()}).content.decode()
    for url in (reverse("assessment:run_detail", args=[district["run"].pk]), reverse("projects:rates"),
                reverse("projects:portfolio") + "?flag=red", reverse("inspections:daily") + "?day=2026-10-20",
                reverse("projects:project_detail", args=[district["projects"][0].pk]), reverse("web:cockpit_screen")):
        assert f'href="{url}' in html, url


def test_units_and_administrators_are_refused(district, client_for):
    for who in ("reporter_a", "head_a", "sysadmin", "auditor", "taskforce"):
        client = client_for(district[who])
        for name in ("web:cockpit", "web:cockpit_screen", "web:cockpit_data"):
            response = client.get(reverse(name))
            assert response.status_code == 403, (who, name)
        assert "领导驾驶舱仅供区领导和考核办使用" in client.get(COCKPIT).content.decode()


def test_a_leader_granted_one_street_sees_that_street_only(district, client_for):
    w = district
    page = _cockpit(client_for(w["leader_a"]))
    units = {r.unit.code for _name, rows, _n in page.ranking.groups for r in rows}
    assert units == {"jingyu"}
    assert page.projects.total.now.projects == 2  # XM-001, XM-002; not 太古's
    assert [line.name for line in page.findings.units] == ["靖宇街道"]
    assert page.findings.total.rates.due == 5  # 靖宇's five (太古's two left out)
    html = client_for(w["leader_a"]).get(COCKPIT, {"as_of": D.isoformat()}).content.decode()
    assert "太古" not in html


def test_an_unpublished_run_is_the_offices_alone_and_watermarked(district, client_for):
    w = district
    from duibiao.assessment.models import Period

    later = Period.objects.create(version=w["version"], kind="quarter", year=2027, number=1, name="2027年第一季度",
                                  opens_on=date(2027, 1, 9), deadline=date(2027, 1, 23), status="open")
    draft = run_start(actor=w["office"], period=later)
    office = client_for(w["office"]).get(COCKPIT, {"as_of": D.isoformat()})
    assert office.context["page"].ranking.run == draft and not office.context["page"].ranking.published
    html = office.content.decode()
    assert 'data-testid="ranking-unpublished"' in html
    # The watermark: the viewer's name and the time, over the unpublished ranking.
    ranking_part = html.split('data-testid="cockpit-ranking"')[1].split("</section>")[0]
    assert 'data-testid="watermark"' in ranking_part and w["office"].display_name in ranking_part
    # A leader still sees the published run, without the unpublished mark.
    leader = client_for(w["leader"]).get(COCKPIT, {"as_of": D.isoformat()})
    assert leader.context["page"].ranking.run == w["run"]
    assert 'data-testid="ranking-unpublished"' not in leader.content.decode()


def test_the_screen_data_is_the_pages_data_and_refreshes_by_timer(district, client_for):
    client = client_for(district["leader"])
    data = client.get(reverse("web:cockpit_data"), {"as_of": D.isoformat()}).json()
    page = _cockpit(client)
    assert data["figures"] == page.figures and data["figures"]["findings.overdue"] == "1"
    assert set(data["charts"]) == {"trend", "progress", "flags", "disposal"}
    screen = client.get(reverse("web:cockpit_screen"), {"as_of": D.isoformat()}).content.decode()
    assert 'data-refresh-url="/cockpit/data.json?as_of=2026-10-20"' in screen and 'data-refresh-seconds="60"' in screen
    assert "<script>" not in screen
    # Opened without a date, the screen follows the calendar: its data URL names no date.
    undated = client.get(reverse("web:cockpit_screen")).content.decode()
    assert 'data-refresh-url="/cockpit/data.json"' in undated


def test_a_bad_date_is_a_400_with_its_reason(district, client_for):
    response = client_for(district["leader"]).get(COCKPIT, {"as_of": "2026-02-30"})
    assert response.status_code == 400 and "统计日期" in response.content.decode()


def test_the_leaders_home_is_the_cockpit_and_the_offices_menu_has_it(district, client_for):
    home = client_for(district["leader"]).get(reverse("web:home"))
    assert home.status_code == 200 and "web/cockpit.html" in [t.name for t in home.templates]
    office = client_for(district["office"]).get(reverse("web:home")).content.decode()
    assert f'href="{COCKPIT}">总览<' in office


def test_the_ranking_is_the_one_the_results_bulletin_states(district, client_for):
    from duibiao.documents.bulletins.results import results_figures

    w = district
    page = _cockpit(client_for(w["leader"]))
    facts = results_figures(user=w["leader"], run=page.ranking.run)
    shown = {name: [(r.unit.name, r.cells["rank"], r.cells["score"], r.grade) for r in rows]
             for name, rows, _n in page.ranking.groups}
    stated = {name: [(r.unit.name, r.cells["rank"], r.cells["score"], r.grade) for r in rows]
              for name, rows in facts["groups"].items()}
    assert shown == stated and facts["units"] == sum(n for _name, _rows, n in page.ranking.groups) == 3
    assert sorted((m.unit, m.places) for m in facts["movers"]) == sorted(
        (r.unit.name, r.rank_change) for r in page.ranking.movers)


@pytest.fixture
def next_quarter(district):
    """A second published quarter in which 太古街道's reported values are halved: 靖宇街道
    moves up to first among the streets."""
    from duibiao.assessment.models import Period, Submission

    w = district
    q = Period.objects.create(version=w["version"], kind="quarter", year=2027, number=1, name="2027年第一季度",
                              opens_on=w["period"].opens_on, deadline=w["period"].deadline, status="open")
    subs = list(Submission.objects.filter(period=w["period"]))
    for sub in subs:
        sub.pk, sub.period = None, q
        if (sub.value is not None and sub.indicator.entered_by_units and sub.unit.code == "taigu"
                and sub.indicator.kind in ("number", "percent")):
            sub.value = sub.value / 2
    Submission.objects.bulk_create(subs)
    w["period"], w["first_run"] = q, w["run"]
    w["run"] = publish(w)
    return w


def test_who_moved_up_and_the_trend_over_published_quarters(next_quarter, client_for):
    w = next_quarter
    page = _cockpit(client_for(w["leader"]))
    assert page.ranking.run == w["run"]
    assert [(r.unit.code, r.rank_change) for r in page.ranking.movers] == [("jingyu", 1)]
    trend = page.charts["trend"]
    assert trend["periods"] == ["2026年第四季度", "2027年第一季度"]
    streets = next(s for s in trend["series"] if s["name"] == "街道乡镇")
    first = [r.score for r in w["first_run"].results.filter(category="street")]
    assert streets["values"][0] == round(sum(first) / len(first), 2)
    html = client_for(w["leader"]).get(COCKPIT, {"as_of": D.isoformat()}).content.decode()
    movers = html.split('data-testid="movers"')[1].split("</div>")[0]
    assert "靖宇街道 ↑1" in movers and "太古街道" not in movers


def test_the_screens_refresh_does_not_keep_the_session_alive(district, client_for, settings):
    client = client_for(district["leader"])
    polled = client.get(reverse("web:cockpit_data"), headers={"X-Duibiao-Poll": "1"})
    assert polled.status_code == 200 and settings.SESSION_COOKIE_NAME not in polled.cookies
    # A request by the person (not the timer) moves the idle timeout as usual.
    assert settings.SESSION_COOKIE_NAME in client.get(reverse("web:cockpit_data")).cookies
