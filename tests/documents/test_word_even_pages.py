"""The 版记 on an even last page (GB/T 9704-2012 §7.4, §7.5): a short and a long bulletin laid
out by LibreOffice (always in CI) have an even number of pages and the 版记 at the foot of the
last; the pages added after the text carry no page number; the DOCX says the same to Word."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

from docx import Document
from docx.enum.section import WD_SECTION_START

from duibiao.documents.word import Bulletin
from duibiao.documents.word.pdf import NOT_INSTALLED, docx_to_pdf_even, soffice_path
from duibiao.documents.word.sheets import imprint_on_even_page, page_count
from tests.conftest import skip_or_fail
from tests.documents.test_word_pdf import (
    BOTTOM_MARGIN_PT,
    ONE_LINE,
    imprint_and_text,
    needs,
    words_of_last_page,
)


def bulletin(paragraphs: int, *, imprint: bool = True) -> bytes:
    doc = Bulletin(organ="哈尔滨市道外区考核评价办公室", number="道外考核办〔2026〕7号", title="关于考核结果的通报",
                   date=dt.date(2026, 11, 26))
    for _ in range(paragraphs):
        doc.paragraph(ONE_LINE)
    if imprint:
        doc.imprint(cc="区委办公室", printed_by="哈尔滨市道外区考核评价办公室", printed_on=dt.date(2026, 11, 26))
    return doc.save()


def laid_out(paragraphs: int) -> tuple[bytes, bytes, bytes]:
    if soffice_path() is None:
        skip_or_fail("LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui")
    first = bulletin(paragraphs)
    docx, pdf, reason = docx_to_pdf_even(first)
    assert pdf is not None, reason
    return first, docx, pdf


def page_text(tmp_path, page: int) -> str:
    text = subprocess.run([needs("pdftotext"), "-f", str(page), "-l", str(page), str(tmp_path / "d.pdf"), "-"],
                          capture_output=True, check=True, text=True).stdout
    return "".join(text.split())


def test_a_short_bulletin_has_its_imprint_on_the_back_of_the_sheet(tmp_path):
    """Two lines of text end on page 1: the 版记 goes to page 2, at its foot, unnumbered."""
    first, docx, pdf = laid_out(2)
    assert docx != first
    pages, words = words_of_last_page(pdf, tmp_path)
    assert pages == 2 == page_count(pdf)
    cc_top, printed_bottom, text_bottom = imprint_and_text(words)
    assert abs(printed_bottom - BOTTOM_MARGIN_PT) < 3  # at the foot of the page
    assert text_bottom is None  # nothing above it
    assert "—1—" in page_text(tmp_path, 1) and "印发" not in page_text(tmp_path, 1)
    assert "—2—" not in page_text(tmp_path, 2) and "抄送：区委办公室。" in page_text(tmp_path, 2)


def test_an_even_page_with_room_keeps_the_imprint_under_its_text(tmp_path):
    """25 lines end on page 2 with room under them: nothing moves, one pass of LibreOffice."""
    first, docx, pdf = laid_out(25)
    assert docx == first
    pages, words = words_of_last_page(pdf, tmp_path)
    cc_top, printed_bottom, text_bottom = imprint_and_text(words)
    assert pages == 2 and abs(printed_bottom - BOTTOM_MARGIN_PT) < 3
    assert text_bottom is not None and text_bottom < cc_top
    assert "—2—" in page_text(tmp_path, 2)


def test_a_long_bulletin_with_no_room_gets_a_blank_page_before_the_imprint(tmp_path):
    """26 lines fill page 2 (even): the 版记 would fall on page 3 (odd). It goes to page 4,
    page 3 is left blank, and neither is numbered."""
    first, docx, pdf = laid_out(26)
    pages, words = words_of_last_page(pdf, tmp_path)
    assert pages == 4
    cc_top, printed_bottom, text_bottom = imprint_and_text(words)
    assert abs(printed_bottom - BOTTOM_MARGIN_PT) < 3 and text_bottom is None
    assert page_text(tmp_path, 3) == ""
    assert "2026年11月26日" in page_text(tmp_path, 2) and "印发" not in page_text(tmp_path, 2)
    assert "—4—" not in page_text(tmp_path, 4)


def test_the_docx_moves_the_imprint_to_a_section_on_an_even_page():
    """What Word and WPS read: the text's section keeps its numbered footers; the 版记's
    section starts on an even page and its footers are empty."""
    doc = Document(io.BytesIO(imprint_on_even_page(bulletin(2))))
    text, imprint = doc.sections
    assert imprint.start_type == WD_SECTION_START.EVEN_PAGE
    assert text.start_type == WD_SECTION_START.NEW_PAGE
    assert "PAGE" in text.footer._element.xml and "PAGE" in text.even_page_footer._element.xml
    assert not imprint.footer.is_linked_to_previous and not imprint.even_page_footer.is_linked_to_previous
    assert "PAGE" not in imprint.footer._element.xml and "PAGE" not in imprint.even_page_footer._element.xml
    # The page setup and the 22-line grid are the same in both.
    assert (text.page_height, text.top_margin, text.left_margin) == (
        imprint.page_height, imprint.top_margin, imprint.left_margin)
    assert 'w:linePitch="579"' in text._sectPr.xml and 'w:linePitch="579"' in imprint._sectPr.xml
    # The 版记 is the last section's, the date the first's.
    body = doc.element.body
    last_section_break = [p for p in body.iter() if p.tag.endswith("}sectPr")][0].getparent().getparent()
    assert "2026年11月26日" in "".join(last_section_break.itertext())


def test_a_document_without_an_imprint_is_left_alone():
    docx = bulletin(2, imprint=False)
    assert imprint_on_even_page(docx) is docx


def test_without_libreoffice_the_imprint_is_put_on_an_even_page_unmeasured(monkeypatch):
    monkeypatch.setenv("DUIBIAO_SOFFICE", "/nonexistent/soffice")
    first = bulletin(25)
    docx, pdf, reason = docx_to_pdf_even(first)
    assert pdf is None and reason == NOT_INSTALLED
    assert Document(io.BytesIO(docx)).sections[-1].start_type == WD_SECTION_START.EVEN_PAGE
