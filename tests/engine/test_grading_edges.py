"""Quota and veto rules at their edges (DESIGN §6 steps 6–8)."""

from __future__ import annotations

import numpy as np

from duibiao import engine

GRADES = (engine.Grade("优秀", 90, 0.2), engine.Grade("良好", 80), engine.Grade("一般", 60),
          engine.Grade("较差", float("-inf")))


def grade(scores, rounding="floor", ties="exclude", cap=None, groups=None):
    s = np.asarray(scores, dtype=float)
    g = np.zeros(len(s), np.int64) if groups is None else np.asarray(groups)
    grading = engine.Grading(grades=GRADES, quota_rounding=rounding, quota_ties=ties)
    names = [x.name for x in GRADES]
    return [names[i] for i in engine.assign_grades(s, g, grading, cap).tolist()]


def test_category_smaller_than_five_gets_no_excellent_under_floor():
    # ⌊0.2 × 4⌋ = 0: with the usual floor rule a category of four has no 优秀 place at all…
    assert grade([99, 95, 92, 85]) == ["良好", "良好", "良好", "良好"]
    # …while a scheme that rounds gives it one (⌊0.8 + 0.5⌋ = 1) and ceil gives one too.
    assert grade([99, 95, 92, 85], rounding="round")[:2] == ["优秀", "良好"]
    assert grade([99, 95, 92, 85], rounding="ceil")[:2] == ["优秀", "良好"]


def test_single_unit_category():
    assert grade([99], rounding="ceil") == ["优秀"]
    assert grade([99]) == ["良好"]


def test_ties_at_the_quota_boundary():
    scores = [99, 95, 95, 94, 93, 70, 70, 70, 70, 70]  # quota 2; places 2 and 3 tie
    assert grade(scores)[:3] == ["优秀", "良好", "良好"]  # exclude: neither tied unit gets it
    assert grade(scores, ties="include")[:3] == ["优秀", "优秀", "优秀"]  # include: both do


def test_veto_on_the_top_unit_caps_it_last():
    scores = [99, 98, 97, 60, 60, 60, 60, 60, 60, 60]  # quota 2
    cap = np.array([2, 0, 0, 0, 0, 0, 0, 0, 0, 0])  # best allowed grade index: 一般
    graded = grade(scores, cap=cap)
    assert graded[0] == "一般"
    # The veto is applied after the quota: the top unit's place is not handed down.
    assert graded[1:3] == ["优秀", "良好"]


def test_quota_is_per_category():
    scores = [99, 98, 97, 96, 95, 99, 98, 97, 96, 95]
    groups = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]  # two categories of five: one 优秀 each
    graded = grade(scores, groups=groups)
    assert graded.count("优秀") == 2 and graded[0] == "优秀" and graded[5] == "优秀"


def test_a_scheme_may_pass_a_vetoed_units_place_down():
    scores = np.array([99, 98, 97, 60, 60, 60, 60, 60, 60, 60.0])  # quota 2
    cap = np.array([2, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    grading = engine.Grading(grades=GRADES, veto_frees_quota=True)
    names = [x.name for x in GRADES]
    graded = [names[i] for i in engine.assign_grades(scores, np.zeros(10, np.int64), grading, cap).tolist()]
    assert graded[:3] == ["一般", "优秀", "优秀"]
    doc = {"code": "s", "name": "s", "version": "1",
           "tree": {"code": "T", "children": [{"code": "a", "normalise": {"method": "minmax"}}]},
           "grading": {"veto_frees_quota": True, "grades": [{"name": "优秀", "min": 90, "quota": 0.2}, {"name": "一般"}]}}
    assert engine.build_scheme(doc).grading.veto_frees_quota is True
    from duibiao.schemes import validate

    assert validate(doc) == []  # the JSON Schema knows the key
