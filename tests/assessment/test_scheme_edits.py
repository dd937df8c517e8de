"""Form edits of the scheme document: pure edits, services (new version, old kept, audit,
conflicts, office only) and the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from duibiao.assessment import scheme_edits as edits
from duibiao.assessment.errors import AssessmentError, ConflictError
from duibiao.assessment.models import Indicator
from duibiao.assessment.services import scheme_edits as services
from duibiao.audit.models import AuditEntry
from duibiao.schemes import load_scheme_text

EXAMPLE = Path(__file__).parents[2] / "examples" / "daowai-2023" / "scheme.yaml"


@pytest.fixture
def doc():
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def valid(d) -> None:
    load_scheme_text(edits.document_dump(d))  # raises with paths if the edit broke the document


# ---------------------------------------------------------------- pure edits


def test_update_fields_keeps_the_input_and_unknown_fields(doc):
    before = edits.document_dump(doc)
    new = edits.indicator_update(doc, "nl02", {"name": "督查整改率", "weight": 4.0, "taskforce": "zb2",
                                               "unit_of_measure": ""})
    node, parent = edits.find_node(new, "nl02")
    assert node["name"] == "督查整改率" and node["weight"] == 4 and isinstance(node["weight"], int)
    assert node["taskforce"] == "zb2" and "unit_of_measure" not in node
    assert node["normalise"] == {"method": "target", "target": 100} and parent["code"] == "D1"
    assert edits.document_dump(doc) == before  # pure: the input is untouched
    valid(new)


def test_applicability_common_specific_and_all(doc):
    new = edits.set_applicability(doc, "nl02", categories=["街道乡镇"])
    assert edits.find_node(new, "nl02")[0]["applies_to"] == {"categories": ["街道乡镇"]}
    new = edits.set_applicability(new, "nl02", units=["jingyu", "taigu"])
    assert edits.find_node(new, "nl02")[0]["applies_to"] == {"units": ["jingyu", "taigu"]}
    new = edits.set_applicability(new, "ys01")
    assert "applies_to" not in edits.find_node(new, "ys01")[0]
    valid(new)


def test_taskforce_must_be_one_of_the_schemes(doc):
    assert edits.find_node(edits.set_taskforce(doc, "nl02", "zb4"), "nl02")[0]["taskforce"] == "zb4"
    with pytest.raises(edits.EditError):
        edits.set_taskforce(doc, "nl02", "zb9")


@pytest.mark.parametrize(("method", "params", "expected"), [
    ("target", {"target": 90, "cap": 1.1, "floor": ""}, {"method": "target", "target": 90, "cap": 1.1}),
    ("goalposts", {"threshold": 60, "target": 100}, {"method": "goalposts", "threshold": 60, "target": 100}),
    ("minmax", {"scope": "category"}, {"method": "minmax", "scope": "category"}),
    ("frontier", {"best": 2, "worst": 8}, {"method": "frontier", "best": 2, "worst": 8}),
    ("bands", {"bands": [{"at": 0, "score": 100}, {"at": 2, "score": 60}], "else": 0},
     {"method": "bands", "bands": [{"at": 0, "score": 100}, {"at": 2, "score": 60}], "else": 0}),
    ("manual", {"full": 100}, {"method": "manual", "full": 100}),
    ("ballot", {"grades": {"好": 100, "差": 0}}, {"method": "ballot", "grades": {"好": 100, "差": 0}}),
    ("percentile", {"scope": "all"}, {"method": "percentile", "scope": "all"}),
    ("rank_steps", {"scope": "category", "top": 100, "step": 5},
     {"method": "rank_steps", "scope": "category", "top": 100, "step": 5}),
    ("binary", {}, {"method": "binary"}),
])
def test_set_method_with_its_parameters(doc, method, params, expected):
    new = edits.set_method(doc, "nl02", method, params)
    assert edits.find_node(new, "nl02")[0]["normalise"] == expected
    valid(new)


def test_same_method_keeps_parameters_the_form_does_not_show(doc):
    doc = edits.set_method(doc, "ys01", "frontier", {"best": 2, "worst": 8})
    edits.find_node(doc, "ys01")[0]["normalise"]["power"] = 2
    new = edits.set_method(doc, "ys01", "frontier", {"best": 3})
    assert edits.find_node(new, "ys01")[0]["normalise"] == {"method": "frontier", "best": 3, "worst": 8, "power": 2}
    with pytest.raises(edits.EditError, match="target"):
        edits.set_method(doc, "nl01", "target", {})


def test_move_add_remove(doc):
    new = edits.indicator_move(doc, "nl02", "D2")
    assert edits.find_node(new, "nl02")[1]["code"] == "D2"
    assert edits.find_node(new, "nl02")[0] == edits.find_node(doc, "nl02")[0]
    new = edits.indicator_update(new, "nl02", {"parent": "D1", "weight": 2})
    assert edits.find_node(new, "nl02")[1]["code"] == "D1"
    new = edits.indicator_add(new, "D3", {"code": "gz19", "name": "新指标", "weight": 1, "kind": "percent",
                                          "method": "target", "params": {"target": 100}})
    assert edits.find_node(new, "gz19")[0] == {"code": "gz19", "name": "新指标", "weight": 1, "kind": "percent",
                                               "normalise": {"method": "target", "target": 100}}
    valid(new)
    with pytest.raises(edits.EditError, match="已被使用"):
        edits.indicator_add(new, "D3", {"code": "jl01", "name": "x", "weight": 1, "method": "binary"})
    with pytest.raises(edits.EditError, match="无效"):
        edits.indicator_add(new, "D3", {"code": "a b", "name": "x", "weight": 1, "method": "binary"})
    new = edits.indicator_remove(new, "gz19")
    with pytest.raises(edits.EditError):
        edits.find_node(new, "gz19")
    with pytest.raises(edits.EditError, match="汇总节点"):
        edits.indicator_update(doc, "D1", {"name": "x"})


def test_dimension_points_and_groups(doc):
    new = edits.dimension_points_set(doc, "D1", 35)
    assert edits.find_node(new, "D1")[0]["weight"] == 35
    assert [c for c, _n, _d in edits.group_nodes(doc)] == ["D1", "D2", "D3"]
    with pytest.raises(edits.EditError):
        edits.dimension_points_set(doc, "nl01", 3)


def test_adjustments_and_vetoes(doc):
    new = edits.adjustment_add(doc, {"code": "jl04", "name": "区级表彰", "type": "bonus", "points": 0.5,
                                     "taskforce": "zb1", "cap": None})
    assert new["adjustments"]["items"][-1] == {"code": "jl04", "name": "区级表彰", "type": "bonus",
                                               "points": 0.5, "taskforce": "zb1"}
    new = edits.adjustment_update(new, "jl04", {"type": "penalty", "points": 1})
    assert new["adjustments"]["items"][-1]["type"] == "penalty"
    new = edits.adjustment_remove(new, "jl04")
    assert [i["code"] for i in new["adjustments"]["items"]] == [i["code"] for i in doc["adjustments"]["items"]]
    with pytest.raises(edits.EditError):
        edits.adjustment_update(doc, "jl01", {"type": "gift"})
    new = edits.veto_add(doc, {"code": "fj04", "name": "环保督察问题", "effect": "zero", "grade": "较差"})
    assert new["vetoes"][-1] == {"code": "fj04", "name": "环保督察问题", "effect": "zero"}
    new = edits.veto_update(new, "fj04", {"effect": "cap_grade", "grade": "一般"})
    assert new["vetoes"][-1]["grade"] == "一般"
    valid(edits.veto_remove(new, "fj01"))


def test_change_note():
    note = edits.change_note({"code": "a", "weight": 3, "taskforce": "zb1", "standard": "旧"},
                             {"code": "a", "weight": 4, "taskforce": "zb2", "standard": "新"})
    assert note == "权重 3→4；牵头专班 zb1→zb2；评分标准已修改"
    assert edits.change_note({"a": 1}, {"a": 1}) == "无改动"


# ---------------------------------------------------------------- services


def test_update_saves_a_new_version_and_keeps_the_old(assessed):
    scheme, office = assessed["scheme"], assessed["office"]
    v2 = services.scheme_indicator_update(actor=office, scheme=scheme, code="nl02",
                                          changes={"weight": 4, "taskforce": "zb2"}, based_on=1)
    assert v2.number == 2 and v2.note == "修改指标 nl02：权重 3→4；牵头专班 zb1→zb2"
    ind = v2.indicators.get(code="nl02")
    assert (ind.weight, ind.taskforce.code) == (4, "zb2")
    old = assessed["version"].indicators.get(code="nl02")
    assert (old.weight, old.taskforce.code) == (3, "zb1")
    assert "weight: 3" in assessed["version"].document  # the old text is untouched
    entry = AuditEntry.objects.get(action="scheme.indicator.update")
    assert entry.user == office and entry.before["weight"] == 3 and entry.after["weight"] == 4
    assert entry.after["version"] == 2
    assert AuditEntry.objects.filter(action="scheme.version", after__version=2).exists()


def test_create_remove_and_items(assessed):
    scheme, office = assessed["scheme"], assessed["office"]
    v2 = services.scheme_indicator_create(
        actor=office, scheme=scheme, parent="D2",
        fields={"code": "ys13", "name": "首席服务员制度", "weight": 1, "kind": "yes-no",
                "applies_to": {"units": ["jingyu"]}, "method": "binary", "params": {}}, based_on=1)
    ind = v2.indicators.get(code="ys13")
    assert ind.role == Indicator.Role.SPECIFIC and ind.ancestors == ["优化营商环境"]
    v3 = services.scheme_indicator_remove(actor=office, scheme=scheme, code="ys13", based_on=2)
    assert not v3.indicators.filter(code="ys13").exists()
    v4 = services.scheme_adjustment_save(actor=office, scheme=scheme, code=None, based_on=3, fields={
        "code": "jl04", "name": "区级表彰", "type": "bonus", "points": 0.5})
    assert v4.indicators.get(code="jl04").role == Indicator.Role.BONUS
    v5 = services.scheme_veto_save(actor=office, scheme=scheme, code="fj01", based_on=4,
                                   fields={"effect": "zero"})
    assert "否决效果 cap_grade→zero" in v5.note
    v6 = services.scheme_dimension_points_set(actor=office, scheme=scheme, points={"D1": 35, "D3": 35},
                                              based_on=5)
    assert v6.note == "修改维度分值：D1 30→35；D3 40→35"
    assert scheme.versions.count() == 6


def test_a_conflicting_edit_is_refused(assessed):
    scheme, office = assessed["scheme"], assessed["office"]
    services.scheme_indicator_update(actor=office, scheme=scheme, code="nl02", changes={"weight": 4}, based_on=1)
    with pytest.raises(ConflictError, match="第 2 版"):
        services.scheme_indicator_update(actor=office, scheme=scheme, code="nl03", changes={"weight": 4},
                                         based_on=1)
    assert scheme.versions.count() == 2


def test_bad_edits_change_nothing(assessed):
    scheme, office = assessed["scheme"], assessed["office"]
    with pytest.raises(AssessmentError, match="没有代码为 nl99"):
        services.scheme_indicator_update(actor=office, scheme=scheme, code="nl99", changes={"weight": 1},
                                         based_on=1)
    assert scheme.versions.count() == 1 and not AuditEntry.objects.filter(action__startswith="scheme.indicator")


def test_only_the_office_may_edit(assessed):
    from django.core.exceptions import PermissionDenied

    for who in ("reporter_a", "taskforce", "leader"):
        with pytest.raises(PermissionDenied):
            services.scheme_indicator_update(actor=assessed[who], scheme=assessed["scheme"], code="nl02",
                                             changes={"weight": 4}, based_on=1)
    assert assessed["scheme"].versions.count() == 1


def test_preview_finds_points_that_stop_adding_up(assessed):
    scheme, office = assessed["scheme"], assessed["office"]
    # D1 adds up only when nl09 applies to every unit; then nl02 3→4 makes it 31.
    services.scheme_indicator_update(actor=office, scheme=scheme, code="nl09",
                                     changes={"applies_to": {}}, based_on=1)
    findings = services.scheme_indicator_preview(actor=office, scheme=scheme, code="nl02", parent="D1",
                                                 fields={"weight": 4})
    assert any(f.level == "warning" and "下级指标分值合计 31" in f.message for f in findings)
    assert scheme.versions.count() == 2  # nothing saved by the preview


# ---------------------------------------------------------------- pages


def form_data(**over):
    data = {
        "based_on": "1", "name": "督查问题整改率", "parent": "D1", "weight": "3", "taskforce": "zb1",
        "role": "common", "kind": "percent", "method": "target", "direction": "higher",
        "unit_of_measure": "%", "source": "区委督查室督查台账", "standard": "已销号问题数/应整改问题数，完成率×分值。",
        "p_target": "100", "p_cap": "", "p_floor": "",
    }
    data.update(over)
    return data


def test_form_page_saves_a_version(assessed, client_for):
    client = client_for(assessed["office"])
    page = client.get("/assessment/schemes/daowai-2023/indicators/nl02/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "督查问题整改率" in body and "能力作风专班" in body and "靖宇街道" in body
    detail = client.get("/assessment/schemes/daowai-2023/").content.decode()
    assert 'data-testid="edit-nl02"' in detail and "新增否决事项" in detail
    response = client.post("/assessment/schemes/daowai-2023/indicators/nl02/",
                           form_data(weight="4", taskforce="zb2", role="specific", units=["jingyu"]))
    assert response.status_code == 302
    ind = assessed["scheme"].versions.get(number=2).indicators.get(code="nl02")
    assert (ind.weight, ind.taskforce.code, ind.applies_units, ind.role) == (4, "zb2", ["jingyu"], "specific")
    doc = yaml.safe_load(assessed["scheme"].versions.get(number=2).document)
    assert "direction" not in edits.find_node(doc, "nl02")[0]  # the default stays implicit


def test_form_errors_and_stale_version(assessed, client_for):
    client = client_for(assessed["office"])
    url = "/assessment/schemes/daowai-2023/indicators/nl02/"
    body = client.post(url, form_data(p_target="", role="specific")).content.decode()
    assert "该计分方法必须填写此项" in body and "个性指标请至少选择一个单位" in body
    client.post(url, form_data(weight="4"))
    body = client.post(url, form_data(weight="5")).content.decode()  # still based on version 1
    assert "方案已被他人保存为第 2 版" in body
    assert assessed["scheme"].versions.count() == 2


def test_live_check_and_params_swap(assessed, client_for):
    client = client_for(assessed["office"])
    check = client.post("/assessment/schemes/daowai-2023/indicators/nl02/check/", form_data(p_target=""))
    assert "该计分方法必须填写此项" in check.content.decode()
    check = client.post("/assessment/schemes/daowai-2023/indicators/nl02/check/", form_data())
    assert "方案文档校验通过" in check.content.decode()
    params = client.get("/assessment/schemes/daowai-2023/indicators/nl02/params/", {"method": "goalposts"})
    assert 'name="p_threshold"' in params.content.decode() and 'name="p_cap"' not in params.content.decode()
    assert params["HX-Trigger-After-Settle"] == "params-swapped"
    assert assessed["scheme"].versions.count() == 1


def test_new_indicator_item_and_dimension_pages(assessed, client_for):
    client = client_for(assessed["office"])
    assert client.get("/assessment/schemes/daowai-2023/indicators/new/?parent=D3").status_code == 200
    response = client.post("/assessment/schemes/daowai-2023/indicators/new/",
                           form_data(code="gz19", name="新增指标", parent="D3", weight="1", based_on="1"))
    assert response.status_code == 302
    response = client.post("/assessment/schemes/daowai-2023/vetoes/new/", {
        "based_on": "2", "code": "fj04", "name": "环保督察问题", "effect": "cap_grade", "grade": "一般"})
    assert response.status_code == 302
    assert client.get("/assessment/schemes/daowai-2023/adjustments/jl01/").status_code == 200
    response = client.post("/assessment/schemes/daowai-2023/dimensions/", {"based_on": "3", "points_D1": "30",
                                                                           "points_D2": "30", "points_D3": "40"})
    assert response.status_code == 302
    check = client.post("/assessment/schemes/daowai-2023/dimensions/check/", {"points_D1": "x"})
    assert "不是数字" in check.content.decode()
    version = assessed["scheme"].versions.get(number=4)
    assert {"gz19", "fj04"} <= set(version.indicators.values_list("code", flat=True))
    response = client.post("/assessment/schemes/daowai-2023/vetoes/fj04/remove/", {"based_on": "4"})
    assert not assessed["scheme"].versions.get(number=5).indicators.filter(code="fj04").exists()


def test_a_reporter_is_refused(assessed, client_for):
    client = client_for(assessed["reporter_a"])
    assert client.get("/assessment/schemes/daowai-2023/indicators/nl02/").status_code == 403
    assert client.post("/assessment/schemes/daowai-2023/indicators/nl02/", form_data(weight="9")).status_code == 403
    assert client.post("/assessment/schemes/daowai-2023/indicators/nl02/check/", form_data()).status_code == 403
    assert client.post("/assessment/schemes/daowai-2023/vetoes/fj01/remove/", {"based_on": "1"}).status_code == 403
    assert 'data-testid="edit-nl02"' not in client.get("/assessment/schemes/daowai-2023/").content.decode()
    assert assessed["scheme"].versions.count() == 1
