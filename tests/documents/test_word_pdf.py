"""PDF through LibreOffice: the real conversion where soffice is installed (always in CI,
which installs libreoffice-writer-nogui and poppler-utils), rendered to PNG with pdftoppm;
and what the page is told when there is no LibreOffice, when it hangs or when it fails."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from duibiao.documents.word import Bulletin
from duibiao.documents.word.pdf import FAILED, NOT_INSTALLED, TIMED_OUT, docx_to_pdf, soffice_path
from tests.conftest import skip_or_fail

NUMBER = "道外考核办〔2026〕7号"


def three_pages() -> bytes:
    """A short text on page 1 and two attachments, each on its own page: 3 pages."""
    doc = Bulletin(organ="哈尔滨市道外区考核评价办公室", number=NUMBER, title="关于考核结果的通报",
                   date=dt.date(2026, 11, 26))
    doc.paragraph("各单位认真贯彻落实区委、区政府部署，考核工作有序推进。")
    doc.attachment("排名表", lambda body: body.table(["单位", "得分"], [["靖宇街道", "92.50"]]))
    doc.attachment("问题清单", lambda body: body.paragraph("无。"))
    doc.imprint(printed_by="哈尔滨市道外区考核评价办公室", printed_on=dt.date(2026, 11, 26))
    return doc.save()


def needs(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        skip_or_fail(f"{tool} not installed (apt-get install libreoffice-writer-nogui poppler-utils)")
    return str(found)


def test_the_pdf_has_the_pages_and_a_first_page_that_is_not_blank(tmp_path):
    if soffice_path() is None:
        skip_or_fail("LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui")
    pdftoppm = needs("pdftoppm")
    pdf, reason = docx_to_pdf(three_pages())
    assert pdf is not None and reason == "" and pdf.startswith(b"%PDF-")
    (tmp_path / "b.pdf").write_bytes(pdf)
    subprocess.run([pdftoppm, "-r", "50", "-png", str(tmp_path / "b.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3
    rgb = np.asarray(Image.open(pages[0]).convert("RGB")).astype(int)
    inked = (rgb.min(axis=2) < 200).mean()
    assert inked > 0.005  # text, not an empty page
    # The organ mark and the rule under the number are red.
    red = (rgb[..., 0] > 200) & (rgb[..., 1] < 80) & (rgb[..., 2] < 80)
    assert red.sum() > 50
    text = subprocess.run([needs("pdftotext"), str(tmp_path / "b.pdf"), "-"], capture_output=True,
                          check=True, text=True).stdout
    squeezed = "".join(text.split())  # pdftotext puts spaces between Chinese and digits
    assert NUMBER in squeezed and "—1—" in squeezed and "—3—" in squeezed and "附件2" in squeezed
    # The office fonts are not installed here: the text is set in the Noto CJK serif (仿宋,
    # 小标宋) and sans (黑体) faces, not whatever CJK face fontconfig offers first.
    fonts = subprocess.run([needs("pdffonts"), str(tmp_path / "b.pdf")], capture_output=True, check=True,
                           text=True).stdout
    assert "NotoSerifCJK" in fonts and "NotoSansCJK" in fonts


def test_without_libreoffice_the_page_is_told_why(monkeypatch):
    monkeypatch.setenv("DUIBIAO_SOFFICE", "/nonexistent/soffice")
    assert docx_to_pdf(b"PK") == (None, NOT_INSTALLED)
    assert NOT_INSTALLED == "本机未安装 LibreOffice，仅提供 Word 文档"


def fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_a_hanging_conversion_is_stopped(monkeypatch, tmp_path):
    monkeypatch.setenv("DUIBIAO_SOFFICE", fake_soffice(tmp_path, "sleep 30"))
    assert docx_to_pdf(three_pages(), timeout=1) == (None, TIMED_OUT)


def test_a_failing_conversion_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("DUIBIAO_SOFFICE", fake_soffice(tmp_path, "echo broken >&2; exit 1"))
    assert docx_to_pdf(three_pages()) == (None, FAILED)


def test_each_conversion_has_its_own_profile(monkeypatch, tmp_path):
    """Two conversions at once must not share ~/.config/libreoffice: the profile is given on
    the command line, inside the conversion's own temporary directory."""
    log = tmp_path / "args"
    monkeypatch.setenv("DUIBIAO_SOFFICE", fake_soffice(tmp_path, f'echo "$@" >> {log}; exit 1'))
    docx_to_pdf(three_pages())
    docx_to_pdf(three_pages())
    first, second = log.read_text(encoding="utf-8").splitlines()
    profiles = [next(a for a in line.split() if a.startswith("-env:UserInstallation=file:///")) for line in (first, second)]
    assert profiles[0] != profiles[1] and "--headless" in first


def test_the_copy_for_libreoffice_keeps_the_line_grid():
    from duibiao.documents.word.pdf import for_libreoffice

    with zipfile.ZipFile(io.BytesIO(for_libreoffice(three_pages()))) as z:
        body = z.read("word/document.xml").decode()
        styles = z.read("word/styles.xml").decode()
    assert 'w:type="lines"' in body and 'w:linePitch="579"' in body
    assert re.search(r'<w:rPrDefault><w:rPr><w:rFonts [^>]*/><w:spacing w:val="-5"/>', styles)


def test_missing_office_fonts_are_named_by_their_noto_stand_ins(monkeypatch):
    from duibiao.documents.word import pdf

    monkeypatch.setattr(pdf, "installed_fonts", lambda: frozenset({"Noto Serif CJK SC", "Noto Sans CJK SC", "黑体"}))
    with zipfile.ZipFile(io.BytesIO(pdf.for_libreoffice(three_pages()))) as z:
        body = z.read("word/document.xml").decode()
        fonts = z.read("word/fontTable.xml").decode()
    assert 'w:eastAsia="Noto Serif CJK SC"' in body and "仿宋_GB2312" not in body
    assert "方正小标宋简体" not in body
    assert 'w:eastAsia="黑体"' in body  # installed: kept
    assert "Noto Serif CJK SC" in fonts
    # Nothing to stand in with: the names are left for LibreOffice's own substitution.
    monkeypatch.setattr(pdf, "installed_fonts", lambda: frozenset())
    with zipfile.ZipFile(io.BytesIO(pdf.for_libreoffice(three_pages()))) as z:
        assert 'w:eastAsia="仿宋_GB2312"' in z.read("word/document.xml").decode()


def test_a_full_page_of_the_pdf_is_22_lines_of_28_characters(tmp_path):
    if soffice_path() is None:
        skip_or_fail("LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui")
    doc = Bulletin(organ="哈尔滨市道外区考核评价办公室", title="关于考核的通报", date=dt.date(2026, 11, 26))
    sentence = "各单位认真贯彻落实区委区政府部署要求考核工作有序推进成效明显" * 3  # 90 characters
    for _ in range(12):
        doc.paragraph(sentence)
    pdf, reason = docx_to_pdf(doc.save())
    assert pdf is not None, reason
    (tmp_path / "g.pdf").write_bytes(pdf)
    page2 = subprocess.run([needs("pdftotext"), "-layout", "-f", "2", "-l", "2", str(tmp_path / "g.pdf"), "-"],
                           capture_output=True, check=True, text=True).stdout
    lines = ["".join(line.split()) for line in page2.splitlines() if line.strip()]
    body = lines[:-1]  # the last is the page number
    assert lines[-1] == "—2—"
    assert len(body) == 22
    # Each paragraph of 90: 26 characters after the two-character indent, 28, 28, and 8.
    assert {len(line) for line in body} == {26, 28, 8}
    assert sum(len(line) == 28 for line in body) >= 10


# ---------------------------------------------------------------- the 版记 at the foot of the last page

BOTTOM_MARGIN_PT = (297 - 35) / 25.4 * 72  # the 版心's lower edge, 742.7 pt from the top
ONE_LINE = "各单位认真贯彻落实区委区政府部署要求考核工作有序推"  # 26 characters: one indented line


def words_of_last_page(pdf: bytes, tmp_path: Path) -> tuple[int, list[tuple[float, float, str]]]:
    """(pages, [(yMin, yMax, word)] of the last page) read with pdftotext -bbox."""
    (tmp_path / "d.pdf").write_bytes(pdf)
    info = subprocess.run([needs("pdfinfo"), str(tmp_path / "d.pdf")], capture_output=True, check=True,
                          text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    xml = subprocess.run([needs("pdftotext"), "-bbox", "-f", str(pages), "-l", str(pages), str(tmp_path / "d.pdf"), "-"],
                         capture_output=True, check=True, text=True).stdout
    found = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', xml)
    return pages, [(float(top), float(bottom), word) for top, bottom, word in found]


def imprint_pdf(paragraphs: int) -> bytes:
    if soffice_path() is None:
        skip_or_fail("LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui")
    doc = Bulletin(organ="哈尔滨市道外区考核评价办公室", number=NUMBER, title="关于考核结果的通报",
                   date=dt.date(2026, 11, 26))
    for _ in range(paragraphs):
        doc.paragraph(ONE_LINE)
    doc.imprint(cc="区委办公室", printed_by="哈尔滨市道外区考核评价办公室", printed_on=dt.date(2026, 11, 26))
    pdf, reason = docx_to_pdf(doc.save())
    assert pdf is not None, reason
    return pdf


def imprint_and_text(words: list[tuple[float, float, str]]) -> tuple[float, float, float | None]:
    """(top of the 抄送 line, bottom of the 印发 line, bottom of the lowest text above them)."""
    cc = next(w for w in words if w[2].startswith("抄送"))
    printed = next(w for w in words if w[2].endswith("印发"))
    above = [bottom for top, bottom, word in words if bottom <= cc[0]]
    return cc[0], printed[1], max(above, default=None)


def test_the_imprint_of_a_short_document_sits_at_the_foot_of_its_page(tmp_path):
    pages, words = words_of_last_page(imprint_pdf(2), tmp_path)
    cc_top, printed_bottom, text_bottom = imprint_and_text(words)
    assert pages == 1
    # The 印发 line ends on the 版心's lower edge (its rule right under it), far below the text.
    assert abs(printed_bottom - BOTTOM_MARGIN_PT) < 3
    assert text_bottom is not None and text_bottom < cc_top - 29  # at least a line of space between
    assert "日" in [w[2] for w in words if w[1] == text_bottom]  # the date is the last text above it


def test_a_page_with_just_room_keeps_the_imprint_under_its_text(tmp_path):
    """Page 2 holds 25 lines of this text above the block: the block stays on it, no overlap."""
    pages, words = words_of_last_page(imprint_pdf(25), tmp_path)
    cc_top, printed_bottom, text_bottom = imprint_and_text(words)
    assert pages == 2 and abs(printed_bottom - BOTTOM_MARGIN_PT) < 3
    assert text_bottom is not None and text_bottom < cc_top


def test_a_full_last_page_sends_the_imprint_to_a_new_page(tmp_path):
    """One line more and the block would cover the date: it goes to a page of its own, at the
    foot, and the text of the page before is left whole."""
    pdf = imprint_pdf(26)
    pages, words = words_of_last_page(pdf, tmp_path)
    cc_top, printed_bottom, text_bottom = imprint_and_text(words)
    assert pages == 3 and abs(printed_bottom - BOTTOM_MARGIN_PT) < 3
    assert text_bottom is None  # nothing but the block (and the page number below it)
    text = subprocess.run([needs("pdftotext"), "-f", "2", "-l", "2", str(tmp_path / "d.pdf"), "-"],
                          capture_output=True, check=True, text=True).stdout
    assert "2026年11月26日" in "".join(text.split()) and "印发" not in text
