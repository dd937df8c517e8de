"""The rectification state machine through the services: every step from every state, the
version read, the gate (another unit, another role), extensions, duplicates and photos."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from duibiao.audit.models import AuditEntry
from duibiao.inspections.errors import (
    ConflictError,
    IllegalTransition,
    InspectionError,
    PhotoRejected,
)
from duibiao.inspections.models import ExtensionRequest, Finding, FindingEvent, FindingPhoto
from duibiao.inspections.services import findings as svc
from duibiao.inspections.states import STEPS, allowed_steps
from tests.inspections.findings_world import FOUND_ON, jpeg, photo, record, to_state

pytestmark = pytest.mark.django_db
STATES = ["open", "reported", "returned", "closed", "closed_not_fixed"]


def take(w: dict, finding: Finding, step: str, version: int | None = None):
    """Take one step as the user it belongs to, with the version read unless told."""
    v = finding.version if version is None else version
    if step == "report":
        return svc.finding_report(actor=w["reporter_a"], finding=finding, expected_version=v, text="已整改",
                                  photos=[photo("后.jpg", jpeg(gps=False))])
    if step in svc.VERIFY_KINDS:
        return svc.finding_verify(actor=w["inspector"], finding=finding, expected_version=v, step=step,
                                  reason="核查意见")
    if step == "extend_request":
        return svc.extension_request(actor=w["reporter_a"], finding=finding, expected_version=v,
                                     requested_to=date(2026, 10, 30), reason="需协调执法部门")
    if step == "extend_decide":
        pending = finding.extensions.filter(decision="").first() or ExtensionRequest.objects.create(
            finding=finding, requested_to=date(2026, 10, 30), reason="（测试构造）", requested_by=w["reporter_a"])
        return svc.extension_decide(actor=w["inspector"], extension=pending, expected_version=v, approve=True)
    return svc.finding_remind(actor=w["inspector"], finding=finding, expected_version=v, text="请尽快整改")


def test_recording_sets_the_deadline_in_working_days_across_national_day(insp):
    finding = record(insp)
    # 9-29, 9-30, (10-1…10-7 holiday), 10-8, 10-9, and the make-up Saturday 10-10.
    assert (finding.found_on, finding.workdays, finding.deadline) == (FOUND_ON, 5, date(2026, 10, 10))
    assert finding.state == Finding.State.OPEN and finding.version == 1
    assert list(finding.events.values_list("kind", "to_state")) == [("record", "open")]
    assert AuditEntry.objects.filter(action="finding.record").count() == 1


def test_photo_is_hashed_as_received_and_served_without_exif(insp):
    import hashlib

    original = jpeg(gps=True)
    finding = record(insp, photos=[photo("现场.jpg", original)])
    stored = finding.photos.get()
    assert stored.stage == "before" and stored.sha256 == hashlib.sha256(original).hexdigest()
    served = stored.file.read()
    assert b"HUAWEI" not in served and b"GPS" not in served
    assert dict(Image.open(io.BytesIO(served)).getexif()) == {}
    assert stored.exif == {"make": "HUAWEI", "model": "P60 Pro", "lat": 45.775, "lng": 126.65}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("step", sorted(STEPS))
def test_every_step_from_every_state(insp, state, step):
    finding = to_state(insp, state)
    events = finding.events.count()
    if step in allowed_steps(state):
        after = take(insp, finding, step)
        finding.refresh_from_db()
        assert finding.version == 1 + (finding.events.count() - 1)  # one version per step taken
        assert finding.events.count() == events + 1
        target = STEPS[step].target
        assert finding.state == (target or state), after
    else:
        with pytest.raises(IllegalTransition, match="该问题当前为"):
            take(insp, finding, step)
        fresh = Finding.objects.get(pk=finding.pk)
        assert (fresh.state, fresh.version, fresh.events.count()) == (state, finding.version, events)


def test_the_table_is_the_documented_machine():
    assert {s: sorted(allowed_steps(s)) for s in STATES} == {
        "open": ["extend_decide", "extend_request", "remind", "report"],
        "reported": ["close", "close_not_fixed", "extend_decide", "return"],
        "returned": ["extend_decide", "extend_request", "remind", "report"],
        "closed": [], "closed_not_fixed": [],
    }


def test_a_stale_version_is_refused_and_nothing_changes(insp):
    finding = to_state(insp, "reported")
    with pytest.raises(ConflictError):
        take(insp, finding, "close", version=finding.version - 1)
    assert Finding.objects.get(pk=finding.pk).state == "reported"


def test_returned_then_reported_again_then_closed(insp):
    finding = to_state(insp, "returned")
    assert finding.state == "returned" and finding.events.last().text == "仍有杂物"
    finding = take(insp, finding, "report")
    finding = take(insp, finding, "close")
    assert (finding.state, finding.outcome, finding.closed_on is not None) == ("closed", "closed", True)
    assert [e.kind for e in finding.events.all()] == ["record", "report", "return", "report", "close"]
    assert finding.photos.filter(stage="after").count() == 2


@pytest.mark.parametrize("step", ["return", "close_not_fixed"])
def test_return_and_close_not_fixed_need_a_reason(insp, step):
    finding = to_state(insp, "reported")
    with pytest.raises(InspectionError, match="须填写原因"):
        svc.finding_verify(actor=insp["inspector"], finding=finding, expected_version=finding.version, step=step,
                           reason="  ")
    assert Finding.objects.get(pk=finding.pk).state == "reported"


def test_report_needs_an_after_photo_and_a_text(insp):
    finding = record(insp)
    with pytest.raises(InspectionError, match="整改后照片"):
        svc.finding_report(actor=insp["reporter_a"], finding=finding, expected_version=1, text="已整改", photos=[])
    with pytest.raises(InspectionError, match="整改情况"):
        svc.finding_report(actor=insp["reporter_a"], finding=finding, expected_version=1, text="", photos=[photo()])
    assert Finding.objects.get(pk=finding.pk).state == "open"


def test_another_units_people_and_other_roles_are_refused(insp):
    finding = to_state(insp, "reported")
    # Unit B's reporter does not learn that A's finding exists: 404.
    with pytest.raises(Http404):
        svc.finding_report(actor=insp["reporter_b"], finding=record(insp), expected_version=1, text="x",
                           photos=[photo()])
    # The unit cannot close its own finding; the office does not verify; B's inspector is out of scope.
    with pytest.raises(PermissionDenied):
        svc.finding_verify(actor=insp["reporter_a"], finding=finding, expected_version=finding.version, step="close")
    with pytest.raises(PermissionDenied):
        svc.finding_verify(actor=insp["office"], finding=finding, expected_version=finding.version, step="close")
    with pytest.raises(Http404):
        svc.finding_verify(actor=insp["inspector_b"], finding=finding, expected_version=finding.version, step="close")
    assert Finding.objects.get(pk=finding.pk).state == "reported"


def test_only_an_inspector_of_the_campaign_records_in_its_units(insp):
    with pytest.raises(PermissionDenied):
        record(insp, actor=insp["office"])
    with pytest.raises(Http404):  # B's inspector has no grant over unit A
        record(insp, actor=insp["inspector_b"])
    insp["campaign"].inspectors.remove(insp["inspector"])
    with pytest.raises(InspectionError, match="不是检查活动"):
        record(insp)
    assert not Finding.objects.exists() and not FindingPhoto.objects.exists()


def test_extension_approved_moves_the_deadline_refused_keeps_it(insp):
    finding = record(insp)
    request = svc.extension_request(actor=insp["head_a"], finding=finding, expected_version=1,
                                    requested_to=date(2026, 10, 20), reason="需协调")
    finding.refresh_from_db()
    with pytest.raises(InspectionError, match="待审批"):
        svc.extension_request(actor=insp["head_a"], finding=finding, expected_version=finding.version,
                              requested_to=date(2026, 10, 21), reason="再延")
    svc.extension_decide(actor=insp["inspector"], extension=request, expected_version=finding.version, approve=True)
    finding.refresh_from_db()
    assert (finding.extended_to, finding.deadline_in_force) == (date(2026, 10, 20), date(2026, 10, 20))
    with pytest.raises(InspectionError, match="须晚于现在的整改期限"):
        svc.extension_request(actor=insp["head_a"], finding=finding, expected_version=finding.version,
                              requested_to=date(2026, 10, 15), reason="再延")
    second = svc.extension_request(actor=insp["head_a"], finding=finding, expected_version=finding.version,
                                   requested_to=date(2026, 10, 30), reason="再延")
    finding.refresh_from_db()
    with pytest.raises(InspectionError, match="不同意延期须填写理由"):
        svc.extension_decide(actor=insp["office"], extension=second, expected_version=finding.version, approve=False)
    svc.extension_decide(actor=insp["office"], extension=second, expected_version=finding.version, approve=False,
                         note="理由不充分")
    finding.refresh_from_db()
    assert finding.extended_to == date(2026, 10, 20)
    assert list(finding.extensions.values_list("decision", flat=True)) == ["approved", "refused"]
    with pytest.raises(ConflictError, match="已审批"):
        svc.extension_decide(actor=insp["office"], extension=second, expected_version=finding.version, approve=True)


def test_likely_duplicates_are_flagged_not_refused(insp):
    from duibiao.inspections.selectors.findings import likely_duplicates

    first = record(insp, address="靖宇街 12 号", lat=None, lng=None)
    same_address = record(insp, address="靖宇街１２号", lat=None, lng=None)  # full-width digits
    nearby = record(insp, address="靖宇街路口", lat=45.77510, lng=126.65010)  # ~13 m from the next
    near_that = record(insp, address="靖宇街东口", lat=45.77500, lng=126.65000)
    other_category = record(insp, address="靖宇街12号", category="垃圾堆放", lat=None, lng=None)
    far = record(insp, address="靖宇街300号", lat=45.7800, lng=126.6600)
    assert likely_duplicates(insp["inspector"], same_address) == [first]
    assert likely_duplicates(insp["inspector"], near_that) == [nearby]
    assert likely_duplicates(insp["inspector"], other_category) == []
    assert likely_duplicates(insp["inspector"], far) == []


def _exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode"


@pytest.mark.parametrize("name,data,message", [
    ("现场.jpg", _exe(), "不接受该类型的文件"),
    ("现场.jpg", b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x13" * 300, "图片已损坏"),
    ("大图.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (15 * 1024 * 1024 + 1), "超过 15 MB 上限"),
])
def test_a_bad_photo_is_refused_with_its_reason_and_nothing_is_stored(insp, name, data, message, tmp_path):
    upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
    with pytest.raises(PhotoRejected, match=message):
        record(insp, photos=[photo(), upload])
    assert not Finding.objects.exists() and not FindingPhoto.objects.exists()
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_every_step_is_in_the_audit_log_once(insp):
    finding = to_state(insp, "closed")
    actions = list(AuditEntry.objects.filter(action__startswith="finding.").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["finding.record", "finding.report", "finding.close"]
    assert finding.events.filter(kind=FindingEvent.Kind.CLOSE, by=insp["inspector"]).exists()
