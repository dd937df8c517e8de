"""The results pages read in words (issue 10, item 8): the sensitivity table names each unit's
category; in the browser the radar's dimension names stay inside the chart and the trend's
rank axis starts at 1 with 1 on top."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from duibiao.assessment.services.runs import run_start
from tests.conftest import signed_in_page


def test_sensitivity_table_has_a_category_column(approved, client_for):
    run = run_start(actor=approved["office"], period=approved["period"])
    html = client_for(approved["office"]).get(reverse("assessment:run_sensitivity", args=[run.pk])).content.decode()
    header = re.search(r"<thead.*?</thead>", html, re.S).group(0)
    assert re.findall(r"<th[^>]*>([^<]+)</th>", header)[:2] == ["单位", "类别"]
    row = re.search(r'data-testid="sens-jingyu">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="small" data-testid="sens-category">街道乡镇</td>' in row
    row = re.search(r'data-testid="sens-fagai">(.*?)</tr>', html, re.S).group(1)
    assert ">经济部门<" in row


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_radar_names_fit_and_rank_axis_starts_at_one(browser, live_server, approved):
    run = run_start(actor=approved["office"], period=approved["period"])
    page = signed_in_page(browser, live_server.url, "khb")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/assessment/runs/{run.pk}/units/jingyu/")
    radar = page.locator("[data-radar]")
    radar.locator("svg text").first.wait_for()
    box = radar.bounding_box()
    names = radar.locator("svg text")
    assert names.count() >= 3
    for i in range(names.count()):
        b = names.nth(i).bounding_box()
        if b is None or not names.nth(i).text_content().strip():
            continue
        assert box["x"] - 1 <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"] + 1, names.nth(i).text_content()
        assert box["y"] - 1 <= b["y"] and b["y"] + b["height"] <= box["y"] + box["height"] + 1, names.nth(i).text_content()
    page.locator("[data-trend] svg").first.wait_for()  # the trend chart drawn before it is asked
    rank_axis = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-trend]')).getOption().yAxis[1]")
    assert rank_axis["inverse"] is True and rank_axis["min"] == 1
