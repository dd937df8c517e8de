"""Every stored upload is sent with its stored type, never one guessed from its name: images
inline in a sandbox that runs no script, everything else (PDFs included: the viewer page draws
them with pdf.js) as a download."""

from __future__ import annotations

import io

import pytest

from duibiao.files import uploads
from duibiao.files.serve import SANDBOX_POLICY, download_name, file_response

SANDBOX = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def send(content_type: str, filename: str):
    return file_response(io.BytesIO(b"data"), content_type=content_type, filename=filename)


def common_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == SANDBOX == SANDBOX_POLICY


@pytest.mark.parametrize("mime", sorted(uploads.INLINE))
def test_images_are_shown_inline_in_a_sandbox(mime):
    response = send(mime, "证明材料" + uploads.EXTENSIONS[mime][0])
    common_headers(response)
    assert response["Content-Type"] == mime
    assert response["Content-Disposition"].startswith("inline;")


def test_only_images_are_inline():
    assert uploads.INLINE == uploads.IMAGES


@pytest.mark.parametrize("mime", sorted(uploads.OFFICE | {uploads.PDF, uploads.UNKNOWN}))
def test_everything_else_is_downloaded(mime):
    response = send(mime, "台账" + uploads.EXTENSIONS[mime][0])
    common_headers(response)
    assert response["Content-Type"] == mime
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_name_never_decides_the_type():
    response = send(uploads.PDF, "证明材料.html")
    assert response["Content-Type"] == "application/pdf"
    # Saved from the browser it stays a PDF, never a page that a double-click opens.
    assert "filename*=utf-8''%E8%AF%81%E6%98%8E%E6%9D%90%E6%96%99.html.pdf" in response["Content-Disposition"]
    assert send("text/html", "x.html")["Content-Type"] == "application/octet-stream"
    assert send("", "old.pdf")["Content-Disposition"].startswith("attachment;")


def test_chinese_names_use_rfc_5987():
    disposition = send(uploads.DOCX, "2026年第四季度 整改台账.docx")["Content-Disposition"]
    assert disposition == (
        "attachment; filename*=utf-8''2026%E5%B9%B4%E7%AC%AC%E5%9B%9B%E5%AD%A3%E5%BA%A6%20"
        "%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6.docx"
    )


def test_download_names():
    assert download_name("台账.PDF", uploads.PDF) == "台账.PDF"
    assert download_name("scan.jpeg", uploads.JPEG) == "scan.jpeg"
    assert download_name("../../etc/passwd", uploads.UNKNOWN) == "passwd.bin"
    assert download_name("C:\\docs\\报告.wps", uploads.OLE) == "报告.wps"
    assert download_name("报告", uploads.ODS) == "报告.ods"
