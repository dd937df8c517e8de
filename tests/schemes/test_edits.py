"""Form edits of the scheme document as pure functions (duibiao.schemes.edits): the input is
never changed, fields the form does not know are kept, and every edit leaves a valid document."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from duibiao.schemes import edits, load_scheme_text

EXAMPLE = Path(__file__).parents[2] / "examples" / "daowai-2023" / "scheme.yaml"


@pytest.fixture
def doc():
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def valid(d) -> None:
    load_scheme_text(edits.document_dump(d))  # raises with paths if the edit broke the document


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
