"""项目库 in pages of 50: the totals count every matching project, the table shows one page, and
the pager keeps the filters (a district of thousands of projects once made a page of seconds)."""

from __future__ import annotations

import re
from decimal import Decimal

from duibiao.projects.models import Project


def _projects(unit, n, **fields):
    Project.objects.bulk_create(
        Project(code=f"XM-{i:04d}", name=f"项目{i:04d}", level="district", type="industry", stage="continuing",
                source="enterprise", owner_unit=unit, planned_total=Decimal(100), **fields)
        for i in range(n))


def test_the_portfolio_shows_fifty_rows_a_page_and_totals_of_all(world, client_for):
    _projects(world["a"], 120)
    client = client_for(world["office"])
    html = client.get("/projects/").content.decode()
    assert html.count('<tr data-project="') == 50
    assert "120 个项目" in re.search(r'data-testid="portfolio-totals">(.*?)</div>', html, re.S).group(1)
    assert 'data-project="XM-0000"' in html and 'data-project="XM-0050"' not in html
    third = client.get("/projects/", {"page": 3, "type": "industry"}).content.decode()
    assert third.count('<tr data-project="') == 20 and 'data-project="XM-0119"' in third
    pager = re.search(r'data-testid="portfolio-pages">(.*?)</nav>', third, re.S).group(1)
    assert "type=industry&amp;page=2" in pager and "3 / 3" in pager
    # A page past the end shows the last one; a page that is not a number, the first.
    assert 'data-project="XM-0119"' in client.get("/projects/", {"page": 99}).content.decode()
    assert 'data-project="XM-0000"' in client.get("/projects/", {"page": "x"}).content.decode()


def test_a_small_portfolio_has_no_pager(world, client_for):
    _projects(world["a"], 3)
    html = client_for(world["office"]).get("/projects/").content.decode()
    assert html.count('<tr data-project="') == 3 and 'data-testid="portfolio-pages"' not in html
