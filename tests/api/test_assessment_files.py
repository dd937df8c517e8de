"""A value's 佐证材料 and 数据留言 and an appeal's 申诉材料 over the API: the pages' services and
selectors behind each operation, and every attack refused with nothing stored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from duibiao.assessment.models import Appeal, Evidence, Submission, SubmissionComment
from duibiao.assessment.services.submissions import ValueInput, submission_save, submission_submit
from duibiao.audit.models import AuditEntry
from tests.files import samples

EXE = b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode."


def _pdf(name: str = "台账.pdf", data: bytes = samples.PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _bearer(user, *, actions: list[str], units: list[str]) -> Client:
    from duibiao.accounts import gate
    from duibiao.accounts.tokens import token_create

    _token, secret = token_create(actor=user, name="对接", actions=actions, units=units,
                                  expires_on=timezone.localdate() + timedelta(days=30))
    gate.forget(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def draft(assessed, settings, tmp_path):
    """Unit A's draft value of nl02, files kept under a private media root."""
    settings.MEDIA_ROOT = tmp_path
    sub = submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                          item=ValueInput(indicator=assessed["ind"]["nl02"], value="96", expected_version=0))
    return {**assessed, "sub": sub, "media": tmp_path}


def _upload(client: Client, sub: Submission, upload) -> object:
    return client.post(f"/api/assessment/submissions/{sub.pk}/evidence", {"file": upload})


# ---------------------------------------------------------------------------- 佐证材料


def test_evidence_is_uploaded_listed_downloaded_and_removed(draft, client_for):
    reporter = client_for(draft["reporter_a"])
    sub = draft["sub"]
    made = _upload(reporter, sub, _pdf())
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["filename"] == "台账.pdf" and body["content_type"] == "application/pdf"
    assert body["submission"] == sub.pk and body["uploaded_by"] == "tb_a" and len(body["sha256"]) == 64
    assert AuditEntry.objects.filter(action="evidence.attach", unit=draft["a"]).count() == 1

    listed = reporter.get(f"/api/assessment/submissions/{sub.pk}/evidence").json()
    assert listed["count"] == 1 and [e["id"] for e in listed["items"]] == [body["id"]]

    # The office and the owning task force read it too, as on the review page.
    for reader in (reporter, client_for(draft["office"]), client_for(draft["taskforce"])):
        got = reader.get(body["url"])
        assert got.status_code == 200
        assert got["Content-Type"] == "application/pdf"
        assert got["Content-Disposition"].startswith("attachment;")
        assert got["X-Content-Type-Options"] == "nosniff"
        assert b"".join(got.streaming_content) == samples.PDF

    removed = reporter.delete(f"/api/assessment/evidence/{body['id']}")
    assert removed.status_code == 204
    assert not Evidence.objects.exists()
    assert AuditEntry.objects.filter(action="evidence.remove").count() == 1


def test_an_image_is_sent_as_an_attachment_of_its_stored_type(draft, client_for):
    """A page shows images inline in the sandboxed viewer; the API always sends a download,
    of the type decided on upload, whatever the name said."""
    reporter = client_for(draft["reporter_a"])
    made = _upload(reporter, draft["sub"], SimpleUploadedFile("现场.pdf", samples.image("PNG"), "application/pdf"))
    assert made.status_code == 201 and made.json()["content_type"] == "image/png"
    got = reporter.get(made.json()["url"])
    assert got["Content-Type"] == "image/png" and got["Content-Disposition"].startswith("attachment;")
    assert 'filename="现场.pdf.png"' in got["Content-Disposition"] or "filename*=" in got["Content-Disposition"]
    assert got["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("申报材料.pdf", EXE, "只接受"),  # a program renamed .pdf
    ("网页.pdf", samples.ATTACK_HTML, "网页代码"),  # a PDF header, then a web page
])
def test_a_disguised_file_is_refused_beside_the_field_and_nothing_is_stored(draft, client_for, name, data, reason):
    response = _upload(client_for(draft["reporter_a"]), draft["sub"], _pdf(name, data))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == ["file"]
    assert reason in body["errors"]["file"][0] and body["detail"] == body["errors"]["file"][0]
    assert not Evidence.objects.exists() and _stored(draft["media"]) == []
    assert not AuditEntry.objects.filter(action="evidence.attach").exists()


def test_an_oversize_file_is_refused_with_the_cap(draft, client_for, settings):
    settings.DUIBIAO_EVIDENCE_MAX_MB = 1
    response = _upload(client_for(draft["reporter_a"]), draft["sub"], _pdf("大.pdf", samples.PDF + b"0" * (1024 * 1024 + 1)))
    assert response.status_code == 422
    assert "上限" in response.json()["errors"]["file"][0]
    assert not Evidence.objects.exists() and _stored(draft["media"]) == []
    # Past the request cap the body is not even read: 413 in the one error body.
    settings.DUIBIAO_REQUEST_MAX_MB = 1
    response = _upload(client_for(draft["reporter_a"]), draft["sub"], _pdf("大.pdf", samples.PDF + b"0" * (2 * 1024 * 1024)))
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert not Evidence.objects.exists()


def test_an_upload_without_a_file_names_the_field(draft, client_for):
    response = client_for(draft["reporter_a"]).post(f"/api/assessment/submissions/{draft['sub'].pk}/evidence", {})
    assert response.status_code == 422 and "file" in response.json()["errors"]


def test_another_units_reporter_cannot_see_add_or_remove_evidence(draft, client_for):
    sub = draft["sub"]
    evidence = _upload(client_for(draft["reporter_a"]), sub, _pdf()).json()
    other = client_for(draft["reporter_b"])
    for response in (
        other.get(f"/api/assessment/submissions/{sub.pk}/evidence"),
        _upload(other, sub, _pdf("他人.pdf")),
        other.get(evidence["url"]),
        other.delete(f"/api/assessment/evidence/{evidence['id']}"),
    ):
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["台账.pdf"]


def test_a_token_held_to_another_unit_cannot_touch_this_units_evidence(draft, client_for):
    sub = draft["sub"]
    evidence = _upload(client_for(draft["reporter_a"]), sub, _pdf()).json()
    actions = ["assessment.submission.view", "assessment.submission.report", "assessment.submission.comment"]
    # The office may handle every unit's evidence; its token held to 太古街道 may not handle 靖宇's.
    taigu = _bearer(draft["office"], actions=actions, units=["taigu"])
    for response in (
        taigu.get(f"/api/assessment/submissions/{sub.pk}/evidence"),
        _upload(taigu, sub, _pdf("越权.pdf")),
        taigu.get(evidence["url"]),
        taigu.delete(f"/api/assessment/evidence/{evidence['id']}"),
        taigu.post(f"/api/assessment/submissions/{sub.pk}/comments", {"text": "越权"}, content_type="application/json"),
    ):
        assert response.status_code == 404, response.content
    assert Evidence.objects.count() == 1 and not SubmissionComment.objects.exists()
    # A token that may only read sees the evidence and cannot add or remove any.
    reader = _bearer(draft["reporter_a"], actions=["assessment.submission.view"], units=["jingyu"])
    assert reader.get(evidence["url"]).status_code == 200
    refused = _upload(reader, sub, _pdf("只读.pdf"))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert reader.delete(f"/api/assessment/evidence/{evidence['id']}").status_code == 403
    # The reporter's own token for his unit works, and its row names the token.
    own = _bearer(draft["reporter_a"], actions=actions, units=["jingyu"])
    assert _upload(own, sub, _pdf("补充.pdf")).status_code == 201
    assert AuditEntry.objects.filter(action="evidence.attach").latest("id").detail.startswith("[dbt_")


def test_evidence_is_fixed_once_the_value_is_submitted(draft, client_for):
    reporter = client_for(draft["reporter_a"])
    evidence = _upload(reporter, draft["sub"], _pdf()).json()
    submission_submit(actor=draft["reporter_a"], period=draft["period"], unit=draft["a"], confirm=True)
    removed = reporter.delete(f"/api/assessment/evidence/{evidence['id']}")
    assert removed.status_code == 422 and removed.json()["detail"] == "已提交或已审核的数据不能删除佐证材料"
    added = _upload(reporter, draft["sub"], _pdf("迟到.pdf"))
    assert added.status_code == 422 and added.json()["detail"] == "已提交或已审核的数据不能再添加佐证材料"
    assert Evidence.objects.count() == 1


# ---------------------------------------------------------------------------- 数据留言


def _comment(client: Client, sub: Submission, text: str):
    return client.post(f"/api/assessment/submissions/{sub.pk}/comments", {"text": text},
                       content_type="application/json")


def test_comments_are_posted_and_read_by_the_unit_and_the_task_force(draft, client_for):
    sub = draft["sub"]
    asked = _comment(client_for(draft["taskforce"]), sub, "  请补充整改台账  ")
    assert asked.status_code == 201, asked.content
    assert asked.json()["text"] == "请补充整改台账" and asked.json()["author"] == "zb1"
    assert _comment(client_for(draft["reporter_a"]), sub, "已补充").status_code == 201
    thread = client_for(draft["head_a"]).get(f"/api/assessment/submissions/{sub.pk}/comments").json()
    assert [c["text"] for c in thread["items"]] == ["请补充整改台账", "已补充"]
    assert AuditEntry.objects.filter(action="submission.comment").count() == 2


def test_a_comment_is_checked_once_as_on_the_page(draft, client_for):
    reporter, sub = client_for(draft["reporter_a"]), draft["sub"]
    too_long = _comment(reporter, sub, "字" * 1001)
    assert too_long.status_code == 422
    assert too_long.json()["errors"] == {"text": ["“留言”最多 1000 字，现有 1001 字"]}
    blank = _comment(reporter, sub, "   ")
    assert blank.status_code == 422 and blank.json()["errors"] == {"text": ["请填写留言内容"]}
    assert _comment(reporter, sub, "字" * 1000).status_code == 201
    assert SubmissionComment.objects.count() == 1


def test_comments_of_another_unit_are_neither_read_nor_written(draft, client_for):
    sub = draft["sub"]
    _comment(client_for(draft["reporter_a"]), sub, "内部说明")
    other = client_for(draft["reporter_b"])
    assert other.get(f"/api/assessment/submissions/{sub.pk}/comments").status_code == 404
    assert _comment(other, sub, "看看").status_code == 404
    refused = _comment(client_for(draft["leader"]), sub, "领导批示")  # sees values, does not comment
    assert refused.status_code == 403 and refused.json()["detail"].startswith("无权访问")
    assert SubmissionComment.objects.count() == 1


# ---------------------------------------------------------------------------- 申诉材料


@pytest.fixture
def released(approved, settings, tmp_path):
    from duibiao.assessment.services.runs import run_release, run_start

    settings.MEDIA_ROOT = tmp_path
    run = run_release(actor=approved["office"], run=run_start(actor=approved["office"], period=approved["period"]))
    return {**approved, "run": run, "media": tmp_path}


def _appeal(client: Client, w: dict, **data):
    return client.post(f"/api/results/runs/{w['run'].pk}/units/jingyu/appeals/with-file", data)


def test_an_appeal_is_filed_with_its_material_and_read_by_the_unit_and_the_deciders(released, client_for):
    w = released
    filed = _appeal(client_for(w["head_a"]), w, indicator="nl02", reason="整改台账已补充", file=_pdf("整改台账.pdf"))
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert body["unit"] == "jingyu" and body["indicator"] == "nl02" and body["status"] == "pending"
    assert body["file"] == "整改台账.pdf" and body["file_type"] == "application/pdf"
    for who in ("head_a", "reporter_a", "office", "taskforce"):
        client = client_for(w[who])
        assert client.get(f"/api/results/appeals/{body['id']}").json()["file_url"] == body["file_url"]
        got = client.get(body["file_url"])
        assert got.status_code == 200, who
        assert got["Content-Type"] == "application/pdf" and got["Content-Disposition"].startswith("attachment;")
        assert got["X-Content-Type-Options"] == "nosniff"
        assert b"".join(got.streaming_content) == samples.PDF
    assert client_for(w["reporter_b"]).get(body["file_url"]).status_code == 404
    assert client_for(w["reporter_b"]).get(f"/api/results/appeals/{body['id']}").status_code == 404
    # A token of unit B's reporter cannot fetch it either.
    token = _bearer(w["reporter_b"], actions=["assessment.appeal.view"], units=["taigu"])
    assert token.get(body["file_url"]).status_code == 404


def test_an_appeal_without_material_has_nothing_to_download(released, client_for):
    w = released
    filed = _appeal(client_for(w["head_a"]), w, indicator="nl03", reason="口径不一致")
    assert filed.status_code == 201 and filed.json()["file"] is None and filed.json()["file_url"] is None
    missing = client_for(w["office"]).get(f"/api/results/appeals/{filed.json()['id']}/evidence")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_a_refused_appeal_names_its_field_and_stores_nothing(released, client_for):
    w = released
    head = client_for(w["head_a"])
    disguised = _appeal(head, w, indicator="nl02", reason="见附件", file=_pdf("附件.pdf", EXE))
    assert disguised.status_code == 422
    assert list(disguised.json()["errors"]) == ["file"] and "只接受" in disguised.json()["errors"]["file"][0]
    no_reason = _appeal(head, w, indicator="nl02", reason=" ", file=_pdf())
    assert no_reason.status_code == 422 and no_reason.json()["errors"] == {"reason": ["请写明申诉理由"]}
    no_indicator = _appeal(head, w, indicator="zz99", reason="见附件")
    assert no_indicator.status_code == 422 and no_indicator.json()["errors"] == {"indicator": ["请选择申诉的指标"]}
    assert not Appeal.objects.exists() and _stored(w["media"]) == []


def test_another_unit_cannot_appeal_for_this_one(released, client_for):
    w = released
    other = _appeal(client_for(w["reporter_b"]), w, indicator="nl02", reason="代为申诉", file=_pdf())
    assert other.status_code == 404
    token = _bearer(w["head_a"], actions=["assessment.appeal.file", "assessment.appeal.view",
                                          "assessment.result.view"], units=["jingyu"])
    assert token.post(f"/api/results/runs/{w['run'].pk}/units/taigu/appeals/with-file",
                      {"indicator": "nl02", "reason": "x"}).status_code == 404
    assert not Appeal.objects.exists() and _stored(w["media"]) == []
