"""The scheme editor's item-by-item edits over the API: the page's forms check the values, the
page's services save each edit as the next version, a stale `based_on` is a 409, and everyone
but the scheme's own office is refused (a token too, unless it holds the edit action)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from duibiao.accounts.roles import Role
from duibiao.accounts.services import role_grant, user_create
from duibiao.accounts.tokens import token_create
from duibiao.assessment.models import SchemeVersion
from duibiao.audit.models import AuditEntry
from duibiao.schemes import edits
from tests.conftest import PASSWORD

BASE = "/api/assessment/schemes/daowai-2023"


def _send(client: Client, method: str, url: str, body: dict):
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def _doc(w: dict) -> dict:
    return edits.document_load(SchemeVersion.objects.filter(scheme=w["scheme"]).order_by("-number")[0].document)


def _versions(w: dict) -> int:
    return SchemeVersion.objects.filter(scheme=w["scheme"]).count()


def test_an_indicator_is_added_changed_moved_and_removed(assessed, client_for):
    w = assessed
    office = client_for(w["office"])
    added = _send(office, "POST", f"{BASE}/indicators", {
        "based_on": 1, "code": "gz19", "name": "新增指标", "parent": "D3", "weight": 1, "kind": "percent",
        "method": "goalposts", "params": {"threshold": 60, "target": 100}})
    assert added.status_code == 201, added.content
    assert added.json()["version"] == 2 and "新增指标 gz19" in added.json()["note"]
    node, parent = edits.find_node(_doc(w), "gz19")
    assert parent["code"] == "D3" and node["normalise"] == {"method": "goalposts", "threshold": 60, "target": 100}
    assert AuditEntry.objects.filter(action="scheme.indicator.create").count() == 1

    before, _ = edits.find_node(_doc(w), "nl02")
    changed = _send(office, "PATCH", f"{BASE}/indicators/nl02", {"based_on": 2, "weight": 4})
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 3 and "3→4" in changed.json()["note"]
    after, _ = edits.find_node(_doc(w), "nl02")
    assert after == {**before, "weight": 4}  # only what was named changed

    moved = _send(office, "PATCH", f"{BASE}/indicators/nl02", {"based_on": 3, "parent": "D2"})
    assert moved.status_code == 200, moved.content
    node, parent = edits.find_node(_doc(w), "nl02")
    assert parent["code"] == "D2" and node == {**before, "weight": 4}

    # Parameters: the named ones change, the others stay; another method keeps none of the old.
    threshold = _send(office, "PATCH", f"{BASE}/indicators/gz19", {"based_on": 4, "params": {"threshold": 70}})
    assert threshold.status_code == 200, threshold.content
    assert edits.find_node(_doc(w), "gz19")[0]["normalise"] == {"method": "goalposts", "threshold": 70, "target": 100}
    method = _send(office, "PATCH", f"{BASE}/indicators/gz19", {"based_on": 5, "method": "target",
                                                               "params": {"target": 90}})
    assert method.status_code == 200, method.content
    assert edits.find_node(_doc(w), "gz19")[0]["normalise"] == {"method": "target", "target": 90}

    removed = _send(office, "POST", f"{BASE}/indicators/gz19/remove", {"based_on": 6})
    assert removed.status_code == 200, removed.content
    assert "gz19" not in edits.all_codes(_doc(w)) and _versions(w) == 7
    # The API's indicators read the new version as the page does.
    listed = office.get(BASE).json()
    assert listed["version"] == 7 and "gz19" not in {i["code"] for i in listed["indicators"]}


def test_a_stale_or_missing_based_on_saves_nothing(assessed, client_for):
    w = assessed
    office = client_for(w["office"])
    assert _send(office, "PATCH", f"{BASE}/indicators/nl02", {"based_on": 1, "weight": 4}).status_code == 200
    stale = _send(office, "PATCH", f"{BASE}/indicators/nl03", {"based_on": 1, "weight": 5})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert "第 2 版" in stale.json()["detail"]
    missing = _send(office, "POST", f"{BASE}/vetoes/fj03/remove", {})
    assert missing.status_code == 422 and missing.json()["code"] == "version_missing"
    assert _versions(w) == 2 and edits.find_node(_doc(w), "nl03")[0]["weight"] == 3


def test_each_refused_value_is_named_in_errors_in_the_pages_words(assessed, client_for):
    w = assessed
    office = client_for(w["office"])
    refused = _send(office, "PATCH", f"{BASE}/indicators/nl03", {
        "based_on": 1, "weight": -1, "taskforce": "zb9", "params": {"threshold": "多", "speed": 3}})
    assert refused.status_code == 422, refused.content
    body = refused.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"weight", "taskforce", "params.threshold", "params.speed"}
    assert body["errors"]["params.speed"] == ["没有这个参数"]
    assert any("0" in reason for reason in body["errors"]["weight"])  # 不能小于 0, the form's own words
    # A method whose required parameter is missing, and a 个性指标 without units: as on the page.
    needs = _send(office, "POST", f"{BASE}/indicators", {
        "based_on": 1, "code": "gz20", "name": "新指标", "parent": "D3", "weight": 1, "method": "bands",
        "item_kind": "specific"})
    assert needs.status_code == 422, needs.content
    assert needs.json()["errors"]["params.bands"] == ["该计分方法必须填写此项"]
    assert needs.json()["errors"]["units"] == ["个性指标请至少选择一个单位"]
    assert "个性指标请至少选择一个单位" in needs.json()["detail"] and "[" not in needs.json()["detail"]
    # What the document refuses (a code already used) comes back as the page shows it.
    taken = _send(office, "POST", f"{BASE}/indicators", {
        "based_on": 1, "code": "nl01", "name": "重复", "parent": "D1", "weight": 1, "params": {"target": 1}})
    assert taken.status_code == 422 and "nl01" in taken.json()["detail"]
    last = _send(office, "POST", f"{BASE}/indicators/D1/remove", {"based_on": 1})
    assert last.status_code == 404  # a dimension is not an indicator
    assert _versions(w) == 1


def test_reward_penalty_and_veto_items_and_the_dimensions_points(assessed, client_for):
    w = assessed
    office = client_for(w["office"])
    added = _send(office, "POST", f"{BASE}/adjustments", {
        "based_on": 1, "code": "jl04", "name": "区级表彰", "type": "bonus", "points": 0.5, "cap": 1, "taskforce": "zb1"})
    assert added.status_code == 201, added.content
    changed = _send(office, "PATCH", f"{BASE}/adjustments/jl04", {"based_on": 2, "points": 0.8})
    assert changed.status_code == 200, changed.content
    row = next(r for r in _doc(w)["adjustments"]["items"] if r["code"] == "jl04")
    assert row["points"] == 0.8 and row["cap"] == 1 and row["name"] == "区级表彰"
    bad = _send(office, "PATCH", f"{BASE}/adjustments/jl04", {"based_on": 3, "type": "gift", "points": "x"})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"type", "points"}
    assert _send(office, "POST", f"{BASE}/adjustments/jl04/remove", {"based_on": 3}).status_code == 200

    veto = _send(office, "POST", f"{BASE}/vetoes", {
        "based_on": 4, "code": "fj04", "name": "环保督察问题", "effect": "cap_grade", "grade": "一般"})
    assert veto.status_code == 201, veto.content
    zero = _send(office, "PATCH", f"{BASE}/vetoes/fj04", {"based_on": 5, "effect": "zero", "grade": ""})
    assert zero.status_code == 200, zero.content
    assert next(r for r in _doc(w)["vetoes"] if r["code"] == "fj04")["effect"] == "zero"
    assert _send(office, "PATCH", f"{BASE}/vetoes/nope", {"based_on": 6}).status_code == 404

    points = _send(office, "PUT", f"{BASE}/dimensions", {"based_on": 6, "points": {"D1": 35, "D2": 25}})
    assert points.status_code == 200, points.content
    doc = _doc(w)
    assert edits.find_node(doc, "D1")[0]["weight"] == 35 and edits.find_node(doc, "D2")[0]["weight"] == 25
    not_a_group = _send(office, "PUT", f"{BASE}/dimensions", {"based_on": 7, "points": {"nl01": 5}})
    assert not_a_group.status_code == 422 and "nl01" in not_a_group.json()["detail"]
    assert _versions(w) == 7


def test_a_saved_version_is_never_changed_so_a_period_keeps_what_it_scores(assessed, client_for):
    w = assessed
    first = w["version"].document
    office = client_for(w["office"])
    assert _send(office, "PATCH", f"{BASE}/indicators/nl02", {"based_on": 1, "weight": 9}).status_code == 200
    w["version"].refresh_from_db()
    w["period"].refresh_from_db()
    assert w["version"].document == first and w["period"].version_id == w["version"].pk
    assert w["version"].indicators.get(code="nl02").weight == 3


@pytest.fixture
def outsiders(assessed):
    other = user_create(actor=None, username="khb_ng", password=PASSWORD)
    role_grant(actor=None, user=other, role=Role.OFFICE, units=[assessed["other_district"]])
    return {**assessed, "office_nangang": other}


@pytest.mark.parametrize("who, status", [("reporter_a", 403), ("leader", 403), ("taskforce", 403),
                                         ("auditor", 403), ("office_nangang", 404)])
def test_everyone_but_the_schemes_office_is_refused(outsiders, client_for, who, status):
    w = outsiders
    client = client_for(w[who])
    for method, url, body in (
        ("POST", f"{BASE}/indicators", {"based_on": 1, "code": "gz19", "name": "x", "parent": "D3", "weight": 1}),
        ("PATCH", f"{BASE}/indicators/nl02", {"based_on": 1, "weight": 4}),
        ("POST", f"{BASE}/indicators/nl10/remove", {"based_on": 1}),
        ("POST", f"{BASE}/vetoes/fj03/remove", {"based_on": 1}),
        ("PUT", f"{BASE}/dimensions", {"based_on": 1, "points": {"D1": 30}}),
    ):
        response = _send(client, method, url, body)
        assert response.status_code == status, (method, url, response.content)
        assert response.json()["code"] == ("forbidden" if status == 403 else "not_found")
    assert _versions(w) == 1 and not AuditEntry.objects.filter(action__startswith="scheme.indicator").exists()


def test_a_token_edits_only_when_it_holds_the_edit_action(assessed):
    w = assessed
    expires = timezone.localdate() + timedelta(days=30)
    _token, reader = token_create(actor=w["office"], name="只读", actions=["assessment.scheme.view"], units=[],
                                  expires_on=expires)
    _token, editor = token_create(actor=w["office"], name="方案", units=[], expires_on=expires,
                                  actions=["assessment.scheme.view", "assessment.scheme.edit"])
    body = {"based_on": 1, "weight": 4}
    refused = _send(Client(HTTP_AUTHORIZATION=f"Bearer {reader}"), "PATCH", f"{BASE}/indicators/nl02", body)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert _versions(w) == 1
    done = _send(Client(HTTP_AUTHORIZATION=f"Bearer {editor}"), "PATCH", f"{BASE}/indicators/nl02", body)
    assert done.status_code == 200, done.content
    entry = AuditEntry.objects.get(action="scheme.indicator.update")
    assert entry.detail.startswith("[dbt_") and entry.user_id == w["office"].pk


def test_a_session_write_still_needs_its_csrf_token(assessed):
    w = assessed
    client = Client(enforce_csrf_checks=True)
    client.force_login(w["office"])
    response = _send(client, "PATCH", f"{BASE}/indicators/nl02", {"based_on": 1, "weight": 4})
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert _versions(w) == 1


def test_the_live_checks_say_what_the_editor_page_says_and_save_nothing(assessed, client_for):
    w = assessed
    office = client_for(w["office"])
    # D1 adds up only when nl09 applies to every unit; then nl02 3→4 makes it 31 (as on the page).
    assert _send(office, "PATCH", f"{BASE}/indicators/nl09",
                 {"based_on": 1, "item_kind": "common", "categories": []}).status_code == 200
    checked = _send(office, "POST", f"{BASE}/indicators/nl02/check", {"weight": 4})
    assert checked.status_code == 200, checked.content
    assert any(f["level"] == "warning" and "下级指标分值合计 31" in f["message"] for f in checked.json())
    new = _send(office, "POST", f"{BASE}/indicators/check",
                {"code": "gz19", "name": "新增指标", "parent": "D1", "weight": 2, "params": {"target": 100}})
    assert new.status_code == 200 and any("下级指标分值合计 32" in f["message"] for f in new.json())
    points = _send(office, "POST", f"{BASE}/dimensions/check", {"points": {"D1": 50}})
    assert points.status_code == 200 and any(f["level"] != "ok" for f in points.json())
    bad = _send(office, "POST", f"{BASE}/indicators/nl02/check", {"weight": "多"})
    assert bad.status_code == 422 and list(bad.json()["errors"]) == ["weight"]
    assert _versions(w) == 2
    refused = _send(client_for(w["reporter_a"]), "POST", f"{BASE}/indicators/nl02/check", {"weight": 4})
    assert refused.status_code == 403


def test_a_district_office_cannot_edit_the_city_scheme_it_reads(assessed, client_for):
    from duibiao.assessment.services.schemes import scheme_create

    w = assessed
    city = scheme_create(actor=None, code="harbin-2023", name="哈尔滨市方案", year=2023, district=w["city"],
                         document=w["version"].document)
    office = client_for(w["office"])
    assert office.get("/api/assessment/schemes/harbin-2023").status_code == 200  # read upwards
    for method, path, body in (
        ("PATCH", "indicators/nl02", {"based_on": 1, "weight": 4}),
        ("POST", "indicators/nl02/check", {"weight": 4}),
        ("POST", "adjustments", {"based_on": 1, "code": "jl04", "name": "x", "type": "bonus", "points": 1}),
        ("PUT", "dimensions", {"based_on": 1, "points": {"D1": 30}}),
    ):
        response = _send(office, method, f"/api/assessment/schemes/harbin-2023/{path}", body)
        assert response.status_code == 404 and response.json()["code"] == "not_found", (path, response.content)
    assert city.versions.count() == 1
