"""Cadre input within bounds (security review, hole 4): texts to their column's length and
years within range, the same on SQLite (which would store them) and PostgreSQL (which
would fail with a 500); a malformed year in a page is a 400 with a message."""

from __future__ import annotations

from django.urls import reverse

from duibiao.cadres.models import Cadre, CadreQuotaApproval
from tests.cadres.conftest import YEAR


def test_long_names_notes_and_far_years_are_refused_with_a_message(client_for, cadres):
    client = client_for(cadres["office"])
    response = client.post("/api/cadres/units/jingyu/cadres", {
        "name": "孙" * 41, "position": "副主任", "rank": "副科级", "gender": "男", "birth_month": "1994-07-01"},
        content_type="application/json")
    assert response.status_code == 422 and "最多 40 字" in response.json()["detail"]
    quota = client.put(f"/api/cadres/units/jingyu/years/{YEAR}/quota", {"approved": True, "note": "批" * 201},
                       content_type="application/json")
    assert quota.status_code == 422 and "最多 200 字" in quota.json()["detail"]
    page = client.post(reverse("cadres:cadre_quota", args=["jingyu"]) + f"?year={YEAR}",
                       {"approved": "1", "note": "批" * 201}, follow=True)
    assert page.status_code == 200 and "最多 200 字" in page.content.decode()
    for url in (f"/api/cadres/units/jingyu/years/{10**20}", f"/api/cadres/lists/selection?year={10**20}"):
        assert client.get(url).status_code == 422, url
    assert client.get(reverse("cadres:cadre_annual", args=["jingyu"]), {"year": str(10**20)}).status_code == 400
    assert Cadre.objects.count() == 6 and not CadreQuotaApproval.objects.exists()
