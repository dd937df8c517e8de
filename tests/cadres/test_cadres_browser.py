"""In a real browser: the office proposes annual grades and applies the rules; the 优秀
quota bites; the unit's head reads the result; a reporter of the same unit is refused."""

from __future__ import annotations

import pytest

from tests.conftest import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_annual_grades_with_the_quota(browser, live_server, cadres):
    base, year = live_server.url, cadres["year"]
    office = signed_in_page(browser, base, "khb")
    office.goto(f"{base}/org/cadres/jingyu/annual/?year={year}")
    names = [c.name for c in cadres["cadres_a"]]
    for rank, name in enumerate(names[:3]):  # three proposals of 优秀 for a quota of one
        office.get_by_label(f"{name} 拟定等次").select_option("优秀")
        office.get_by_label(f"{name} 排序得分").fill(str(95 - rank))
    for name in names[3:]:
        office.get_by_label(f"{name} 拟定等次").select_option("称职")
    with office.expect_navigation():
        office.get_by_role("button", name="保存并应用考核规则").click()
    finals = {name: office.locator(f"tr[data-cadre='{name}'] [data-testid=final]").inner_text() for name in names}
    assert finals[names[0]] == "优秀"
    assert finals[names[1]] == finals[names[2]] == "称职"
    assert "超出优秀比例" in office.locator(f"tr[data-cadre='{names[1]}'] [data-testid=reason]").inner_text()

    head = signed_in_page(browser, base, "fzr_a")
    head.goto(f"{base}/org/cadres/jingyu/annual/?year={year}")
    assert head.locator(f"tr[data-cadre='{names[0]}'] [data-testid=final]").inner_text() == "优秀"
    assert head.get_by_role("button", name="保存并应用考核规则").count() == 0  # reads, does not edit

    reporter = signed_in_page(browser, base, "tb_a")
    assert reporter.goto(f"{base}/org/cadres/jingyu/annual/?year={year}").status in (403, 404)
    assert reporter.goto(f"{base}/org/cadres/taigu/").status in (403, 404)
    for page in (office, head, reporter):
        page.context.close()
