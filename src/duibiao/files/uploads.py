"""What an uploaded file really is, decided by its content against an allow-list.

The name and the type a browser sends are never trusted. A file passes only when its
structure, not only its first bytes, is that of an allowed type: a PDF needs its header at
byte 0, an end-of-file marker and a cross-reference section, and no web page in its first
kilobyte; an image must open and verify in Pillow within a pixel budget; an Office file must be
a zip (or OLE compound file) with the parts of its kind, within member-count and size caps that
are checked on the declared sizes and again while every member is read.

    mime = upload_type(upload, allowed=DOCUMENTS, max_bytes=20 * MB)  # or UploadRejected
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

MB = 1024 * 1024
CHUNK = 64 * 1024

PDF = "application/pdf"
PNG, JPEG, WEBP = "image/png", "image/jpeg", "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OLE = "application/x-ole-storage"  # legacy .doc / .xls / .ppt and WPS's own .wps / .et / .dps
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
UNKNOWN = "application/octet-stream"  # only for files stored before types were decided
ZIP = "application/zip"  # only archives the system makes (a batch of drafts); never accepted as an upload

IMAGES = frozenset({PNG, JPEG, WEBP})
OFFICE = frozenset({DOCX, XLSX, PPTX, OLE, ODT, ODS, ODP})
DOCUMENTS = frozenset({PDF}) | IMAGES | OFFICE
# Served inline (an <img> of the viewer page, under the sandbox policy); every other type,
# PDFs included, is sent as a download. A PDF is shown by the viewer page drawing it with
# pdf.js (files/viewer.py), never by the browser's own viewer, which refuses sandboxed files.
INLINE = IMAGES

# The file name extensions each type may be saved under; a download gets one of these.
EXTENSIONS = {
    PDF: (".pdf",), PNG: (".png",), JPEG: (".jpg", ".jpeg"), WEBP: (".webp",),
    DOCX: (".docx",), XLSX: (".xlsx",), PPTX: (".pptx",),
    OLE: (".doc", ".xls", ".ppt", ".wps", ".et", ".dps"),
    ODT: (".odt",), ODS: (".ods",), ODP: (".odp",), ZIP: (".zip",), UNKNOWN: (".bin",),
}

# Office Open XML: the part that makes a package a document of its kind (Excel, WPS and
# LibreOffice all write these names).
OOXML_MAIN = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
# A browser that guessed a type from content would take a file with these for a web page.
HTML_MARKERS = (b"<script", b"<html", b"<!doctype", b"<body", b"<head", b"<iframe", b"<svg",
                b"<object", b"<embed", b"<meta", b"<a href", b"<img", b"<?xml-stylesheet")
# A 50-megapixel photo is more than any phone takes; decoding one costs ~150 MB.
MAX_PIXELS = 50_000_000


class UploadRejected(ValidationError):
    """The file is not one we accept; `reason` is the Chinese sentence shown next to the field."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, code="upload")
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class ZipLimits:
    """Caps on a zip package (Office files, Excel imports), checked before any parser runs."""

    members: int = 2000
    member_bytes: int = 100 * MB  # uncompressed, one member
    total_bytes: int = 100 * MB  # uncompressed, all members
    # Deflate reaches ~1000:1 on repeated bytes; real sheet XML stays far below 100:1.
    ratio: int = 100
    ratio_from: int = 1 * MB  # tiny members compress extremely well and are harmless


def allowed_names(allowed: frozenset[str]) -> str:
    """The allowed kinds in words, for messages."""
    parts = []
    if PDF in allowed:
        parts.append("PDF")
    if allowed & IMAGES:
        parts.append(_("图片（JPG/PNG/WEBP）"))
    if allowed & OFFICE:
        parts.append(_("Office/WPS 文档"))
    return "、".join(parts)


def upload_type(upload: IO[bytes], *, allowed: frozenset[str] = DOCUMENTS, max_bytes: int,
                zip_limits: ZipLimits | None = None) -> str:
    """The MIME type of an allowed file, decided by content; `UploadRejected` otherwise.

    `upload` is a Django UploadedFile or any seekable binary file; it is left at position 0.
    """
    handle = getattr(upload, "file", upload)
    size = _size(upload, handle)
    try:
        if size > max_bytes:
            raise UploadRejected(_("文件大小 %(size)s MB，超过 %(max)s MB 上限")
                                 % {"size": f"{size / MB:.1f}", "max": max_bytes // MB})
        if size == 0:
            raise UploadRejected(_("文件是空的"))
        mime = _decide(handle, size, zip_limits or ZipLimits())
        if mime is None or mime not in allowed:
            raise UploadRejected(_("不接受该类型的文件，只接受 %(kinds)s") % {"kinds": allowed_names(allowed)})
        return mime
    finally:
        handle.seek(0)


def _size(upload: object, handle: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
    handle.seek(0)
    return int(size)


def _decide(handle: IO[bytes], size: int, limits: ZipLimits) -> str | None:
    """Pick the checker by the first bytes; the checker then proves (or refuses) the type."""
    head = handle.read(16)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return check_pdf(handle, size)
    if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff") or (
            head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return check_image(handle)
    if head.startswith(OLE_MAGIC):
        return check_ole(handle, size)
    if head.startswith(b"PK\x03\x04"):
        return check_office_zip(handle, limits)
    return None


# ---------------------------------------------------------------------------------------
# PDF


def check_pdf(handle: IO[bytes], size: int) -> str:
    handle.seek(0)
    first = handle.read(1024)
    if not PDF_HEADER.match(first):
        raise UploadRejected(_("PDF 文件头不正确"))
    lowered = first.lower()
    if any(marker in lowered for marker in HTML_MARKERS):
        # A PDF header followed by markup is the classic PDF/HTML polyglot.
        raise UploadRejected(_("文件含有网页代码，不是有效的 PDF 文件"))
    handle.seek(max(0, size - 2048))
    if b"%%EOF" not in handle.read():
        raise UploadRejected(_("PDF 文件不完整（缺少文件结束标记）"))
    if not _contains_any(handle, (b"xref", b"trailer", b"/XRef")):
        raise UploadRejected(_("PDF 文件不完整（缺少交叉引用表）"))
    return PDF


def _contains_any(handle: IO[bytes], needles: tuple[bytes, ...]) -> bool:
    """Whether any needle occurs in the file, read in chunks (a needle may span two)."""
    handle.seek(0)
    overlap = max(len(n) for n in needles) - 1
    tail = b""
    while chunk := handle.read(CHUNK):
        window = tail + chunk
        if any(n in window for n in needles):
            return True
        tail = window[-overlap:]
    return False


# ---------------------------------------------------------------------------------------
# Images


# Phones save multi-picture JPEGs, which Pillow names MPO; they are JPEG files all the same.
PIL_FORMATS = {"PNG": PNG, "JPEG": JPEG, "MPO": JPEG, "WEBP": WEBP}


def check_image(handle: IO[bytes]) -> str:
    handle.seek(0)
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit; both are refusals here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(handle, formats=["PNG", "JPEG", "WEBP"]) as image:
                mime = PIL_FORMATS[image.format or ""]
                if image.width * image.height > MAX_PIXELS:
                    raise UploadRejected(_("图片尺寸过大（%(w)s×%(h)s 像素）") % {"w": image.width, "h": image.height})
                image.verify()
            if mime == JPEG:
                # verify() does not decode JPEG data; decode a 1/8-scale draft to find a broken file.
                handle.seek(0)
                with Image.open(handle, formats=["JPEG"]) as image:
                    image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
                    image.load()
        except UploadRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadRejected(_("图片尺寸过大")) from exc
        except Exception as exc:  # Pillow raises many kinds on a broken or disguised file
            raise UploadRejected(_("图片已损坏或不是有效的图片文件")) from exc
    return mime


# ---------------------------------------------------------------------------------------
# Office: legacy OLE compound files, Office Open XML and OpenDocument packages


def check_ole(handle: IO[bytes], size: int) -> str:
    """An OLE compound file header that a reader would accept: version, byte order and a
    sector size that matches the version (512 bytes for v3, 4096 for v4)."""
    handle.seek(0)
    header = handle.read(512)
    major = int.from_bytes(header[26:28], "little")
    sector_shift = int.from_bytes(header[30:32], "little")
    mini_shift = int.from_bytes(header[32:34], "little")
    sane = (
        len(header) == 512 and header[28:30] == b"\xfe\xff"
        and (major, sector_shift) in {(3, 9), (4, 12)} and mini_shift == 6
        and size >= 512 + (1 << sector_shift)  # at least one sector after the header
    )
    if not sane:
        raise UploadRejected(_("Office 文档已损坏（文件结构不正确）"))
    return OLE


ODF_TYPES = {ODT, ODS, ODP}


def check_office_zip(handle: IO[bytes], limits: ZipLimits) -> str:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            check_zip(archive, limits)
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                return _ooxml(archive, names)
            if "mimetype" in names:
                mime = archive.read("mimetype").decode("ascii", "replace").strip()
                if mime in ODF_TYPES:
                    return mime
    except zipfile.BadZipFile as exc:
        raise UploadRejected(_("文件已损坏，无法作为 Office 文档读取")) from exc
    finally:
        handle.seek(0)
    raise UploadRejected(_("压缩文件不是 Office/WPS 文档"))


def _ooxml(archive: zipfile.ZipFile, names: set[str]) -> str:
    types = archive.read("[Content_Types].xml")
    # Macros run code on the reviewer's machine; a document for an assessment needs none.
    if b"macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRejected(_("不接受含宏的 Office 文件，请另存为不含宏的格式"))
    for part, mime in OOXML_MAIN.items():
        if part in names:
            return mime
    raise UploadRejected(_("Office 文档缺少正文部分，文件已损坏"))


def check_zip(archive: zipfile.ZipFile, limits: ZipLimits) -> None:
    """Refuse a zip bomb before a parser sees it: member count, each member's and the total
    declared uncompressed size, and the compression ratio; then read every member through a
    counter, so that sizes that lie (or a bad CRC) are caught without ever holding more than
    a chunk in memory."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise UploadRejected(_("压缩包内文件过多（%(n)s 个）") % {"n": len(infos)})
    if len({i.filename for i in infos}) != len(infos):
        raise UploadRejected(_("压缩包内有重名文件，文件已损坏"))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UploadRejected(_("文件已加密，请去掉密码后再上传"))
        declared = info.file_size
        ratio_exceeded = declared > limits.ratio_from and declared > limits.ratio * max(info.compress_size, 1)
        if declared > limits.member_bytes or ratio_exceeded:
            raise UploadRejected(_("文件解压后过大（%(name)s 解压后 %(size)s MB），疑似压缩炸弹")
                                 % {"name": info.filename, "size": f"{declared / MB:.0f}"})
        total += declared
    if total > limits.total_bytes:
        raise UploadRejected(_("文件解压后共 %(size)s MB，超过 %(max)s MB 上限")
                             % {"size": f"{total / MB:.0f}", "max": limits.total_bytes // MB})
    for info in infos:
        _read_counted(archive, info)


def _read_counted(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    count = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                count += len(chunk)
                if count > info.file_size:
                    break
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise UploadRejected(_("文件已损坏（%(name)s 无法解压）") % {"name": info.filename}) from exc
    if count != info.file_size:
        raise UploadRejected(_("文件已损坏（%(name)s 的大小与声明不符）") % {"name": info.filename})
