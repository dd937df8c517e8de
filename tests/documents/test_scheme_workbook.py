"""考核细则 workbook: the classic layout out, and back in as a new scheme version."""

from __future__ import annotations

import pytest
import yaml
from django.core.exceptions import PermissionDenied

from duibiao.assessment.models import Indicator, SchemeVersion
from duibiao.documents import exports, services
from tests.documents.conftest import FIXTURES, open_xlsx, to_bytes, upload

HEAD = ["序号", "一级指标", "二级指标", "分值", "评分标准", "牵头专班", "数据来源", "指标代码"]


def export(ctx) -> bytes:
    return exports.scheme_workbook(user=ctx["office"], scheme=ctx["scheme"])[1]


def run_import(ctx, data: bytes, name="细则.xlsx", who="office"):
    return services.scheme_workbook_import(actor=ctx[who], scheme=ctx["scheme"], upload=upload(data, name))


def snapshot(version) -> dict:
    return {
        i.code: (i.name, i.weight, i.standard, i.taskforce_id, i.source, i.item_kind, list(i.ancestors))
        for i in version.indicators.all()
    }


def rows_by_code(ws) -> dict[str, int]:
    return {ws.cell(r, 8).value: r for r in range(4, ws.max_row + 1) if ws.cell(r, 8).value}


def test_export_has_the_classic_layout(excel):
    wb = open_xlsx(export(excel))
    ws = wb["考核细则"]
    assert ws["A1"].value == "道外区2023年度对标晋位考核评价方案考核细则"
    assert "A1:H1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[3]] == HEAD
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$3:$3"
    assert ws["B4"].value == "深化能力作风建设（30分）" and ws["C4"].value == "理论学习和党风廉政建设"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "B4:B13" in merged  # the ten rows of 深化能力作风建设
    assert ws["E4"].font.name in ("仿宋", "宋体") and ws["C3"].font.bold
    rows = rows_by_code(ws)
    assert ws.cell(rows["nl01"], 6).value == "能力作风专班" and ws.cell(rows["nl01"], 4).value == 4
    headings = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith(("加分", "扣分", "一票"))]
    assert headings == ["加分事项（合计最高加 5 分）", "扣分事项（合计最高扣 10 分）", "一票否决事项"]
    assert ws.cell(rows["jl01"], 2).value == "加分事项" and ws.cell(rows["jl01"], 4).value == 3
    assert ws.cell(rows["fj01"], 2).value == "一票否决事项" and ws.cell(rows["fj02"], 4).value is None


def test_unchanged_workbook_makes_no_new_version(excel):
    outcome = run_import(excel, export(excel))
    assert outcome.report.ok and outcome.version is None
    assert "未生成新版本" in outcome.report.notes[0]
    assert SchemeVersion.objects.filter(scheme=excel["scheme"]).count() == 1


def test_round_trip_keeps_every_indicator_and_applies_the_edits(excel):
    before = snapshot(excel["version"])
    wb = open_xlsx(export(excel))
    ws = wb.active
    rows = rows_by_code(ws)
    ws.cell(rows["nl02"], 4).value = 5  # 分值
    ws.cell(rows["nl03"], 5).value = "办结率90%得满分。"  # 评分标准
    ws.cell(rows["nl04"], 6).value = "zb2"  # 牵头专班 by code
    ws.cell(rows["nl06"], 7).value = "区委组织部干部科"  # 数据来源
    ws.cell(rows["nl07"], 3).value = "机关效能建设（含作风）"  # renamed, matched by code
    outcome = run_import(excel, to_bytes(wb), name="细则-修订.xlsx")
    assert outcome.report.ok, outcome.report.problems
    version = outcome.version
    assert version.number == 2 and version.note == "导入考核细则 细则-修订.xlsx"
    after = snapshot(version)
    assert after["nl02"][1] == 5 and after["nl03"][2] == "办结率90%得满分。"
    assert Indicator.objects.get(version=version, code="nl04").taskforce.code == "zb2"
    assert after["nl06"][4] == "区委组织部干部科" and after["nl07"][0] == "机关效能建设（含作风）"
    edited = {"nl02", "nl03", "nl04", "nl06", "nl07"}
    assert set(after) == set(before)
    for code in set(before) - edited:
        assert after[code] == before[code], code
    assert outcome.report.counts == {"更新": 5, "新增": 0, "删除": 0}
    # Methods and targets the workbook does not show survive from version 1.
    doc = yaml.safe_load(version.document)
    leaf = next(c for c in doc["tree"]["children"][0]["children"] if c["code"] == "nl02")
    assert leaf["normalise"] == {"method": "target", "target": 100}
    assert doc["grading"]["grades"][0] == {"name": "优秀", "min": 90, "quota": 0.2}


def test_new_rows_become_manual_indicators_and_missing_rows_are_removed(excel):
    wb = open_xlsx(export(excel))
    ws = wb.active
    rows = rows_by_code(ws)
    ws.delete_rows(rows["nl08"])  # removed from the scheme
    rows = rows_by_code(ws)
    r = rows["nl10"] + 1
    ws.insert_rows(r)
    ws.cell(r, 3).value = "志愿服务工作"
    ws.cell(r, 4).value = "2分"
    ws.cell(r, 5).value = "专班按志愿服务开展情况评定。"
    ws.cell(r, 6).value = "能力作风专班"
    outcome = run_import(excel, to_bytes(wb))
    assert outcome.report.ok, outcome.report.problems
    codes = {i.code: i for i in outcome.version.indicators.all()}
    assert "nl08" not in codes
    new = next(i for i in codes.values() if i.name == "志愿服务工作")
    assert new.ancestors == ["深化能力作风建设"] and new.weight == 2 and new.method == "manual"
    assert new.kind == "number" and new.taskforce.code == "zb1" and new.standard.startswith("专班按")
    assert outcome.report.counts["新增"] == 1 and outcome.report.counts["删除"] == 1
    doc = yaml.safe_load(outcome.version.document)
    leaf = next(c for c in doc["tree"]["children"][0]["children"] if c["name"] == "志愿服务工作")
    assert leaf["normalise"] == {"method": "manual", "full": 100}


def test_workbook_without_code_column_matches_by_name(excel):
    wb = open_xlsx(export(excel))
    ws = wb.active
    rows = rows_by_code(ws)
    ws.cell(rows["ys03"], 4).value = 4
    for rng in list(ws.merged_cells.ranges):  # a hand-made sheet: blanks below, no merges
        ws.unmerge_cells(str(rng))
    ws.delete_cols(8)  # 指标代码
    outcome = run_import(excel, to_bytes(wb))
    assert outcome.report.ok, outcome.report.problems
    after = snapshot(outcome.version)
    assert after["ys03"][1] == 4 and len(after) == len(snapshot(excel["version"]))


def test_libreoffice_saved_scheme_workbook_imports(excel):
    outcome = run_import(excel, (FIXTURES / "libreoffice-scheme.xlsx").read_bytes())
    assert outcome.report.ok, outcome.report.problems
    assert outcome.version is None  # same content as version 1


def broken(excel, edit) -> list:
    wb = open_xlsx(export(excel))
    edit(wb.active, rows_by_code(wb.active))
    outcome = run_import(excel, to_bytes(wb))
    assert outcome.version is None and not outcome.report.ok
    assert SchemeVersion.objects.filter(scheme=excel["scheme"]).count() == 1
    return [(p.sheet, p.row, p.column, p.reason) for p in outcome.report.problems]


def test_missing_weight_column(excel):
    problems = broken(excel, lambda ws, rows: ws.delete_cols(4))
    assert problems == [("考核细则", 3, "", "缺少“分值”列")]


def test_text_in_weight_cell(excel):
    def edit(ws, rows):
        ws.cell(rows["nl02"], 4).value = "三分"

    assert broken(excel, edit) == [("考核细则", 5, "D", "分值“三分”不是数字")]


def test_unknown_taskforce_and_duplicate_row(excel):
    def edit(ws, rows):
        ws.cell(rows["nl02"], 6).value = "第九专班"
        ws.cell(rows["nl05"], 8).value = "nl04"  # the same indicator twice

    problems = broken(excel, edit)
    assert problems[0][:3] == ("考核细则", 5, "F") and problems[0][3].startswith("未知的牵头专班“第九专班”")
    assert problems[1] == ("考核细则", 8, "H", "重复的行：与第 7 行是同一指标（nl04）")


def test_unknown_first_level_indicator(excel):
    def edit(ws, rows):
        ws.unmerge_cells("B4:B13")
        for r in range(5, 14):
            ws.cell(r, 2).value = "深化能力作风建设（30分）"
        ws.cell(rows["nl01"], 2).value = "党的建设"

    problems = broken(excel, edit)
    assert problems == [("考核细则", 4, "B", "上级指标“党的建设”不在方案中（新增一级指标请先在方案中添加）")]


def test_scheme_import_is_for_the_office_only(excel):
    with pytest.raises(PermissionDenied):
        run_import(excel, export(excel), who="reporter_a")


# --- AHP judgements in a 判断矩阵 sheet (issue 10, item 9) --------------------------------

DIMENSIONS = ["深化能力作风建设（30分）", "优化营商环境（30分）", "D3"]  # by name, as headed, or by code


def with_judgements(excel, node: object, labels: list, matrix: list[list[object]], rows_labels=None) -> bytes:
    """The exported workbook plus a 判断矩阵 sheet with one block (rows 1 to 2 + n)."""
    wb = open_xlsx(export(excel))
    ws = wb.create_sheet("判断矩阵")
    ws.append(["节点", node])
    ws.append([None, *labels])
    for label, row in zip(rows_labels or labels, matrix, strict=True):
        ws.append([label, *row])
    return to_bytes(wb)


def test_a_judgement_sheet_sets_the_nodes_ahp_weights_with_fractions_as_written(excel):
    data = with_judgements(excel, "综合得分", DIMENSIONS,
                           [[1, 1, "1/2"], [None, 1, " 1 / 2 "], ["2", "２", None]])
    outcome = run_import(excel, data)
    assert outcome.report.ok, outcome.report.problems
    assert "已按判断矩阵更新 1 个节点的权重（层次分析法）" in outcome.report.notes
    doc = yaml.safe_load(outcome.version.document)
    # blanks take the reciprocal of their mirror; fractions stay as written
    assert doc["tree"]["weights"] == {"method": "ahp", "matrix": [[1, 1, "1/2"], [1, 1, "1/2"], [2, 2, 1]]}
    from duibiao.schemes import load_scheme_text

    assert load_scheme_text(outcome.version.document).tree.weights.matrix[0][2] == 0.5


def test_judgement_rows_may_follow_the_documents_order_in_another_order(excel):
    labels = ["D3", "D1", "D2"]
    data = with_judgements(excel, "total", labels, [[1, 3, 3], ["1/3", 1, 1], ["1/3", 1, 1]])
    outcome = run_import(excel, data)
    assert outcome.report.ok, outcome.report.problems
    doc = yaml.safe_load(outcome.version.document)
    assert doc["tree"]["weights"]["matrix"] == [[1, 1, "1/3"], [1, 1, "1/3"], [3, 3, 1]]  # D1, D2, D3


def judgement_problems(excel, *args, **kwargs) -> list:
    outcome = run_import(excel, with_judgements(excel, *args, **kwargs))
    assert outcome.version is None and not outcome.report.ok
    assert SchemeVersion.objects.filter(scheme=excel["scheme"]).count() == 1
    return [(p.sheet, p.row, p.column, p.reason) for p in outcome.report.problems]


def test_malformed_judgements_are_named_by_sheet_row_and_column(excel):
    import datetime as dt

    problems = judgement_problems(excel, "综合得分", DIMENSIONS,
                                  [[1, "1//3", "abc"], [3, 2, dt.datetime(2026, 1, 3)], [None, None, 1]])
    assert problems == [
        ("判断矩阵", 3, "C", "判断值“1//3”应为正数或分数（如 3、1/3）"),
        ("判断矩阵", 3, "D", "判断值“abc”应为正数或分数（如 3、1/3）"),
        ("判断矩阵", 4, "D", "判断值“2026-01-03”应为正数或分数（如 3、1/3）"
                            "（Excel 把 1/3 当成了日期：请把单元格设为文本后再填）"),
        ("判断矩阵", 4, "C", "对角线上的判断值应为 1"),
    ]


def test_judgements_that_contradict_each_other_or_are_missing(excel):
    problems = judgement_problems(excel, "综合得分", DIMENSIONS, [[1, 3, None], [3, 1, 2], [None, "1/2", 1]])
    assert problems == [
        ("判断矩阵", 3, "D", "缺少“深化能力作风建设”与“D3”的判断值"),
        ("判断矩阵", 4, "B", "判断值应为第 3 行对应值“3”的倒数"),
    ]


def test_an_unknown_node_or_child_and_an_inconsistent_matrix_are_refused(excel):
    assert judgement_problems(excel, "党的建设", ["a", "b"], [[1, 2], [None, 1]]) == [
        ("判断矩阵", 1, "B", "节点“党的建设”不在方案中（填写有下级指标的节点名称或代码）")]
    problems = judgement_problems(excel, "综合得分", ["D1", "D9", "D3"], [[1, 1, 1], [1, 1, 1], [1, 1, 1]])
    assert problems == [("判断矩阵", 2, "C", "“D9”不是“综合得分”的下级指标（或重复）")]
    problems = judgement_problems(excel, "综合得分", ["D1", "D2"], [[1, 1], [1, 1]])
    assert problems == [("判断矩阵", 2, "B", "判断矩阵缺少下级指标：促进高质量发展及攻坚突破项目")]
    problems = judgement_problems(excel, "综合得分", ["D1", "D2", "D3"], [[1, 9, "1/9"], [None, 1, 9], [None, None, 1]])
    ((sheet, row, col, reason),) = problems
    assert (sheet, row, col) == ("判断矩阵", 1, "B") and reason.startswith("判断矩阵未通过一致性检验，请修改判断值：consistency ratio CR = ")
    problems = judgement_problems(excel, "综合得分", ["D1", "D2"], [[1, 2], [None, 1]], rows_labels=["D2", "D1"])
    assert problems == [("判断矩阵", 3, "A", "第 1 行的标题应为“D1”（与第 1 列相同）")]
