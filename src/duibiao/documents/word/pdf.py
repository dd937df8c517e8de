"""PDF of a document through LibreOffice headless, where it is installed.

    pdf, reason = docx_to_pdf(docx_bytes)
    if pdf is None:
        show(reason)  # "本机未安装 LibreOffice，仅提供 Word 文档"

Each conversion runs in its own temporary directory with its own user profile (two at once
would otherwise fight over ~/.config/libreoffice and one would exit silently), under a time
limit, and never raises: the page offers the DOCX and says why there is no PDF.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from duibiao.documents.word.sheets import imprint_on_even_page, page_count

log = logging.getLogger(__name__)

NOT_INSTALLED = "本机未安装 LibreOffice，仅提供 Word 文档"
TIMED_OUT = "LibreOffice 转换超时，仅提供 Word 文档"
FAILED = "LibreOffice 转换失败，仅提供 Word 文档"
CANDIDATES = ("soffice", "libreoffice")
# The blank page a section starting on an even page inserts (sheets.py: the 版记 on the back
# of the sheet) is a page of the printed document: the command line's export skips it otherwise.
PDF_FILTER = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'


def soffice_path() -> str | None:
    configured = os.environ.get("DUIBIAO_SOFFICE")
    if configured:
        return configured if Path(configured).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


# Where an office font is not installed, the Noto CJK face of the same kind (CI installs
# fonts-noto-cjk): serif for 宋/仿宋/楷 and the 小标宋 title, sans for 黑体. Left to itself
# LibreOffice takes the first CJK face fontconfig offers, often the Japanese cut of Noto Sans,
# whose forms of some characters are not the ones Chinese readers expect.
NOTO_FOR = {
    "方正小标宋简体": "Noto Serif CJK SC", "仿宋_GB2312": "Noto Serif CJK SC", "仿宋": "Noto Serif CJK SC",
    "楷体_GB2312": "Noto Serif CJK SC", "楷体": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC",
    "黑体": "Noto Sans CJK SC",
}


@functools.lru_cache(maxsize=1)
def installed_fonts() -> frozenset[str]:
    """Font families fontconfig knows (empty when fc-list is missing: nothing is replaced)."""
    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=20,
                                check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(name.strip() for line in listed.splitlines() for name in line.split(","))


def font_substitutes() -> dict[str, str]:
    fonts = installed_fonts()
    return {name: noto for name, noto in NOTO_FOR.items() if name not in fonts and noto in fonts}


def for_libreoffice(docx: bytes) -> bytes:
    """The same document as LibreOffice should lay it out. LibreOffice (7.4) gives a 16 pt
    character two cells of a 15.79 pt character grid, so a page of 28-character lines comes
    out with every character spaced apart; Word and WPS squeeze it into one. For the PDF the
    grid keeps its 22 lines and drops the character pitch, and text is condensed by 0.25 pt,
    which gives the same 28 characters a line (28 × 15.75 pt fits the 442 pt 版心). Fonts
    missing here are named by their Noto CJK stand-ins (NOTO_FOR)."""
    swaps = [(f'="{name}"'.encode(), f'="{noto}"'.encode()) for name, noto in font_substitutes().items()]
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b'w:type="linesAndChars"', b'w:type="lines"')
            elif info.filename == "word/styles.xml":
                # after rFonts, where CT_RPr's sequence has it
                data = re.sub(rb"(<w:rPrDefault><w:rPr><w:rFonts[^>]*/>)", rb'\1<w:spacing w:val="-5"/>', data,
                              count=1)
            if info.filename.startswith("word/") and info.filename.endswith(".xml"):
                for old, new in swaps:
                    data = data.replace(old, new)
            dst.writestr(info, data)
    return out.getvalue()


def docx_to_pdf(docx: bytes, *, timeout: float = 120) -> tuple[bytes | None, str]:
    """(PDF bytes, "") or (None, the reason in Chinese)."""
    soffice = soffice_path()
    if soffice is None:
        return None, NOT_INSTALLED
    with tempfile.TemporaryDirectory(prefix="duibiao-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(for_libreoffice(docx))
        profile = (work / "profile").as_uri()
        command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--convert-to", PDF_FILTER, "--outdir", str(work), str(source)]
        try:
            done = subprocess.run(command, cwd=work, capture_output=True, timeout=timeout, check=False,
                                  env={**os.environ, "HOME": str(work)})
        except subprocess.TimeoutExpired:
            log.warning("soffice timed out after %s s", timeout)
            return None, TIMED_OUT
        except OSError as exc:
            log.warning("soffice could not start: %s", exc)
            return None, NOT_INSTALLED
        target = work / "document.pdf"
        if done.returncode != 0 or not target.exists():
            log.warning("soffice failed (%s): %s", done.returncode, done.stderr[-500:])
            return None, FAILED
        return target.read_bytes(), ""


def docx_to_pdf_even(docx: bytes, *, timeout: float = 120) -> tuple[bytes, bytes | None, str]:
    """(DOCX, PDF or None, reason) with the 版记 on an even last page (sheets.py): laid out
    once; when that gives an odd number of pages, the 版记 is moved to an even page and the
    copy laid out again. Without a PDF there is no measure: the DOCX moves the 版记 all the same
    (always on an even page, at the cost of a sheet when it would have fitted)."""
    paged = imprint_on_even_page(docx)
    if paged is docx:  # no 版记
        pdf, note = docx_to_pdf(docx, timeout=timeout)
        return docx, pdf, note
    pdf, note = docx_to_pdf(docx, timeout=timeout)
    if pdf is None:
        return paged, None, note
    if page_count(pdf) % 2 == 0:
        return docx, pdf, note
    pdf, note = docx_to_pdf(paged, timeout=timeout)
    return paged, pdf, note
