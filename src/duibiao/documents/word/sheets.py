"""Two-sided printing (GB/T 9704-2012 §7.4, §7.5): the 版记 sits at the foot of the last page,
and that page is an even one — the back of the last sheet. When the text ends on an odd page,
the 版记 goes to the page after it (a blank page but for the 版记), and a 版记 that has no room
under the text of an even page goes two pages on (a blank page between); the pages after the
text carry no page number.

A DOCX does not know its page count until a reader lays it out, so the builder puts the 版记
under the text (Bulletin.save) and the PDF step measures (pdf.docx_to_pdf_even): when the laid-out
copy has an odd number of pages, `imprint_on_even_page` moves the 版记 into a section of its
own that starts on an even page (`w:type="evenPage"`, which Word, WPS and LibreOffice honour,
adding the blank page where one is needed), with empty footers.

    paged = imprint_on_even_page(docx)   # the same bytes back when there is no 版记
"""

from __future__ import annotations

import copy
import io
import re

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def page_count(pdf: bytes) -> int:
    """Pages of a PDF as LibreOffice writes it (one uncompressed page object each)."""
    return len(_PAGE.findall(pdf))


def _imprint_table(body: BaseOxmlElement) -> BaseOxmlElement | None:
    """The 版记: the floating table pinned to the foot of the page (ooxml.foot_of_page_table)."""
    for table in reversed(body.findall(qn("w:tbl"))):
        position = table.find(f"{qn('w:tblPr')}/{qn('w:tblpPr')}")
        if position is not None and position.get(qn("w:tblpYSpec")) == "bottom":
            return table
    return None


def _blank_footer(paragraph: BaseOxmlElement, height_twips: int) -> None:
    """An empty footer exactly as tall as the space under the 版心 less the footer's distance
    from the page edge. Word puts the text's lower edge at the bottom margin whatever the
    footer (it is smaller); LibreOffice (7.4) puts a later section's at the footer's distance
    plus the footer's own height, so with a footer of any other height it would move the 版记
    off the 版心's lower edge (an ordinary line: 14 pt, 5 mm, too low)."""
    for child in list(paragraph):
        paragraph.remove(child)
    ppr = OxmlElement("w:pPr")
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(height_twips))
    spacing.set(qn("w:lineRule"), "exact")
    ppr.append(spacing)
    paragraph.append(ppr)


def imprint_on_even_page(docx: bytes) -> bytes:
    """The document with its 版记 in a last section that starts on the next even page, the
    pages of that section without page numbers; `docx` itself when it has no 版记."""
    doc = Document(io.BytesIO(docx))
    body = doc.element.body
    imprint = _imprint_table(body)
    if imprint is None:
        return docx
    end_of_text = imprint.getprevious()
    if end_of_text is None or end_of_text.tag != qn("w:p"):
        end_of_text = OxmlElement("w:p")
        imprint.addprevious(end_of_text)
    # The text's section ends in the properties of its last paragraph (no line is added to its
    # page), keeping the page setup, the grid and the numbered footers.
    last = body.find(qn("w:sectPr"))
    ppr = end_of_text.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        end_of_text.insert(0, ppr)
    ppr.append(copy.deepcopy(last))  # after w:rPr, where CT_PPr's sequence has w:sectPr
    # The new section opens with an empty line: LibreOffice (7.4) loses the section's page
    # break when its first block is the floating table (made a frame), and lays the 版记 out
    # on the text's page.
    imprint.addprevious(OxmlElement("w:p"))
    # The 版记's section: on an even page, its footers empty (not numbered, §7.5).
    for reference in last.findall(qn("w:footerReference")):
        last.remove(reference)
    section = doc.sections[-1]
    section.start_type = WD_SECTION_START.EVEN_PAGE
    below = round(((section.bottom_margin or 0) - (section.footer_distance or 0)) / 635)  # EMU → twips
    for footer in (section.footer, section.even_page_footer):
        footer.is_linked_to_previous = False
        _blank_footer(footer.paragraphs[0]._p, below)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
