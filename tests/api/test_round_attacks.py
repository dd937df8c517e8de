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
    assert "/" not in evidence.file.name.rpartition("/")[2] and ".." not in evidence.file.name
    assert str(draft["media"]) in str((draft["media"] / evidence.file.name).resolve())
    got = reporter.get(made.json()["url"])
    assert got.status_code == 200
    header = got["Content-Disposition"]
    assert header.startswith("attachment;")
    assert "\r" not in header and "\n" not in header and "Set-Cookie" not in got.headers.get("Set-Cookie", "")
    assert "evil" not in got.cookies.get("sessionid", "") if "sessionid" in got.cookies else True
    assert "/" not in header.partition("filename")[2].replace("%2F", "/").strip("*=\"'utf-8") or "etc/passwd" not in header
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
        "filters": {"q": "靖宇\x00" + "长" * 100_000, "status": "\x00", "__class__": "x", "../etc": "y",
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
