"""The headers of every route that sends an uploaded file back: submission evidence and
appeal evidence (the only uploads served; Excel imports are read, never sent back)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duibiao.assessment.errors import FileRejected
from duibiao.assessment.models import Appeal, Evidence, Submission
from duibiao.assessment.services.appeals import appeal_file
from duibiao.assessment.services.runs import run_release, run_start
from duibiao.assessment.services.submissions import evidence_attach
from tests.files import samples

SANDBOX = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def draft(assessed, media):
    return Submission.objects.create(period=assessed["period"], unit=assessed["a"],
                                     indicator=assessed["ind"]["nl02"], value=90)


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return response, body


def test_evidence_is_sent_with_its_stored_type(assessed, draft, client_for):
    pdf = evidence_attach(actor=assessed["reporter_a"], submission=draft,
                          upload=SimpleUploadedFile("证明材料.html", samples.PDF, content_type="text/html"))
    sheet = evidence_attach(actor=assessed["reporter_a"], submission=draft,
                            upload=SimpleUploadedFile("台账.xlsx", samples.xlsx_file()))
    client = client_for(assessed["office"])

    response, body = fetch(client, reverse("assessment:evidence_download", args=[pdf.pk]))
    assert body == samples.PDF
    assert response["Content-Type"] == "application/pdf"  # not text/html, whatever the name
    # A download: the viewer page fetches it and draws it with pdf.js (tests/files/test_viewer.py).
    assert response["Content-Disposition"].startswith("attachment;") and ".html.pdf" in response["Content-Disposition"]
    assert response["Content-Security-Policy"] == SANDBOX
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "no-store"

    response, _ = fetch(client, reverse("assessment:evidence_download", args=[sheet.pk]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == SANDBOX


def test_the_attack_file_is_refused_as_evidence(assessed, draft, client_for):
    with pytest.raises(FileRejected, match="网页代码"):
        evidence_attach(actor=assessed["reporter_a"], submission=draft,
                        upload=SimpleUploadedFile("证明材料.html", samples.ATTACK_HTML))
    # Through the page: the row comes back with the reason under the file field.
    response = client_for(assessed["reporter_a"]).post(
        reverse("assessment:evidence_upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("证明材料.html", samples.ATTACK_HTML)})
    page = response.content.decode()
    assert 'data-testid="file-error"' in page and "网页代码" in page
    assert not Evidence.objects.exists()


@pytest.fixture
def released(approved, media):
    run = run_start(actor=approved["office"], period=approved["period"], note="试算")
    run_release(actor=approved["office"], run=run)
    run.refresh_from_db()
    return run


def test_appeal_evidence_is_sent_with_its_stored_type(approved, released, client_for):
    appeal = appeal_file(actor=approved["head_a"], run=released, unit=approved["a"],
                         indicator=approved["ind"]["nl03"], reason="附照片",
                         upload=SimpleUploadedFile("现场.html", samples.image("PNG")))
    assert appeal.evidence_type == "image/png"
    url = reverse("assessment:appeal_evidence", args=[appeal.pk])
    for who in ("office", "taskforce", "head_a"):
        response, body = fetch(client_for(approved[who]), url)
        assert body == samples.image("PNG")
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("inline;") and ".html.png" in response["Content-Disposition"]
        assert response["Content-Security-Policy"] == SANDBOX
        assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "no-store"
    assert client_for(approved["reporter_b"]).get(url).status_code == 404


def test_a_refused_appeal_file_is_shown_next_to_the_field(approved, released, client_for):
    url = reverse("assessment:appeal_file", args=[released.pk, "jingyu"])
    response = client_for(approved["head_a"]).post(url, {
        "indicator": "nl03", "reason": "附证明",
        "file": SimpleUploadedFile("证明材料.html", samples.ATTACK_HTML),
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="appeal-file-error"' in page and "网页代码" in page
    assert ">附证明</textarea>" in page and '<option value="nl03" selected>' in page  # nothing retyped
    assert not Appeal.objects.exists()


def test_the_migration_decides_the_type_of_files_stored_before(approved, released):
    appeal = Appeal.objects.create(run=released, unit=approved["a"], indicator=approved["ind"]["nl03"],
                                   reason="旧申诉", evidence_name="旧.pdf")
    appeal.evidence.save("旧.pdf", ContentFile(samples.PDF))
    old = Appeal.objects.create(run=released, unit=approved["a"], indicator=approved["ind"]["nl04"],
                                reason="旧申诉", evidence_name="证明材料.html")
    old.evidence.save("证明材料.html", ContentFile(samples.ATTACK_HTML))
    sub = Submission.objects.get(unit=approved["a"], indicator__code="nl02")
    evidence = Evidence(submission=sub, original_name="x.pdf", content_type="application/pdf", size=1, sha256="0" * 64)
    evidence.file.save("x.pdf", ContentFile(samples.ATTACK_HTML))  # typed by the old prefix check

    migration = importlib.import_module("duibiao.assessment.migrations.0006_appeal_evidence_type")
    migration.retype(apps, None)

    assert Appeal.objects.get(pk=appeal.pk).evidence_type == "application/pdf"
    assert Appeal.objects.get(pk=old.pk).evidence_type == "application/octet-stream"
    assert Evidence.objects.get(pk=evidence.pk).content_type == "application/octet-stream"
