"""The GB/T 9704-2012 engine: each rule of the standard read back from the DOCX with
python-docx (and from the XML where python-docx has no reader), and the 发文字号 register."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile

import pytest
from django.db import connection
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from duibiao.documents.models import DocumentNumber, DocumentNumberSeries
from duibiao.documents.register import document_number_take
from duibiao.documents.word import Bulletin, document_date, document_number, heading_label
from duibiao.documents.word import gbt9704 as std
from duibiao.documents.word.charts import cjk_font, figure

ORGAN = "哈尔滨市道外区考核评价办公室"
TITLE = "关于2026年度对标晋位考核结果的通报"
BODY = "今年以来，各单位认真贯彻落实区委、区政府关于对标晋位的部署要求，考核工作有序推进。"


def build(**extra) -> bytes:
    doc = Bulletin(organ=ORGAN, number="道外考核办〔2026〕7号", title=TITLE, date=dt.date(2026, 11, 26),
                   addressee="各街道办事处、区直各部门", **extra)
    doc.heading(1, "总体情况").paragraph(BODY)
    doc.heading(2, "排名情况").heading(3, "街道").heading(4, "靖宇街道").paragraph(BODY)
    doc.heading(2, "问题")  # （二）: a level restarts below it only
    doc.heading(1, "希望和要求").heading(2, "再接再厉")
    doc.table(["单位", "得分", "排名"], [["靖宇街道", "92.50", 1], ["太古街道", "88.00", 2]])
    with figure(150, 70) as fig:
        fig.subplots().bar(["靖宇街道", "太古街道"], [92.5, 88.0])
        doc.chart(fig)
    doc.attachment("各单位得分排名表", lambda body: body.table(["单位", "得分"], [["靖宇街道", "92.50"]]))
    doc.attachment("需要改进的问题清单", lambda body: body.paragraph("无。"))
    doc.imprint(cc="区委办公室，区人大常委会办公室", printed_by="哈尔滨市道外区考核评价办公室",
                printed_on=dt.date(2026, 11, 26))
    return doc.save()


@pytest.fixture(scope="module")
def docx():
    return Document(io.BytesIO(build()))


def paragraph(docx, text: str):
    return next(p for p in docx.paragraphs if p.text == text)


def east_asia(run) -> str | None:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


# ---------------------------------------------------------------- page and grid


def test_a4_with_the_standard_margins(docx):
    s = docx.sections[0]

    def mm(length) -> float:  # stored in twips: 1/20 pt, so to a tenth of a millimetre
        return round(Emu(length).mm, 1)

    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert tuple(map(mm, (s.top_margin, s.left_margin, s.bottom_margin, s.right_margin))) == (37, 28, 35, 26)
    # The 版心 is 156 × 225 mm.
    assert mm(s.page_width - s.left_margin - s.right_margin) == 156
    assert mm(s.page_height - s.top_margin - s.bottom_margin) == 225


def test_document_grid_of_22_lines_of_28_characters(docx):
    grid = docx.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch = int(grid.get(qn("w:linePitch")))
    assert int(Mm(225).twips / pitch) == 22  # 22 lines fill the 版心 and a 23rd does not
    char_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert int(Mm(156).pt / char_pt) == 28 and Mm(156).pt / char_pt < 28.01


def test_the_default_size_is_the_body_size_the_grid_counts_from(docx):
    styles = docx.styles.element
    size = styles.find(qn("w:docDefaults")).find(".//" + qn("w:sz"))
    assert size.get(qn("w:val")) == "32"
    assert docx.styles["Normal"].font.size == Pt(16)


# ---------------------------------------------------------------- fonts and sizes


def test_title_in_2hao_xiaobiaosong(docx):
    title = paragraph(docx, TITLE)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {(east_asia(r), r.font.size) for r in title.runs} == {("方正小标宋简体", Pt(22))}


def test_body_in_3hao_fangsong_indented_two_characters(docx):
    body = paragraph(docx, BODY)
    assert {(east_asia(r), r.font.size) for r in body.runs} == {("仿宋_GB2312", Pt(16))}
    ind = body._p.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"


def test_every_run_names_its_east_asian_font(docx):
    runs = [r for p in docx.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in docx.tables for c in t._cells for p in c.paragraphs for r in p.runs]
    assert runs and all(east_asia(r) for r in runs)


@pytest.mark.parametrize(("text", "font"), [
    ("一、总体情况", "黑体"), ("（一）排名情况", "楷体_GB2312"), ("1.街道", "仿宋_GB2312"),
    ("（1）靖宇街道", "仿宋_GB2312"), ("（二）问题", "楷体_GB2312"), ("二、希望和要求", "黑体"),
    ("（一）再接再厉", "楷体_GB2312"),
])
def test_headings_numbered_by_level_in_their_fonts(docx, text, font):
    heading = paragraph(docx, text)
    assert {(east_asia(r), r.font.size) for r in heading.runs} == {(font, Pt(16))}
    assert heading._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"


def test_heading_labels():
    assert [heading_label(1, n) for n in (1, 10, 11, 20, 23)] == ["一、", "十、", "十一、", "二十、", "二十三、"]
    assert (heading_label(2, 3), heading_label(3, 3), heading_label(4, 12)) == ("（三）", "3.", "（12）")
    with pytest.raises(ValueError):
        heading_label(5, 1)


def test_the_font_table_declares_fallbacks():
    with zipfile.ZipFile(io.BytesIO(build())) as z:
        fonts = z.read("word/fontTable.xml").decode()
    for name, alt, _family in std.FONT_FALLBACKS:
        assert f'w:name="{name}"><w:altName w:val="{alt}"/>' in fonts


# ---------------------------------------------------------------- 版头: mark, number, red rule


def test_organ_mark_in_red_and_the_number_centred_above_the_red_rule(docx):
    mark = paragraph(docx, ORGAN)
    assert mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {str(r.font.color.rgb) for r in mark.runs} == {"FF0000"}
    assert {east_asia(r) for r in mark.runs} == {"方正小标宋简体"}
    number = paragraph(docx, "道外考核办〔2026〕7号")
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000" and rule.get(qn("w:val")) == "single"
    texts = [p.text for p in docx.paragraphs]
    assert texts.index(ORGAN) < texts.index("道外考核办〔2026〕7号") < texts.index(TITLE)


def test_a_long_organ_name_shrinks_to_one_line():
    organ = "中共哈尔滨市道外区委哈尔滨市道外区人民政府对标晋位考核评价工作领导小组办公室"
    doc = Document(io.BytesIO(Bulletin(organ=organ, title="t", date=dt.date(2026, 1, 1)).save()))
    size = paragraph(doc, organ).runs[0].font.size
    assert size.pt * len(organ) <= Mm(156).pt + 0.5


def test_a_draft_says_it_has_no_number_yet():
    doc = Document(io.BytesIO(Bulletin(organ=ORGAN, title="t", date=dt.date(2026, 1, 1)).save()))
    assert any("发文字号在印发时生成" in p.text for p in doc.paragraphs)


@pytest.mark.parametrize(("args", "text"), [
    (("道外考核办", 2026, 7), "道外考核办〔2026〕7号"),
    (("道外考核办", 2026, 10), "道外考核办〔2026〕10号"),
    ((" 道外政办 ", 2027, 1), "道外政办〔2027〕1号"),
])
def test_document_numbers_use_hexagonal_brackets_without_di_or_padding(args, text):
    assert document_number(*args) == text
    assert "第" not in text and "〔" in text and "[" not in text


@pytest.mark.parametrize("args", [("", 2026, 1), ("道外〔考核办", 2026, 1), ("道外考核办", 26, 1),
                                  ("道外考核办", 2026, 0)])
def test_bad_document_numbers_are_refused(args):
    with pytest.raises(ValueError):
        document_number(*args)


def test_dates_in_arabic_numerals_without_padding(docx):
    assert document_date(dt.date(2026, 1, 6)) == "2026年1月6日"
    assert document_date(dt.date(2026, 11, 26)) == "2026年11月26日"
    date = paragraph(docx, "2026年11月26日")
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "400"  # 右空四字


# ---------------------------------------------------------------- footers


def _footer(footer) -> tuple:
    p = footer.paragraphs[0]
    xml = p._p.xml
    return p.alignment, p.text, "PAGE" in xml and 'w:fldCharType="begin"' in xml, {
        (east_asia(r), r.font.size) for r in p.runs if r._element.rPr is not None}


def test_page_numbers_right_on_odd_pages_and_left_on_even_pages(docx):
    assert docx.settings.odd_and_even_pages_header_footer is True
    section = docx.sections[0]
    odd = _footer(section.footer)
    even = _footer(section.even_page_footer)
    assert odd[0] == WD_ALIGN_PARAGRAPH.RIGHT and even[0] == WD_ALIGN_PARAGRAPH.LEFT
    for _align, text, has_field, fonts in (odd, even):
        assert text == "— 1 —" and has_field  # the placeholder 1 is the PAGE field's result
        assert fonts == {("宋体", Pt(14))}


# ---------------------------------------------------------------- attachments, 版记, tables, charts


def test_attachments_listed_after_the_body_and_each_on_a_new_page(docx):
    texts = [p.text for p in docx.paragraphs]
    listed = texts.index("附件：1. 各单位得分排名表")
    assert texts[listed + 1] == "2. 需要改进的问题清单"
    assert listed < texts.index("2026年11月26日")
    for label, title in (("附件1", "各单位得分排名表"), ("附件2", "需要改进的问题清单")):
        head = paragraph(docx, label)
        assert 'w:type="page"' in head._p.xml  # the break before the label starts the page
        assert {east_asia(r) for r in head.runs if r.text} == {"黑体"}
        assert texts.index(title, listed + 2) > texts.index(label)


def test_one_attachment_is_named_without_a_number():
    doc = Bulletin(organ=ORGAN, title="t", date=dt.date(2026, 1, 1))
    doc.attachment("排名表", lambda body: body.paragraph("x"))
    texts = [p.text for p in Document(io.BytesIO(doc.save())).paragraphs]
    assert "附件：排名表" in texts and "附件" in texts and "附件1" not in texts


def test_imprint_between_rules_after_the_attachments(docx):
    """The 版记 is the last table of the document, after the last attachment: a row for 抄送 and
    one for 印发机关 / 印发日期 in 4号仿宋, ruled 0.35 mm above and below and 0.25 mm between."""
    imprint = docx.tables[-1]
    cc, printed = (row.cells[0].paragraphs[0] for row in imprint.rows)
    assert [cc.text, printed.text] == ["抄送：区委办公室，区人大常委会办公室。",
                                       "哈尔滨市道外区考核评价办公室\t2026年11月26日印发"]
    body = docx.element.body
    blocks = [el for el in body if el.tag in (qn("w:p"), qn("w:tbl"))]
    texts = [p.text for p in docx.paragraphs]
    # After 附件2's content, and followed only by the empty paragraph it is anchored to.
    assert blocks[-2] is imprint._tbl and texts[-1] == "" and texts.index("附件2") < len(texts) - 1
    rules = imprint._tbl.tblPr.find(qn("w:tblBorders"))
    sizes = {side: rules.find(qn(f"w:{side}")).get(qn("w:sz")) for side in ("top", "insideH", "bottom")}
    assert sizes == {"top": "8", "insideH": "6", "bottom": "8"}
    assert {rules.find(qn(f"w:{side}")).get(qn("w:val")) for side in ("left", "right", "insideV")} == {"nil"}
    assert {(east_asia(r), r.font.size) for p in (cc, printed) for r in p.runs} == {("仿宋_GB2312", Pt(14))}


def test_the_imprint_floats_at_the_foot_of_the_page(docx):
    """§7.4: its last rule on the 版心's lower edge — a floating table pinned to the bottom
    margin, as wide as the 版心 and starting at the left margin, which text never overlaps."""
    tbl_pr = docx.tables[-1]._tbl.tblPr
    pos = tbl_pr.find(qn("w:tblpPr"))
    assert pos is not None
    assert (pos.get(qn("w:vertAnchor")), pos.get(qn("w:tblpYSpec"))) == ("margin", "bottom")
    assert (pos.get(qn("w:horzAnchor")), int(pos.get(qn("w:tblpX")))) == ("page", round(Mm(28).twips))
    assert tbl_pr.find(qn("w:tblOverlap")).get(qn("w:val")) == "never"
    width = tbl_pr.find(qn("w:tblW"))
    assert (width.get(qn("w:type")), int(width.get(qn("w:w")))) == ("dxa", round(Mm(156).twips))
    # Schema order: tblpPr right after tblStyle (here there is none: first), tblW before tblBorders.
    tags = [child.tag.split("}")[1] for child in tbl_pr]
    assert tags[:2] == ["tblpPr", "tblOverlap"] and tags.index("tblW") < tags.index("tblBorders")
    assert tags == sorted(tags, key=TBLPR_ORDER.index)
    # The body's ranking tables stay in the text.
    assert all(t._tbl.tblPr.find(qn("w:tblpPr")) is None for t in docx.tables[:-1])


def test_without_cc_the_imprint_is_one_row_between_the_outer_rules():
    doc = Bulletin(organ=ORGAN, title=TITLE, date=dt.date(2026, 11, 26)).paragraph(BODY)
    doc.imprint(printed_by="区考核办", printed_on=dt.date(2026, 11, 26))
    imprint = Document(io.BytesIO(doc.save())).tables[-1]
    assert [row.cells[0].text for row in imprint.rows] == ["区考核办\t2026年11月26日印发"]
    rules = imprint._tbl.tblPr.find(qn("w:tblBorders"))
    assert rules.find(qn("w:top")).get(qn("w:sz")) == rules.find(qn("w:bottom")).get(qn("w:sz")) == "8"


def test_after_a_table_an_empty_paragraph_keeps_the_imprint_a_table_of_its_own():
    """Word merges adjacent tables: an attachment ending in its ranking table gets an empty
    paragraph before the 版记; one ending in text does not."""
    for ends_in_table in (True, False):
        doc = Bulletin(organ=ORGAN, title=TITLE, date=dt.date(2026, 11, 26)).paragraph(BODY)
        doc.attachment("排名表", (lambda body: body.table(["单位", "得分"], [["靖宇街道", "92.50"]])) if ends_in_table
                       else (lambda body: body.paragraph("无。")))
        doc.imprint(printed_by="区考核办", printed_on=dt.date(2026, 11, 26))
        body = Document(io.BytesIO(doc.save())).element.body
        blocks = [el.tag.split("}")[1] for el in body if el.tag in (qn("w:p"), qn("w:tbl"))]
        assert blocks[-4:] == (["tbl", "p", "tbl", "p"] if ends_in_table else ["p", "p", "tbl", "p"])


TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
               "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
               "tblCaption", "tblDescription", "tblPrChange"]


def test_tables_have_a_bold_header_row_and_borders(docx):
    table = docx.tables[0]
    assert table.style.name == "Table Grid"
    header = [c.text for c in table.rows[0].cells]
    assert header == ["单位", "得分", "排名"] and [c.text for c in table.rows[1].cells] == ["靖宇街道", "92.50", "1"]
    assert all(r.font.bold for c in table.rows[0].cells for r in c.paragraphs[0].runs)
    assert not any(r.font.bold for c in table.rows[1].cells for r in c.paragraphs[0].runs)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_charts_are_pictures_in_a_cjk_font(docx):
    assert len(docx.inline_shapes) == 1
    assert docx.inline_shapes[0].width <= Mm(156)
    # fonts-noto-cjk is installed in CI and here; elsewhere the builder says so instead.
    assert cjk_font().found


def test_without_a_cjk_font_the_builder_says_so(monkeypatch):
    from duibiao.documents.word import bulletin, charts

    monkeypatch.setattr(bulletin, "cjk_font", lambda: charts.ChartFont(None))
    doc = Bulletin(organ=ORGAN, title="t", date=dt.date(2026, 1, 1))
    with figure(100, 60) as fig:
        fig.subplots().plot([1, 2], [3, 4])
        doc.chart(fig)
    doc.save()
    assert doc.warnings == [charts.MISSING_NOTE]


# ---------------------------------------------------------------- the 发文字号 register


@pytest.mark.django_db
def test_the_register_counts_per_prefix_and_year(world):
    taken = [document_number_take(prefix="道外考核办", year=2026, title=f"通报{i}", taken_by=world["office"])
             for i in range(3)]
    assert [n.text for n in taken] == ["道外考核办〔2026〕1号", "道外考核办〔2026〕2号", "道外考核办〔2026〕3号"]
    assert document_number_take(prefix="道外考核办", year=2027, title="x", taken_by=None).text == "道外考核办〔2027〕1号"
    assert document_number_take(prefix="道外督查办", year=2026, title="x", taken_by=None).text == "道外督查办〔2026〕1号"
    assert taken[0].taken_by == world["office"] and taken[0].title == "通报0"


@pytest.mark.django_db
def test_a_number_is_never_reused_even_when_its_row_is_deleted():
    first = document_number_take(prefix="道外考核办", year=2026, title="撤回的通报", taken_by=None)
    second = document_number_take(prefix="道外考核办", year=2026, title="x", taken_by=None)
    DocumentNumber.objects.filter(pk=second.pk).delete()
    assert document_number_take(prefix="道外考核办", year=2026, title="y", taken_by=None).sequence == 3
    assert first.sequence == 1


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_number():
    from django.db import IntegrityError, transaction

    taken = document_number_take(prefix="道外考核办", year=2026, title="x", taken_by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentNumber.objects.create(prefix=taken.prefix, year=2026, sequence=taken.sequence, title="抢号")


@pytest.mark.django_db
def test_a_bad_prefix_takes_no_number():
    with pytest.raises(ValueError):
        document_number_take(prefix="道外〔考核办", year=2026, title="x", taken_by=None)
    assert not DocumentNumberSeries.objects.exists() and not DocumentNumber.objects.exists()


TAKERS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_takers_never_share_a_number():
    """Eight issuers at once, each in its own thread with its own connection, released
    together. On PostgreSQL the series row lock makes them wait in turn; on SQLite the
    database itself serialises the writers."""
    start = threading.Barrier(TAKERS)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def take() -> None:
        try:
            start.wait()
            numbers.append(document_number_take(prefix="道外考核办", year=2026, title="并发", taken_by=None).sequence)
        except BaseException as exc:  # noqa: BLE001 — reported below with the numbers
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(TAKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(numbers) == list(range(1, TAKERS + 1))
    assert DocumentNumberSeries.objects.get().last == TAKERS


# CT_PPr's element sequence (ECMA-376 §17.3.1.26): Word reports a document whose paragraph
# properties are out of this order as damaged, though python-docx and LibreOffice read it.
PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
    "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
    "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
]


def test_paragraph_properties_are_in_schema_order():
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(build())) as z:
        parts = [n for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")
                 and ("document" in n or "footer" in n)]
        checked = 0
        for name in parts:
            for ppr in etree.fromstring(z.read(name)).iter(f"{w}pPr"):
                tags = [child.tag.removeprefix(w) for child in ppr]
                assert all(t in PPR_ORDER for t in tags), (name, tags)
                assert tags == sorted(tags, key=PPR_ORDER.index), (name, tags)
                checked += 1
    assert len(parts) >= 3 and checked > 50
