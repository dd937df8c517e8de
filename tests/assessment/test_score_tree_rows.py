"""The unit result page's score-tree rows, written in Python (templatetags.score_tree): every
number exactly as Django's floatformat writes it, every text from data escaped."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from duibiao.assessment.templatetags.score_tree import fmt, score_tree_rows

ARGS = {2: 2, 3: 3, -2: "-2", 10: "10u"}


def _values() -> list[object]:
    rng = random.Random(14)
    values: list[object] = [None, 0, 0.0, -0.0, 1, -1, 100, 0.5, 0.125, 0.375, 2.675, 1.005, -0.004, -0.005,
                            -1e-12, 1e-7, 12345678.915, 1e16, 99.995, 0.0005, 4.35, float("nan"), float("inf"),
                            Decimal("1.235"), Decimal("-2.5"), "3.14159", "abc", 7.0, -7.25]
    values += [rng.uniform(-1000, 1000) for _ in range(2000)]
    values += [round(rng.uniform(0, 100), k) for k in (1, 2, 3, 4) for _ in range(500)]  # ties at the edge
    values += [rng.randint(-50, 50) / 8 for _ in range(300)]  # exact binary halves
    return values


@pytest.mark.parametrize("places", list(ARGS))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_fmt_writes_every_number_as_floatformat_does(places: int, language: str) -> None:
    with translation.override(language):
        for value in _values():
            assert fmt(value, places) == str(floatformat(value, ARGS[places])), (value, places)


def test_texts_from_data_are_escaped() -> None:
    tree = [{"name": "<b>维度</b>", "score": 50.0, "contribution_to_total": 20.0, "best": None, "indicators": [{
        "code": 'x"1', "name": "<script>alert(1)</script>", "method": "target", "raw": 1.0, "normalised": 50.0,
        "share_in_parent": 0.5, "contribution_to_total": None, "used_labels": [("目标值", 2.0)], "best": 3.0,
        "source": {"label": "<i>源</i>", "provenance": ["<img src=x>"] * 11},
    }]}]
    html = str(score_tree_rows(tree))
    assert "<script>" not in html and "<b>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and 'data-testid="contribution-x&quot;1"' in html
    assert 'data-contribution="0.0000000000"' in html  # no contribution: 0, as the template wrote it
    assert "……" in html and html.count("&lt;img src=x&gt;") == 10


def test_what_if_inputs_escape_and_skip_ballots() -> None:
    from duibiao.assessment.templatetags.score_tree import what_if_inputs

    tree = [{"indicators": [
        {"code": "a1", "name": "<b>甲</b>", "method": "target", "raw": 2.5},
        {"code": "b1", "name": "测评", "method": "ballot", "raw": 80.0},
        {"code": "c1", "name": "丙", "method": "minmax", "raw": None},
    ]}]
    html = str(what_if_inputs(tree))
    assert 'name="v-a1"' in html and 'placeholder="2.50"' in html and "&lt;b&gt;甲&lt;/b&gt;" in html
    assert 'name="v-b1"' not in html  # a ballot is not simulated
    assert 'name="v-c1"' in html and 'placeholder=""' in html
