"""The finding pages: recording on the phone form, the finding's page for each kind of user,
every step through its POST (illegal ones refused beside their button with nothing changed),
photos served without EXIF, the unit's list and the inspector's queue."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from duibiao.inspections.models import ExtensionRequest, Finding, FindingPhoto
from duibiao.inspections.states import STEPS, allowed_steps
from tests.inspections.findings_world import jpeg, photo, record, to_state

pytestmark = pytest.mark.django_db
STATES = ["open", "reported", "returned", "closed", "closed_not_fixed"]


def _form(w: dict, **over) -> dict:
    data = {"unit": "jingyu", "category": "占道经营", "description": "店外堆放杂物", "address": "靖宇街12号",
            "lat": "45.775", "lng": "126.65", "severity": "minor", "workdays": "5", "found_on": "2026-09-28",
            "photos": [photo()]}
    return {**data, **over}


def test_the_inspector_records_on_the_phone_form_and_sees_the_location(insp, client_for):
    client = client_for(insp["inspector"])
    url = reverse("inspections:finding_new", args=[insp["campaign"].pk])
    form = client.get(url).content.decode()
    assert re.search(r'<input id="photos" name="photos" type="file" accept="image/\*" capture="environment" multiple', form)
    response = client.post(url, _form(insp))
    finding = Finding.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("inspections:finding", args=[finding.pk])
    assert finding.deadline.isoformat() == "2026-10-10" and finding.found_by == insp["inspector"]
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="exif"' in page and "45.775, 126.65" in page and "P60 Pro" in page
    # Recording the same place again is allowed, and the new finding's page warns.
    client.post(url, _form(insp, address="靖宇街 12号", lat="", lng=""))
    second = Finding.objects.latest("pk")
    warning = client.get(reverse("inspections:finding", args=[second.pk])).content.decode()
    assert 'data-testid="duplicates"' in warning and f"#{finding.pk}" in warning


def test_the_form_shows_each_error_beside_its_field_and_stores_nothing(insp, client_for):
    client = client_for(insp["inspector"])
    url = reverse("inspections:finding_new", args=[insp["campaign"].pk])
    response = client.post(url, _form(insp, photos=[]))
    assert response.status_code == 422
    assert re.search(r'data-testid="error-photos">请至少拍摄或上传一张整改前照片', response.content.decode())
    exe = SimpleUploadedFile("现场.jpg", b"MZ" + b"\x00" * 300, content_type="image/jpeg")
    response = client.post(url, _form(insp, photos=[exe]))
    assert response.status_code == 422 and "不接受该类型的文件" in response.content.decode()
    response = client.post(url, _form(insp, address="", lat="45.7"))
    html = response.content.decode()
    assert 'data-testid="error-lat"' in html or 'data-testid="error-address"' in html
    assert not Finding.objects.exists() and not FindingPhoto.objects.exists()


def test_another_units_user_cannot_see_the_finding_or_its_photos(insp, client_for):
    finding = record(insp, lat=None, lng=None)  # the only location is then the photo's EXIF
    shot = finding.photos.get()
    outsider = client_for(insp["reporter_b"])
    for name, arg in (("inspections:finding", finding.pk), ("inspections:photo", shot.pk),
                      ("inspections:photo_raw", shot.pk)):
        assert outsider.get(reverse(name, args=[arg])).status_code == 404, name
    assert "靖宇街12号" not in outsider.get(reverse("inspections:rectify")).content.decode()
    unit = client_for(insp["reporter_a"])
    page = unit.get(reverse("inspections:finding", args=[finding.pk])).content.decode()
    assert "靖宇街12号" in page and 'data-testid="exif"' not in page and "45.775" not in page
    assert 'data-testid="report-form"' in page and 'data-testid="verify-form"' not in page


def test_the_served_photo_has_no_exif_and_the_sandbox_policy(insp, client_for):
    shot = record(insp, photos=[photo("现场.jpg", jpeg(gps=True))]).photos.get()
    response = client_for(insp["reporter_a"]).get(reverse("inspections:photo_raw", args=[shot.pk]))
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/jpeg" and "sandbox" in response["Content-Security-Policy"]
    assert b"HUAWEI" not in body and dict(Image.open(io.BytesIO(body)).getexif()) == {}


def _post(w: dict, client_for, finding: Finding, step: str, version: int | None = None):
    v = str(finding.version if version is None else version)
    if step == "report":
        return client_for(w["reporter_a"]).post(reverse("inspections:finding_report", args=[finding.pk]),
                                                {"version": v, "text": "已整改", "photos": [photo("后.jpg")]})
    if step in ("close", "return", "close_not_fixed"):
        return client_for(w["inspector"]).post(reverse("inspections:finding_verify", args=[finding.pk]),
                                               {"version": v, "step": step, "reason": "核查意见"})
    if step == "extend_request":
        return client_for(w["reporter_a"]).post(reverse("inspections:finding_extend", args=[finding.pk]),
                                                {"version": v, "requested_to": "2026-10-30", "reason": "需协调"})
    if step == "extend_decide":
        pending = finding.extensions.filter(decision="").first() or ExtensionRequest.objects.create(
            finding=finding, requested_to="2026-10-30", reason="（测试构造）", requested_by=w["reporter_a"])
        return client_for(w["inspector"]).post(
            reverse("inspections:extension_decide", args=[finding.pk, pending.pk]), {"version": v, "approve": "1"})
    return client_for(w["inspector"]).post(reverse("inspections:finding_remind", args=[finding.pk]),
                                           {"version": v, "text": "请尽快整改"})


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("step", sorted(STEPS))
def test_every_step_through_the_page(insp, client_for, state, step):
    finding = to_state(insp, state)
    response = _post(insp, client_for, finding, step)
    fresh = Finding.objects.get(pk=finding.pk)
    if step in allowed_steps(state):
        assert response.status_code == 302, response.content.decode()[:500]
        assert fresh.version == finding.version + 1 and fresh.state == (STEPS[step].target or state)
    else:
        assert response.status_code == 409
        assert 'data-testid="error-step">该问题当前为“' in response.content.decode()
        assert (fresh.state, fresh.version) == (state, finding.version)


def test_a_stale_or_missing_version_is_refused(insp, client_for):
    finding = to_state(insp, "reported")
    response = _post(insp, client_for, finding, "close", version=finding.version - 1)
    assert response.status_code == 409 and 'data-testid="error-step">该问题已被他人更新' in response.content.decode()
    response = client_for(insp["inspector"]).post(reverse("inspections:finding_verify", args=[finding.pk]),
                                                  {"step": "close"})
    assert response.status_code == 400 and "页面已过期" in response.content.decode()
    assert Finding.objects.get(pk=finding.pk).state == "reported"


def test_a_return_without_reason_is_shown_beside_the_buttons(insp, client_for):
    finding = to_state(insp, "reported")
    response = client_for(insp["inspector"]).post(reverse("inspections:finding_verify", args=[finding.pk]),
                                                  {"version": str(finding.version), "step": "return", "reason": ""})
    assert response.status_code == 422 and 'data-testid="error-verify">退回须填写原因' in response.content.decode()


def test_the_units_list_puts_returned_first_and_the_queue_lists_reported(insp, client_for):
    open_one = record(insp, address="靖宇街1号")
    returned = to_state(insp, "returned")
    reported = to_state(insp, "reported")
    html = client_for(insp["reporter_a"]).get(reverse("inspections:rectify")).content.decode()
    order = [int(pk) for pk in re.findall(r'href="/inspections/findings/(\d+)/"', html)]
    assert order[:2] == [returned.pk, open_one.pk] and reported.pk in order
    queue = client_for(insp["inspector"]).get(reverse("inspections:verify")).content.decode()
    assert f"/inspections/findings/{reported.pk}/" in queue and f"/inspections/findings/{open_one.pk}/" not in queue
    home = client_for(insp["inspector"]).get(reverse("inspections:index")).content.decode()
    assert 'data-testid="my-campaigns"' in home and reverse("inspections:finding_new", args=[insp["campaign"].pk]) in home


def test_home_pages_say_what_waits_for_the_inspector_and_the_unit(insp, client_for):
    to_state(insp, "reported")
    record(insp, address="靖宇街1号")  # open and overdue (found 2026-09-28, five working days)
    inspector = client_for(insp["inspector"]).get("/").content.decode()
    assert 'data-testid="home-inspections"' in inspector and "待核查 1 件" in inspector
    assert reverse("inspections:finding_new", args=[insp["campaign"].pk]) in inspector
    unit = client_for(insp["reporter_a"]).get("/").content.decode()
    assert 'data-testid="home-rectify"' in unit and "待整改问题 1 件" in unit and "其中逾期 1 件" in unit
    other = client_for(insp["reporter_b"]).get("/").content.decode()
    assert 'data-testid="home-rectify"' not in other and 'data-testid="home-inspections"' not in other


def test_attacks_on_the_forms_are_refused_and_change_nothing(insp, client_for):
    """Tampered fields: another finding's extension through this finding's URL, a made-up
    verification step, a unit outside the campaign, the unit closing its own finding."""
    a = record(insp, address="靖宇街1号")
    other = record(insp, unit_key="b", address="太古街1号")
    from duibiao.inspections.services.findings import extension_request

    pending = extension_request(actor=insp["reporter_b"], finding=other, expected_version=other.version,
                                requested_to=other.deadline.replace(day=28), reason="需协调")
    a.refresh_from_db()
    inspector = client_for(insp["inspector"])
    response = inspector.post(reverse("inspections:extension_decide", args=[a.pk, pending.pk]),
                              {"version": str(a.version), "approve": "1"})
    assert response.status_code == 422 and "没有这份延期申请" in response.content.decode()
    assert ExtensionRequest.objects.get(pk=pending.pk).decision == ""
    reported = to_state(insp, "reported")
    response = inspector.post(reverse("inspections:finding_verify", args=[reported.pk]),
                              {"version": str(reported.version), "step": "closed", "reason": ""})
    assert response.status_code == 422 and "请选择核查结果" in response.content.decode()
    response = client_for(insp["reporter_a"]).post(reverse("inspections:finding_verify", args=[reported.pk]),
                                                   {"version": str(reported.version), "step": "close"})
    assert response.status_code == 403
    assert Finding.objects.get(pk=reported.pk).state == "reported"
    count = Finding.objects.count()
    response = inspector.post(reverse("inspections:finding_new", args=[insp["campaign"].pk]), _form(insp, unit="fagai"))
    assert response.status_code == 422 and 'data-testid="error-unit">请选择责任单位' in response.content.decode()
    assert Finding.objects.count() == count


def test_the_recording_form_warns_of_a_likely_duplicate_as_it_is_filled(insp, client_for):
    first = record(insp, address="靖宇街 12 号", lat=None, lng=None)
    client = client_for(insp["inspector"])
    form = client.get(reverse("inspections:finding_new", args=[insp["campaign"].pk])).content.decode()
    check = reverse("inspections:finding_duplicates", args=[insp["campaign"].pk])
    assert f'hx-get="{check}"' in form
    same = client.get(check, {"category": "占道经营", "address": "靖宇街１２号"}).content.decode()
    assert 'data-testid="live-duplicates"' in same and f"#{first.pk}" in same and "仍可记录" in same
    near = client.get(check, {"category": "占道经营", "address": "别处", "lat": "45.77501", "lng": "126.65001"})
    assert f"#{first.pk}" not in near.content.decode()  # it has no coordinates; the address differs
    other = client.get(check, {"category": "垃圾堆放", "address": "靖宇街12号"}).content.decode()
    assert f"#{first.pk}" not in other
    # Only the campaign's inspector asks: unit B's inspector does not learn of unit A's findings.
    assert f"#{first.pk}" not in client_for(insp["inspector_b"]).get(
        check, {"category": "占道经营", "address": "靖宇街12号"}).content.decode()
    assert client_for(insp["reporter_a"]).get(check, {"category": "占道经营"}).status_code == 404


def test_a_returned_finding_shows_why_even_after_a_reminder(insp, client_for):
    from duibiao.inspections.services.findings import finding_remind

    finding = to_state(insp, "returned")
    finding_remind(actor=insp["inspector"], finding=finding, expected_version=finding.version, text="请于周五前完成")
    page = client_for(insp["reporter_a"]).get(reverse("inspections:finding", args=[finding.pk])).content.decode()
    assert re.search(r'data-testid="return-reason">被退回：仍有杂物<', page)
