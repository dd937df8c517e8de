"""Schemes: every save is a validated new version whose indicators are materialised."""

from __future__ import annotations

import pytest

from duibiao.assessment.errors import AssessmentError, ConflictError
from duibiao.assessment.models import Dimension, Indicator
from duibiao.assessment.scheme_checks import scheme_findings
from duibiao.assessment.services.schemes import scheme_clone, scheme_version_save
from duibiao.audit.models import AuditEntry
from duibiao.schemes import SchemeDocumentError


def test_indicators_are_materialised_with_their_item_kind(assessed):
    ind = assessed["ind"]
    assert ind["nl01"].item_kind == Indicator.ItemKind.COMMON and ind["nl01"].method == "manual"
    assert ind["ys01"].item_kind == Indicator.ItemKind.SPECIFIC and ind["ys01"].applies_units == ["shijian", "zhengshu"]
    assert ind["nl09"].applies_categories == ["street"]  # by code (tests/assessment/test_categories.py)
    assert ind["jl01"].item_kind == Indicator.ItemKind.BONUS and ind["cf01"].item_kind == Indicator.ItemKind.PENALTY
    assert ind["fj01"].item_kind == Indicator.ItemKind.VETO
    assert ind["nl05"].kind == "ballot" and ind["nl05"].grade_names == ["优秀", "称职", "基本称职", "不称职"]
    assert ind["ys01"].taskforce.code == "zb2"
    assert ind["nl01"].ancestors == ["深化能力作风建设"]
    dims = list(Dimension.objects.filter(scheme=assessed["scheme"]).values_list("name", "weight"))
    assert [(n, float(w)) for n, w in dims] == [
        ("深化能力作风建设", 30.0), ("优化营商环境", 30.0), ("促进高质量发展及攻坚突破项目", 40.0)
    ]



def test_the_api_names_the_item_kind_and_keeps_the_old_name_for_its_readers(assessed, client_for):
    body = client_for(assessed["office"]).get("/api/assessment/schemes/daowai-2023").json()
    kinds = {i["code"]: (i["item_kind"], i["role"], i["kind"]) for i in body["indicators"]}
    assert kinds["ys01"] == ("specific", "specific", "number") and kinds["fj01"][:2] == ("veto", "veto")
    schema = client_for(assessed["office"]).get("/api/openapi.json").json()["components"]["schemas"]["IndicatorOut"]
    assert schema["properties"]["role"].get("deprecated") is True and "item_kind" in schema["required"]


def test_entered_by_units_and_applicability(assessed):
    ind, a, fagai = assessed["ind"], assessed["a"], assessed["fagai"]
    assert ind["nl02"].entered_by_units and not ind["nl01"].entered_by_units
    assert not ind["jl01"].entered_by_units and not ind["fj01"].entered_by_units
    assert ind["nl09"].applies_to(a) and not ind["nl09"].applies_to(fagai)
    assert not ind["ys01"].applies_to(a)


def test_a_bad_document_is_refused_with_its_path(assessed):
    bad = assessed["version"].document.replace("weight: 30", "weight: lots", 1)
    with pytest.raises(SchemeDocumentError) as info:
        scheme_version_save(actor=None, scheme=assessed["scheme"], document=bad)
    assert any("weight" in path for path, _ in info.value.errors)
    assert assessed["scheme"].versions.count() == 1


def test_new_version_keeps_the_old_one(assessed):
    doc = assessed["version"].document.replace("name: 理论学习和党风廉政建设", "name: 理论学习", 1)
    v2 = scheme_version_save(actor=assessed["office"], scheme=assessed["scheme"], document=doc, based_on=1)
    assert v2.number == 2
    assert v2.indicators.get(code="nl01").name == "理论学习"
    assert assessed["version"].indicators.get(code="nl01").name == "理论学习和党风廉政建设"
    assert AuditEntry.objects.filter(action="scheme.version", after__version=2).exists()


def test_saving_over_a_newer_version_is_refused(assessed):
    doc = assessed["version"].document
    scheme_version_save(actor=None, scheme=assessed["scheme"], document=doc, based_on=1)
    with pytest.raises(ConflictError):
        scheme_version_save(actor=None, scheme=assessed["scheme"], document=doc, based_on=1)


def test_clone_for_next_year(assessed):
    clone = scheme_clone(actor=None, scheme=assessed["scheme"], code="daowai-2024", name="道外区2024年度方案", year=2024)
    assert clone.versions.get().indicators.count() == assessed["version"].indicators.count()
    with pytest.raises(AssessmentError):
        scheme_clone(actor=None, scheme=assessed["scheme"], code="daowai-2024", name="x", year=2024)


def test_findings_flag_points_that_do_not_add_up(assessed):
    doc = assessed["version"].document
    findings = scheme_findings(doc)
    assert findings[0].message == "方案文档校验通过"
    # 优化营商环境 has 个性 indicators: its raw sum differs, and that is explained, not flagged.
    assert any(f.where == "D2" and "折算到 30 分" in f.message for f in findings)
    # A node whose children all apply to everyone must add up exactly.
    plain = """
code: s
name: s
version: "1"
tree:
  code: total
  name: 总分
  children:
    - code: D1
      name: 维度一
      weight: 30
      children:
        - {code: a, name: A, weight: 20, normalise: {method: minmax}}
        - {code: b, name: B, weight: 11, normalise: {method: minmax}}
"""
    warnings = [f for f in scheme_findings(plain) if f.level == "warning"]
    assert len(warnings) == 1 and "下级指标分值合计 31" in warnings[0].message
    assert scheme_findings("tree: [")[0].level == "error"


def test_findings_report_ahp_consistency():
    doc = """
code: s
name: s
version: "1"
tree:
  code: total
  name: 总分
  weights: {method: ahp, matrix: [[1, 3, 5], [0.3333333, 1, 3], [0.2, 0.3333333, 1]]}
  children:
    - {code: a, name: A, normalise: {method: minmax}}
    - {code: b, name: B, normalise: {method: minmax}}
    - {code: c, name: C, normalise: {method: minmax}}
"""
    findings = scheme_findings(doc)
    assert any("CR = 0.03" in f.message and f.level == "ok" for f in findings), findings
    inconsistent = doc.replace("[[1, 3, 5], [0.3333333, 1, 3], [0.2, 0.3333333, 1]]",
                               "[[1, 9, 0.2], [0.1111111, 1, 9], [5, 0.1111111, 1]]")
    assert any(f.level == "error" and "CR" in f.message for f in scheme_findings(inconsistent))


def test_same_as_indicator_is_reported_once(assessed):
    doc = assessed["version"].document.replace(
        "{code: ys09, name: 涉企诉求办结率, weight: 2,", "{code: ys09, name: 涉企诉求办结率, same_as: nl03, weight: 2,", 1)
    version = scheme_version_save(actor=None, scheme=assessed["scheme"], document=doc)
    ys09 = version.indicators.get(code="ys09")
    assert ys09.same_as == "nl03" and not ys09.entered_by_units
