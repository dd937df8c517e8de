"""A file's type is decided by its content and structure against an allow-list; everything
else is refused with a Chinese reason (security review, hole 1)."""

from __future__ import annotations

import contextlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from duibiao.files import uploads
from duibiao.files.uploads import MB, UploadRejected, ZipLimits, upload_type
from tests.files import samples


def decide(data: bytes, **kwargs) -> str:
    return upload_type(io.BytesIO(data), max_bytes=kwargs.pop("max_bytes", 20 * MB), **kwargs)


def refused(data: bytes, **kwargs) -> str:
    with pytest.raises(UploadRejected) as caught:
        decide(data, **kwargs)
    return caught.value.reason


@pytest.mark.parametrize(("data", "mime"), [
    (samples.PDF, uploads.PDF),
    (samples.image("PNG"), uploads.PNG),
    (samples.image("JPEG"), uploads.JPEG),
    (samples.image("WEBP"), uploads.WEBP),
    (samples.docx_file(), uploads.DOCX),
    (samples.xlsx_file(), uploads.XLSX),
    (samples.odt_file(), uploads.ODT),
    (samples.ole_file(), uploads.OLE),
    (samples.ole_file(major=4, sector_shift=12), uploads.OLE),
])
def test_real_files_of_each_kind_pass(data, mime):
    assert decide(data) == mime


def test_the_reviews_html_disguised_as_pdf_is_refused():
    assert "网页代码" in refused(samples.ATTACK_HTML)
    # The upload's name and declared type count for nothing.
    upload = SimpleUploadedFile("证明材料.pdf", samples.ATTACK_HTML, content_type="application/pdf")
    with pytest.raises(UploadRejected, match="网页代码"):
        upload_type(upload, max_bytes=MB)


@pytest.mark.parametrize("marker", [b"<script>", b"<HTML>", b"<!DOCTYPE html>", b"<iframe src=x>", b"<svg onload=x>"])
def test_markup_in_a_pdfs_first_kilobyte_is_refused(marker):
    data = samples.PDF.replace(b"1 0 obj", marker + b"\n1 0 obj", 1)
    assert "网页代码" in refused(data)


def test_a_pdf_needs_its_end_marker_and_cross_references():
    assert "结束标记" in refused(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n")
    assert "交叉引用" in refused(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    assert "文件头" in refused(b"%PDF-x.y\n" + samples.PDF[9:])
    # A cross-reference stream (PDF 1.5+) counts as well as a classic table.
    assert decide(b"%PDF-1.7\n5 0 obj<</Type/XRef/Size 6>>stream\nx\nendstream endobj\nstartxref\n9\n%%EOF") == uploads.PDF


def test_a_polyglot_that_is_still_a_pdf_passes_as_pdf():
    """Markup after the first kilobyte is inside a real PDF: it is stored as application/pdf
    and served under the sandbox policy (tests/files/test_serve.py), where no script runs."""
    assert decide(samples.pdf_polyglot(b"<script>alert(1)</script>")) == uploads.PDF


def test_broken_and_disguised_images_are_refused():
    assert "图片" in refused(b"\x89PNG\r\n\x1a\n" + b"junk" * 20)
    assert "图片" in refused(samples.image("JPEG")[:120])  # truncated
    assert "图片" in refused(b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 40)
    png = bytearray(samples.image("PNG"))
    png[40] ^= 0xFF  # a flipped byte in the image data: the chunk's CRC no longer matches
    assert "图片" in refused(bytes(png))


def test_an_image_decompression_bomb_is_refused_before_decoding():
    assert "尺寸过大" in refused(samples.png_header_only(30_000, 30_000))
    assert "尺寸过大" in refused(samples.png_header_only(10_000, 9_000))  # 90 MP: over our 50 MP


def test_office_files_are_checked_inside():
    assert "Office" in refused(samples.zip_of({"a.txt": b"hello"}))
    assert "正文" in refused(samples.zip_of({"[Content_Types].xml": b"<Types/>", "word/styles.xml": b"<x/>"}))
    macro = samples.zip_of({"[Content_Types].xml": b"<Types><Default ContentType='application/vnd.ms-excel.sheet.macroEnabled.main+xml'/></Types>",
                            "xl/workbook.xml": b"<workbook/>", "xl/vbaProject.bin": b"\0"})
    assert "宏" in refused(macro)
    assert "Office" in refused(samples.zip_of({"mimetype": b"text/html", "content.xml": b"<x/>"}))
    assert "结构" in refused(samples.ole_file(major=3, sector_shift=12))  # v3 has 512-byte sectors
    assert "结构" in refused(samples.ole_file()[:520])


def test_zip_bombs_are_refused_on_declared_sizes():
    big = b"\0" * (3 * MB)
    docx_bomb = samples.zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": big})
    assert "压缩炸弹" in refused(docx_bomb)  # ratio ~1000:1
    small_limits = ZipLimits(member_bytes=MB, total_bytes=10 * MB, ratio=100_000)
    assert "压缩炸弹" in refused(docx_bomb, zip_limits=small_limits)
    total = ZipLimits(member_bytes=10 * MB, total_bytes=2 * MB, ratio=100_000)
    assert "上限" in refused(docx_bomb, zip_limits=total)
    many = samples.zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<x/>",
                           **{f"word/media/{i}.bin": b"" for i in range(30)}})
    assert "过多" in refused(many, zip_limits=ZipLimits(members=10))


def test_sizes_that_lie_are_caught_while_reading():
    data = b"<w:document>" + b"x" * 50_000 + b"</w:document>"
    assert "损坏" in refused(samples.lying_zip(data, 1_000))  # declares less than it holds
    assert "损坏" in refused(samples.lying_zip(data, 80_000))  # declares more than it holds


def test_size_cap_empty_files_and_the_allow_list():
    assert refused(samples.PDF, max_bytes=100) == "文件大小 0.0 MB，超过 0 MB 上限"
    assert "空" in refused(b"")
    assert "只接受" in refused(b"MZ\x90\x00 a program")
    assert "只接受 图片" in refused(samples.PDF, allowed=uploads.IMAGES)
    assert decide(samples.image("PNG"), allowed=uploads.IMAGES) == uploads.PNG


def test_the_handle_is_left_at_the_start_to_be_stored():
    for data in (samples.docx_file(), samples.ATTACK_HTML):
        handle = io.BytesIO(data)
        handle.seek(7)
        with contextlib.suppress(UploadRejected):
            upload_type(handle, max_bytes=MB)
        assert handle.tell() == 0
