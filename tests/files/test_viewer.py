"""The file viewer's pages: evidence and appeal evidence open in a page of ours (PDFs drawn by
pdf.js, images as an <img> of the raw file), through the same gate as their downloads; the raw
PDF is only ever a download; the lists link to the viewer with a plain download beside."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duibiao.assessment.models import Submission
from duibiao.assessment.services.appeals import appeal_file
from duibiao.assessment.services.runs import run_release, run_start
from duibiao.assessment.services.submissions import evidence_attach
from duibiao.files.serve import SANDBOX_POLICY
from duibiao.files.viewer import viewer_kind
from tests.files import samples

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def files(assessed, settings, tmp_path):
    """A submitted value of 靖宇街道 with a PDF, an image and a workbook as its evidence."""
    settings.MEDIA_ROOT = tmp_path
    submission = Submission.objects.create(period=assessed["period"], unit=assessed["a"],
                                           indicator=assessed["ind"]["nl02"], value=90)

    def attach(name, data):
        return evidence_attach(actor=assessed["reporter_a"], submission=submission,
                               upload=SimpleUploadedFile(name, data))

    pdf, png, sheet = (attach("整改报告.pdf", samples.pdf_pages(3)), attach("现场照片.png", samples.image("PNG")),
                       attach("台账.xlsx", samples.xlsx_file()))
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    return {**assessed, "submission": submission, "pdf": pdf, "png": png, "sheet": sheet}


def view_url(evidence) -> str:
    return reverse("assessment:evidence_view", args=[evidence.pk])


def raw_url(evidence) -> str:
    return reverse("assessment:evidence_download", args=[evidence.pk])


def test_viewer_kinds():
    assert viewer_kind("application/pdf") == "pdf"
    assert {viewer_kind(t) for t in ("image/png", "image/jpeg", "image/webp")} == {"image"}
    for other in ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "application/octet-stream", "text/html", ""):
        assert viewer_kind(other) == ""


def test_a_pdf_opens_in_the_viewer_page_under_the_sites_policy(files, client_for):
    client = client_for(files["office"])
    response = client.get(view_url(files["pdf"]))
    assert response.status_code == 200
    page = response.content.decode()
    # Our page, under the site's policy: scripts and the pdf.js worker from 'self' only, no eval.
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "worker-src 'self'" in policy and "unsafe" not in policy
    assert "sandbox" not in policy
    assert 'data-pdf-viewer' in page and f'data-src="{raw_url(files["pdf"])}"' in page
    assert 'data-worker="/static/dist/pdfjs/pdf.worker.min.mjs"' in page
    assert 'data-cmaps="/static/dist/pdfjs/cmaps/"' in page
    assert '<script type="module" src="/static/files/viewer.js"></script>' in page
    assert "整改报告.pdf" in page and "上一页" in page and "放大" in page
    assert f'href="{raw_url(files["pdf"])}" download' in page  # the download button


def test_the_raw_pdf_is_only_ever_a_download(files, client_for):
    response = client_for(files["office"]).get(raw_url(files["pdf"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.pdf_pages(3)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == SANDBOX_POLICY
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "no-store"


def test_an_image_is_an_img_of_the_raw_file_which_keeps_its_sandbox(files, client_for):
    client = client_for(files["office"])
    page = client.get(view_url(files["png"])).content.decode()
    assert f'<img src="{raw_url(files["png"])}" alt="现场照片.png"' in page
    assert "data-pdf-viewer" not in page
    raw = client.get(raw_url(files["png"]))
    assert raw["Content-Type"] == "image/png" and raw["Content-Disposition"].startswith("inline;")
    assert raw["Content-Security-Policy"] == SANDBOX_POLICY and raw["X-Content-Type-Options"] == "nosniff"


def test_other_types_are_offered_for_download_only(files, client_for):
    response = client_for(files["office"]).get(view_url(files["sheet"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="viewer-download-only"' in page and "不能在线查看" in page
    assert "viewer.js" not in page and "<img" not in page.split("<main", 1)[1]
    assert f'href="{raw_url(files["sheet"])}" download' in page


def test_the_viewer_is_gated_like_the_download(files, client, client_for):
    pdf = files["pdf"]
    for who in ("reporter_a", "head_a", "taskforce", "office", "leader"):
        assert client_for(files[who]).get(view_url(pdf)).status_code == 200, who
    # Another unit's reporter, the system administrator (三权分立) and the auditor: not found,
    # for the page and for the file it would read.
    for who in ("reporter_b", "sysadmin", "auditor"):
        other = client_for(files[who])
        assert other.get(view_url(pdf)).status_code == 404, who
        assert other.get(raw_url(pdf)).status_code == 404, who
    response = client.get(view_url(pdf))
    assert response.status_code == 302 and response.url.startswith(reverse("web:login"))
    assert client_for(files["office"]).get(reverse("assessment:evidence_view", args=[999999])).status_code == 404


@pytest.fixture
def appealed(approved, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run = run_start(actor=approved["office"], period=approved["period"], note="试算")
    run_release(actor=approved["office"], run=run)
    pdf = appeal_file(actor=approved["head_a"], run=run, unit=approved["a"], indicator=approved["ind"]["nl03"],
                      reason="见整改报告", upload=SimpleUploadedFile("整改报告.pdf", samples.pdf_pages(2)))
    bare = appeal_file(actor=approved["head_a"], run=run, unit=approved["a"], indicator=approved["ind"]["nl04"],
                       reason="无附件")
    return {**approved, "run": run, "appeal": pdf, "bare": bare}


def test_appeal_evidence_opens_in_the_viewer_through_the_appeal_gate(appealed, client_for):
    appeal = appealed["appeal"]
    url = reverse("assessment:appeal_evidence_view", args=[appeal.pk])
    raw = reverse("assessment:appeal_evidence", args=[appeal.pk])
    for who in ("office", "taskforce", "head_a"):
        page = client_for(appealed[who]).get(url)
        assert page.status_code == 200, who
        assert f'data-src="{raw}"' in page.content.decode()
    for who in ("reporter_b", "sysadmin"):
        assert client_for(appealed[who]).get(url).status_code == 404, who
    # An appeal without a file has nothing to view.
    bare = reverse("assessment:appeal_evidence_view", args=[appealed["bare"].pk])
    assert client_for(appealed["office"]).get(bare).status_code == 404


def test_the_lists_open_the_viewer_in_a_new_tab_with_a_download_beside(files, client_for):
    pdf, sheet = files["pdf"], files["sheet"]
    office = client_for(files["office"])
    review = office.get(reverse("assessment:review_indicator", args=[files["period"].pk, "nl02"])).content.decode()
    report = office.get(reverse("assessment:report_unit", args=[files["period"].pk, "jingyu"])).content.decode()
    for page in (review, report):
        assert (f'<a href="{view_url(pdf)}" target="_blank" rel="noopener" data-testid="file-view">整改报告.pdf</a>'
                in page)
        assert f'<a href="{raw_url(pdf)}" download' in page
        assert f'<a href="{view_url(files["png"])}" target="_blank"' in page
        # A workbook cannot be viewed: its name is the download.
        assert f'<a href="{raw_url(sheet)}" download data-testid="file-download">台账.xlsx</a>' in page
        assert view_url(sheet) not in page


def test_the_appeals_page_opens_the_viewer_with_a_download_beside(appealed, client_for):
    office = client_for(appealed["office"])
    appeals = office.get(reverse("assessment:appeals", args=[appealed["run"].pk])).content.decode()
    view = reverse("assessment:appeal_evidence_view", args=[appealed["appeal"].pk])
    assert f'<a href="{view}" target="_blank" rel="noopener" data-testid="file-view">整改报告.pdf</a>' in appeals
    assert f'<a href="{reverse("assessment:appeal_evidence", args=[appealed["appeal"].pk])}" download' in appeals


def test_pdfjs_is_built_from_the_pinned_npm_package():
    """The viewer's pdf.js comes from npm at an exact version (never copied into the
    repository) and `frontend/build.mjs` puts the files the template names into static."""
    package = json.loads((ROOT / "frontend" / "package.json").read_text())
    version = package["dependencies"]["pdfjs-dist"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "pinned exactly"
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/pdfjs-dist"]["version"] == version
    for name in ("dist/pdfjs/pdf.min.mjs", "dist/pdfjs/pdf.worker.min.mjs", "dist/pdfjs/cmaps/UniGB-UCS2-H.bcmap",
                 "dist/pdfjs/standard_fonts/LiberationSans-Regular.ttf", "dist/pdfjs/wasm/openjpeg_nowasm_fallback.js",
                 "files/viewer.js", "files/viewer.css"):
        assert finders.find(name), f"{name} missing: run `make setup` (node frontend/build.mjs)"
    built = (ROOT / "src/duibiao/web/static/dist/pdfjs/pdf.min.mjs").read_text(encoding="utf-8")
    assert f'"{version}"' in built or f"'{version}'" in built


def test_the_viewer_speaks_english_when_asked(files, client_for):
    page = client_for(files["office"]).get(view_url(files["pdf"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("Zoom in", "Fit width", "Download", "This PDF cannot be shown"):
        assert text in page
