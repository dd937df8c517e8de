"""领导驾驶舱 over the API (`GET /api/cockpit`): the page's figures, read by the page's own
function, for the page's readers only — units, administrators and tokens without the cockpit
refused; a leader (or a token) held to one street sees that street only."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from duibiao.accounts.tokens import token_create
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)
from tests.web.test_cockpit import district  # noqa: F401  (fixture)

URL = "/api/cockpit"


def _bearer(user, actions, units=()) -> Client:
    _token, secret = token_create(actor=user, name="大屏", actions=actions, units=list(units),
                                  expires_on=timezone.localdate() + timedelta(days=30))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _read(client, **params) -> dict:
    response = client.get(URL, {"as_of": D.isoformat(), **params})
    assert response.status_code == 200, response.content.decode()[:500]
    return response.json()


def test_the_api_gives_the_pages_figures(district, client_for):  # noqa: F811
    w = district
    for who in ("office", "leader"):
        client = client_for(w[who])
        body = _read(client)
        page = client.get(reverse("web:cockpit"), {"as_of": D.isoformat()}).context["page"]
        # The ranking: the page's run and rows, category by category.
        assert body["ranking"]["run"] == page.ranking.run.pk == w["run"].pk and body["ranking"]["published"]
        shown = {g["category"]: [(r["unit"], r["rank"], r["score"], r["grade"]) for r in g["rows"]]
                 for g in body["ranking"]["groups"]}
        source = {name: [(r.unit.code, r.rank, r.score, r.grade) for r in rows] for name, rows, _n in page.ranking.groups}
        assert shown == source and sum(len(v) for v in shown.values()) == 3
        # 四率 (the 四率 page's 全部 row) and the red project with its reasons.
        assert body["projects"]["total"]["rates"] == page.projects.total.cells()
        assert body["projects"]["total"]["total"] and body["projects"]["total"]["counts"]["red"] == 1
        assert [p["code"] for p in body["projects"]["lagging"]] == ["XM-001"]
        assert body["projects"]["lagging"][0]["reasons"] == list(page.projects.lagging[0].flag.reasons) != []
        # 处置率 and 逾期 of the daily page: 4 of 7 closed, one overdue.
        assert body["findings"]["total"]["disposal_rate"] == "57.14" and body["findings"]["overdue"] == 1
        # The large screen's figures and charts, as /cockpit/data.json gives them.
        data = client.get(reverse("web:cockpit_data"), {"as_of": D.isoformat()}).json()
        assert body["figures"] == data["figures"] and set(body["charts"]) == set(data["charts"])


def test_units_administrators_and_other_districts_are_refused(district, client_for):  # noqa: F811
    for who in ("reporter_a", "head_a", "sysadmin", "auditor", "taskforce"):
        response = client_for(district[who]).get(URL)
        assert response.status_code == 403, who
        body = response.json()
        assert body["code"] == "forbidden" and "领导驾驶舱仅供区领导和考核办使用" in body["detail"]
    assert Client().get(URL).status_code == 401


def test_a_leader_granted_one_street_sees_that_street_only(district, client_for):  # noqa: F811
    body = _read(client_for(district["leader_a"]))
    assert {r["unit"] for g in body["ranking"]["groups"] for r in g["rows"]} == {"jingyu"}
    assert body["projects"]["total"]["counts"]["projects"] == 2  # XM-001, XM-002; not 太古's
    assert [line["name"] for line in body["findings"]["units"]] == ["靖宇街道"]
    assert "太古" not in str(body)


def test_a_token_narrows_the_cockpit(district):  # noqa: F811
    w = district
    # Without the cockpit action: refused, though its owner holds it.
    refused = _bearer(w["leader"], ["projects.project.view"]).get(URL)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    # The cockpit alone: no part, since each is read through its source page's action.
    bare = _read(_bearer(w["leader"], ["web.cockpit.view"]))
    assert bare["ranking"] is None and bare["projects"] is None and bare["findings"] is None
    assert not any(name.startswith(("projects.", "findings.")) for name in bare["figures"])
    # Held to 靖宇街道: that street's figures only, as a leader granted it alone sees them.
    held = _read(_bearer(w["leader"], ["web.cockpit.view", "projects.project.view", "inspections.stats.view",
                                       "assessment.scheme.view", "assessment.result.view_published"], units=["jingyu"]))
    assert {r["unit"] for g in held["ranking"]["groups"] for r in g["rows"]} == {"jingyu"}
    assert held["projects"]["total"]["counts"]["projects"] == 2
    assert [line["name"] for line in held["findings"]["units"]] == ["靖宇街道"]
    assert "太古" not in str(held)


def test_a_bad_date_is_a_422_naming_the_field(district, client_for):  # noqa: F811
    response = client_for(district["leader"]).get(URL, {"as_of": "2026-02-30"})
    body = response.json()
    assert response.status_code == 422 and body["code"] == "invalid" and "as_of" in body["detail"]
