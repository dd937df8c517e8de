"""The API of campaigns and findings: the same state machine as the pages (every illegal step
409), versions (422 without, 409 stale), another unit's user refused and blind, photos as
multipart, EXIF only for the inspector."""

from __future__ import annotations

import json

import pytest

from duibiao.inspections.models import ExtensionRequest, Finding
from duibiao.inspections.states import STEPS, allowed_steps
from tests.inspections.findings_world import photo, record, to_state

pytestmark = pytest.mark.django_db
STATES = ["open", "reported", "returned", "closed", "closed_not_fixed"]
API = "/api/inspections"


def _json(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def _call(w: dict, client_for, finding: Finding, step: str, version=None):
    v = finding.version if version is None else version
    base = f"{API}/findings/{finding.pk}"
    if step == "report":
        return client_for(w["reporter_a"]).post(f"{base}/report", {"version": str(v), "text": "已整改",
                                                                   "photos": [photo("后.jpg")]})
    if step in ("close", "return", "close_not_fixed"):
        return _json(client_for(w["inspector"]), f"{base}/verify", {"version": v, "step": step, "reason": "意见"})
    if step == "extend_request":
        return _json(client_for(w["reporter_a"]), f"{base}/extensions",
                     {"version": v, "requested_to": "2026-10-30", "reason": "需协调"})
    if step == "extend_decide":
        pending = finding.extensions.filter(decision="").first() or ExtensionRequest.objects.create(
            finding=finding, requested_to="2026-10-30", reason="（测试构造）", requested_by=w["reporter_a"])
        return _json(client_for(w["inspector"]), f"{base}/extensions/{pending.pk}/decide", {"version": v, "approve": True})
    return _json(client_for(w["inspector"]), f"{base}/remind", {"version": v, "text": "请尽快整改"})


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("step", sorted(STEPS))
def test_every_step_through_the_api(insp, client_for, state, step):
    finding = to_state(insp, state)
    response = _call(insp, client_for, finding, step)
    fresh = Finding.objects.get(pk=finding.pk)
    if step in allowed_steps(state):
        assert response.status_code in (200, 201), response.content.decode()
        assert fresh.state == (STEPS[step].target or state) and fresh.version == finding.version + 1
    else:
        assert response.status_code == 409 and response.json()["detail"].startswith("该问题当前为“")
        assert (fresh.state, fresh.version) == (state, finding.version)


def test_versions_422_without_409_stale(insp, client_for):
    finding = to_state(insp, "reported")
    client = client_for(insp["inspector"])
    response = _json(client, f"{API}/findings/{finding.pk}/verify", {"step": "close"})
    assert response.status_code == 422 and "缺少数据版本" in response.json()["detail"]
    response = _call(insp, client_for, finding, "close", version=finding.version - 1)
    assert response.status_code == 409 and "已被他人更新" in response.json()["detail"]
    report = client_for(insp["reporter_a"]).post(f"{API}/findings/{record(insp).pk}/report", {"text": "x"})
    assert report.status_code == 422 and "缺少数据版本" in report.json()["detail"]
    assert Finding.objects.get(pk=finding.pk).state == "reported"


def test_another_units_user_is_refused_and_sees_nothing(insp, client_for):
    finding = record(insp)
    outsider = client_for(insp["reporter_b"])
    assert outsider.get(f"{API}/findings/{finding.pk}").status_code == 404
    assert outsider.get(f"{API}/photos/{finding.photos.get().pk}").status_code == 404
    assert outsider.get(f"{API}/findings").json()["items"] == []
    response = outsider.post(f"{API}/findings/{finding.pk}/report", {"version": "1", "text": "x", "photos": [photo()]})
    assert response.status_code == 404 and Finding.objects.get(pk=finding.pk).state == "open"


def test_recording_over_the_api_and_exif_only_for_the_inspector(insp, client_for):
    url = f"{API}/campaigns/{insp['campaign'].pk}/findings"
    form = {"unit": "jingyu", "category": "占道经营", "description": "占道", "address": "靖宇街12号",
            "workdays": "5", "found_on": "2026-09-28", "photos": [photo()]}
    response = client_for(insp["inspector"]).post(url, form)
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["deadline"] == "2026-10-10" and body["state"] == "open" and body["version"] == 1
    mine = client_for(insp["inspector"]).get(f"{API}/findings/{body['id']}").json()
    assert mine["photos"][0]["exif"]["lat"] == 45.775 and mine["allowed_steps"] == ["remind"]
    theirs = client_for(insp["reporter_a"]).get(f"{API}/findings/{body['id']}").json()
    assert theirs["photos"][0]["exif"] is None and theirs["allowed_steps"] == ["extend_request", "report"]
    # The unit cannot record; nor can an office that is no inspector of the campaign.
    assert client_for(insp["reporter_a"]).post(url, {**form, "photos": [photo()]}).status_code == 404
    missing = client_for(insp["inspector"]).post(url, {**form, "photos": []})
    assert missing.status_code == 422 and "整改前照片" in missing.json()["detail"]


@pytest.mark.parametrize("data,message", [
    (b"MZ\x90\x00" + b"\x00" * 300, "不接受该类型的文件"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x13" * 300, "图片已损坏"),
])
def test_a_bad_photo_over_the_api_is_refused_and_nothing_is_stored(insp, client_for, data, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from duibiao.inspections.models import FindingPhoto

    finding = record(insp)
    bad = SimpleUploadedFile("整改后.jpg", data, content_type="image/jpeg")
    response = client_for(insp["reporter_a"]).post(f"{API}/findings/{finding.pk}/report",
                                                   {"version": "1", "text": "已整改", "photos": [photo(), bad]})
    assert response.status_code == 422 and message in response.json()["detail"]
    assert response.json()["errors"] == {"photos": [response.json()["detail"]]}
    fresh = Finding.objects.get(pk=finding.pk)
    assert (fresh.state, fresh.version) == ("open", 1) and FindingPhoto.objects.filter(stage="after").count() == 0
