"""Audit gaps closed: every row written while a request is served carries its source address
(through a trusted proxy header only when one is configured); refused requests, downloads and
exports are logged; the API's schema and docs are for signed-in users only."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse

from duibiao.accounts.roles import Role
from duibiao.accounts.services import role_grant
from duibiao.assessment.models import Evidence, Submission
from duibiao.audit.context import client_ip
from duibiao.audit.models import AuditEntry

CLIENT = "203.0.113.7"


def _request(remote="127.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_the_forwarded_header_is_not_trusted_by_default(settings):
    settings.DUIBIAO_TRUSTED_PROXY_HEADER = ""
    assert client_ip(_request(CLIENT, forwarded="10.9.9.9")) == CLIENT


def test_a_counted_proxy_believes_only_the_entry_it_added(settings):
    settings.DUIBIAO_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.DUIBIAO_TRUSTED_PROXIES = 1
    # The client forged the first entry; our proxy appended the address it really saw.
    assert client_ip(_request("127.0.0.1", forwarded=f"10.9.9.9, {CLIENT}")) == CLIENT
    settings.DUIBIAO_TRUSTED_PROXIES = 2
    assert client_ip(_request("127.0.0.1", forwarded=f"10.9.9.9, {CLIENT}, 10.0.0.5")) == CLIENT
    assert client_ip(_request(CLIENT)) == CLIENT  # no header at all: the peer itself


def test_listed_proxies_are_skipped_from_the_right(settings):
    settings.DUIBIAO_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.DUIBIAO_TRUSTED_PROXIES = ("127.0.0.1", "10.0.0.0/8")
    assert client_ip(_request("127.0.0.1", forwarded=f"198.51.100.1, {CLIENT}, 10.1.2.3")) == CLIENT
    # A peer that is not one of our proxies is the client, whatever header it sends.
    assert client_ip(_request("198.51.100.9", forwarded="10.9.9.9")) == "198.51.100.9"
    # A malformed entry where the client should be: the proxy's own view is kept.
    assert client_ip(_request("127.0.0.1", forwarded="not-an-address")) == "127.0.0.1"


def test_every_row_written_in_a_request_carries_the_source_address(client_for, world, settings):
    settings.DUIBIAO_TRUSTED_PROXY_HEADER = ""
    client = client_for(world["secadmin"])
    head = world["head_a"]
    response = client.post(reverse("accounts:grant_user", args=[head.pk]),
                           {"role": Role.REPORTER, "units": [world["a"].pk]},
                           REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="role.grant", object_id=str(head.pk)).latest("id")
    assert entry.ip == CLIENT

    settings.DUIBIAO_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.DUIBIAO_TRUSTED_PROXIES = ("127.0.0.1",)
    client.post(reverse("accounts:grant_user", args=[head.pk]),
                {"role": Role.REPORTER, "units": [world["a"].pk, world["b"].pk]},
                REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.9.9.9, {CLIENT}")
    entry = AuditEntry.objects.filter(action="role.grant", object_id=str(head.pk)).latest("id")
    assert entry.ip == CLIENT and entry.after["units"] == ["jingyu", "taigu"]


def test_rows_outside_a_request_have_no_address(world):
    role_grant(actor=None, user=world["head_a"], role=Role.REPORTER, units=[world["a"]])
    assert AuditEntry.objects.filter(action="role.grant").latest("id").ip is None


def test_refused_requests_are_logged(client_for, world):
    reporter = client_for(world["reporter_a"])
    # Another unit's page: the gate answers 404.
    assert reporter.get(reverse("org:unit_detail", args=["taigu"]), REMOTE_ADDR=CLIENT).status_code == 404
    entry = AuditEntry.objects.filter(action="access.denied").latest("id")
    assert entry.username == "tb_a" and not entry.success and entry.ip == CLIENT
    assert entry.detail == "GET /org/units/taigu/" and entry.after["status"] == 404
    # Through the API the same.
    assert reporter.get("/api/org/units/taigu").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", detail="GET /api/org/units/taigu").exists()
    # A page of another role: 403.
    office = client_for(world["office"])
    assert office.get(reverse("audit:list")).status_code == 403
    entry = AuditEntry.objects.filter(action="access.denied", username="khb").get()
    assert entry.detail == "GET /audit/" and entry.after["status"] == 403
    # Unknown addresses are not refusals of anything: browsers ask for /favicon.ico.
    before = AuditEntry.objects.filter(action="access.denied").count()
    assert reporter.get("/favicon.ico").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").count() == before


@pytest.fixture
def evidence(assessed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    submission = Submission.objects.create(period=assessed["period"], unit=assessed["a"],
                                           indicator=next(iter(assessed["ind"].values())))
    item = Evidence(submission=submission, original_name="台账.pdf", content_type="application/pdf",
                    size=15, sha256="0" * 64, uploaded_by=assessed["reporter_a"])
    item.file.save("taizhang.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return item


def test_downloads_and_exports_are_logged(client_for, assessed, evidence):
    reporter = client_for(assessed["reporter_a"])
    response = reporter.get(reverse("assessment:evidence_download", args=[evidence.pk]), REMOTE_ADDR=CLIENT)
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="download").latest("id")
    assert entry.username == "tb_a" and entry.ip == CLIENT
    assert entry.after["file"] == "台账.pdf" and entry.after["view"] == "assessment:evidence_download"

    office = client_for(assessed["office"])
    response = office.get(reverse("documents:progress_download", args=[assessed["period"].pk]))
    assert response.status_code == 200 and response.has_header("Content-Disposition")
    entry = AuditEntry.objects.filter(action="download").latest("id")
    assert entry.username == "khb" and entry.after["file"].endswith(".xlsx")
    assert entry.after["view"] == "documents:progress_download"
    # A refused download is a refusal, not a download.
    other = client_for(assessed["reporter_b"])
    downloads = AuditEntry.objects.filter(action="download").count()
    assert other.get(reverse("assessment:evidence_download", args=[evidence.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="download").count() == downloads
    assert AuditEntry.objects.filter(action="access.denied", username="tb_b").exists()


def test_api_docs_are_for_signed_in_users_only(client, client_for, world):
    for url in ("/api/docs", "/api/openapi.json"):
        response = client.get(url)
        assert response.status_code == 302 and reverse("web:login") in response.url, url
    office = client_for(world["office"])
    assert office.get("/api/openapi.json").json()["info"]["title"] == "对标 API"
    assert office.get("/api/docs").status_code == 200
