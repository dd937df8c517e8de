"""A cadre carries a version: every change bumps it, and a change built from an older version
is refused (409) with nothing overwritten — on the edit page, in the API and in the service.
Two editors who read the same cadre cannot overwrite each other unseen."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from duibiao.audit.models import AuditEntry
from duibiao.cadres import services as svc
from duibiao.cadres.models import Cadre

FORM = {"name": "王建华", "position": "党工委书记", "rank": "正科级", "gender": "男", "birth_month": "1975-03",
        "order": "1", "is_active": "on"}
BODY = {"name": "王建华", "position": "党工委书记", "rank": "正科级", "gender": "男", "birth_month": "1975-03-01"}


def _updates() -> int:
    return AuditEntry.objects.filter(action="cadre.update").count()


def test_a_new_cadre_starts_at_version_1_and_every_change_bumps_it(cadres):
    x = cadres["cadres_a"][0]
    assert x.version == 1
    for expected in (1, 2):
        svc.cadre_update(actor=cadres["office"], cadre=x, expected_version=expected, name=x.name,
                         position=f"第{expected}次", rank=x.rank, gender=x.gender, birth_month=x.birth_month)
    x.refresh_from_db()
    assert x.version == 3 and x.position == "第2次"


def test_the_service_refuses_a_stale_version_and_changes_nothing(cadres):
    x = cadres["cadres_a"][0]
    svc.cadre_update(actor=cadres["office"], cadre=x, expected_version=1, name=x.name, position="甲改",
                     rank=x.rank, gender=x.gender, birth_month=x.birth_month)
    with pytest.raises(svc.CadreConflict):
        svc.cadre_update(actor=cadres["office"], cadre=x, expected_version=1, name=x.name, position="乙改",
                         rank=x.rank, gender=x.gender, birth_month=x.birth_month)
    x.refresh_from_db()
    assert x.position == "甲改" and x.version == 2 and _updates() == 1


def test_the_edit_page_carries_the_version_and_saves_with_it(client_for, cadres):
    client = client_for(cadres["office"])
    x = cadres["cadres_a"][0]
    url = reverse("cadres:cadre_edit", args=["jingyu", x.pk])
    page = client.get(url).content.decode()
    assert '<input type="hidden" name="version" value="1">' in page
    response = client.post(url, {**FORM, "version": "1"})
    assert response.status_code == 302
    x.refresh_from_db()
    assert x.position == "党工委书记" and x.version == 2
    assert '<input type="hidden" name="version" value="2">' in client.get(url).content.decode()


def test_two_editors_on_the_page_the_second_is_refused_beside_the_form(client_for, cadres):
    """Both open the form at version 1; the first saves; the second's save is refused in
    Chinese on the form, its values kept for re-entry, and the first one's change stands."""
    x = cadres["cadres_a"][0]
    url = reverse("cadres:cadre_edit", args=["jingyu", x.pk])
    first, second = client_for(cadres["office"]), client_for(cadres["office"])
    assert first.post(url, {**FORM, "position": "甲改", "version": "1"}).status_code == 302
    refused = second.post(url, {**FORM, "position": "乙改", "version": "1"})
    text = refused.content.decode()
    assert refused.status_code == 409
    assert "该干部信息已被他人修改，请刷新页面查看最新内容后再保存" in text and 'alert alert-danger' in text
    assert 'value="乙改"' in text  # what the second typed is still in the form
    # The form still carries the version it was built from: resubmitting it is refused again.
    assert '<input type="hidden" name="version" value="1">' in text
    x.refresh_from_db()
    assert x.position == "甲改" and x.version == 2 and _updates() == 1


def test_the_page_refuses_a_save_without_its_version(client_for, cadres):
    x = cadres["cadres_a"][0]
    response = client_for(cadres["office"]).post(reverse("cadres:cadre_edit", args=["jingyu", x.pk]),
                                                 {**FORM, "position": "无版本"})
    assert response.status_code == 400
    assert "页面已过期（缺少数据版本），请刷新页面后再保存" in response.content.decode()
    x.refresh_from_db()
    assert x.position != "无版本" and x.version == 1 and _updates() == 0


def test_the_api_shows_the_version_and_saves_with_it(client_for, cadres):
    client = client_for(cadres["office"])
    x = cadres["cadres_a"][0]
    listed = {c["id"]: c for c in client.get("/api/cadres/units/jingyu/cadres").json()["items"]}
    assert listed[x.pk]["version"] == 1
    response = client.put(f"/api/cadres/cadres/{x.pk}", {**BODY, "version": 1}, content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == 2
    created = client.post("/api/cadres/units/jingyu/cadres", BODY, content_type="application/json")
    assert created.status_code == 201 and created.json()["version"] == 1


def test_the_api_refuses_a_stale_version_with_409_and_changes_nothing(client_for, cadres):
    first, second = client_for(cadres["office"]), client_for(cadres["office"])
    x = cadres["cadres_a"][0]
    assert first.put(f"/api/cadres/cadres/{x.pk}", {**BODY, "position": "甲改", "version": 1},
                     content_type="application/json").status_code == 200
    stale = second.put(f"/api/cadres/cadres/{x.pk}", {**BODY, "position": "乙改", "version": 1},
                       content_type="application/json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "conflict" and body["detail"] == "该干部信息已被他人修改，请刷新页面查看最新内容后再保存"
    x.refresh_from_db()
    assert x.position == "甲改" and x.version == 2 and _updates() == 1


def test_the_api_refuses_a_write_without_its_version(client_for, cadres):
    x = cadres["cadres_a"][0]
    response = client_for(cadres["office"]).put(f"/api/cadres/cadres/{x.pk}", {**BODY, "position": "无版本"},
                                                content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "version_missing" and "version" in body["errors"] and "缺少数据版本" in body["detail"]
    x.refresh_from_db()
    assert x.position != "无版本" and x.version == 1 and _updates() == 0


@pytest.mark.parametrize("version", [-1, "一", None])
def test_the_api_refuses_a_malformed_version(client_for, cadres, version):
    x = cadres["cadres_a"][0]
    response = client_for(cadres["office"]).put(f"/api/cadres/cadres/{x.pk}", {**BODY, "version": version},
                                                content_type="application/json")
    assert response.status_code == 422 and "version" in response.json()["errors"]
    assert Cadre.objects.get(pk=x.pk).version == 1


def test_the_service_takes_the_version_by_keyword_only(cadres):
    """The version is not optional: a caller that forgets it fails loudly, not silently."""
    x = cadres["cadres_a"][0]
    with pytest.raises(TypeError):
        svc.cadre_update(actor=cadres["office"], cadre=x, name=x.name, position="x",  # type: ignore[call-arg]
                         rank=x.rank, gender=x.gender, birth_month=date(1990, 1, 1))
    assert Cadre.objects.get(pk=x.pk).position != "x"
