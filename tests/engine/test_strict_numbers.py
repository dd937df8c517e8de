"""Stricter numbers (issue 10, item 9): value rules, grade quotas by the ranking's group,
AHP fractions, zero weights, thousands separators, units without data, plain messages and
a negative value on a lower-is-better target. `duibiao score` tests of the same rules are in
tests/test_scoring_cli.py."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from duibiao import engine
from duibiao.engine.data import value_problems
from duibiao.engine.normalise import norm_target


def doc(*children: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"code": "t", "name": "t", "version": "1",
            "tree": {"code": "T", "name": "总分", "children": list(children)}, **top}


def leaf(code: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": code, **extra}


def rule_of(**indicator: Any) -> engine.ValueRule:
    return engine.build_scheme(doc(leaf("x", **indicator))).indicators[0].values


# ------------------------------------------------------------------ 1 value rules


@pytest.mark.parametrize(("indicator", "lo", "hi", "whole", "basis"), [
    ({"kind": "percent"}, 0, 100, False, "percent"),
    ({"unit_of_measure": "%"}, 0, 100, False, "percent"),  # the unit alone makes a rate
    ({"kind": "count", "unit_of_measure": "件"}, 0, None, True, "count"),
    ({"kind": "yes-no"}, 0, 1, True, "yes-no"),
    ({"unit_of_measure": "工作日"}, 0, None, False, "time"),
    ({"unit_of_measure": "小时"}, 0, None, False, "time"),
    ({"unit_of_measure": "分"}, None, None, False, "none"),  # 分 is points, not minutes
    ({"normalise": {"method": "manual", "full": 10}}, 0, 10, False, "manual"),
    ({"direction": "lower", "normalise": {"method": "target", "target": 2}}, 0, None, False,
     "target-lower"),
    ({"kind": "number", "unit_of_measure": "亿元"}, None, None, False, "none"),
])
def test_defaults_by_kind(indicator, lo, hi, whole, basis) -> None:
    rule = rule_of(**indicator)
    assert (rule.min, rule.max, rule.integer, rule.basis) == (lo, hi, whole, basis)


def test_the_scheme_replaces_a_default_and_null_lifts_a_bound() -> None:
    growth = rule_of(kind="percent", min=-100, max=None)
    assert (growth.min, growth.max, growth.basis) == (-100, None, "scheme")
    assert growth.allows(250.0) and not growth.allows(-100.5)
    averaged = rule_of(kind="count", integer=False)
    assert averaged.allows(4.5) and not averaged.allows(-1.0)
    exact = rule_of(min=10, max=20, integer=True)
    assert exact.allows(15.0) and not exact.allows(15.5) and not exact.allows(21.0)
    assert exact.describe() == "10–20 的整数" and exact.describe("en") == "a whole number 10–20"
    assert rule_of(kind="percent", unit_of_measure="%").describe() == "0–100 %"
    assert rule_of(kind="count", unit_of_measure="件").describe() == "≥ 0 的整数，单位：件"


@pytest.mark.parametrize(("indicator", "where", "why"), [
    ({"min": 5, "max": 1}, "tree.children[0].min", "min is above max"),
    ({"min": "low"}, "tree.children[0].min", "must be a number or null"),
    ({"direction": "lower", "min": -5, "normalise": {"method": "target", "target": 2}},
     "tree.children[0].min", "defined for values ≥ 0 only"),
    ({"normalise": {"method": "target", "target": 0}}, "tree.children[0].normalise.target",
     "the target must be positive"),
])
def test_contradictory_rules_are_scheme_errors(indicator, where, why) -> None:
    with pytest.raises(engine.SchemeError) as err:
        engine.build_scheme(doc(leaf("x", **indicator)))
    assert err.value.path == where and why in str(err.value)


def test_value_problems_name_unit_indicator_and_rule() -> None:
    scheme = engine.build_scheme(doc(
        leaf("rate", name="办结率", kind="percent", unit_of_measure="%"),
        leaf("cnt", kind="count"),
        leaf("vote", normalise={"method": "ballot", "grades": {"优秀": 100, "称职": 80}}),
        adjustments={"items": [{"code": "minus", "name": "通报", "type": "penalty", "points": 2}]},
        vetoes=[{"code": "veto", "name": "否决", "effect": "zero"}],
    ))
    rows = [("u1", "rate", 95.0), ("u2", "rate", 150.0), ("u1", "cnt", 2.5), ("u1", "minus", -1.0),
            ("u1", "veto", 2.0), ("u1", "vote:优秀", 3.5), ("u1", "vote:称职", 4.0), ("u3", "rate", np.nan)]
    units, codes, values = (list(c) for c in zip(*rows, strict=True))
    problems = value_problems(scheme, units, codes, values)
    assert [p.row for p in problems] == [1, 2, 3, 4, 5]
    assert problems[0].column == "value"
    assert problems[0].message.startswith("单位 u2 指标 rate（办结率） 的值 150 超出取值规则（0–100 %）")
    assert "unit u2, indicator rate: 150 is outside the indicator's rule (0–100 %)" in problems[0].message
    assert "a whole number ≥ 0" in problems[1].message
    assert "次数不能为负" in problems[2].message and "1（触发）或 0" in problems[3].message
    assert "票数应为非负整数" in problems[4].message


# ------------------------------------------------------------------ 2 grade quotas by the ranking's group


def tiered(grading: dict[str, Any]) -> engine.Result:
    """Eight units of one category in two tiers; tier B scores lower throughout."""
    scheme = engine.build_scheme(doc(
        leaf("x", normalise={"method": "identity"}), groups=["tier"],
        ranking={"scope": "tier"}, grading=grading,
    ))
    units = engine.Units(codes=tuple(f"u{i}" for i in range(8)), categories=("街道",) * 8,
                         groups={"tier": ("A",) * 4 + ("B",) * 4})
    values = np.array([[90.0], [85], [80], [75], [60], [55], [50], [45]])
    return engine.score(scheme, values, units)


GRADES = [{"name": "优秀", "min": 0, "quota": 0.25}, {"name": "良好"}]


def test_grade_quotas_follow_the_rankings_group_column() -> None:
    res = tiered({"grades": GRADES})
    assert res.scheme.grading.scope == "tier"
    assert res.rank.tolist() == [1, 2, 3, 4, 1, 2, 3, 4]
    # one 优秀 per tier of four (25 %), not two taken by tier A across all eight
    assert res.grades == ["优秀", "良好", "良好", "良好", "优秀", "良好", "良好", "良好"]


def test_grading_may_still_name_its_own_scope() -> None:
    res = tiered({"grades": GRADES, "scope": "all"})
    assert res.grades == ["优秀", "优秀"] + ["良好"] * 6
    assert tiered({"grades": GRADES, "scope": "tier"}).grades == tiered({"grades": GRADES}).grades


def test_an_unknown_group_column_is_named() -> None:
    with pytest.raises(engine.SchemeError, match="'district' / unknown peer scope") as err:
        tiered({"grades": GRADES, "scope": "district"})
    assert "units have: category, all, tier" in str(err.value)


def test_scope_groups_is_the_one_reading_of_a_scope() -> None:
    units = engine.Units(codes=("a", "b", "c"), categories=("x", "y", "x"), groups={"tier": ("1", "1", "2")})
    assert engine.scope_groups("all", units).tolist() == [0, 0, 0]
    assert engine.scope_groups("category", units).tolist() == [0, 1, 0]
    assert engine.scope_groups("tier", units).tolist() == [0, 0, 1]


# ------------------------------------------------------------------ 3 AHP judgements as fractions


@pytest.mark.parametrize("text", ["1/3", " 1 / 3 ", "1／3", "2/6", "0.5/1.5"])
def test_a_judgement_may_be_a_fraction(text: str) -> None:
    assert engine.parse_judgement(text) == pytest.approx(1 / 3)


@pytest.mark.parametrize("bad", ["1//3", "1/0", "0/3", "-1/3", "a/b", "", "1/3/5", True, None, 0, -2])
def test_a_malformed_judgement_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError):
        engine.parse_judgement(bad)


def test_fractions_in_a_matrix_give_the_same_weights_as_numbers() -> None:
    def weights(matrix: list[list[Any]]) -> list[float]:
        scheme = engine.build_scheme(doc(leaf("a"), leaf("b"), leaf("c")) | {
            "tree": {"code": "T", "weights": {"method": "ahp", "matrix": matrix},
                     "children": [leaf("a"), leaf("b"), leaf("c")]}})
        units = engine.Units(codes=("u",), categories=("x",))
        return engine.score(scheme, np.array([[50.0, 60, 70]]), units).weights["T"]["weights"]

    as_text = weights([[1, "3", "5"], ["1/3", 1, " 2 "], ["1 / 5", "1/2", 1]])
    assert as_text == pytest.approx(weights([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]))


def test_a_malformed_judgement_in_a_scheme_names_its_cell() -> None:
    bad = doc() | {"tree": {"code": "T", "weights": {"method": "ahp", "matrix": [[1, "3"], ["1//3", 1]]},
                            "children": [leaf("a"), leaf("b")]}}
    with pytest.raises(engine.SchemeError) as err:
        engine.build_scheme(bad)
    assert err.value.path == "tree.weights.matrix[1][0]"
    assert "'1//3' 不是判断值" in str(err.value) and "such as 1/3" in str(err.value)


# ------------------------------------------------------------------ 4 weights that sum to zero


def test_zero_weights_are_a_scheme_error_naming_the_node() -> None:
    bad = doc() | {"tree": {"code": "T", "children": [
        {"code": "D1", "name": "营商环境", "children": [leaf("a", weight=0), leaf("b", weight=0)]},
        leaf("c")]}}
    with pytest.raises(engine.SchemeError) as err:
        engine.build_scheme(bad)
    assert err.value.path == "tree.children[0].children"
    assert "节点 D1（营商环境） 的下级权重合计为 0" in str(err.value) and "sum to zero" in str(err.value)


def test_zero_fixed_weights_inside_a_combination_are_refused_too() -> None:
    bad = doc() | {"tree": {"code": "T", "weights": {"method": "combine", "first": {"method": "fixed"},
                                                     "second": {"method": "equal"}},
                            "children": [leaf("a", weight=0), leaf("b", weight=0)]}}
    with pytest.raises(engine.SchemeError, match="节点 T"):
        engine.build_scheme(bad)


def test_objective_weights_the_data_cannot_give_name_the_node() -> None:
    scheme = engine.build_scheme(doc() | {"tree": {
        "code": "T", "children": [{"code": "D", "weights": {"method": "entropy"},
                                   "children": [leaf("a"), leaf("b")]}]}})
    units = engine.Units(codes=("u1", "u2"), categories=("x", "x"))
    with pytest.raises(engine.SchemeError) as err:
        engine.score(scheme, np.array([[50.0, np.nan], [np.nan, 40.0]]), units)
    assert err.value.path == "tree.children[0].weights" and "节点 D" in str(err.value)


# ------------------------------------------------------------------ 5 thousands separators


@pytest.mark.parametrize(("text", "plain"), [
    ("1,234.5", "1234.5"), ("1,234,567", "1234567"), ("-12,345", "-12345"), ("1，234", "1234"),
    ("1234.5", "1234.5"), (" 42 ", "42"), ("abc", "abc"), ("1,2a", "1,2a"),
])
def test_separators_in_groups_of_three_are_taken_out(text: str, plain: str) -> None:
    assert engine.strip_thousands(text) == plain


@pytest.mark.parametrize("text", ["12,5", "1,23", "1,2345", "1,234,56", ",123", "1,,234", "12,345,6.7"])
def test_misplaced_separators_are_refused(text: str) -> None:
    with pytest.raises(engine.MisplacedSeparator):
        engine.strip_thousands(text)


# ------------------------------------------------------------------ 6 a unit with no data at all


def test_a_unit_without_data_is_warned_about_with_the_missing_rule() -> None:
    scheme = engine.build_scheme(doc(leaf("a"), leaf("b", missing="zero"), leaf("c", applies_to={"units": ["u1"]})))
    units = engine.Units(codes=("u1", "u2", "u3"), categories=("x",) * 3, names=("甲", "乙", "丙"))
    values = np.array([[50.0, 60, 70], [np.nan] * 3, [40.0, np.nan, np.nan]])
    res = engine.score(scheme, values, units)
    (line,) = res.warnings()
    assert line.startswith("单位 u2（乙） 没有任何指标数据，按方案的缺失值规则计分：1 项 missing: zero 的指标计 0 分")
    assert "unit u2 has no indicator data at all" in line
    assert res.trace("u2")["warnings"] == [line] and res.trace("u3")["warnings"] == []


def test_without_a_zero_rule_the_warning_says_there_is_no_score() -> None:
    scheme = engine.build_scheme(doc(leaf("a"), leaf("b")))
    units = engine.Units(codes=("u1", "u2"), categories=("x", "x"))
    res = engine.score(scheme, np.array([[50.0, 60], [np.nan, np.nan]]), units)
    assert np.isnan(res.score[1])
    assert "各指标 missing: skip，无得分" in res.warnings()[0]


# ------------------------------------------------------------------ 7 plain values in messages


def test_messages_show_plain_values_never_numpy_reprs() -> None:
    scheme = engine.build_scheme(doc(leaf("a", kind="percent"), leaf("b")))
    units = engine.Units(codes=("u1", "u2"), categories=("x", "x"))
    texts = []
    inp = engine.dense_inputs(scheme, units.codes, np.array(["u9", "u1", "u1", "u1"]),
                              np.array(["a", "zz", "b", "b"]), [1.0, 2.0, 3.0, 4.0])
    texts += [p.message for p in inp.problems]
    texts += [p.message for p in value_problems(scheme, np.array(["u1"]), np.array(["a"]), np.array([150.0]))]
    for call in (lambda: units.index(np.str_("u9")),
                 lambda: engine.score(engine.build_scheme(doc(leaf("a"), ranking={"scope": "zone"})),
                                      np.array([[1.0], [2.0]]), units),
                 lambda: engine.build_scheme(doc(leaf("a"), leaf("a"))),
                 lambda: engine.build_scheme(doc(leaf("a", same_as="nope")))):
        with pytest.raises((KeyError, ValueError)) as err:
            call()
        texts.append(err.value.args[0])
    assert len(texts) == 8 and all(texts)
    assert "'u9'" in texts[0] and "'zz'" in texts[1] and "'b'" in texts[2] and " 150 " in texts[3]
    for text in texts:
        assert "np." not in text and "str_(" not in text and "float64" not in text, text


@pytest.mark.parametrize(("value", "text"), [
    (np.str_("u9"), "u9"), (np.float64(150.0), "150"), (0.1 + 0.2, "0.3"), (np.int64(7), "7"),
    (2.5, "2.5"), (float("nan"), "nan"), ("街道", "街道"),
])
def test_plain(value: Any, text: str) -> None:
    assert engine.plain(value) == text


# ------------------------------------------------------------------ 8 a negative value on a lower-is-better target


def test_a_negative_value_on_a_lower_is_better_target_scores_nothing() -> None:
    x = np.array([[-3.0], [0.0], [1.0], [2.0], [4.0]])
    scores, _ = norm_target(x, np.array([-1.0]), [{"target": 2}])
    # T/x: 0 days is the best there is; below zero the ratio would turn over
    assert scores[:, 0].tolist() == [0.0, 100.0, 100.0, 100.0, 50.0]
    higher, _ = norm_target(x, np.array([1.0]), [{"target": 2}])
    assert higher[:, 0].tolist() == [0.0, 0.0, 50.0, 100.0, 100.0]


def test_the_value_rule_keeps_negative_values_out_of_a_lower_is_better_target() -> None:
    scheme = engine.build_scheme(doc(leaf("days", direction="lower", normalise={"method": "target", "target": 2})))
    (problem,) = value_problems(scheme, ["u1", "u2"], ["days", "days"], [1.0, -3.0])
    assert problem.row == 1 and "-3 超出取值规则（≥ 0）" in problem.message
