"""工作量统计's writes that only the pages did, now over the API: removing a mistaken entry
(one's own unit's, with the version read) and the office's types of work; the attacks refused."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from duibiao.accounts.tokens import token_create
from duibiao.audit.models import AuditEntry
from duibiao.inspections.models import WorkLog, WorkType
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_worklogs import _log, work  # noqa: F401  (fixture)

API = "/api/inspections/work"


def _bearer(user, actions, units=()) -> Client:
    _token, secret = token_create(actor=user, name="对接", actions=actions, units=list(units),
                                  expires_on=timezone.localdate() + timedelta(days=30))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_unit_removes_its_own_mistaken_entry_with_the_version(work, client_for):  # noqa: F811
    w = work
    log = _log(w, "a", "green", "80")
    client = client_for(w["reporter_a"])
    missing = _post(client, f"{API}/logs/{log.pk}/delete", {})
    assert missing.status_code == 422 and missing.json()["code"] == "version_missing"
    stale = _post(client, f"{API}/logs/{log.pk}/delete", {"version": log.version + 1})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict" and WorkLog.objects.filter(pk=log.pk).exists()
    done = _post(client, f"{API}/logs/{log.pk}/delete", {"version": log.version})
    assert done.status_code == 200 and not WorkLog.objects.filter(pk=log.pk).exists()
    assert AuditEntry.objects.filter(action="inspections.worklog.delete").count() == 1


def test_another_unit_and_a_read_token_cannot_remove_it(work, client_for):  # noqa: F811
    w = work
    log = _log(w, "a", "green", "80")
    url, body = f"{API}/logs/{log.pk}/delete", {"version": log.version}
    assert _post(client_for(w["reporter_b"]), url, body).status_code == 404
    assert _post(client_for(w["leader"]), url, body).status_code in (403, 404)
    # A read token finds no entry it may record (404, as for the entry's update).
    assert _post(_bearer(w["reporter_a"], ["inspections.worklog.view"]), url, body).status_code == 404
    assert _post(_bearer(w["office"], ["inspections.worklog.record"], units=["taigu"]), url, body).status_code == 404
    assert WorkLog.objects.filter(pk=log.pk).exists()
    assert _post(_bearer(w["reporter_a"], ["inspections.worklog.record"]), url, body).status_code == 200


def test_the_office_keeps_the_types_of_work(work, client_for):  # noqa: F811
    w = work
    client = client_for(w["office"])
    created = _post(client, f"{API}/types", {"name": "维修果皮箱", "unit_of_measure": "个", "order": 3})
    assert created.status_code == 201, created.content
    made = created.json()
    assert (made["name"], made["unit_of_measure"], made["version"]) == ("维修果皮箱", "个", 1)
    clash = _post(client, f"{API}/types", {"name": "清理绿地", "unit_of_measure": "亩"})
    assert clash.status_code == 422 and "已有名为" in clash.json()["errors"]["name"][0]
    url = f"{API}/types/{made['id']}"
    off = client.put(url, {"name": "维修果皮箱", "unit_of_measure": "个", "active": False, "version": 1},
                     content_type="application/json")
    assert off.status_code == 200 and off.json()["active"] is False and off.json()["version"] == 2
    stale = client.put(url, {"name": "改名", "unit_of_measure": "个", "version": 1}, content_type="application/json")
    assert stale.status_code == 409 and WorkType.objects.get(pk=made["id"]).name == "维修果皮箱"
    blank = client.put(url, {"name": "", "unit_of_measure": "个", "version": 2}, content_type="application/json")
    assert blank.status_code == 422 and "name" in blank.json()["errors"]
    # The type is now off: no one logs work of it.
    refused = _post(client_for(w["reporter_a"]), f"{API}/logs", {
        "unit": "jingyu", "work_type": made["id"], "quantity": "3", "done_on": timezone.localdate().isoformat()})
    assert refused.status_code == 422


def test_only_the_office_keeps_them(work, client_for):  # noqa: F811
    w = work
    body = {"name": "新类型", "unit_of_measure": "个"}
    for who in ("reporter_a", "leader", "inspector", "sysadmin"):
        response = _post(client_for(w[who]), f"{API}/types", body)
        assert response.status_code == 403 and response.json()["code"] == "forbidden", who
        put = client_for(w[who]).put(f"{API}/types/{w['green'].pk}", {**body, "version": w["green"].version},
                                     content_type="application/json")
        assert put.status_code == 403, who
    assert _post(_bearer(w["office"], ["inspections.worklog.view"]), f"{API}/types", body).status_code == 403
    # The types are the district's: a token held to a street reaches no district's list, so it
    # can neither add a type nor change the district's (404, as for a missing one).
    street_client = _bearer(w["office"], ["inspections.worktype.edit"], units=["jingyu"])
    assert _post(street_client, f"{API}/types", body).status_code == 403
    put = street_client.put(f"{API}/types/{w['green'].pk}", {**body, "version": w["green"].version},
                            content_type="application/json")
    assert put.status_code == 404 and put.json()["code"] == "not_found"
    assert not WorkType.objects.filter(name="新类型").exists()
