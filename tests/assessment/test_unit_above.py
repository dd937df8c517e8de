"""The unit above (晋位: the one to catch up with), decided in the selector: a unit user sees
how far it is, indicator by indicator, but not who it is nor its own figures; the office, a
leader and a task force see both. The page renders only what the selector gives."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from duibiao.accounts.services import role_grant, user_create
from duibiao.assessment.models import RunResult
from duibiao.assessment.selectors.results import unit_above
from duibiao.assessment.services.runs import run_publish, run_release, run_start


@pytest.fixture
def released(approved):
    run = run_start(actor=approved["office"], period=approved["period"], note="试算")
    run_release(actor=approved["office"], run=run)
    category = RunResult.objects.get(run=run, unit=approved["a"]).category  # the two streets'
    streets = sorted(RunResult.objects.filter(run=run, category=category).select_related("unit"),
                     key=lambda r: r.rank)
    upper, lower = streets[0], streets[-1]
    head = user_create(actor=None, username="fzr_lower", password="Xx@12345678", unit=lower.unit)
    role_grant(actor=None, user=head, role="unit_head", units=[lower.unit], include_subtree=False)
    return {**approved, "run": run, "upper": upper, "lower": lower, "head": head}


def test_a_unit_user_sees_the_distance_but_not_the_name_or_figures(released):
    run, upper, lower = released["run"], released["upper"], released["lower"]
    above = unit_above(user=released["head"], run=run, result=lower)
    assert above.name is None and above.score is None
    assert above.distance == pytest.approx(upper.score - lower.score)
    assert above.gap and all(item["upper"] is None for item in above.gap)
    assert sum(item["difference"] for item in above.gap) == pytest.approx(above.distance, abs=1e-6)


@pytest.mark.parametrize("who", ["office", "leader", "taskforce"])
def test_those_who_see_other_units_see_both(released, who):
    run, upper, lower = released["run"], released["upper"], released["lower"]
    if who == "leader":  # a leader reads published results only
        run = run_publish(actor=released["office"], run=run, stage=run.stage, override_reason="测试：申诉期内公布")
    above = unit_above(user=released[who], run=run, result=lower)
    assert (above.name, above.score) == (upper.unit.name, upper.score)
    assert any(item["upper"] for item in above.gap)


def test_another_units_result_is_refused(released):
    """A unit head asking for the unit above of a result he may not see gets 404."""
    with pytest.raises(Http404):
        unit_above(user=released["head"], run=released["run"], result=released["upper"])


def test_the_page_shows_a_unit_user_neither_the_name_nor_the_score_above(released, client_for):
    run, upper, lower = released["run"], released["upper"], released["lower"]
    url = reverse("assessment:unit_result", args=[run.pk, lower.unit.code])
    page = client_for(released["head"]).get(url).content.decode()
    assert 'data-testid="gap"' in page and "与上一名相差" in page
    assert upper.unit.name not in page and f"{upper.score:.2f}" not in page
    office = client_for(released["office"]).get(url).content.decode()
    assert upper.unit.name in office and f"{upper.score:.2f}" in office
