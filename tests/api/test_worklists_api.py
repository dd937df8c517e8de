"""The work lists the pages show, over the API: 整改任务 and 待核查 (督导检查), the recording form's
duplicate check, the 项目服务秘书's projects and the cadre pages' units — each the page's selector,
other units and roles refused, tokens narrowed."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from duibiao.accounts.tokens import token_create
from duibiao.inspections.services.findings import extension_request
from tests.inspections.findings_world import insp, record, to_state  # noqa: F401  (fixture)
from tests.projects.library import build_library

API = "/api"


def _bearer(user, actions, units=()) -> Client:
    _token, secret = token_create(actor=user, name="对接", actions=actions, units=list(units),
                                  expires_on=timezone.localdate() + timedelta(days=30))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["finding"]["id"] for row in response.json()["items"]]


# ---------------------------------------------------------------------------- 整改任务, 待核查


def test_the_units_rectification_list_is_the_pages(insp, client_for):  # noqa: F811
    w = insp
    open_a, returned_a = to_state(w, "open"), to_state(w, "returned")
    open_b = record(w, unit_key="b", address="太古街3号")
    client = client_for(w["reporter_a"])
    rows = client.get(f"{API}/inspections/rectify").json()["items"]
    page = client.get(reverse("inspections:rectify")).context["rows"]
    assert [r["finding"]["id"] for r in rows] == [x.finding.pk for x in page] and {open_a.pk, returned_a.pk} <= {
        r["finding"]["id"] for r in rows}
    assert rows[0]["deadline"]["state"] in ("overdue", "open", "due_today")
    assert open_b.pk not in _ids(client.get(f"{API}/inspections/rectify"))
    assert _ids(client_for(w["reporter_b"]).get(f"{API}/inspections/rectify")) == [open_b.pk]
    # Roles that do not rectify, and a token without the action: refused with the reason.
    for refused in (client_for(w["leader"]).get(f"{API}/inspections/rectify"),
                    _bearer(w["reporter_a"], ["inspections.finding.view"]).get(f"{API}/inspections/rectify")):
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_the_inspectors_queue_is_the_pages(insp, client_for):  # noqa: F811
    w = insp
    reported = to_state(w, "reported")
    waiting = to_state(w, "open")
    asked = extension_request(actor=w["reporter_a"], finding=waiting, expected_version=waiting.version,
                              requested_to=date(2026, 11, 30), reason="需要协调城管")
    body = client_for(w["inspector"]).get(f"{API}/inspections/verify").json()
    assert [r["finding"]["id"] for r in body["reported"]] == [reported.pk]
    assert [(e["id"], e["finding"], e["unit"]) for e in body["extensions"]] == [(asked.pk, waiting.pk, "jingyu")]
    # 太古街道's inspector sees nothing of 靖宇街道's.
    other = client_for(w["inspector_b"]).get(f"{API}/inspections/verify").json()
    assert other == {"reported": [], "extensions": []}
    for who in ("reporter_a", "leader"):
        response = client_for(w[who]).get(f"{API}/inspections/verify")
        assert response.status_code == 403 and "核查" in response.json()["detail"], who


def test_the_duplicate_check_warns_the_campaigns_inspector_only(insp, client_for):  # noqa: F811
    w = insp
    first = record(w)
    url = f"{API}/inspections/campaigns/{w['campaign'].pk}/duplicates"
    client = client_for(w["inspector"])
    same = client.get(url, {"category": "占道经营", "address": "靖宇街 １２号"}).json()["items"]
    assert [f["id"] for f in same] == [first.pk]
    near = client.get(url, {"category": "占道经营", "lat": "45.77501", "lng": "126.65001"}).json()["items"]
    assert [f["id"] for f in near] == [first.pk]
    assert client.get(url, {"category": "垃圾堆放", "address": "靖宇街12号"}).json()["items"] == []
    assert client.get(url, {"category": "占道经营"}).json()["items"] == []  # no place: nothing looked for
    # A coordinate that is not a number is no place (the form names it), never a 500.
    assert client.get(url, {"category": "占道经营", "lat": "abc", "lng": "1e999"}).status_code == 200
    # Not the campaign's inspector, or not an inspector: not found.
    for who in ("reporter_a", "leader", "office"):
        assert client_for(w[who]).get(url, {"category": "占道经营", "address": "靖宇街12号"}).status_code == 404, who


# ---------------------------------------------------------------------------- 项目服务秘书, 干部考核


@pytest.fixture
def lib(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_library(world)


def test_the_secretarys_projects_are_his_workspace(lib, client_for):
    client = client_for(lib["secretary"])
    items = client.get(f"{API}/projects/mine").json()["items"]
    page = client.get(reverse("projects:workspace")).context["items"]
    assert [i["project"]["code"] for i in items] == [x.project.code for x in page] == ["XM-001", "XM-003"]
    assert all(set(i) >= {"flag", "due", "due_this_week", "open_problems"} for i in items)
    assert [i["project"]["code"] for i in client_for(lib["secretary_2"]).get(f"{API}/projects/mine").json()["items"]] \
        == ["XM-002"]
    # Held to 靖宇街道, his token lists that street's project only.
    held = _bearer(lib["secretary"], ["projects.progress.report", "projects.project.view"], units=["jingyu"])
    assert [i["project"]["code"] for i in held.get(f"{API}/projects/mine").json()["items"]] == ["XM-001"]
    for refused in (client_for(lib["auditor"]).get(f"{API}/projects/mine"),
                    _bearer(lib["secretary"], ["projects.project.view"]).get(f"{API}/projects/mine")):
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_the_cadre_units_are_the_pages(world, client_for):
    office = client_for(world["office"])
    codes = [u["code"] for u in office.get(f"{API}/cadres/units").json()["items"]]
    page = office.get(reverse("cadres:cadre_index")).context["units"]
    assert codes == [u.code for u in page] and {"jingyu", "taigu", "fagai"} <= set(codes)
    # A unit's head sees his own unit only; roles without the cadres, none.
    assert [u["code"] for u in client_for(world["head_a"]).get(f"{API}/cadres/units").json()["items"]] == ["jingyu"]
    assert client_for(world["auditor"]).get(f"{API}/cadres/units").json()["items"] == []
    held = _bearer(world["office"], ["cadres.sheet.view"], units=["taigu"]).get(f"{API}/cadres/units")
    assert [u["code"] for u in held.json()["items"]] == ["taigu"]


def test_the_daily_workbook_is_the_pages(insp, client_for):  # noqa: F811
    from openpyxl import load_workbook

    w = insp
    record(w)
    day = {"day": "2026-09-28"}
    api = client_for(w["office"]).get(f"{API}/inspections/daily/workbook", day)
    page = client_for(w["office"]).get(reverse("documents:inspections_daily"), day)
    assert api.status_code == 200 and api["Content-Type"] == page["Content-Type"]
    assert api["Content-Disposition"].startswith("attachment;")

    def sheets(data: bytes) -> dict:
        book = load_workbook(io.BytesIO(data))
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book}

    assert sheets(api.content) == sheets(page.content)
    assert "靖宇街12号" in str(sheets(api.content)["当日新发现"])
    assert client_for(w["auditor"]).get(f"{API}/inspections/daily/workbook").status_code == 403
    held = _bearer(w["office"], ["inspections.stats.view"], units=["taigu"]).get(f"{API}/inspections/daily/workbook", day)
    assert "靖宇街12号" not in str(sheets(held.content))
    assert _bearer(w["office"], ["inspections.finding.view"]).get(f"{API}/inspections/daily/workbook").status_code == 403


def test_a_findings_photo_downloads_as_an_attachment_within_the_gate(insp, client_for):  # noqa: F811
    w = insp
    finding = record(w)
    url = f"{API}/inspections/photos/{finding.photos.get().pk}"
    response = _bearer(w["office"], ["inspections.finding.view"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;") and response["X-Content-Type-Options"] == "nosniff"
    assert client_for(w["reporter_b"]).get(url).status_code == 404
    assert _bearer(w["office"], ["inspections.finding.view"], units=["taigu"]).get(url).status_code == 404


def test_an_inactive_cadre_stays_on_the_editors_register(world, client_for):
    from duibiao.cadres.services import cadre_create

    cadre = cadre_create(actor=world["office"], unit=world["a"], name="王建华", position="书记", rank="正科级",
                         gender="男", birth_month=date(1975, 3, 1))
    office = client_for(world["office"])
    body = {"name": "王建华", "position": "书记", "rank": "正科级", "gender": "男", "birth_month": "1975-03-01"}
    off = office.put(f"{API}/cadres/cadres/{cadre.pk}", {**body, "is_active": False, "version": cadre.version},
                     content_type="application/json")
    assert off.status_code == 200 and off.json()["is_active"] is False
    # The office (who may edit) still lists it, as its register page does, and can set it active again.
    listed = office.get(f"{API}/cadres/units/jingyu/cadres").json()["items"]
    page = office.get(reverse("cadres:cadre_register", args=["jingyu"])).context["cadres"]
    assert [(c["id"], c["is_active"]) for c in listed] == [(c.pk, c.is_active) for c in page] == [(cadre.pk, False)]
    # The unit's head reads the active ones only, as on the page.
    assert client_for(world["head_a"]).get(f"{API}/cadres/units/jingyu/cadres").json()["items"] == []
    on = office.put(f"{API}/cadres/cadres/{cadre.pk}", {**body, "version": off.json()["version"]},
                    content_type="application/json")
    assert on.status_code == 200 and on.json()["is_active"] is True
    assert [c["id"] for c in client_for(world["head_a"]).get(f"{API}/cadres/units/jingyu/cadres").json()["items"]] == [
        cadre.pk]


def test_my_campaigns_are_the_workspaces(insp, client_for):  # noqa: F811
    from duibiao.inspections.models import Campaign
    from duibiao.inspections.services.campaigns import CampaignInput, campaign_create

    w = insp
    other = campaign_create(actor=w["office"], data=CampaignInput(
        name="太古街专项", kind=Campaign.Kind.CITY, starts_on=date(2026, 9, 1), ends_on=date(2026, 12, 31),
        units=[w["b"]], inspectors=[w["inspector_b"]], places="太古街"))
    client = client_for(w["inspector"])
    mine = [c["id"] for c in client.get(f"{API}/inspections/campaigns", {"mine": "true"}).json()["items"]]
    page = client.get(reverse("inspections:index")).context["mine"]
    assert mine == [c.pk for c in page] == [w["campaign"].pk]
    assert other.pk in [c["id"] for c in client_for(w["office"]).get(f"{API}/inspections/campaigns").json()["items"]]
    assert {c["id"] for c in client_for(w["inspector_b"]).get(
        f"{API}/inspections/campaigns", {"mine": "true"}).json()["items"]} == {w["campaign"].pk, other.pk}
    # Not an inspector: nothing of his own.
    assert client_for(w["office"]).get(f"{API}/inspections/campaigns", {"mine": "true"}).json()["items"] == []
