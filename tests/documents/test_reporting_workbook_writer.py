"""The 填报模板 as written by XlsxWriter: what openpyxl used to set is still in the file (print
set-up, defined names, protection, widths, styles), and text a user typed comes back exactly,
control characters and Excel's own escapes included."""

from __future__ import annotations

import io
import zipfile

from duibiao.assessment.models import Submission
from duibiao.assessment.services.submissions import ValueInput, submission_save
from duibiao.documents import exports, services
from tests.documents.conftest import open_xlsx, row_of, upload

VALUE, NOTE = 6, 7


def _template(ctx, who="reporter_a", unit="a") -> bytes:
    return exports.reporting_template(user=ctx[who], period=ctx["period"], unit=ctx[unit] if unit else None)[1]


def test_print_setup_names_protection_and_widths(excel):
    data = _template(excel)
    wb = open_xlsx(data)
    ws = wb.active
    assert ws.print_title_rows.replace("$", "") == "3:3"
    assert ws.print_area.replace("$", "").endswith(f"!A1:H{ws.max_row}")
    assert ws.page_setup.paperSize in (9, "9") and ws.page_setup.orientation == "landscape"
    # One page wide (fitToWidth left out means 1, the file format's default), pages down as needed.
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1, "1")
    assert ws.page_setup.fitToHeight in (0, "0") and ws.print_options.horizontalCentered
    assert (ws.page_margins.left, ws.page_margins.top) == (0.4, 0.5)
    # Locked, no password; resizing rows and columns stays allowed, locked cells selectable.
    assert ws.protection.sheet and not ws.protection.password
    assert not ws.protection.formatColumns and not ws.protection.formatRows
    assert not ws.protection.selectLockedCells
    assert sorted(c.coord for c in ws.merged_cells.ranges) == ["A1:H1", "A2:H2"]
    assert ws.row_dimensions[1].height == 28 and ws.row_dimensions[2].height == 48
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEFGH"}
    assert widths["C"] > widths["B"] > widths["A"] > widths["D"]  # names wide, units narrow
    assert ws.column_dimensions["I"].hidden
    header = ws["A3"]
    assert header.font.b and header.font.name == "宋体" and header.fill.fgColor.rgb.endswith("D9E1F2")
    assert ws["A1"].font.sz == 16 and ws["A1"].alignment.horizontal == "center"
    r = row_of(ws, "nl02")
    value, code = ws.cell(r, VALUE), ws.cell(r, 1)
    assert value.fill.fgColor.rgb.endswith("FFF2CC") and not value.protection.locked
    assert code.font.name == "仿宋" and code.border.left.style == "thin" and code.protection.locked
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        book = z.read("xl/workbook.xml").decode()
    assert "_xlnm.Print_Area" in book and "_xlnm.Print_Titles" in book


def test_a_validation_message_too_long_for_excel_is_an_error_not_a_silent_gap(excel):
    """XlsxWriter drops a validation whose message is over 255 characters with only a
    warning; the writer refuses instead, so no template goes out with unchecked cells."""
    import pytest

    from duibiao.documents.excel import reporting_workbook as rw

    class Huge:
        pk, kind = -1, "yes-no"

    checks = rw._Checks(ws=None, rules=None, specs={-1: (("k",), {"validate": "list", "source": '"是,否"',
                                                                   "error_message": "错" * 300})})

    class Sheet:
        def data_validation(self, *args):
            return -1

    checks.ws = Sheet()
    checks.add(Huge(), 5)
    with pytest.raises(ValueError):
        checks.finish()


def test_text_with_control_characters_and_escapes_comes_back_exactly(excel):
    # (openpyxl, the reader, drops every "x005F_" it meets, however the file says it: a
    # literal "_x005F_" never came back, with either writer.)
    typed = {"nl02": "第一行\r\n第二行", "nl03": "字面 _x000D_ 照录", "nl06": "备注\r=1+1"}
    for code, note in typed.items():
        submission_save(actor=excel["reporter_a"], period=excel["period"], unit=excel["a"],
                        item=ValueInput(excel["ind"][code], value="50", note=note, expected_version=0))
    notes = {s.indicator.code: s.note for s in Submission.objects.filter(unit=excel["a"]).select_related("indicator")}
    assert "\r" in notes["nl02"] and "_x000D_" in notes["nl03"]  # stored as typed
    data = _template(excel)
    ws = open_xlsx(data).active
    assert {code: ws.cell(row_of(ws, code), NOTE).value for code in notes} == notes
    before = list(Submission.objects.order_by("pk").values_list("note", "version"))
    report = services.reporting_workbook_import(actor=excel["reporter_a"], period=excel["period"],
                                                upload=upload(data), unit=excel["a"])
    assert report.ok, report.problems
    # The unchanged template changes nothing: every note read back is the note stored.
    assert list(Submission.objects.order_by("pk").values_list("note", "version")) == before


def test_a_stored_value_is_written_digit_for_digit(excel):
    """99.99 as a binary float printed to 16 digits is 99.98999999999999: the sheet must say
    what is stored, as openpyxl's writer did."""
    for code, value in (("nl02", "99.99"), ("nl03", "9.3"), ("nl04", "0.000001")):
        submission_save(actor=excel["reporter_a"], period=excel["period"], unit=excel["a"],
                        item=ValueInput(excel["ind"][code], value=value, note="", expected_version=0))
    data = _template(excel)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>99.99</v>" in sheet and "<v>9.3</v>" in sheet and "99.98999" not in sheet
    ws = open_xlsx(data).active
    assert [ws.cell(row_of(ws, code), VALUE).value for code in ("nl02", "nl03", "nl04")] == [99.99, 9.3, 0.000001]
