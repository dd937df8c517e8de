"""An attacker's review of issue 15's new API operations: each test performs the attack and
shows it refused with nothing changed. Refusals of objects the caller does not see answer the
very body a missing id answers (no existence oracle); names sent back in Content-Disposition
carry no path and no line break; session writes need the CSRF token; a token whose owner lost
the grant since is refused; an export's filters keep plain, short, known text only; the new
lists refuse page and size abuse in the one error body."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from duibiao.assessment.models import Evidence, SubmissionComment
from duibiao.assessment.services.submissions import ValueInput, submission_save
from duibiao.audit.models import AuditEntry
from duibiao.documents.models import ExportJob
from tests.files import samples
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)
from tests.inspections.test_worklogs import _log, work  # noqa: F401  (fixture)
from tests.web.test_cockpit import district  # noqa: F401  (fixture)

MISSING = 987654321


def _bearer(user, *, actions: list[str], units: list[str]) -> tuple[object, Client]:
    from duibiao.accounts import gate
    from duibiao.accounts.tokens import token_create

    token, secret = token_create(actor=user, name="审查", actions=actions, units=units,
                                 expires_on=timezone.localdate() + timedelta(days=30))
    gate.forget(user)
    return token, Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _pdf(name: str = "台账.pdf", data: bytes = samples.PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def draft(assessed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sub = submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                          item=ValueInput(indicator=assessed["ind"]["nl02"], value="96", expected_version=0))
    return {**assessed, "sub": sub, "media": tmp_path}


def _same_404(got, missing) -> None:
    """A hidden object is answered exactly as a missing one: status and body alike."""
    assert got.status_code == 404 == missing.status_code, (got.status_code, got.content)
    assert got.json() == missing.json()


# ---------------------------------------------------------------------------- no existence oracle


def test_another_units_evidence_answers_the_body_of_a_missing_one(draft, client_for):
    made = client_for(draft["reporter_a"]).post(f"/api/assessment/submissions/{draft['sub'].pk}/evidence",
                                                {"file": _pdf()})
    assert made.status_code == 201
    pk = made.json()["id"]
    other = client_for(draft["reporter_b"])
    _same_404(other.get(f"/api/assessment/evidence/{pk}"), other.get(f"/api/assessment/evidence/{MISSING}"))
    _same_404(other.delete(f"/api/assessment/evidence/{pk}"), other.delete(f"/api/assessment/evidence/{MISSING}"))
    sub = draft["sub"].pk
    _same_404(other.get(f"/api/assessment/submissions/{sub}/evidence"),
              other.get(f"/api/assessment/submissions/{MISSING}/evidence"))
    _same_404(other.get(f"/api/assessment/submissions/{sub}/comments"),
              other.get(f"/api/assessment/submissions/{MISSING}/comments"))
    _same_404(other.post(f"/api/assessment/submissions/{sub}/comments", {"text": "探"}, content_type="application/json"),
              other.post(f"/api/assessment/submissions/{MISSING}/comments", {"text": "探"}, content_type="application/json"))
    assert Evidence.objects.count() == 1 and not SubmissionComment.objects.exists()


def test_another_users_export_job_answers_the_body_of_a_missing_one(approved, client_for):
    office = client_for(approved["office"])
    started = office.post("/api/documents/exports", {"kind": "reporting_template", "period": approved["period"].pk},
                          content_type="application/json")
    assert started.status_code == 202, started.content
    pk = started.json()["id"]
    # The task force of the same district sees the period, not the office's job.
    other = client_for(approved["taskforce"])
    for suffix in ("", "/file"):
        _same_404(other.get(f"/api/documents/exports/{pk}{suffix}"),
                  other.get(f"/api/documents/exports/{MISSING}{suffix}"))
    _same_404(other.post(f"/api/documents/exports/{pk}/retry"), other.post(f"/api/documents/exports/{MISSING}/retry"))
    assert ExportJob.objects.count() == 1
    assert pk not in [row["id"] for row in other.get("/api/documents/jobs").json()["items"]]


def test_a_photo_or_bulletin_of_no_ones_answers_as_missing(approved, client_for):
    """Ids the caller cannot see and ids that do not exist cannot be told apart by a unit."""
    unit = client_for(approved["reporter_b"])
    for path in ("/api/projects/photos/{}", "/api/documents/bulletins/{}", "/api/documents/bulletins/{}/docx",
                 "/api/results/appeals/{}", "/api/results/appeals/{}/evidence"):
        missing = unit.get(path.format(MISSING))
        assert missing.status_code in (403, 404), (path, missing.status_code)
        assert missing.json()["code"] in ("forbidden", "not_found") and missing.json()["detail"]


# ---------------------------------------------------------------------------- names sent back


@pytest.mark.parametrize("name", [
    "../../../etc/passwd.pdf",
    "..\\..\\windows\\台账.pdf",
    "台账\r\nSet-Cookie: sessionid=evil.pdf",
    "a\"; filename=\"evil.html.pdf",
    "\x00nul.pdf",
])
def test_a_hostile_filename_is_stored_and_sent_back_harmless(draft, client_for, name):
    reporter = client_for(draft["reporter_a"])
    made = reporter.post(f"/api/assessment/submissions/{draft['sub'].pk}/evidence", {"file": _pdf(name)})
    assert made.status_code in (201, 422), made.content
    if made.status_code == 422:
        assert "file" in made.json()["errors"] and not Evidence.objects.exists()
        return
    evidence = Evidence.objects.get()
    # Stored under the content's hash, never under any part of the name sent.
    stored = evidence.file.name.rpartition("/")[2]
    assert len(stored) == 64 and set(stored) <= set("0123456789abcdef")
    assert (draft["media"] / evidence.file.name).resolve().is_relative_to(draft["media"].resolve())
    kept = made.json()["filename"]
    assert not set(kept) & {"/", "\\", "\r", "\n", "\x00"}
    got = reporter.get(made.json()["url"])
    assert got.status_code == 200
    header = got["Content-Disposition"]
    assert header.startswith("attachment;") and header.count("filename") == 1
    assert not set(header) & {"/", "\\", "\r", "\n", "\x00"}
    assert "evil" not in str(got.cookies) and "Set-Cookie" not in header
    assert got["Content-Type"] == "application/pdf" and got["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "data"), [
    ("图.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("页.html", b"<!doctype html><html><script>alert(1)</script></html>"),
    ("页.pdf", b"<html><body onload=alert(1)>"),
])
def test_markup_is_refused_as_evidence(draft, client_for, name, data):
    got = client_for(draft["reporter_a"]).post(f"/api/assessment/submissions/{draft['sub'].pk}/evidence",
                                               {"file": SimpleUploadedFile(name, data, "image/svg+xml")})
    assert got.status_code == 422 and list(got.json()["errors"]) == ["file"]
    assert not Evidence.objects.exists() and not [p for p in draft["media"].rglob("*") if p.is_file()]


# ---------------------------------------------------------------------------- CSRF, lapsed grants


def test_a_session_write_without_csrf_is_refused(draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(draft["reporter_a"])
    sub = draft["sub"].pk
    for response in (
        client.post(f"/api/assessment/submissions/{sub}/evidence", {"file": _pdf()}),
        client.post(f"/api/assessment/submissions/{sub}/comments", {"text": "跨站"}, content_type="application/json"),
        client.post("/api/documents/exports", {"kind": "reporting_template", "period": draft["period"].pk},
                    content_type="application/json"),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "csrf_failed"
    assert not Evidence.objects.exists() and not SubmissionComment.objects.exists()
    assert not ExportJob.objects.exists()


def test_a_token_whose_owner_lost_the_grant_is_refused(draft):
    from duibiao.accounts import gate
    from duibiao.accounts.models import RoleGrant
    from duibiao.accounts.services import role_revoke

    actions = ["assessment.submission.view", "assessment.submission.report", "assessment.submission.comment"]
    _token, client = _bearer(draft["reporter_a"], actions=actions, units=["jingyu"])
    sub = draft["sub"].pk
    assert client.get(f"/api/assessment/submissions/{sub}/evidence").status_code == 200
    for grant in RoleGrant.objects.filter(user=draft["reporter_a"]):
        role_revoke(actor=None, grant=grant)
    gate.forget(draft["reporter_a"])
    before = AuditEntry.objects.count()
    for response in (
        client.get(f"/api/assessment/submissions/{sub}/evidence"),
        client.post(f"/api/assessment/submissions/{sub}/evidence", {"file": _pdf()}),
        client.post(f"/api/assessment/submissions/{sub}/comments", {"text": "旧令牌"}, content_type="application/json"),
        client.post("/api/documents/exports", {"kind": "reporting_template", "period": draft["period"].pk},
                    content_type="application/json"),
    ):
        assert response.status_code in (401, 403, 404), response.content
        assert response.json()["code"] in ("forbidden", "not_found", "unauthorized", "token_invalid")
    assert not Evidence.objects.exists() and not SubmissionComment.objects.exists()
    assert not ExportJob.objects.exists()
    assert not AuditEntry.objects.filter(pk__gt=0, action__in=["evidence.attach", "documents.export_queue"]).exists()
    assert AuditEntry.objects.count() >= before


# ---------------------------------------------------------------------------- export filters, pagination


def test_an_exports_filters_keep_known_short_plain_text_only(approved, client_for):
    office = client_for(approved["office"])
    started = office.post("/api/documents/exports", {
        "kind": "progress", "period": approved["period"].pk,
        "filters": {"q": "靖宇" + "长" * 100_000, "status": "", "__class__": "x", "../etc": "y",
                    **{f"k{i}": "v" for i in range(500)}},
    }, content_type="application/json")
    assert started.status_code == 202, started.content[:500]
    job = ExportJob.objects.get()
    query = job.params["query"]
    assert set(query) <= {"category", "status", "taskforce", "q", "overdue"}
    assert "\x00" not in "".join(query.values()) and all(len(v) <= 100 for v in query.values())
    assert query["q"].startswith("靖宇")


@pytest.mark.parametrize("query", ["page=0", "page=-1", "size=0", "size=201", "size=100000000000000000000",
                                   "page=abc", "page=99999999999"])
@pytest.mark.parametrize("path", ["/api/documents/jobs", "/api/documents/bulletins", "/api/inspections/rectify"])
def test_page_and_size_abuse_is_a_422_on_the_new_lists(approved, client_for, path, query):
    got = client_for(approved["office"]).get(f"{path}?{query}")
    assert got.status_code == 422, (path, query, got.status_code, got.content[:300])
    body = got.json()
    assert body["code"] == "invalid" and set(body["errors"]) & {"page", "size"}


# ---------------------------------------------------------------------------- bulletins, photos, token jobs


@pytest.fixture
def offices(world, settings, tmp_path):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from tests.conftest import PASSWORD

    settings.MEDIA_ROOT = tmp_path / "media"
    nangang = user_create(actor=None, username="khb_ng", password=PASSWORD)
    role_grant(actor=None, user=nangang, role=Role.OFFICE, units=[world["other_district"]])
    return {**world, "office_nangang": nangang}


def test_a_draft_bulletin_is_to_others_what_a_missing_one_is(offices, client_for):
    import json

    from duibiao.documents.models import BulletinDoc, DocumentNumber

    made = client_for(offices["office"]).post("/api/documents/bulletins",
                                              {"kind": "inspections", "day": "2026-10-16"}, content_type="application/json")
    assert made.status_code == 201, made.content
    draft = made.json()
    texts = json.dumps({"opening": "改。", "requirements": "改。", "version": draft["version"]})
    issue = json.dumps({"version": draft["version"]})
    for who in ("office_nangang", "leader"):  # another district's office; a leader, who reads issued ones only
        attacker = client_for(offices[who])
        for suffix in ("", "/docx", "/pdf"):
            _same_404(attacker.get(f"/api/documents/bulletins/{draft['id']}{suffix}"),
                      attacker.get(f"/api/documents/bulletins/{MISSING}{suffix}"))
        if who == "office_nangang":
            _same_404(attacker.put(f"/api/documents/bulletins/{draft['id']}/texts", texts, content_type="application/json"),
                      attacker.put(f"/api/documents/bulletins/{MISSING}/texts", texts, content_type="application/json"))
            _same_404(attacker.post(f"/api/documents/bulletins/{draft['id']}/issue", issue, content_type="application/json"),
                      attacker.post(f"/api/documents/bulletins/{MISSING}/issue", issue, content_type="application/json"))
    doc = BulletinDoc.objects.get()
    assert doc.version == draft["version"] and doc.status == BulletinDoc.Status.DRAFT
    assert not DocumentNumber.objects.exists()


def test_a_bulletin_write_without_its_version_changes_nothing(offices, client_for):
    from duibiao.documents.models import BulletinDoc, DocumentNumber

    office = client_for(offices["office"])
    draft = office.post("/api/documents/bulletins", {"kind": "inspections", "day": "2026-10-16"},
                        content_type="application/json").json()
    before = BulletinDoc.objects.get().texts
    for method, suffix, body in (("put", "/texts", {"opening": "改。", "requirements": "改。"}), ("post", "/issue", {})):
        got = getattr(office, method)(f"/api/documents/bulletins/{draft['id']}{suffix}", body,
                                      content_type="application/json")
        assert got.status_code == 422 and "version" in got.json()["errors"], got.content
    doc = BulletinDoc.objects.get()
    assert doc.texts == before and doc.version == draft["version"] and not DocumentNumber.objects.exists()


def test_another_projects_photo_is_to_its_reader_what_a_missing_one_is(world, settings, tmp_path, client_for):
    from duibiao.projects.models import ProgressPhoto, Project
    from tests.projects.library import build_library

    settings.MEDIA_ROOT = str(tmp_path / "media")
    lib = build_library(world)
    made = client_for(lib["secretary"]).post(
        f"/api/projects/library/{lib['project_a'].pk}/reports",
        {"version": Project.objects.get(pk=lib["project_a"].pk).version, "completed_ytd": "100",
         "photos": [SimpleUploadedFile("现场.jpg", samples.image("JPEG"), content_type="image/jpeg")]})
    assert made.status_code in (200, 201), made.content
    pk = ProgressPhoto.objects.get().pk
    for who in ("reporter_b", "secretary_2", "auditor"):
        attacker = client_for(lib[who])
        _same_404(attacker.get(f"/api/projects/photos/{pk}"), attacker.get(f"/api/projects/photos/{MISSING}"))
    _tok, taigu = _bearer(lib["office"], actions=["projects.project.view"], units=["taigu"])
    _same_404(taigu.get(f"/api/projects/photos/{pk}"), taigu.get(f"/api/projects/photos/{MISSING}"))


def test_a_token_reads_only_its_own_jobs_even_of_its_owner(approved, client_for):
    office = client_for(approved["office"])
    by_session = office.post("/api/documents/exports", {"kind": "reporting_template", "period": approved["period"].pk},
                             content_type="application/json").json()["id"]
    from duibiao.accounts import gate

    _tok, token = _bearer(approved["office"], actions=sorted(a for a in gate.actions(approved["office"]) if not a.startswith("accounts.") and a != "documents.job.view_all"), units=[])
    for suffix in ("", "/file"):
        _same_404(token.get(f"/api/documents/exports/{by_session}{suffix}"),
                  token.get(f"/api/documents/exports/{MISSING}{suffix}"))
    _same_404(token.post(f"/api/documents/exports/{by_session}/retry"),
              token.post(f"/api/documents/exports/{MISSING}/retry"))
    listed = token.get("/api/documents/jobs")
    assert listed.status_code == 200 and f"export-{by_session}" not in [row["key"] for row in listed.json()["items"]]
    # The office's list of every district job, through a token held to one street: not the district's jobs.
    _tok, street = _bearer(approved["office"], actions=["documents.job.view_all"], units=["taigu"])
    listed = street.get("/api/documents/jobs")
    assert listed.status_code == 200 and f"export-{by_session}" not in [row["key"] for row in listed.json()["items"]]


# ---------------------------------------------------------------------------- the cockpit


def test_a_street_held_cockpit_shows_no_other_streets_figure_in_any_part(district, client_for):  # noqa: F811
    """Averages, movers, charts and the 大屏 figures too: a leader held to 靖宇街道 — granted it
    alone, or through a token — must not learn 太古街道's score by subtraction from a mean."""
    w = district
    _tok, token = _bearer(w["leader"], actions=["web.cockpit.view", "projects.project.view", "inspections.stats.view",
                                                "assessment.scheme.view", "assessment.result.view_published"],
                          units=["jingyu"])
    for client in (client_for(w["leader_a"]), token):
        got = client.get("/api/cockpit", {"as_of": D.isoformat()})
        assert got.status_code == 200, got.content[:300]
        body = got.json()
        own = [r["score"] for g in body["ranking"]["groups"] for r in g["rows"] if r["unit"] == "jingyu"]
        assert own and body["ranking"]["groups"]
        assert {r["unit"] for r in body["ranking"]["movers"]} <= {"jingyu"}
        values = [v for series in body["ranking"]["trend"]["series"] for v in series["values"] if v is not None]
        assert values, body["ranking"]["trend"]  # there is a mean to check
        for series in body["ranking"]["trend"]["series"]:
            for value in series["values"]:
                # A mean over the street's category is then the street's own score.
                assert value is None or any(abs(value - s) < 0.01 for s in own), (series, own)
        assert "taigu" not in str(body) and "太古" not in str(body)


# ---------------------------------------------------------------------------- workbook imports


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(("members", "reason"), [
    # A zip bomb: 8 MB of one byte in a sheet, deflated to a few KB.
    ({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
      "xl/worksheets/sheet1.xml": b" " * (8 * 1024 * 1024)}, ""),
    # A Word document renamed .xlsx.
    ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}, "不是 Excel"),
])
def test_a_ledger_import_of_a_bomb_or_a_disguised_workbook_writes_nothing(world, settings, tmp_path, client_for,
                                                                          members, reason):
    from duibiao.projects.models import Project
    from tests.projects.library import build_library

    settings.MEDIA_ROOT = str(tmp_path / "media")
    lib = build_library(world)
    before = (Project.objects.count(), AuditEntry.objects.count())
    got = client_for(lib["office"]).post("/api/projects/ledger", {
        "file": SimpleUploadedFile("台账.xlsx", _zip(members), content_type=XLSX_TYPE)})
    assert got.status_code in (400, 422), got.content[:300]
    import json

    body = got.json()
    assert body["ok"] is False and body["problems"] and reason in json.dumps(body["problems"], ensure_ascii=False)
    assert (Project.objects.count(), AuditEntry.objects.count()) == before
    # A unit's reporter may not import at all, whatever the file.
    refused = client_for(lib["reporter_a"]).post("/api/projects/ledger", {
        "file": SimpleUploadedFile("台账.xlsx", _zip(members), content_type=XLSX_TYPE)})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


# ---------------------------------------------------------------------------- a second irreversible act, racing


def _race(calls) -> list[int]:
    """Run the calls at once, each on its own thread and connection; their status codes."""
    import threading

    from django.db import connection

    barrier, codes = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait()
            codes.append(call().status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(codes)


@pytest.mark.postgres  # row locks race only on PostgreSQL (SQLite serialises every write)
@pytest.mark.django_db(transaction=True)
def test_two_retries_of_one_failed_export_at_once_make_one_job(approved):
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(approved["office"])
        clients.append(client)
    job_id = clients[0].post("/api/documents/exports", {"kind": "reporting_template", "period": approved["period"].pk},
                             content_type="application/json").json()["id"]
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, error="后台导出出错")
    codes = _race([lambda c=c: c.post(f"/api/documents/exports/{job_id}/retry") for c in clients])
    assert codes == [202, 409]
    assert ExportJob.objects.filter(retry_of=job_id).count() == 1
    assert AuditEntry.objects.filter(action="documents.export_queue").count() == 2  # the first job and one retry


@pytest.mark.postgres  # row locks race only on PostgreSQL (SQLite serialises every write)
@pytest.mark.django_db(transaction=True)
def test_two_issues_of_one_bulletin_at_once_take_one_number(offices):
    from duibiao.documents.models import BulletinDoc, DocumentNumber

    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(offices["office"])
        clients.append(client)
    draft = clients[0].post("/api/documents/bulletins", {"kind": "inspections", "day": "2026-10-16"},
                            content_type="application/json").json()
    url = f"/api/documents/bulletins/{draft['id']}/issue"
    codes = _race([lambda c=c: c.post(url, {"version": draft["version"]}, content_type="application/json")
                   for c in clients])
    assert codes == [200, 409]
    assert DocumentNumber.objects.count() == 1
    assert BulletinDoc.objects.get().status == BulletinDoc.Status.ISSUED
    assert AuditEntry.objects.filter(action__contains="bulletin.issue").count() == 1


# ---------------------------------------------------------------------------- work logs, appeal material




def test_another_units_work_log_is_to_it_what_a_missing_one_is(work, client_for):  # noqa: F811
    from duibiao.inspections.models import WorkLog

    log = _log(work, "a", "green", "80")
    body = {"version": log.version}
    other = client_for(work["reporter_b"])
    _same_404(other.post(f"/api/inspections/work/logs/{log.pk}/delete", body, content_type="application/json"),
              other.post(f"/api/inspections/work/logs/{MISSING}/delete", body, content_type="application/json"))
    _tok, taigu = _bearer(work["office"], actions=["inspections.worklog.record"], units=["taigu"])
    _same_404(taigu.post(f"/api/inspections/work/logs/{log.pk}/delete", body, content_type="application/json"),
              taigu.post(f"/api/inspections/work/logs/{MISSING}/delete", body, content_type="application/json"))
    assert WorkLog.objects.filter(pk=log.pk, version=log.version).exists()


def test_another_units_appeal_and_its_material_are_to_it_what_missing_ones_are(approved, settings, tmp_path,
                                                                             client_for):
    from duibiao.assessment.models import Appeal
    from duibiao.assessment.services.runs import run_release, run_start

    settings.MEDIA_ROOT = tmp_path
    run = run_release(actor=approved["office"], run=run_start(actor=approved["office"], period=approved["period"]))
    filed = client_for(approved["head_a"]).post(f"/api/results/runs/{run.pk}/units/jingyu/appeals/with-file",
                                                {"indicator": "nl02", "reason": "台账已补充", "file": _pdf()})
    assert filed.status_code == 201, filed.content
    pk = filed.json()["id"]
    other = client_for(approved["reporter_b"])
    _tok, token = _bearer(approved["reporter_b"], actions=["assessment.appeal.view"], units=["taigu"])
    for client in (other, token):
        for suffix in ("", "/evidence"):
            _same_404(client.get(f"/api/results/appeals/{pk}{suffix}"), client.get(f"/api/results/appeals/{MISSING}{suffix}"))
    # Nor may unit B file an appeal for unit A under A's code.
    refused = other.post(f"/api/results/runs/{run.pk}/units/jingyu/appeals/with-file",
                         {"indicator": "nl02", "reason": "冒名", "file": _pdf("冒名.pdf")})
    assert refused.status_code in (403, 404)
    assert Appeal.objects.count() == 1


# ---------------------------------------------------------------------------- scheme edits through a narrowed token


@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("PATCH", "/indicators/nl02", {"based_on": 1, "weight": 4}),
    ("POST", "/indicators/nl02/remove", {"based_on": 1}),
    ("POST", "/indicators", {"based_on": 1, "code": "gz19", "name": "越权指标", "parent": "D3", "weight": 1,
                             "kind": "percent", "method": "goalposts", "params": {"threshold": 60, "target": 100}}),
])
def test_a_token_held_to_one_street_cannot_edit_the_districts_scheme(assessed, method, suffix, body):
    """The office's scheme is the district's: a token narrowed to 靖宇街道 holds the edit action
    for that street alone, and a street owns no scheme."""
    import json

    from duibiao.assessment.models import SchemeVersion

    _tok, street = _bearer(assessed["office"], actions=["assessment.scheme.view", "assessment.scheme.edit"],
                           units=["jingyu"])
    got = street.generic(method, f"/api/assessment/schemes/daowai-2023{suffix}", json.dumps(body),
                         content_type="application/json")
    assert got.status_code in (403, 404), got.content[:300]
    assert got.json()["code"] in ("forbidden", "not_found")
    assert SchemeVersion.objects.filter(scheme=assessed["scheme"]).count() == 1
    assert not AuditEntry.objects.filter(action__startswith="scheme.indicator").exists()


# ---------------------------------------------------------------------------- cadres


def test_another_units_cadre_is_neither_read_nor_rewritten(world, client_for):
    from datetime import date

    from duibiao.cadres.models import Cadre
    from duibiao.cadres.services import cadre_create

    cadre = cadre_create(actor=world["office"], unit=world["a"], name="王建华", position="书记", rank="正科级",
                         gender="男", birth_month=date(1975, 3, 1))
    body = {"name": "李四", "position": "主任", "rank": "副科级", "gender": "女", "birth_month": "1980-01-01",
            "version": cadre.version}
    from duibiao.accounts import gate

    # The office's every cadre action, through a token held to 太古街道.
    held = sorted(a for a in gate.actions(world["office"]) if a.startswith("cadres."))
    assert held
    _tok, taigu = _bearer(world["office"], actions=held, units=["taigu"])
    for client in (client_for(world["reporter_b"]), taigu, client_for(world["leader"])):
        got = client.put(f"/api/cadres/cadres/{cadre.pk}", body, content_type="application/json")
        missing = client.put(f"/api/cadres/cadres/{MISSING}", body, content_type="application/json")
        assert got.status_code in (403, 404) and got.json()["code"] in ("forbidden", "not_found"), got.content[:300]
        if got.status_code == 404:
            assert got.json() == missing.json()
        created = client.post("/api/cadres/units/jingyu/cadres", body, content_type="application/json")
        assert created.status_code in (403, 404), created.content[:300]
    assert Cadre.objects.get().name == "王建华" and Cadre.objects.count() == 1


# ---------------------------------------------------------------------------- hostile query strings


HOSTILE = ["\x00", "'; DROP TABLE audit_auditentry; --", "长" * 20_000, "nan", "inf", "-1e309", "%00", "../../etc"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_query_values_on_the_new_reads_are_answered_in_the_one_error_body_or_read_as_nothing(
        insp, client_for, value):  # noqa: F811
    """No 500 and no other shape: a 200 of the declared schema, or a refusal in {code, detail, errors}."""
    office = Client(raise_request_exception=False)  # a 500 is counted, not raised
    office.force_login(insp["office"])
    campaign = insp["campaign"]
    paths = [
        ("/api/projects/rates", {"by": value, "unit": value, "as_of": value}),
        ("/api/projects/library", {"unit": value}),
        ("/api/documents/bulletins", {"status": value, "kind": value}),
        ("/api/documents/jobs", {"page": value}),
        ("/api/inspections/rectify", {}),
        ("/api/inspections/daily/workbook", {"day": value}),
        ("/api/cockpit", {"as_of": value}),
    ]
    paths.append((f"/api/inspections/campaigns/{campaign.pk}/duplicates",
                  {"category": value, "address": value, "lat": value, "lng": value}))
    failed = []
    for path, params in paths:
        got = office.get(path, params)
        if got.status_code >= 500:
            failed.append((path, got.status_code))
        elif got.status_code >= 400:
            body = got.json()
            assert set(body) >= {"code", "detail", "errors"} and body["detail"], (path, body)
    assert failed == [], failed


# ---------------------------------------------------------------------------- bulletin batches and drafts


@pytest.mark.parametrize("body", [
    {"kinds": ["inspections"] * 5000, "start": "2026-10-12", "end": "2026-10-16"},  # one kind, repeated
    {"kinds": ["inspections", "\x00", "../x", "results" * 1000], "start": "2026-10-12", "end": "2026-10-16"},
    {"kinds": ["inspections"], "start": "2026-10-16", "end": "2026-10-12"},  # ends before it starts
    {"kinds": ["inspections"], "start": "2016-01-01", "end": "2026-12-31"},  # ten years of drafts
    {"kinds": [], "start": "2026-10-12", "end": "2026-10-16"},
])
def test_an_abusive_batch_queues_nothing_or_no_more_than_one_draft_a_kind_and_day(offices, client_for, body):
    from duibiao.documents.models import BulletinDoc

    got = client_for(offices["office"]).post("/api/documents/bulletins/batch", body, content_type="application/json")
    assert got.status_code in (202, 422), got.content[:300]
    if got.status_code == 422:
        assert got.json()["code"] in ("invalid", "version_missing") and got.json()["detail"]
        assert not ExportJob.objects.exists() and not BulletinDoc.objects.exists()
    else:  # the repeated kind counts once: the week's five working days
        assert got.json()["drafts"] <= 5 and BulletinDoc.objects.count() <= 5


def test_a_results_draft_of_another_districts_run_is_as_of_a_missing_run(approved, settings, tmp_path, client_for):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.assessment.services.runs import run_publish, run_release, run_start
    from duibiao.documents.models import BulletinDoc
    from tests.conftest import PASSWORD

    settings.MEDIA_ROOT = tmp_path
    office = approved["office"]
    released = run_release(actor=office, run=run_start(actor=office, period=approved["period"]))
    run = run_publish(actor=office, run=released, stage=released.stage, override_reason="测试：申诉期内公布")
    other = user_create(actor=None, username="khb_ng", password=PASSWORD)
    role_grant(actor=None, user=other, role=Role.OFFICE, units=[approved["other_district"]])
    nangang = client_for(other)
    seen, missing = (nangang.post("/api/documents/bulletins", {"kind": "results", "run": pk},
                                  content_type="application/json") for pk in (run.pk, MISSING))
    assert seen.status_code == missing.status_code and seen.status_code in (404, 422), seen.content[:300]
    assert seen.json() == missing.json()
    assert not BulletinDoc.objects.exists()
    # 道外's own office drafts it: the run was there to be seen.
    own = client_for(office).post("/api/documents/bulletins", {"kind": "results", "run": run.pk},
                                  content_type="application/json")
    assert own.status_code == 201, own.content[:300]


def test_a_filter_outside_its_vocabulary_matches_nothing_and_a_known_one_still_filters(world, settings, tmp_path,
                                                                                      client_for):
    """On PostgreSQL a NUL in a library or bulletin filter was a 500 (the database refuses it);
    now any value outside the field's vocabulary finds no row, on both databases."""
    from duibiao.projects.models import Project
    from tests.projects.library import build_library

    settings.MEDIA_ROOT = str(tmp_path / "media")
    lib = build_library(world)
    office = client_for(lib["office"])
    level = Project.objects.filter(pk=lib["project_a"].pk).values_list("level", flat=True).get()
    known = office.get("/api/projects/library", {"level": level}).json()
    assert known["count"] == Project.objects.filter(level=level).count() >= 1
    for params in ({"type": "不存在"}, {"source": "'"}, {"unit": "nowhere"}):
        got = office.get("/api/projects/library", params)
        assert got.status_code == 200 and got.json()["count"] == 0, (params, got.content[:200])
    got = office.get("/api/documents/bulletins", {"status": "deleted"})
    assert got.status_code == 200 and got.json()["count"] == 0
    # A NUL is refused before any of them, in the one error body.
    for path, params in (("/api/projects/library", {"level": "\x00"}), ("/api/projects/library", {"unit": "jingyu\x00"}),
                         ("/api/documents/bulletins", {"kind": "draft\x00"})):
        got = office.get(path, params)
        assert got.status_code == 400 and got.json()["code"] == "bad_request" and "NUL" in got.json()["detail"]


# ---------------------------------------------------------------------------- NUL anywhere in the address


def test_a_nul_in_any_operations_address_or_query_is_a_400_in_the_one_error_body(insp):  # noqa: F811
    """PostgreSQL refuses a NUL in any query: sent in a path's code or a string parameter of the
    operations it was a 500 (schemes, combinations, cadres, org units, the inspections' lists).
    Refused once, before any view, on every GET of the served schema, and on a page."""
    import re

    from duibiao.api.app import api

    client = Client(raise_request_exception=False)
    client.force_login(insp["office"])
    crashed, answered = [], 0
    for path, ops in api.get_openapi_schema()["paths"].items():
        op = ops.get("get")
        if not op:
            continue
        strings = {p["name"]: "x\x00" for p in op.get("parameters", [])
                   if p["in"] == "query" and p.get("schema", {}).get("type") == "string"}
        url = re.sub(r"\{[^}]+\}", "1", re.sub(r"\{[^}]*(code|kind)[^}]*\}", "jin%00gyu", path))
        for target, query in ((url, strings), (url, {"page": "1\x00"})):
            got = client.get(target, query)
            if got.status_code >= 500:
                crashed.append(target)
            elif "\x00" in target.replace("%00", "\x00") or query:
                body = got.json()
                assert got.status_code == 400 and body["code"] == "bad_request" and "NUL" in body["detail"], target
                answered += 1
    assert crashed == [] and answered > 50
    page = client.get("/projects/", {"unit": "1\x00"})
    assert page.status_code == 400 and "NUL" in page.content.decode()


def test_a_nul_in_a_write_body_is_refused_beside_its_field_and_nothing_is_stored(draft, client_for):
    """On PostgreSQL a NUL in a JSON or form value of the API (a comment, a bulletin's texts, a
    work type, a cadre's name, an export's filters) was a 500; the pages' form fields refuse it."""
    from duibiao.cadres.models import Cadre
    from duibiao.inspections.models import WorkType

    reporter, office = client_for(draft["reporter_a"]), client_for(draft["office"])
    sub = draft["sub"].pk
    for client, path, body, field in (
        (reporter, f"/api/assessment/submissions/{sub}/comments", {"text": "a\x00b"}, "text"),
        (office, "/api/inspections/work/types", {"name": "清理\x00", "unit_of_measure": "平方米"}, "name"),
        (office, "/api/cadres/units/jingyu/cadres", {"name": "王\x00", "position": "书记", "rank": "正科级",
                                                     "gender": "男", "birth_month": "1975-03-01"}, "name"),
        (office, "/api/documents/exports", {"kind": "progress", "period": draft["period"].pk,
                                            "filters": {"q": "\x00"}}, "filters.q"),
    ):
        got = client.post(path, body, content_type="application/json")
        assert got.status_code == 422, (path, got.status_code)
        assert got.json()["code"] == "invalid" and list(got.json()["errors"]) == [field] and "NUL" in got.json()["detail"]
    # A form body too (an appeal's reason, sent with its material).
    got = reporter.post(f"/api/assessment/submissions/{sub}/evidence", {"file": _pdf(), "note": "x\x00"})
    assert got.status_code == 422 and list(got.json()["errors"]) == ["note"]
    assert not SubmissionComment.objects.exists() and not Cadre.objects.exists() and not Evidence.objects.exists()
    assert not WorkType.objects.filter(name__startswith="清理").exists() and not ExportJob.objects.exists()
