"""四率 page (projects:rates): the rates of the projects a user may see, grouped as the command
groups them, at a date and at the same date a year earlier; charts' data; the CSV export is the
command's table; bad parameters are shown beside their field; other units' projects stay out."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from duibiao.projects.models import ProgressReport, Project
from duibiao.projects.rates import RATES_HEADER, group_rates
from duibiao.projects.selectors.ledger import ledger_rows
from duibiao.projects.selectors.rates import one_year_earlier

URL = "/projects/rates/"


def _project(unit, code, name, **fields):
    defaults = {"level": "city", "type": "industry", "stage": "continuing", "source": "enterprise",
                "planned_total": Decimal(3000), "planned_annual": Decimal(1000),
                "funds_planned": Decimal(800), "planned_start": date(2024, 4, 1), "actual_start": date(2024, 4, 5),
                "in_stats_on": date(2024, 4, 20)}
    return Project.objects.create(code=code, name=name, owner_unit=unit, **{**defaults, **fields})


def _report(project, day, done, funds):
    ProgressReport.objects.create(project=project, reported_on=day, year=day.year,
                                  completed_ytd=Decimal(done), funds_in_place=Decimal(funds))


@pytest.fixture
def projects(world):
    a, b = world["a"], world["b"]
    p1 = _project(a, "XM-001", "道外产业园")
    _report(p1, date(2025, 6, 27), 300, 200)  # last year at the same date: 30 %
    _report(p1, date(2026, 6, 26), 450, 400)  # this year: 45 %
    p2 = _project(a, "XM-002", "滨江路改造", type="infrastructure", source="government", stage="new",
                  planned_start=date(2026, 3, 1), actual_start=None, in_stats_on=None)
    p3 = _project(b, "XM-003", "太古智慧社区", type="social", source="government")
    _report(p3, date(2026, 6, 26), 900, 800)
    return {**world, "p1": p1, "p2": p2, "p3": p3}


def _get(client, **params):
    return client.get(URL, params)


def test_the_office_sees_each_units_rates_and_last_years_at_the_same_date(projects, client_for):
    response = _get(client_for(projects["office"]), as_of="2026-06-30", by="unit")
    assert response.status_code == 200
    html = response.content.decode()
    # 靖宇街道: (450 + 0) / 2000 = 22.50 %; last year 300 / 2000 (XM-002 planned this year, same
    # plan: the rates are of today's ledger at last year's reports).
    cell = re.search(r'data-testid="investment-靖宇街道">(.*?)</td>', html, re.S).group(1)
    assert cell.startswith("22.50") and "去年 15.00" in cell and "（7.50）" in cell
    assert re.search(r'data-testid="investment-太古街道">90.00', html)
    assert re.search(r'data-testid="investment-全部">45.00', html)  # 1350 / 3000
    assert "2025-06-30" in html  # the year-earlier date is said


def test_a_unit_sees_only_its_own_projects(projects, client_for):
    html = _get(client_for(projects["reporter_a"]), as_of="2026-06-30").content.decode()
    assert "靖宇街道" in html and "太古街道" not in html and "XM-003" not in html
    assert re.search(r'data-testid="investment-全部">22.50', html)


def test_the_table_is_the_commands_and_the_export_is_its_csv(projects, client_for):
    client = client_for(projects["office"])
    response = _get(client, as_of="2026-06-30", by="type", export="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0][:len(RATES_HEADER)]) == RATES_HEADER
    assert rows[0][len(RATES_HEADER):] == ["start_rate_last_year", "investment_rate_last_year",
                                          "funds_rate_last_year", "completion_rate_last_year"]
    # The same code as `duibiao project-rates`: ledger_rows + group_rates give the same rows.
    expected = [g.csv_row() for g in group_rates(
        ledger_rows(Project.objects.order_by("code"), date(2026, 6, 30)), date(2026, 6, 30), "type")]
    assert [r[:len(RATES_HEADER)] for r in rows[1:]] == expected
    assert [r[0] for r in rows[1:]] == ["产业", "基础设施", "社会事业", "全部"]


def test_the_csv_export_keeps_a_formula_like_unit_name_as_text(projects, client_for):
    """A unit named like a formula opens in Excel as that text, with an apostrophe in front;
    a negative 序时差 ("-30.00") stays a number."""
    from duibiao.org.models import Unit

    Unit.objects.filter(code="jingyu").update(name='=HYPERLINK("http://x","y")')
    response = _get(client_for(projects["office"]), as_of="2026-06-30", by="unit", export="csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    named = next(r for r in rows if "HYPERLINK" in r[0])
    assert named[0] == "'=HYPERLINK(\"http://x\",\"y\")"
    gaps = [r[RATES_HEADER.index("schedule_gap")] for r in rows[1:]]
    assert any(g.startswith("-") for g in gaps) and not any(g.startswith("'") for g in gaps)


def test_the_charts_get_their_data_from_json_elements(projects, client_for):
    html = _get(client_for(projects["office"]), as_of="2026-06-30", unit="jingyu").content.decode()

    def data(element_id):
        match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
        return json.loads(match.group(1))

    progress = data("chart-progress")
    assert progress["months"] == [f"{m}月" for m in range(1, 7)]
    assert progress["schedule"][-1] == 50.0  # 6 of 12 months completed on 06-30
    assert [s["name"] for s in progress["series"]] == ["全部项目", "靖宇街道"]
    assert progress["series"][0]["values"][-1] == 45.0 and progress["series"][1]["values"][-1] == 22.5
    assert progress["series"][0]["values"][0] == 0.0  # nothing reported by 01-31
    rates = data("chart-rates")
    assert rates["groups"] == sorted(["太古街道", "靖宇街道"])  # the command's order: by group name
    assert [r["name"] for r in rates["rates"]] == ["开复工率", "投资完成率", "资金到位率", "按期竣工率"]
    by_type = data("chart-by-type")
    assert by_type["groups"] == ["产业", "基础设施", "社会事业"]
    # XM-002 planned to start 03-01 and not started by 06-30: red, more than three months.
    assert (by_type["red"], by_type["yellow"], by_type["green"]) == ([0, 1, 0], [0, 0, 0], [1, 0, 1])
    assert 'data-projects-chart="chart-progress"' in html and "projects/charts.js" in html


def test_a_bad_date_or_grouping_is_shown_beside_its_field(projects, client_for):
    client = client_for(projects["office"])
    response = _get(client, as_of="2026-13-45", by="unit")
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'data-testid="error-as_of">(.*?)</div>', html, re.S).group(1)
    assert "统计日期" in error and "2026-13-45" in error
    response = _get(client, by="district; drop table")
    assert response.status_code == 400
    assert "分组方式只能是" in re.search(r'data-testid="error-by">(.*?)</div>', response.content.decode(), re.S).group(1)
    # Nothing exported from a request with a bad parameter.
    assert _get(client, as_of="x", export="csv")["Content-Type"].startswith("text/html")


def test_who_may_not_see_projects_is_refused(projects, client_for):
    assert client_for(projects["auditor"]).get(URL).status_code == 403
    assert client_for(projects["sysadmin"]).get(URL).status_code == 403
    assert client_for(projects["reporter_b"]).get(URL, {"unit": "jingyu"}).content.decode().count("靖宇街道") == 0


def test_one_year_earlier_keeps_the_day_or_the_end_of_february():
    assert one_year_earlier(date(2026, 6, 30)) == date(2025, 6, 30)
    assert one_year_earlier(date(2024, 2, 29)) == date(2023, 2, 28)


def test_the_rates_page_is_in_the_menu_of_the_office_leaders_and_units(projects, client_for):
    for who in ("office", "leader", "reporter_a", "head_a"):
        html = client_for(projects[who]).get("/").content.decode()
        assert f'href="{reverse("projects:rates")}"' in html, who


def test_a_secretary_counts_only_the_projects_he_serves(projects, client_for):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create

    secretary = user_create(actor=None, username="mishu_r", password="Mishu@Pass2026")
    role_grant(actor=None, user=secretary, role=Role.SECRETARY, units=[projects["district"]])
    Project.objects.filter(code="XM-003").update(secretary=secretary)
    client = client_for(secretary)
    html = _get(client, as_of="2026-06-30").content.decode()
    assert re.search(r'data-testid="investment-全部">90.00', html)  # XM-003 alone: 900 / 1000
    assert "靖宇街道" not in html
    rows = list(csv.reader(io.StringIO(
        _get(client, as_of="2026-06-30", export="csv").content.decode("utf-8").lstrip("\ufeff"))))
    assert [r[:2] for r in rows[1:]] == [["太古街道", "1"], ["全部", "1"]]


def test_the_rates_page_renders_in_english(projects, client_for):
    from django.conf import settings

    client = client_for(projects["office"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _get(client, as_of="2026-06-30", by="stage").content.decode()
    assert "<h1" in html and "Key-project rates" in re.search(r"<h1\b[^>]*>(.*?)</h1>", html, re.S).group(1)
    for text in ("Group by", "Investment completion", "Gap to schedule", "Export CSV (opens in Excel)", "Last year"):
        assert text in html, text
    assert '"name": "All projects"' in html  # the chart's series, from the catalogue too
