"""The scheme document: JSON Schema validation with errors that name the path and why."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from duibiao.schemes import SchemeDocumentError, load_scheme, load_scheme_text, validate

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
code: s
name: 测试方案
version: "1"
tree:
  code: total
  children:
    - code: D1
      weight: 30
      children:
        - {code: a, weight: 1, normalise: {method: minmax}}
        - {code: b, weight: 1, normalise: {method: target, target: 10}}
    - code: D2
      weight: 70
      children:
        - {code: c, normalise: {method: manual}}
"""


def test_good_document_loads() -> None:
    s = load_scheme_text(GOOD)
    assert s.indicator_codes == ("a", "b", "c")
    assert s.node_codes[0] == "total"


def test_bad_weight_names_the_path() -> None:
    doc = yaml.safe_load(GOOD)
    doc["tree"]["children"][1]["weight"] = "heavy"
    errs = validate(doc)
    assert ("tree.children[1].weight", "must be a number") in errs
    with pytest.raises(SchemeDocumentError, match=r"tree\.children\[1\]\.weight: must be a number"):
        load_scheme_text(yaml.safe_dump(doc, allow_unicode=True))


@pytest.mark.parametrize(
    ("mutate", "path", "why"),
    [
        (
            lambda d: d["tree"]["children"][0]["children"][1]["normalise"].pop("target"),
            "tree.children[0].children[1].normalise",
            "target",
        ),
        (
            lambda d: d["tree"]["children"][0].__setitem__("aggregation", "median"),
            "tree.children[0].aggregation",
            "must be one of",
        ),
        (
            lambda d: d["tree"]["children"][0]["children"][0].__setitem__("wieght", 2),
            "tree.children[0].children[0]",
            "unknown field",
        ),
        (lambda d: d.pop("name"), "", "name"),
    ],
)
def test_errors_say_where_and_why(mutate, path, why) -> None:  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(GOOD)
    mutate(doc)
    errs = validate(doc)
    assert any(p == path and why in m for p, m in errs), errs


def test_cross_field_errors_duplicate_code_and_ahp_shape() -> None:
    doc = yaml.safe_load(GOOD)
    doc["tree"]["children"][1]["children"][0]["code"] = "a"
    with pytest.raises(SchemeDocumentError, match="already used"):
        load_scheme_text(yaml.safe_dump(doc))
    doc = yaml.safe_load(GOOD)
    doc["tree"]["weights"] = {"method": "ahp", "matrix": [[1, 9], [1 / 9, 1]]}
    s = load_scheme_text(yaml.safe_dump(doc))
    assert s.tree.weights.method == "ahp"
    doc["tree"]["weights"] = {"method": "ahp", "matrix": [[1, 2, 3], [1, 1, 1], [1, 1, 1]]}
    with pytest.raises(SchemeDocumentError, match=r"tree\.weights\.matrix"):
        load_scheme_text(yaml.safe_dump(doc))


def test_yaml_syntax_error_has_line() -> None:
    with pytest.raises(SchemeDocumentError, match="line"):
        load_scheme_text("code: [unclosed\n")


@pytest.mark.parametrize("name", ["db2019-starting-a-business", "coinr-asem", "daowai-2023"])
def test_examples_are_valid(name: str) -> None:
    assert load_scheme(ROOT / "examples" / name / "scheme.yaml").indicators


def test_daowai_example_is_complete() -> None:
    s = load_scheme(ROOT / "examples" / "daowai-2023" / "scheme.yaml")
    assert len(s.indicators) == 40
    assert [n.weight for n in s.tree.children] == [30, 30, 40]
    assert {t.code for t in s.taskforces} == {"zb1", "zb2", "zb3", "zb4"}
    assert all(i.taskforce and i.kind and i.unit_of_measure and i.standard for i in s.indicators)
    assert {i.method for i in s.indicators} >= {"ballot", "manual", "frontier", "bands", "target"}
    assert any(i.applies_to.units for i in s.indicators)  # 个性指标
    assert any(i.applies_to.categories for i in s.indicators)  # 共性 by category
    assert {v.effect for v in s.vetoes} == {"cap_grade", "zero"}


# --- stricter numbers (issue 10, item 9) ------------------------------------------------


def test_value_rules_grading_scope_and_fractions_are_part_of_the_document() -> None:
    doc = yaml.safe_load(GOOD)
    doc["groups"] = ["tier"]
    leaf = doc["tree"]["children"][0]["children"][0]
    leaf.update(kind="percent", unit_of_measure="%", min=-100, max=None, integer=False)
    doc["grading"] = {"scope": "tier", "grades": [{"name": "优秀", "min": 90, "quota": 0.2}, {"name": "良好"}]}
    doc["tree"]["weights"] = {"method": "ahp", "matrix": [[1, "1/3"], [" 3 / 1 ", 1]]}
    assert validate(doc) == []
    s = load_scheme_text(yaml.safe_dump(doc, allow_unicode=True))
    assert (s.indicators[0].values.min, s.indicators[0].values.max) == (-100, None)
    assert s.grading.scope == "tier"
    assert s.tree.weights.matrix == ((1.0, pytest.approx(1 / 3)), (3.0, 1.0))


@pytest.mark.parametrize(
    ("change", "path", "why"),
    [
        ({"max": "lots"}, "tree.children[0].children[0].max", "must be a number or empty"),
        ({"integer": "yes"}, "tree.children[0].children[0].integer", "must be true or false"),
        ({"min": 10, "max": 5}, "tree.children[0].children[0].min", "min 10 大于 max 5"),
    ],
)
def test_malformed_value_rules_name_the_field(change, path, why) -> None:  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(GOOD)
    doc["tree"]["children"][0]["children"][0].update(change)
    with pytest.raises(SchemeDocumentError) as err:
        load_scheme_text(yaml.safe_dump(doc, allow_unicode=True))
    assert (path, why) in [(p, w[: len(why)]) for p, w in err.value.errors]


def test_a_malformed_judgement_is_refused_with_its_cell() -> None:
    doc = yaml.safe_load(GOOD)
    doc["tree"]["weights"] = {"method": "ahp", "matrix": [[1, "1/3"], ["three", 1]]}
    with pytest.raises(SchemeDocumentError) as err:
        load_scheme_text(yaml.safe_dump(doc, allow_unicode=True))
    ((path, why),) = err.value.errors
    assert path == "tree.weights.matrix[1][0]" and why.startswith("'three' 不是判断值：应为正数或分数，如 3、1/3")


def test_the_docs_ahp_example_loads_as_written() -> None:
    """docs/scheme.md writes `matrix: [[1, 3], [1/3, 1]]` (YAML reads 1/3 as text)."""
    text = GOOD.replace("  code: total\n", "  code: total\n  weights: {method: ahp, matrix: [[1, 3], [1/3, 1]]}\n")
    assert load_scheme_text(text).tree.weights.matrix == ((1.0, 3.0), (pytest.approx(1 / 3), 1.0))
