"""The daily page, its Excel export (opened again with openpyxl; formula injection written as
text) and the 处置率 page, as each role sees them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import PASSWORD
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)


@pytest.fixture
def people(findings, client_for):  # noqa: F811
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create

    w = findings
    w["head_b"] = user_create(actor=None, username="fzr_b", password=PASSWORD, unit=w["b"])
    role_grant(actor=None, user=w["head_b"], role=Role.UNIT_HEAD, units=[w["b"]], include_subtree=False)
    return w


def test_the_daily_page_shows_the_day_and_ranks_the_units(people, client_for):
    w = people
    page = client_for(w["leader"]).get(reverse("inspections:daily"), {"day": D.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "督导检查日通报（2026年10月20日）" in html
    picture = page.context["picture"]
    assert (picture.new_count, picture.closed_count, picture.overdue_count) == (1, 1, 1)
    assert [line.name for line in picture.ranking] == ["靖宇街道", "太古街道", "全部"]
    assert 'data-testid="rate-all"' in html and "60.00%" in html and "50.00%" in html
    # Default: today.
    today = client_for(w["leader"]).get(reverse("inspections:daily"))
    assert today.status_code == 200 and today.context["picture"].day == timezone.localdate()


def test_a_bad_day_is_a_400_with_its_reason(people, client_for):
    page = client_for(people["office"]).get(reverse("inspections:daily"), {"day": "2026-13-45"})
    assert page.status_code == 400
    assert "应为日期" in page.content.decode()


def test_the_unit_sees_its_own_rate_only_and_the_admin_nothing(people, client_for):
    w = people
    page = client_for(w["head_b"]).get(reverse("inspections:daily"), {"day": D.isoformat()})
    names = [line.name for line in page.context["picture"].ranking]
    assert names == ["太古街道", "全部"]
    assert f'data-testid="finding-{w["f"]["f2"].pk}"' not in page.content.decode()
    assert client_for(w["sysadmin"]).get(reverse("inspections:daily")).status_code == 403


def test_the_export_opens_with_every_list_and_text_stays_text(people, client_for):
    from duibiao.inspections.models import Finding

    w = people
    Finding.objects.filter(pk=w["f"]["g3"].pk).update(description='=HYPERLINK("http://evil","点我")',
                                                      address="+86 伪造电话", category="@SUM(1)")
    response = client_for(w["office"]).get(reverse("documents:inspections_daily"), {"day": D.isoformat()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["处置率排名", "当日新发现", "当日销号", "逾期未整改"]
    ranking = [[c.value for c in row] for row in wb["处置率排名"].iter_rows(min_row=3)]
    assert [r[1] for r in ranking] == ["靖宇街道", "太古街道", "全部"]
    assert ranking[0][5] == 60 and ranking[1][5] == 50 and ranking[0][8] == 8.67
    new = list(wb["当日新发现"].iter_rows(min_row=3))
    assert len(new) == 1
    cells = {c.value: c for c in new[0]}
    for text in ('=HYPERLINK("http://evil","点我")', "+86 伪造电话", "@SUM(1)"):
        assert cells[text].data_type == "s", text  # stored as text, never as a formula
    assert [r[0].value for r in wb["逾期未整改"].iter_rows(min_row=3)] == [w["f"]["f2"].pk]


def test_the_export_is_refused_to_roles_without_the_statistics(people, client_for):
    assert client_for(people["auditor"]).get(reverse("documents:inspections_daily")).status_code == 403


def test_the_rates_page_by_campaign_and_from_a_start_date(people, client_for):
    w = people
    client = client_for(w["office"])
    page = client.get(reverse("inspections:rates"), {"as_of": D.isoformat(), "by": "campaign"})
    assert page.status_code == 200
    lines = page.context["table"].lines
    assert [(line.name, line.rates.findings, line.rates.closed) for line in lines] == [
        ("2026年秋季城市管理检查", 9, 4), ("全部", 9, 4)]
    since = client.get(reverse("inspections:rates"), {"as_of": D.isoformat(), "starts_on": "2026-10-08",
                                                      "campaign": w["campaign"].pk})
    assert [line.rates.findings for line in since.context["table"].lines] == [2, 2, 4]
    assert client.get(reverse("inspections:rates"), {"by": "nonsense"}).status_code == 400
