"""填报模板: the template's shape, a good import, and broken workbooks that change nothing."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

from duibiao.assessment.models import Period, Submission
from duibiao.assessment.services.submissions import ValueInput, submission_save, submission_submit
from duibiao.documents import exports, services
from tests.documents.conftest import FIXTURES, open_xlsx, row_of, to_bytes, upload

VALUE, NOTE = 6, 7


def template(ctx, who="reporter_a", unit="a") -> bytes:
    target = ctx[unit] if unit else None
    return exports.reporting_template(user=ctx[who], period=ctx["period"], unit=target)[1]


def run_import(ctx, data: bytes, who="reporter_a", unit=None, name="填报.xlsx"):
    return services.reporting_workbook_import(actor=ctx[who], period=ctx["period"], upload=upload(data, name),
                                              unit=ctx[unit] if unit else None)


def state() -> list:
    return list(Submission.objects.order_by("pk").values_list("unit__code", "indicator__code", "value", "ballots",
                                                              "note", "status", "version"))


def problems(report) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.reason) for p in report.problems]


def filled(ctx, edit, **kw) -> bytes:
    wb = open_xlsx(template(ctx, **kw))
    edit(wb)
    return to_bytes(wb)


def refused(ctx, data: bytes, who="reporter_a", **kw):
    """Import must fail and leave every submission exactly as it was."""
    before = state()
    report = run_import(ctx, data, who=who, **kw)
    assert not report.ok and not report.saved
    assert state() == before
    return problems(report)


def good_cells(ws):
    ws.cell(row_of(ws, "nl03"), VALUE).value = 91  # a valid value next to the bad one


# ---------------------------------------------------------------------------------------


def test_template_layout(excel):
    submission_save(actor=excel["reporter_a"], period=excel["period"], unit=excel["a"],
                    item=ValueInput(excel["ind"]["nl06"], value="87.5", note="已培训 35 人", expected_version=0))
    wb = open_xlsx(template(excel))
    assert wb.sheetnames == ["靖宇街道"]
    ws = wb["靖宇街道"]
    assert ws["I1"].value == "unit:jingyu" and ws["I2"].value == "period:daowai-2023/quarter/2023/1"
    assert ws.column_dimensions["I"].hidden
    assert [c.value for c in ws[3]][:8] == ["指标代码", "一级指标", "指标名称", "计量单位", "数据类型", "填报值",
                                            "填报说明", "状态"]
    assert ws["A4"].value == "示例" and ws["A4"].font.i
    assert ws.protection.sheet
    r = row_of(ws, "nl02")
    assert ws.cell(r, 1).protection.locked and not ws.cell(r, VALUE).protection.locked
    assert ws.cell(r, 2).value == "深化能力作风建设" and ws.cell(r, 5).value == "百分比"
    r = row_of(ws, "nl06")
    assert ws.cell(r, VALUE).value == 87.5 and ws.cell(r, NOTE).value == "已培训 35 人"
    assert ws.cell(r, 8).value == "草稿" and ws.cell(r, 9).value == 1
    assert [ws.cell(row_of(ws, f"nl05:{g}"), 3).value for g in ("优秀", "不称职")] == [
        "干部民主测评（优秀）", "干部民主测评（不称职）"]
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert kinds == {"decimal", "whole", "list"}
    yes_no = next(dv for dv in ws.data_validations.dataValidation if dv.type == "list")
    assert yes_no.formula1 == '"是,否"' and f"F{row_of(ws, 'nl10')}" in str(yes_no.sqref)
    codes = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1)]
    assert "nl01" not in codes  # manual scores are the task force's, not in the template
    assert "ys01" not in codes  # 个性 indicator of another unit
    assert ws.freeze_panes == "D5" and ws.page_setup.orientation == "landscape"


def test_each_cell_is_checked_in_excel_by_the_same_rule_as_the_import(excel):
    """The percent cell allows what the import allows (a rate: 0–100 by default; gz03 up to
    the scheme's `max: 200`), the count cell whole numbers from 0, and Excel's message says
    the import's words, not a catch-all −1000..1000."""
    ws = open_xlsx(template(excel)).active

    def check(code):
        cell = f"F{row_of(ws, code)}"
        return next(dv for dv in ws.data_validations.dataValidation if cell in dv.sqref)

    rate = check("nl02")
    assert (rate.type, rate.formula1, rate.formula2) == ("decimal", "0", "100")
    assert "0" in rate.error and "100" in rate.error and "-1000" not in rate.error
    codes = {ws.cell(r, 1).value for r in range(5, ws.max_row + 1)}
    if "gz03" in codes:
        capped = check("gz03")
        assert (capped.formula1, capped.formula2) == ("0", "200")
    votes = check("nl05:优秀")
    assert votes.type == "whole" and votes.formula1 == "0"


def test_office_template_has_one_sheet_per_unit(excel):
    wb = open_xlsx(template(excel, who="office", unit=None))
    assert sorted(wb.sheetnames) == sorted(["靖宇街道", "太古街道", "区发展和改革局"])
    assert wb["区发展和改革局"]["I1"].value == "unit:fagai"


def test_good_import_saves_drafts(excel):
    def edit(wb):
        ws = wb.active
        ws.cell(row_of(ws, "nl02"), VALUE).value = 95
        ws.cell(row_of(ws, "nl03"), VALUE).value = "88.5"  # number stored as text
        ws.cell(row_of(ws, "nl03"), NOTE).value = "含转办件"
        ws.cell(row_of(ws, "nl04"), VALUE).value = "９７％"  # typed with a Chinese IME
        ws.cell(row_of(ws, "nl06"), VALUE).value = 0.9
        ws.cell(row_of(ws, "nl06"), VALUE).number_format = "0%"  # shows 90%
        ws.cell(row_of(ws, "nl10"), VALUE).value = "是"
        ws.cell(row_of(ws, "gz06"), VALUE).value = 4.0
        for grade, n in (("优秀", 20), ("称职", 10)):
            ws.cell(row_of(ws, f"nl05:{grade}"), VALUE).value = n

    report = run_import(excel, filled(excel, edit))
    assert report.ok and report.saved and report.counts == {"靖宇街道": 7}
    subs = {s.indicator.code: s for s in Submission.objects.filter(unit=excel["a"])}
    assert {s.status for s in subs.values()} == {"draft"}
    assert subs["nl02"].value == 95 and subs["nl03"].value == Decimal("88.5") and subs["nl03"].note == "含转办件"
    assert subs["nl04"].value == 97 and subs["nl06"].value == 90 and subs["nl10"].value == 1
    assert subs["gz06"].value == 4
    assert subs["nl05"].ballots == {"优秀": 20, "称职": 10, "基本称职": 0, "不称职": 0}
    # The same file again changes nothing: no new versions, no audit noise.
    again = run_import(excel, filled(excel, edit))
    assert again.ok and Submission.objects.get(pk=subs["nl02"].pk).version == 1


def test_libreoffice_saved_workbook_imports(excel):
    report = run_import(excel, (FIXTURES / "libreoffice-filled.xlsx").read_bytes(), who="office")
    assert report.ok, report.problems
    assert report.counts == {"靖宇街道": 5, "太古街道": 1}
    subs = {(s.unit.code, s.indicator.code): s for s in Submission.objects.select_related("unit", "indicator")}
    assert subs[("jingyu", "nl02")].value == 95 and subs[("jingyu", "nl03")].value == Decimal("88.5")
    assert subs[("jingyu", "nl03")].note == "含转办件" and subs[("jingyu", "nl10")].value == 1
    assert subs[("jingyu", "nl05")].ballots == {"优秀": 30, "称职": 12, "基本称职": 2, "不称职": 0}
    assert subs[("jingyu", "gz06")].value == 3 and subs[("taigu", "nl02")].value == 90


def test_libreoffice_workbook_of_two_units_is_refused_for_a_reporter_of_one(excel):
    result = refused(excel, (FIXTURES / "libreoffice-filled.xlsx").read_bytes(), who="reporter_a")
    assert result == [("太古街道", None, "", "单位“taigu”不存在或不在您的填报范围内")]


def test_inline_and_shared_strings_both_import(excel):
    """openpyxl (and some WPS exports) write strings inline (t="inlineStr"); Excel and
    LibreOffice put them in the shared-strings table (t="s"). Both must read the same."""

    def edit(wb):
        ws = wb.active
        ws.cell(row_of(ws, "nl02"), VALUE).value = "93"
        ws.cell(row_of(ws, "nl10"), VALUE).value = "否"

    data = filled(excel, edit)
    assert b'"inlineStr"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    shared = zipfile.ZipFile(FIXTURES / "libreoffice-filled.xlsx")
    assert b't="s"' in shared.read("xl/worksheets/sheet1.xml") and "xl/sharedStrings.xml" in shared.namelist()
    report = run_import(excel, data)
    assert report.ok, report.problems
    assert Submission.objects.get(indicator__code="nl10", unit=excel["a"]).value == 0


def test_sheet_order_names_and_trailing_rows_do_not_matter(excel):
    wb = open_xlsx(template(excel, who="office", unit=None))
    wb.move_sheet("区发展和改革局", offset=-2)
    wb["太古街道"].title = "太古（已填）"  # the hidden unit code identifies the sheet
    ws = wb["太古（已填）"]
    ws.cell(row_of(ws, "nl02"), VALUE).value = 80
    for r in range(200, 260):  # formatted but empty rows, as WPS leaves them
        ws.cell(r, VALUE).value = "  "
    report = run_import(excel, to_bytes(wb), who="office")
    assert report.ok and report.counts == {"太古街道": 1}


def test_date_in_a_number_cell_is_reported(excel):
    import datetime as dt

    def edit(wb):
        good_cells(wb.active)
        wb.active.cell(row_of(wb.active, "gz06"), VALUE).value = dt.datetime(2023, 3, 1)

    (p,) = refused(excel, filled(excel, edit))
    assert p[:3] == ("靖宇街道", row_of(open_xlsx(template(excel)).active, "gz06"), "F")
    assert p[3].startswith("单元格是日期/时间（2023-03-01）")


def test_missing_column(excel):
    def edit(wb):
        wb.active.cell(3, VALUE).value = "数值"  # header renamed: the 填报值 column is gone

    report_problems = refused(excel, filled(excel, edit))
    assert report_problems == [("靖宇街道", 3, "", "缺少必需的列“填报值”")]


def test_text_in_a_number_cell(excel):
    def edit(wb):
        good_cells(wb.active)
        wb.active.cell(row_of(wb.active, "nl02"), VALUE).value = "九十五"

    assert refused(excel, filled(excel, edit)) == [("靖宇街道", 5, "F", "“九十五”不是数字")]


def test_unknown_unit(excel):
    def edit(wb):
        good_cells(wb.active)
        wb.active["I1"].value = "unit:nowhere"

    assert refused(excel, filled(excel, edit)) == [("靖宇街道", None, "", "单位“nowhere”不存在或不在您的填报范围内")]


def test_unknown_indicator_and_not_applicable_indicator(excel):
    def edit(wb):
        ws = wb.active
        good_cells(ws)
        ws.cell(row_of(ws, "nl02"), 1).value = "zz99"
        ws.cell(row_of(ws, "nl04"), 1).value = "ys01"  # 个性 indicator of other units

    assert refused(excel, filled(excel, edit)) == [
        ("靖宇街道", 5, "A", "未知的指标代码“zz99”"),
        ("靖宇街道", 7, "A", "“企业开办时间”不适用于靖宇街道"),
    ]


def test_duplicate_row(excel):
    def edit(wb):
        ws = wb.active
        good_cells(ws)
        ws.cell(row_of(ws, "nl02"), VALUE).value = 90
        ws.append(["nl02", None, "督查问题整改率", "%", "百分比", 95])

    data = filled(excel, edit)
    last = open_xlsx(data).active.max_row
    assert refused(excel, data) == [("靖宇街道", last, "A", "重复的行：与第 5 行是同一指标")]


def test_bad_ballot_count(excel):
    def edit(wb):
        ws = wb.active
        good_cells(ws)
        ws.cell(row_of(ws, "nl05:优秀"), VALUE).value = 2.5

    (p,) = refused(excel, filled(excel, edit))
    assert p[2:] == ("F", "“优秀”票数应为不小于 0 的整数")


def test_values_of_a_submitted_submission_are_refused(excel):
    submission_save(actor=excel["reporter_a"], period=excel["period"], unit=excel["a"],
                    item=ValueInput(excel["ind"]["nl02"], value="80", expected_version=0))
    submission_submit(actor=excel["reporter_a"], period=excel["period"], unit=excel["a"], confirm=True)

    def edit(wb):
        ws = wb.active
        good_cells(ws)
        assert ws.cell(row_of(ws, "nl02"), VALUE).protection.locked  # greyed out in the template
        ws.cell(row_of(ws, "nl02"), VALUE).value = 99

    assert refused(excel, filled(excel, edit)) == [("靖宇街道", 5, "F", "“督查问题整改率”已提交，不能修改")]
    # Unchanged locked rows (pre-filled in the template) are simply skipped.
    assert run_import(excel, filled(excel, lambda wb: good_cells(wb.active))).ok


def test_value_changed_since_download_is_not_overwritten(excel):
    submission_save(actor=excel["reporter_a"], period=excel["period"], unit=excel["a"],
                    item=ValueInput(excel["ind"]["nl03"], value="70", expected_version=0))
    downloaded = open_xlsx(template(excel))
    submission_save(actor=excel["reporter_a"], period=excel["period"], unit=excel["a"],
                    item=ValueInput(excel["ind"]["nl03"], value="75", expected_version=1))  # someone else, meanwhile
    ws = downloaded.active
    ws.cell(row_of(ws, "nl03"), VALUE).value = 72
    (p,) = refused(excel, to_bytes(downloaded))
    assert p[2] == "F" and "已被他人修改" in p[3]


def test_closed_period(excel):
    Period.objects.filter(pk=excel["period"].pk).update(status=Period.Status.CLOSED)
    excel["period"].refresh_from_db()
    assert refused(excel, filled(excel, lambda wb: good_cells(wb.active))) == [("", None, "", "2023年第一季度当前为“已关闭”，不能导入填报数据")]


def test_a_30_mb_file(excel):
    data = b"PK\x03\x04" + b"\0" * (30 * 1024 * 1024)
    assert refused(excel, data) == [("", None, "", "文件大小 30.0 MB，超过 20 MB 上限")]


def test_files_that_are_not_xlsx(excel):
    assert refused(excel, "指标代码,填报值\nnl02,95\n".encode(), name="填报.xlsx") == [
        ("", None, "", "文件不是 Excel 工作簿（.xlsx）")]
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert refused(excel, docx.getvalue()) == [("", None, "", "文件不是 Excel 工作簿（.xlsx）")]
    assert refused(excel, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)[0][3].startswith("这是旧版 .xls")
    assert refused(excel, b"PK\x03\x04 broken")[0][3].startswith("文件已损坏")


def test_a_wrong_sheet_dimension_does_not_cut_the_sheet(excel):
    """Some generators write <dimension ref="A1"/> whatever the size; every row still counts."""

    def edit(wb):
        ws = wb.active
        ws.cell(row_of(ws, "gz06"), VALUE).value = 6  # far below row 1

    data = filled(excel, edit)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', body)
            dst.writestr(item, body)
    assert b'<dimension ref="A1"/>' in zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    report = run_import(excel, out.getvalue())
    assert report.ok and Submission.objects.get(indicator__code="gz06").value == 6
