"""Small real files of every accepted kind, made on the spot (nothing binary is committed)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx
from openpyxl import Workbook
from PIL import Image

# A one-page PDF with its cross-reference table and trailer, as a PDF writer leaves it.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n9\n%%EOF\n"
)
# What the attacker of the security review uploaded: a PDF header, then a web page.
ATTACK_HTML = (
    b"%PDF-1.4\n<html><body><script>fetch('/api/assessment/submissions/1/unlock',"
    b"{method:'POST'})</script></body></html>\n"
)


def pdf_polyglot(script: bytes) -> bytes:
    """A PDF that passes every structural check, with a script after its first kilobyte."""
    padding = b"%" + b"-" * 1100 + b"\n"
    return PDF.replace(b"xref\n", padding + b"%" + script + b"\nxref\n")


def image(fmt: str, size: tuple[int, int] = (24, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims the given size (a decompression bomb's first bytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = b"IDAT" + zlib.compress(b"\0" * 64)
    body += struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat))
    end = b"IEND"
    return b"\x89PNG\r\n\x1a\n" + body + struct.pack(">I", 0) + end + struct.pack(">I", zlib.crc32(end))


def docx_file() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("整改台账")
    document.save(out)
    return out.getvalue()


def xlsx_file() -> bytes:
    out = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "台账"
    book.save(out)
    return out.getvalue()


def zip_of(members: dict[str, bytes], *, level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def odt_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")  # stored, first
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def ole_file(*, major: int = 3, sector_shift: int = 9) -> bytes:
    """An OLE compound file header (legacy .doc/.xls, WPS .wps/.et) and one sector."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:26] = (0x3E).to_bytes(2, "little")
    header[26:28] = major.to_bytes(2, "little")
    header[28:30] = b"\xfe\xff"
    header[30:32] = sector_shift.to_bytes(2, "little")
    header[32:34] = (6).to_bytes(2, "little")
    return bytes(header) + b"\0" * (1 << sector_shift)


def lying_zip(data: bytes, declared: int) -> bytes:
    """A zip of one member whose central directory declares `declared` uncompressed bytes."""
    raw = bytearray(zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": data}))
    central = raw.rfind(b"PK\x01\x02")  # the last central directory entry: word/document.xml
    raw[central + 24:central + 28] = declared.to_bytes(4, "little")
    local = raw.rfind(b"PK\x03\x04")
    raw[local + 22:local + 26] = declared.to_bytes(4, "little")
    return bytes(raw)


# Page colours of pdf_pages(): red, green, blue, then again.
PAGE_COLOURS = ((0.85, 0.1, 0.1), (0.1, 0.6, 0.2), (0.1, 0.2, 0.85))


def pdf_pages(count: int = 3) -> bytes:
    """A real PDF of `count` A4 pages as an office scanner or writer leaves it: each page a
    large filled rectangle of its own colour (PAGE_COLOURS), "Page n" in Helvetica (a standard
    font, not embedded) and 证明材料 in STSong-Light through the UniGB-UCS2-H character map (a
    Chinese font, not embedded: the viewer needs its character maps)."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[%s]/Count %d>>" % (b" ".join(b"%d 0 R" % (7 + 2 * i) for i in range(count)), count),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Type/Font/Subtype/Type0/BaseFont/STSong-Light/Encoding/UniGB-UCS2-H/DescendantFonts[5 0 R]>>",
        b"<</Type/Font/Subtype/CIDFontType0/BaseFont/STSong-Light/CIDSystemInfo"
        b"<</Registry(Adobe)/Ordering(GB1)/Supplement 4>>/FontDescriptor 6 0 R/DW 1000>>",
        b"<</Type/FontDescriptor/FontName/STSong-Light/Flags 6/FontBBox[-25 -254 1000 880]/ItalicAngle 0"
        b"/Ascent 880/Descent -120/CapHeight 880/StemV 93>>",
    ]
    for i in range(count):
        r, g, b = PAGE_COLOURS[i % len(PAGE_COLOURS)]
        content = (b"%.2f %.2f %.2f rg 50 150 495 500 re f "
                   b"BT /F1 36 Tf 0 0 0 rg 50 740 Td (Page %d) Tj ET "
                   b"BT /F2 28 Tf 50 690 Td <8BC1660E67506599> Tj ET" % (r, g, b, i + 1))
        objects.append(b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 3 0 R/F2 4 0 R>>>>"
                       b"/Contents %d 0 R>>" % (8 + 2 * i))
        objects.append(b"<</Length %d>>stream\n%s\nendstream" % (len(content), content))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
