"""The GB/T 9704-2012 builder: a bulletin's 版头 (organ mark, number, red rule), 主体 (title,
addressee, headings, paragraphs, tables, charts, 附件说明, signature and date, attachments on
new pages) and 版记, written as one DOCX."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from matplotlib.figure import Figure

from duibiao.documents.word import gbt9704 as std
from duibiao.documents.word import ooxml
from duibiao.documents.word.charts import MISSING_NOTE, cjk_font, figure_png
from duibiao.documents.word.formats import document_date, heading_label

RED = RGBColor.from_string(std.RED)
LEFT, CENTER, RIGHT, JUSTIFY = (WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER,
                                WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY)


class Body:
    """What may be written in the text of a bulletin or of one of its attachments."""

    def __init__(self, doc: DocxDocument, warnings: list[str]) -> None:
        self._doc = doc
        self._counters = [0, 0, 0, 0]
        self.warnings = warnings

    def _para(self, text: str = "", *, font: str = std.BODY_FONT, size: float = std.BODY_PT,
              bold: bool = False, how: WD_ALIGN_PARAGRAPH = JUSTIFY) -> Paragraph:
        p = ooxml.no_spacing(self._doc.add_paragraph())
        p.alignment = how
        if text:
            ooxml.set_run_font(p.add_run(text), font, size, bold=bold)
        return p

    def heading(self, level: int, text: str) -> Body:
        """一、 / （一） / 1. / （1） numbered in order (a higher level restarts the lower ones),
        indented two characters like the body; 一、 in 黑体 and （一） in 楷体 end without a full
        stop, 1. and （1） in 仿宋 run on as the text of a paragraph."""
        label = heading_label(level, self._next(level))
        p = self._para(label + text.strip(), font=std.HEADING_FONTS[level])
        ooxml.indent_chars(p, first_line=2)
        p.paragraph_format.keep_with_next = True
        return self

    def _next(self, level: int) -> int:
        if level not in std.HEADING_FONTS:
            raise ValueError("公文标题层次只有四级")
        self._counters[level - 1] += 1
        for lower in range(level, 4):
            self._counters[lower] = 0
        return self._counters[level - 1]

    def paragraph(self, text: str) -> Body:
        """A paragraph of the body: 3号仿宋, first line indented two characters."""
        p = self._para(text.strip())
        ooxml.indent_chars(p, first_line=2)
        return self

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]], *,
              caption: str = "") -> Body:
        """A ruled table, header row in bold and repeated on each page, in 小四仿宋."""
        if caption:
            self._para(caption, font=std.HEI_FONT, size=std.TABLE_PT + 2, how=CENTER)
        table = self._doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        ooxml.repeat_header(table.rows[0])
        grid: list[list[object]] = [list(header), *[list(row) for row in rows]]
        for r, values in enumerate(grid):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                p = ooxml.no_spacing(cell.paragraphs[0])
                p.alignment = CENTER
                ooxml.set_run_font(p.add_run("" if value is None else str(value)), std.BODY_FONT,
                                   std.TABLE_PT, bold=r == 0)
        return self

    def chart(self, fig: Figure, *, width_mm: float = 150, caption: str = "") -> Body:
        """A matplotlib figure as a centred picture (the CJK font chosen by charts.figure)."""
        if not cjk_font().found and MISSING_NOTE not in self.warnings:
            self.warnings.append(MISSING_NOTE)
        p = self._para(how=CENTER)
        p.add_run().add_picture(io.BytesIO(figure_png(fig)), width=Mm(min(width_mm, std.TEXT_W_MM)))
        if caption:
            self._para(caption, size=std.TABLE_PT + 2, how=CENTER)
        return self

    def blank(self) -> Body:
        self._para()
        return self


@dataclass
class _Attachment:
    title: str
    build: Callable[[Body], object]


@dataclass
class _Imprint:
    cc: str
    printed_by: str
    printed_on: dt.date


@dataclass
class Bulletin(Body):
    """A 通报 (or any 公文) in the GB/T 9704-2012 layout.

        doc = Bulletin(organ="哈尔滨市道外区考核评价办公室", number="道外考核办〔2026〕7号",
                       title="关于……的通报", date=dt.date(2026, 11, 26), addressee="各单位：")
        doc.heading(1, "总体情况").paragraph("……").table(["单位", "得分"], rows)
        doc.attachment("排名表", lambda body: body.table(...))
        doc.imprint(cc="区委办公室", printed_by="区考核评价办公室", printed_on=dt.date(2026, 11, 26))
        docx_bytes = doc.save()

    `number` is empty for a draft (no number is taken until the bulletin is issued)."""

    organ: str
    title: str
    date: dt.date
    number: str = ""
    addressee: str = ""
    signed_by: str = ""  # 发文机关署名; the organ's name when empty
    warnings: list[str] = field(default_factory=list)
    _attachments: list[_Attachment] = field(default_factory=list, init=False, repr=False)
    _imprint: _Imprint | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        Body.__init__(self, _blank_document(), self.warnings)
        self._masthead()

    # ---------------------------------------------------------------- 版头 and title

    def _masthead(self) -> None:
        organ = self.organ.strip()
        # The mark stays on one line of the 版心: 小初 unless the name is too long for it.
        size = min(std.ORGAN_PT, std.TEXT_W_MM / 25.4 * 72 / max(len(organ), 1))
        mark = self._para(how=CENTER)
        ooxml.set_run_font(mark.add_run(organ), std.TITLE_FONT, round(size, 1), color=RED)
        ooxml.space_before(mark, std.ORGAN_TOP_MM)
        self._para()
        self._para()  # the number sits two lines below the mark (§7.2.4)
        number = self._para(self.number or "（草稿，发文字号在印发时生成）", how=CENTER)
        ooxml.paragraph_rule(number, "bottom", eighths=std.RED_RULE_EIGHTHS, color=std.RED,
                             space_pt=std.RED_RULE_GAP_PT)
        self._para()
        self._para()  # the title two lines below the red rule (§7.3.1)
        self._para(self.title.strip(), font=std.TITLE_FONT, size=std.TITLE_PT, how=CENTER)
        self._para()
        if self.addressee:
            addressee = self.addressee.strip()
            self._para(addressee if addressee.endswith("：") else addressee + "：", how=LEFT)

    # ---------------------------------------------------------------- attachments, 版记

    def attachment(self, title: str, build: Callable[[Body], object]) -> Bulletin:
        """An attachment: listed in the 附件说明 after the text, laid out on a new page headed
        附件n (build writes its content into the Body it is given)."""
        self._attachments.append(_Attachment(title.strip(), build))
        return self

    def imprint(self, *, cc: str = "", printed_by: str, printed_on: dt.date) -> Bulletin:
        """The 版记: 抄送 and the 印发机关 / 印发日期 line between rules, at the end."""
        self._imprint = _Imprint(cc.strip(), printed_by.strip(), printed_on)
        return self

    def save(self) -> bytes:
        """The document as DOCX bytes. Call once: the closing parts are written here."""
        self._closing()
        for n, item in enumerate(self._attachments, start=1):
            self._attachment_page(n, item)
        if self._imprint is not None:
            self._imprint_block(self._imprint)
        out = io.BytesIO()
        self._doc.save(out)
        return _with_font_fallbacks(out.getvalue())

    def _closing(self) -> None:
        if self._attachments:
            self._para()
            only = len(self._attachments) == 1
            for n, item in enumerate(self._attachments, start=1):
                # 附件：1. XXX, the following titles aligned under the first (§7.3.4).
                text = f"附件：{item.title}" if only else (f"附件：{n}. {item.title}" if n == 1 else f"{n}. {item.title}")
                p = self._para(text, how=LEFT)
                if n == 1:
                    ooxml.indent_chars(p, first_line=2)
                else:  # under the first title: 2 characters of indent + "附件：" is 5
                    ooxml.indent_chars(p, left=5)
        # One blank line below the text (or the 附件说明), then the signature above the date,
        # both 右空四字 (§7.3.5.1).
        self._para().paragraph_format.keep_with_next = True
        signature = self._para(self.signed_by or self.organ, how=RIGHT)
        signature.paragraph_format.keep_with_next = True  # never a date alone on a page
        ooxml.indent_chars(signature, right=4)
        ooxml.indent_chars(self._para(document_date(self.date), how=RIGHT), right=4)

    def _attachment_page(self, n: int, item: _Attachment) -> None:
        p = self._para(how=LEFT)
        p.add_run().add_break(WD_BREAK.PAGE)
        label = "附件" if len(self._attachments) == 1 else f"附件{n}"
        ooxml.set_run_font(p.add_run(label), std.HEI_FONT, std.BODY_PT)
        self._para()
        self._para(item.title, font=std.TITLE_FONT, size=std.TITLE_PT, how=CENTER)
        self._para()
        body = Body(self._doc, self.warnings)
        item.build(body)

    def _imprint_block(self, imprint: _Imprint) -> None:
        # §7.4: the 版记 at the foot of the last page, its last rule on the 版心's lower edge.
        # A one-column floating table pinned to the bottom margin (ooxml.foot_of_page_table):
        # a row for 抄送 and one for 印发机关 / 印发日期, the rules drawn as the table's borders
        # (0.35 mm above and below, 0.25 mm between). It floats on the page of the paragraph
        # after it; when the text leaves no room there, both go to a new page.
        body = self._doc.element.body
        blocks = [el for el in body if el.tag in (qn("w:p"), qn("w:tbl"))]
        if blocks and blocks[-1].tag == qn("w:tbl"):
            # Word joins two tables with nothing between them into one: after a ranking
            # table (an attachment's last), an empty line keeps the 版记 a table of its own.
            self._para()
        lines = [f"抄送：{imprint.cc.rstrip('。')}。"] if imprint.cc else []
        lines.append(f"{imprint.printed_by}\t{document_date(imprint.printed_on)}印发")
        table = self._doc.add_table(rows=len(lines), cols=1)
        ooxml.foot_of_page_table(table, width_mm=std.TEXT_W_MM, left_mm=std.LEFT_MM,
                                 outer_eighths=std.RULE_OUTER_EIGHTHS, inner_eighths=std.RULE_INNER_EIGHTHS)
        for row, text in zip(table.rows, lines, strict=True):
            p = ooxml.no_spacing(row.cells[0].paragraphs[0])
            p.alignment = LEFT
            ooxml.indent_chars(p, left=1, right=1, size_pt=std.IMPRINT_PT)
            if "\t" in text:
                # 印发机关 flush left, 印发日期 flush right: a right tab at the 版心's edge less one character.
                p.paragraph_format.tab_stops.add_tab_stop(Mm(std.TEXT_W_MM) - Pt(2 * std.IMPRINT_PT),
                                                          alignment=WD_TAB_ALIGNMENT.RIGHT)
            ooxml.set_run_font(p.add_run(text), std.BODY_FONT, std.IMPRINT_PT)
        # The anchor: a floating table belongs to the paragraph that follows it (and a
        # document ends with a paragraph), so the block floats on the page this one falls on.
        self._para()


def _blank_document() -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(std.PAGE_W_MM), Mm(std.PAGE_H_MM)
    section.top_margin, section.bottom_margin = Mm(std.TOP_MM), Mm(std.BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(std.LEFT_MM), Mm(std.RIGHT_MM)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(std.FOOTER_DISTANCE_MM)
    ooxml.set_doc_grid(section._sectPr, line_pitch_twips=std.LINE_PITCH, char_space=std.CHAR_SPACE)
    _default_font(doc)
    # Odd pages number on the right, even pages on the left (§7.5).
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], LEFT)
    # The template's empty first paragraph would push the masthead down a line.
    body = doc.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)
    return doc


def _default_font(doc: DocxDocument) -> None:
    """The defaults and Normal are 3号仿宋 in every script, Chinese, single-spaced on the grid:
    the grid's character pitch counts from the default size (the template's 11 pt would make
    every character of 16 pt take two cells), and a run we did not style still matches."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        doc.styles.element.remove(defaults)
    size = int(std.BODY_PT * 2)
    doc.styles.element.insert(0, parse_xml(
        f'<w:docDefaults {nsdecls("w")}><w:rPrDefault><w:rPr>'
        f'<w:rFonts w:ascii="{std.BODY_FONT}" w:hAnsi="{std.BODY_FONT}" w:eastAsia="{std.BODY_FONT}" '
        f'w:cs="{std.BODY_FONT}"/><w:kern w:val="2"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
        f'<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        f'<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
        f'</w:pPr></w:pPrDefault></w:docDefaults>'
    ))
    normal = doc.styles["Normal"]
    normal.font.name = std.BODY_FONT
    normal.font.size = Pt(std.BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), std.BODY_FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)


def _page_number(p: Paragraph, how: WD_ALIGN_PARAGRAPH) -> None:
    """— n — in 4号宋体, one character in from the edge it sits on."""
    p.alignment = how
    if how == RIGHT:
        ooxml.indent_chars(p, right=1, size_pt=std.FOOTER_PT)
    else:
        ooxml.indent_chars(p, left=1, size_pt=std.FOOTER_PT)
    ooxml.set_run_font(p.add_run("— "), std.SONG_FONT, std.FOOTER_PT)
    ooxml.add_field(p, "PAGE")
    for run in p.runs[1:]:
        ooxml.set_run_font(run, std.SONG_FONT, std.FOOTER_PT)
    ooxml.set_run_font(p.add_run(" —"), std.SONG_FONT, std.FOOTER_PT)


def _with_font_fallbacks(docx: bytes) -> bytes:
    """Rewrite word/fontTable.xml inside the package with the fallbacks declared."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/fontTable.xml":
                data = ooxml.font_table_fallbacks(data)
            dst.writestr(info, data)
    return out.getvalue()
