"""Categories and tiers are referenced by code, never by display name (issue 9): a scheme that
names them by display name is stored with their codes (the rest of its text kept), runs group
units by code, and renaming a category or a tier changes no indicator, no score, no rank."""

from __future__ import annotations

import pytest
import yaml
from django.urls import reverse

from duibiao.assessment.models import RunResult
from duibiao.assessment.selectors.categories import category_codes_by_name, category_names
from duibiao.assessment.selectors.reporting import unit_indicators
from duibiao.assessment.services.runs import run_start
from duibiao.assessment.services.schemes import scheme_version_save
from duibiao.org.models import Category, Tier
from duibiao.schemes.categories import categories_rekey, category_labels

RESULT_FIELDS = ("unit__code", "category", "score", "base_score", "bonus", "penalty", "rank", "rank_change",
                 "grade", "vetoes", "node_scores")


def _results(run) -> list[tuple]:
    return list(RunResult.objects.filter(run=run).order_by("unit__code").values_list(*RESULT_FIELDS))


def test_a_scheme_naming_categories_is_stored_with_their_codes(assessed):
    stored = assessed["version"].document
    assert category_labels(stored) == ["street", "economic", "综合部门"]  # no such category: kept
    assert "# 哈尔滨市道外区 2023 年度对标晋位考核评价方案（示例）" in stored  # comments kept
    assert assessed["ind"]["nl09"].applies_categories == ["street"]
    assert assessed["ind"]["ys06"].applies_categories == ["economic", "综合部门"]


def test_renaming_a_category_and_a_tier_changes_no_result(approved):
    office, a = approved["office"], approved["a"]
    before = run_start(actor=office, period=approved["period"], note="改名前")
    reported_before = [i.code for i in unit_indicators(approved["period"], a)]
    applies_before = [i.code for i in approved["version"].indicators.all() if i.applies_to(a)]
    Category.objects.filter(code="street").update(name="街道（乡镇）")
    Category.objects.filter(code="economic").update(name="街道乡镇")  # another's old name, even
    Tier.objects.filter(code="jiedao").update(name="街道办事处")
    a.refresh_from_db()
    after = run_start(actor=office, period=approved["period"], note="改名后")
    assert before.status == after.status == "done"
    assert _results(after) == _results(before)
    assert len(_results(after)) == 3 and "nl09" in applies_before and "ys06" not in applies_before
    assert [i.code for i in approved["version"].indicators.all() if i.applies_to(a)] == applies_before
    assert [i.code for i in unit_indicators(approved["period"], a)] == reported_before
    assert after.inputs["units"] == before.inputs["units"]
    assert after.benchmarks == before.benchmarks


def test_pages_and_api_show_the_name_and_filter_by_the_code(client_for, approved):
    run = run_start(actor=approved["office"], period=approved["period"])
    Category.objects.filter(code="street").update(name="街道（乡镇）")
    client = client_for(approved["office"])
    page = client.get(reverse("assessment:run_detail", args=[run.pk])).content.decode()
    assert '<option value="street"' in page and "街道（乡镇）</h2>" in page and "街道乡镇" not in page
    only = client.get(reverse("assessment:run_detail", args=[run.pk]) + "?category=economic").content.decode()
    assert "区发展和改革局" in only and "靖宇街道" not in only
    rows = client.get(f"/api/results/runs/{run.pk}/ranking?category=street").json()["items"]
    assert {(r["unit"], r["category"], r["category_name"]) for r in rows} == {
        ("jingyu", "street", "街道（乡镇）"), ("taigu", "street", "街道（乡镇）")}
    unit = client.get(reverse("assessment:unit_result", args=[run.pk, "jingyu"])).content.decode()
    assert "街道（乡镇） · " in unit
    scheme = client.get(reverse("assessment:scheme_detail", args=["daowai-2023"])).content.decode()
    assert "街道（乡镇）" in scheme
    form = client.get("/assessment/schemes/daowai-2023/indicators/nl09/").content.decode()
    assert 'value="street"' in form and "街道（乡镇）</label>" in form


def test_the_editor_saves_names_as_codes_and_a_renamed_category_keeps_its_indicators(assessed):
    text = assessed["version"].document.replace(
        "categories: [street, economic, 综合部门]", "categories: [街道乡镇, 经济部门, 综合部门]  # 分类")
    text = text.replace("categories: [street]}", "categories: ['街道乡镇']}")
    saved = scheme_version_save(actor=assessed["office"], scheme=assessed["scheme"], document=text, based_on=1)
    assert "categories: [street, economic, 综合部门]  # 分类" in saved.document
    assert "categories: [street]}" in saved.document
    Category.objects.filter(code="street").update(name="街道")
    assert saved.indicators.get(code="nl09").applies_to(assessed["a"])


def test_codes_win_over_names_and_odd_codes_stay_strings(world):
    Category.objects.create(code="general", name="economic")  # a name that is another's code
    assert category_codes_by_name() == {"街道乡镇": "street", "经济部门": "economic"}
    assert list(category_names()) == ["economic", "general", "street"]  # by order, then code
    text = "categories: [economic, 街道乡镇]\ntree: {code: t, children: [{code: a, applies_to: {categories: [a]}}]}\n"
    assert categories_rekey(text, category_codes_by_name()) == text.replace("街道乡镇", "street")
    odd = categories_rekey(text, {"a": "2023", "economic": "null"})
    assert yaml.safe_load(odd)["categories"][0] == "null" and "[\"2023\"]" in odd


@pytest.mark.parametrize("bad", ["code: [", "", "- just\n- a list\n"])
def test_rekeying_leaves_what_is_not_a_scheme_alone(bad):
    assert categories_rekey(bad, {"街道乡镇": "street"}) == bad
