"""通报 written over the API with the pages' services: drafting, rewriting a draft (with its
version), issuing (irreversible, every precondition checked by the server), batches, the
drafting schedules and the Word / PDF downloads — and the attacks: a unit, a leader, another
district's office, a token without the action, a stale version, an issued bulletin rewritten
or issued again."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from duibiao.audit.models import AuditEntry
from duibiao.documents.models import BulletinDoc, BulletinSchedule, DocumentNumber, ExportJob
from duibiao.documents.word.pdf import soffice_path
from duibiao.documents.word.sheets import page_count

API = "/api/documents/bulletins"
DAY = "2026-10-16"  # a Friday, a working day
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def w(world, settings, tmp_path):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from tests.conftest import PASSWORD

    settings.MEDIA_ROOT = tmp_path / "media"
    other = user_create(actor=None, username="khb_ng", password=PASSWORD)
    role_grant(actor=None, user=other, role=Role.OFFICE, units=[world["other_district"]])
    return {**world, "office_nangang": other}


def _send(client: Client, method: str, url: str, body: object):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _draft(client: Client, **body) -> dict:
    response = _send(client, "post", API, {"kind": "inspections", "day": DAY, **body})
    assert response.status_code == 201, response.content
    return response.json()


def _token(user, actions: list[str]) -> Client:
    from duibiao.accounts.tokens import token_create

    _row, secret = token_create(actor=user, name="通报对接", actions=actions, units=[],
                                expires_on=timezone.localdate() + timedelta(days=5))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_office_drafts_rewrites_and_issues_a_bulletin(w, client_for):
    office = client_for(w["office"])
    draft = _draft(office)
    assert draft["status"] == "draft" and draft["number"] is None and draft["title"].endswith("督导检查情况的通报")
    assert set(draft["texts"]) == {"opening", "requirements"}
    url = f"{API}/{draft['id']}"
    # Rewrite with the version read: saved, the version moves on, one audit row.
    texts = {"opening": "现将本日督导检查情况通报如下。", "requirements": "各单位要立行立改。"}
    saved = _send(office, "put", f"{url}/texts", {**texts, "version": draft["version"]})
    assert saved.status_code == 200, saved.content
    assert saved.json()["texts"] == texts and saved.json()["version"] == draft["version"] + 1
    assert AuditEntry.objects.filter(action="documents.bulletin.edit", object_id=str(draft["id"])).count() == 1
    # A stale version: 409 in the one error body, nothing written.
    stale = _send(office, "put", f"{url}/texts", {**texts, "opening": "旧页面的开头。", "version": draft["version"]})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict" and "刷新" in stale.json()["detail"]
    assert BulletinDoc.objects.get(pk=draft["id"]).texts["opening"] == texts["opening"]
    # A text left empty: 422, the reason under its field.
    empty = _send(office, "put", f"{url}/texts", {**texts, "opening": " ", "version": saved.json()["version"]})
    assert empty.status_code == 422 and empty.json()["errors"] == {"opening": ["开头不能为空"]}
    # Without a version the write is refused as out of date.
    missing = _send(office, "put", f"{url}/texts", texts)
    assert missing.status_code == 422 and missing.json()["code"] == "version_missing"
    # 印发 with the version read: a 发文字号, the files.
    issued = _send(office, "post", f"{url}/issue", {"version": saved.json()["version"]})
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert body["status"] == "issued" and body["number"].startswith("道外考核办〔")
    assert DocumentNumber.objects.count() == 1
    # Issuing twice takes no second number; an issued bulletin is not rewritten.
    again = _send(office, "post", f"{url}/issue", {"version": body["version"]})
    assert again.status_code == 409 and "已印发" in again.json()["detail"]
    rewrite = _send(office, "put", f"{url}/texts", {**texts, "version": body["version"]})
    assert rewrite.status_code == 409 and "已印发" in rewrite.json()["detail"]
    assert DocumentNumber.objects.count() == 1
    # The Word file: an attachment of the fixed type, the frozen copy with its number.
    docx = office.get(f"{url}/docx")
    assert docx.status_code == 200 and docx["Content-Type"] == DOCX
    assert docx["Content-Disposition"].startswith("attachment") and docx["X-Content-Type-Options"] == "nosniff"
    assert b"".join(docx.streaming_content).startswith(b"PK")
    if soffice_path() is not None:  # CI installs LibreOffice: the PDF, its 版记 on an even page
        pdf = office.get(f"{url}/pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf["Content-Disposition"].startswith("attachment")
        assert page_count(b"".join(pdf.streaming_content)) % 2 == 0
    # A leader reads and downloads the issued bulletin.
    leader = client_for(w["leader"])
    assert leader.get(url).json()["number"] == body["number"]
    assert leader.get(f"{url}/docx").status_code == 200


def test_a_drafts_word_file_is_laid_out_now_and_it_has_no_pdf(w, client_for):
    office = client_for(w["office"])
    url = f"{API}/{_draft(office)['id']}"
    docx = office.get(f"{url}/docx")
    assert docx.status_code == 200 and docx["Content-Type"] == DOCX
    assert "attachment" in docx["Content-Disposition"] and docx.content.startswith(b"PK")
    pdf = office.get(f"{url}/pdf")
    assert pdf.status_code == 404 and pdf.json()["detail"] == "草稿只提供 Word 文档；印发后提供 PDF"


def test_a_draft_is_checked_field_by_field(w, client_for):
    office = client_for(w["office"])
    for body, field, reason in (
            ({"kind": "weekly"}, "kind", "请选择通报类型"),
            ({"kind": "results"}, "run", "请选择已公布考核结果的考核周期"),
            ({"kind": "results", "run": 999999}, "run", "请选择已公布考核结果的考核周期"),
    ):
        response = _send(office, "post", API, body)
        assert response.status_code == 422, body
        assert response.json()["errors"] == {field: [reason]} and response.json()["code"] == "invalid"
    bad_day = _send(office, "post", API, {"kind": "projects", "day": "2026-13-01"})
    assert bad_day.status_code == 422 and "day" in bad_day.json()["errors"]
    assert not BulletinDoc.objects.exists()


def test_issuing_checks_what_the_confirm_page_promises(w, client_for):
    """A draft whose text was emptied (an older version wrote it so) is not issued, and no
    number is taken for it."""
    office = client_for(w["office"])
    draft = _draft(office)
    BulletinDoc.objects.filter(pk=draft["id"]).update(texts={"opening": "", "requirements": "要求。"})
    refused = _send(office, "post", f"{API}/{draft['id']}/issue", {"version": draft["version"]})
    assert refused.status_code == 422 and refused.json()["errors"] == {"opening": ["开头不能为空"]}
    assert not DocumentNumber.objects.exists() and BulletinDoc.objects.get(pk=draft["id"]).status == "draft"
    stale = _send(office, "post", f"{API}/{draft['id']}/issue", {"version": draft["version"] + 7})
    assert stale.status_code == 409 and not DocumentNumber.objects.exists()


def test_units_leaders_and_other_districts_cannot_write(w, client_for):
    office = client_for(w["office"])
    draft = _draft(office)
    url = f"{API}/{draft['id']}"
    body = {"opening": "改。", "requirements": "改。", "version": draft["version"]}
    for who in ("reporter_a", "head_a", "leader"):
        attacker = client_for(w[who])
        refused = _send(attacker, "post", API, {"kind": "inspections", "day": DAY})
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", who
        assert refused.json()["detail"].startswith("无权访问")
        # A draft is not even named to them.
        assert _send(attacker, "put", f"{url}/texts", body).status_code in (403, 404), who
        assert _send(attacker, "post", f"{url}/issue", {"version": draft["version"]}).status_code in (403, 404), who
        assert attacker.get(f"{url}/docx").status_code in (403, 404), who
    nangang = client_for(w["office_nangang"])
    assert _send(nangang, "post", f"{url}/issue", {"version": draft["version"]}).status_code == 404
    assert _send(nangang, "put", f"{url}/texts", body).status_code == 404
    assert BulletinDoc.objects.count() == 1 and not DocumentNumber.objects.exists()
    assert BulletinDoc.objects.get(pk=draft["id"]).version == draft["version"]


def test_a_token_without_the_action_cannot_draft_or_issue(w, client_for):
    draft = _draft(client_for(w["office"]))
    reader = _token(w["office"], ["documents.bulletin.view", "documents.bulletin.edit"])
    refused = _send(reader, "post", f"{API}/{draft['id']}/issue", {"version": draft["version"]})
    assert refused.status_code == 403 and "印发通报" in refused.json()["detail"]
    viewer = _token(w["office"], ["documents.bulletin.view"])
    assert _send(viewer, "post", API, {"kind": "inspections", "day": DAY}).status_code == 403
    assert _send(viewer, "put", f"{API}/{draft['id']}/texts",
                 {"opening": "改。", "requirements": "改。", "version": draft["version"]}).status_code in (403, 404)
    assert not DocumentNumber.objects.exists() and BulletinDoc.objects.count() == 1
    # The figures are read as the token may read them: without the projects' action, no
    # projects bulletin (the reason says which).
    writer = _token(w["office"], ["documents.bulletin.view", "documents.bulletin.edit", "inspections.stats.view"])
    blind = _send(writer, "post", API, {"kind": "projects", "day": DAY})
    assert blind.status_code == 403 and "重点项目" in blind.json()["detail"]
    # The token that names the actions does it, its owner on the audit row with its key id.
    made = _send(writer, "post", API, {"kind": "inspections", "day": DAY})
    assert made.status_code == 201, made.content
    row = AuditEntry.objects.get(action="documents.bulletin.draft", object_id=str(made.json()["id"]))
    assert row.user_id == w["office"].pk and row.detail.startswith("[dbt_")


def test_a_batch_is_queued_as_a_job(w, client_for):
    office = client_for(w["office"])
    queued = _send(office, "post", f"{API}/batch", {"kinds": ["inspections", "projects"], "start": DAY, "end": DAY})
    assert queued.status_code == 202, queued.content
    job = ExportJob.objects.get(pk=queued.json()["job"])
    assert queued.json()["drafts"] == 2 and job.kind == ExportJob.Kind.BULLETIN_BATCH and job.created_by == w["office"]
    backwards = _send(office, "post", f"{API}/batch", {"kinds": ["inspections"], "start": DAY, "end": "2026-10-15"})
    assert backwards.status_code == 422 and backwards.json()["errors"] == {"end": ["结束日期不能早于开始日期"]}
    none = _send(office, "post", f"{API}/batch", {"kinds": [], "start": DAY, "end": DAY})
    assert none.status_code == 422 and "kinds" in none.json()["errors"]
    unit = _send(client_for(w["reporter_a"]), "post", f"{API}/batch", {"kinds": ["inspections"], "start": DAY, "end": DAY})
    assert unit.status_code == 403
    assert ExportJob.objects.count() == 1


def test_the_drafting_schedules_are_set_with_their_version(w, client_for):
    office = client_for(w["office"])
    listed = office.get("/api/documents/bulletin-schedules")
    assert listed.status_code == 200
    assert [(row["kind"], row["version"], row["enabled"]) for row in listed.json()] == [
        ("inspections", 0, False), ("projects", 0, False)]
    url = "/api/documents/bulletin-schedules/inspections"
    saved = _send(office, "put", url, {"enabled": True, "at": "17:30", "version": 0})
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 1 and saved.json()["at"] == "17:30" and saved.json()["next_due"]
    assert saved.json()["owner"] == w["office"].username
    # A second writer with the version he read before is refused, nothing changed.
    stale = _send(office, "put", url, {"enabled": False, "at": "09:00", "version": 0})
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    assert BulletinSchedule.objects.get(kind="inspections").at.strftime("%H:%M") == "17:30"
    # Switched off with the current version.
    off = _send(office, "put", url, {"enabled": False, "at": "17:30", "version": 1})
    assert off.status_code == 200 and off.json()["enabled"] is False and off.json()["next_due"] is None
    weekly = _send(office, "put", "/api/documents/bulletin-schedules/projects", {"enabled": True, "at": "16:00",
                                                                                   "version": 0})
    assert weekly.status_code == 422 and weekly.json()["errors"] == {"weekday": ["请选择每周起草的星期"]}
    unknown = _send(office, "put", "/api/documents/bulletin-schedules/results", {"enabled": True, "at": "16:00",
                                                                                  "version": 0})
    assert unknown.status_code == 422 and "kind" in unknown.json()["errors"]
    no_time = _send(office, "put", url, {"enabled": True, "version": 2})
    assert no_time.status_code == 422 and no_time.json()["errors"] == {"at": ["请填写起草时间，例如 17:30"]}
    for who in ("leader", "reporter_a"):
        attacker = client_for(w[who])
        assert attacker.get("/api/documents/bulletin-schedules").status_code == 403, who
        assert _send(attacker, "put", url, {"enabled": True, "at": "08:00", "version": 2}).status_code == 403, who
    assert BulletinSchedule.objects.get(kind="inspections").version == 2
