"""What an evidence file really is, read from its first bytes (never from its name)."""

from __future__ import annotations

import zipfile
from typing import IO

# Office Open XML (docx, xlsx, pptx) is a zip; WPS saves those too. Legacy Office and
# WPS's own .wps / .et are OLE compound files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint"),
}


def sniff(handle: IO[bytes]) -> str | None:
    """The MIME type of an allowed evidence file, or None when it is not one we accept."""
    head = handle.read(16)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(OLE_MAGIC):
        return "application/x-ole-storage"  # .doc / .xls / .ppt / .wps / .et
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(handle) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        finally:
            handle.seek(0)
        if "[Content_Types].xml" in names:
            for prefix, (mime, _label) in OOXML.items():
                if any(n.startswith(prefix) for n in names):
                    return mime
        if "mimetype" in names:  # OpenDocument (odt / ods) from LibreOffice or WPS
            return "application/vnd.oasis.opendocument"
    return None
