"""Cadre annual grades: the 优秀 quota and the routine-grade limit at their edges."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duibiao.engine import (
    ANNUAL_GRADES,
    DEFAULT_CADRE_RULES,
    ROUTINE_GRADES,
    CadreRules,
    RoutineLimit,
    cadre_grades,
    routine_caps,
)

GOOD = ["好", "好", "好", "好"]


def all_excellent(n: int, scores=None, approved=False, rules=DEFAULT_CADRE_RULES):
    scores = list(range(n, 0, -1)) if scores is None else scores
    return cadre_grades(["优秀"] * n, [GOOD] * n, ["u"] * n, np.array(scores, dtype=float),
                        approved_groups={"u"} if approved else (), rules=rules)


@pytest.mark.parametrize(("n", "quota"), [(5, 1), (10, 2), (7, 1), (4, 0), (9, 1), (15, 3)])
def test_twenty_percent_with_floor(n, quota):
    out = all_excellent(n)
    assert out.quotas == {"u": quota}
    assert out.final.count("优秀") == quota
    # the best scores keep it; the others drop to 称职 with the reason
    assert out.final[:quota] == ["优秀"] * quota
    assert all(f == "称职" and r == "超出优秀比例" for f, r in zip(out.final[quota:], out.reasons[quota:], strict=True))


@pytest.mark.parametrize(("n", "quota"), [(4, 1), (7, 1), (8, 2), (10, 2), (12, 3)])
def test_twenty_five_percent_when_approved(n, quota):
    out = all_excellent(n, approved=True)
    assert out.quotas == {"u": quota} and out.final.count("优秀") == quota


def test_other_roundings_are_declared():
    assert all_excellent(7, rules=CadreRules(rounding="round")).quotas == {"u": 1}
    assert all_excellent(8, rules=CadreRules(rounding="round")).quotas == {"u": 2}  # 1.6 → 2
    assert all_excellent(6, rules=CadreRules(rounding="ceil")).quotas == {"u": 2}
    with pytest.raises(ValueError):
        CadreRules(rounding="bankers")


def test_ties_at_the_boundary_are_all_left_out():
    # quota 2 of 10; second and third place tie → only the first keeps 优秀
    out = all_excellent(10, scores=[95, 90, 90, 80, 70, 60, 50, 40, 30, 20])
    assert out.final[:3] == ["优秀", "称职", "称职"]
    assert out.final.count("优秀") == 1


def test_ties_above_the_boundary_are_kept():
    out = all_excellent(10, scores=[95, 95, 90, 80, 70, 60, 50, 40, 30, 20])
    assert out.final[:3] == ["优秀", "优秀", "称职"]


def test_no_ranking_needed_within_quota():
    # 10 assessed, 2 proposed 优秀, both without a score: quota 2 is not exceeded
    proposed = ["优秀", "优秀"] + ["称职"] * 8
    out = cadre_grades(proposed, [GOOD] * 10, ["u"] * 10, [np.nan] * 10)
    assert out.final == proposed and out.reasons == [""] * 10


def test_group_of_one_gets_no_excellent_under_floor():
    out = cadre_grades(["优秀"], [GOOD], ["solo"], [99.0])
    assert out.final == ["称职"] and out.reasons == ["超出优秀比例"] and out.quotas == {"solo": 0}
    assert cadre_grades(["优秀"], [GOOD], ["solo"], [99.0], rules=CadreRules(rounding="ceil")).final == ["优秀"]


def test_groups_are_separate():
    groups = ["a"] * 5 + ["b"] * 5
    out = cadre_grades(["优秀"] * 10, [GOOD] * 10, groups, [float(i) for i in range(10)],
                       approved_groups={"b"})
    assert out.quotas == {"a": 1, "b": 1}
    assert out.final[4] == "优秀" and out.final[9] == "优秀" and out.final.count("优秀") == 2


def test_one_poor_routine_grade_bars_excellent():
    out = cadre_grades(["优秀", "优秀", "称职"], [["好", "一般", "好", "好"], ["较差"], ["一般"]],
                       ["u"] * 3, [90, 80, 70])
    assert out.final == ["称职", "称职", "称职"]
    assert out.reasons[0] == "平时考核一般及以下1次，年度不得评为优秀"
    assert out.reasons[2] == ""  # 称职 is allowed with one 一般


def test_two_poor_routine_grades_bar_competent():
    out = cadre_grades(["优秀", "称职", "基本称职"],
                       [["一般", "较差", "好", "好"], ["一般", "一般", "一般"], ["较差", "较差"]],
                       ["u"] * 3, [90, 80, 70])
    assert out.final == ["基本称职", "基本称职", "基本称职"]
    assert out.reasons[0] == "平时考核一般及以下2次，年度不得评为称职"
    assert out.reasons[1] == "平时考核一般及以下3次，年度不得评为称职"
    assert out.reasons[2] == ""


def test_routine_limit_runs_before_the_quota():
    # 5 cadres, quota 1: the top scorer has a 一般, so the second keeps 优秀
    routine = [["一般"], GOOD, GOOD, GOOD, GOOD]
    out = cadre_grades(["优秀"] * 5, routine, ["u"] * 5, [99, 90, 80, 70, 60])
    assert out.final == ["称职", "优秀", "称职", "称职", "称职"]
    assert out.reasons[0].startswith("平时考核") and out.reasons[2] == "超出优秀比例"


def test_configurable_limit():
    strict = CadreRules(limits=(RoutineLimit("较好", 1, "称职"),))
    out = cadre_grades(["优秀"] * 5, [["较好"], GOOD, GOOD, GOOD, GOOD], ["u"] * 5, [5, 4, 3, 2, 1],
                       rules=strict)
    assert out.reasons[0] == "平时考核较好及以下1次，年度不得评为优秀"
    with pytest.raises(ValueError):
        RoutineLimit("差", 1, "称职")


def test_routine_caps_vectorised():
    caps, which = routine_caps(np.array([[0, 0, 0, 0], [0, 2, -1, -1], [3, 2, 0, 0], [-1, -1, -1, -1]]))
    assert caps.tolist() == [0, 1, 2, 0] and which.tolist() == [-1, 0, 1, -1]


def test_unproposed_cadres_are_not_counted_or_graded():
    out = cadre_grades(["优秀", "", "", "", ""], [GOOD] * 5, ["u"] * 5, [1.0] * 5)
    assert out.final == ["称职", "", "", "", ""] and out.quotas == {"u": 0}


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        cadre_grades(["优良"], [GOOD], ["u"], [1.0])
    with pytest.raises(ValueError):
        cadre_grades(["优秀"], [GOOD], ["u", "v"], [1.0])
    assert cadre_grades([], [], [], []).final == []


cadres = st.lists(
    st.tuples(
        st.sampled_from(ANNUAL_GRADES + ("",)),
        st.lists(st.sampled_from(ROUTINE_GRADES), max_size=4),
        st.sampled_from(["a", "b", "c"]),
        st.one_of(st.integers(0, 5).map(float), st.just(float("nan"))),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(cadres, st.sets(st.sampled_from(["a", "b", "c"])), st.sampled_from(["floor", "round", "ceil"]))
def test_never_more_excellent_than_quota_nor_better_than_proposed(rows, approved, rounding):
    proposed = [r[0] for r in rows]
    out = cadre_grades(proposed, [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows],
                       approved_groups=approved, rules=CadreRules(rounding=rounding))
    for group, quota in out.quotas.items():
        excellent = sum(1 for r, f in zip(rows, out.final, strict=True) if r[2] == group and f == "优秀")
        assert excellent <= quota
    for p, f, reason in zip(proposed, out.final, out.reasons, strict=True):
        if not p:
            assert f == "" and reason == ""
            continue
        assert ANNUAL_GRADES.index(f) >= ANNUAL_GRADES.index(p)
        assert (f != p) == bool(reason)
