"""Low-level WordprocessingML that python-docx has no API for: East Asian fonts on a run, the
document grid, first-line indents in characters, paragraph rules, fields and the font table's
fallbacks. Kept here so the builder reads as the standard does."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from duibiao.documents.word import gbt9704 as std

# 1 mm of the page in twentieths of a point, the unit of most sectPr attributes.
TWIPS_PER_MM = 1440 / 25.4


def set_run_font(run: Run, font: str, size_pt: float, *, bold: bool = False,
                 color: RGBColor | None = None) -> Run:
    """Name the font for every script of the run. python-docx's `font.name` sets only the
    Latin slots; Chinese text is drawn with `w:eastAsia`, which Word and WPS otherwise fill
    from the style (宋体), so every run carries it."""
    run.font.name = font
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), font)
    # The hint says the run is Chinese text, so shared punctuation (“”、—) takes the East Asian font.
    fonts.set(qn("w:hint"), "eastAsia")
    return run


def indent_chars(paragraph: Paragraph, *, first_line: int = 0, left: int = 0, right: int = 0,
                 size_pt: float = std.BODY_PT) -> None:
    """Indents in characters (hundredths: 200 = two characters) so they follow the font size
    and the grid, with the equivalent twips beside them for readers that ignore `*Chars`."""
    # get_or_add_ind puts w:ind where CT_PPr's sequence wants it (before w:jc): Word reports
    # a document with elements out of order as damaged.
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    twips = int(size_pt * 20)
    if first_line:
        ind.set(qn("w:firstLineChars"), str(first_line * 100))
        ind.set(qn("w:firstLine"), str(first_line * twips))
    if left:
        ind.set(qn("w:leftChars"), str(left * 100))
        ind.set(qn("w:left"), str(left * twips))
    if right:
        ind.set(qn("w:rightChars"), str(right * 100))
        ind.set(qn("w:right"), str(right * twips))


def paragraph_rule(paragraph: Paragraph, side: str, *, eighths: int, color: str = "000000",
                   space_pt: int = 1) -> None:
    """A rule drawn as the paragraph's border (`side` top/bottom; width in eighths of a point):
    it moves with the text and spans the 版心, as the red rule and the 版记 rules must."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # pBdr comes before spacing/ind/jc in CT_PPr's sequence.
        anchor = next((ppr.find(qn(t)) for t in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
                       if ppr.find(qn(t)) is not None), None)
        if anchor is not None:
            anchor.addprevious(borders)
        else:
            ppr.append(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(eighths))
    line.set(qn("w:space"), str(space_pt))
    line.set(qn("w:color"), color)
    borders.append(line)


def add_field(paragraph: Paragraph, instruction: str) -> Run:
    """A field (PAGE, NUMPAGES) as begin / instruction / separate / result / end runs; the
    result run holds a placeholder the reader replaces when it lays out the page."""
    runs = []
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = f" {instruction} "
            run._r.append(text)
        elif kind == "result":
            run.text = "1"
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        runs.append(run)
    return runs[3]


def set_doc_grid(section_pr, *, line_pitch_twips: int, char_space: int) -> None:
    """`w:docGrid type="linesAndChars"`: Word and WPS lay out exactly 22 lines of 28 characters
    when the pitch matches the 版心 (see gbt9704.LINE_PITCH / CHAR_SPACE)."""
    grid = section_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch_twips))
    grid.set(qn("w:charSpace"), str(char_space))


def align(paragraph: Paragraph, how: WD_ALIGN_PARAGRAPH) -> Paragraph:
    paragraph.alignment = how
    return paragraph


def no_spacing(paragraph: Paragraph) -> Paragraph:
    fmt = paragraph.paragraph_format
    fmt.space_before = Emu(0)
    fmt.space_after = Emu(0)
    return paragraph


def space_before(paragraph: Paragraph, mm: float) -> None:
    paragraph.paragraph_format.space_before = Mm(mm)


def repeat_header(row) -> None:
    """The table's header row is repeated at the top of each page the table runs onto."""
    trpr = row._tr.get_or_add_trPr()
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    trpr.append(mark)


def font_table_fallbacks(fonts_xml: bytes) -> bytes:
    """Declare the fonts we name in the document's font table with their fallbacks: where
    方正小标宋简体 or 仿宋_GB2312 is not installed, Word takes `w:altName` (and the GB2312
    charset and family say which kind of face to look for), LibreOffice its own substitution."""
    root = parse_xml(fonts_xml)
    present = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alt, family in std.FONT_FALLBACKS:
        if name in present:
            continue
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
            f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        ))
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def foot_of_page_table(table: Table, *, width_mm: float, left_mm: float, outer_eighths: int,
                       inner_eighths: int) -> None:
    """Make `table` a floating table whose bottom edge sits on the bottom margin (the 版心's
    lower edge) of the page its anchor — the paragraph after it — falls on, ruled at the top and
    bottom with `outer_eighths` and between its rows with `inner_eighths`, no side rules.

    Why this form: LibreOffice (7.4) drops the borders of a `w:framePr` paragraph anchored to
    the page bottom, and turns a floating table as wide as the text area back into an inline
    one; it keeps it floating when it is placed against the page's left edge (horzAnchor
    "page", tblpX = the left margin). Word, WPS and LibreOffice all read tblpYSpec="bottom"
    against the margin; text flows around it (never under it, tblOverlap "never"), so when the
    last page is too full the anchor and the block move to a new page."""
    twips = round(width_mm * TWIPS_PER_MM)
    tbl_pr = table._tbl.tblPr
    for child in list(tbl_pr):
        tbl_pr.remove(child)
    rule = 'w:val="single" w:sz="{}" w:space="0" w:color="000000"'
    # CT_TblPr's sequence: tblStyle, tblpPr, tblOverlap, …, tblW, …, tblBorders, …, tblLayout,
    # tblCellMar, tblLook (Word reports a document with them out of order as damaged).
    for xml in (
        f'<w:tblpPr {nsdecls("w")} w:leftFromText="0" w:rightFromText="0" w:topFromText="0" '
        f'w:bottomFromText="0" w:vertAnchor="margin" w:horzAnchor="page" '
        f'w:tblpX="{round(left_mm * TWIPS_PER_MM)}" w:tblpYSpec="bottom"/>',
        f'<w:tblOverlap {nsdecls("w")} w:val="never"/>',
        f'<w:tblW {nsdecls("w")} w:w="{twips}" w:type="dxa"/>',
        f'<w:tblBorders {nsdecls("w")}><w:top {rule.format(outer_eighths)}/><w:left w:val="nil"/>'
        f'<w:bottom {rule.format(outer_eighths)}/><w:right w:val="nil"/>'
        f'<w:insideH {rule.format(inner_eighths)}/><w:insideV w:val="nil"/></w:tblBorders>',
        f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>',
        f'<w:tblCellMar {nsdecls("w")}><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
        f'</w:tblCellMar>',
        f'<w:tblLook {nsdecls("w")} w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        f'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>',
    ):
        tbl_pr.append(parse_xml(xml))
    for col in table._tbl.tblGrid.findall(qn("w:gridCol")):
        col.set(qn("w:w"), str(twips))
    for cell in table.columns[0].cells:
        cell.width = Mm(width_mm)
