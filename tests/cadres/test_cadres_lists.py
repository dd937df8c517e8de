"""The derived lists (选拔任用, 评先评优, 墩苗培养): each rule at its threshold, the published
unit grades and vetoes they read, the gate, and the Excel export opened back."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from duibiao.cadres import selectors as sel
from duibiao.cadres.models import CadreAnnualGrade, CadreIndicatorScore, CadreRoutineGrade
from tests.cadres.conftest import YEAR

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def listed(cadres, assessed):
    """靖宇 graded 优秀, 太古 graded 较差 in a published run of the year; grades and scores set."""
    from duibiao.assessment.models import RunResult, ScoringRun

    run = ScoringRun.objects.create(period=assessed["period"], number=1, status=ScoringRun.Status.DONE,
                                    stage=ScoringRun.Stage.PUBLISHED, scheme_version=1, document="")
    RunResult.objects.create(run=run, unit=cadres["a"], category="街道乡镇", score=95, grade="优秀")
    RunResult.objects.create(run=run, unit=cadres["b"], category="街道乡镇", score=50, grade="较差")
    a, b = cadres["cadres_a"], cadres["cadres_b"]
    finals = {(a[0], YEAR): "优秀", (a[0], YEAR - 1): "优秀",   # twice in three years
              (a[1], YEAR): "优秀",                            # once, unit graded 优秀
              (a[2], YEAR - 1): "优秀", (a[2], YEAR - 3): "优秀",  # 2023 is outside the window
              (b[0], YEAR): "优秀"}                            # once, unit graded 较差
    for (cadre, year), final in finals.items():
        CadreAnnualGrade.objects.create(cadre=cadre, year=year, proposed=final, final=final)
    # 墩苗: 张志刚 33, 刘秀英 30, 陈海燕 28 in 2026
    for cadre, grades, capability in ((a[2], "好 较好 好 好", 85), (a[3], "好 好 一般 好", 95),
                                      (a[4], "好 好 好 好", 84.9)):
        for q, g in enumerate(grades.split(), start=1):
            CadreRoutineGrade.objects.create(cadre=cadre, year=YEAR, quarter=q, grade=g)
        CadreIndicatorScore.objects.create(cadre=cadre, year=YEAR, dimension="capability", score=capability)
    return cadres


def names(entries):
    return [e.cadre.name for e in entries]


def test_rule_functions_at_their_thresholds():
    assert sel.qualifies_for_selection({2026: "优秀", 2024: "优秀"}, 2026, "")
    assert not sel.qualifies_for_selection({2026: "优秀", 2023: "优秀"}, 2026, "良好")
    assert sel.qualifies_for_selection({2026: "优秀"}, 2026, "优秀")
    assert sel.qualifies_for_award("优秀", "良好", False) and not sel.qualifies_for_award("优秀", "较差", False)
    assert not sel.qualifies_for_award("优秀", "良好", True) and not sel.qualifies_for_award("称职", "", False)
    assert sel.qualifies_for_training(35, ["好", "较好"], 85.0)
    assert not sel.qualifies_for_training(36, ["好"], 99.0)
    assert not sel.qualifies_for_training(30, [], 99.0)
    assert not sel.qualifies_for_training(30, ["好", "一般"], 99.0)
    assert not sel.qualifies_for_training(30, ["好"], None)


def test_selection_list(listed):
    entries = sel.cadre_derived_list(user=listed["office"], kind="selection", year=YEAR)
    assert names(entries) == ["王建华", "李丽娜"]
    assert entries[0].reason == "近3年2次年度考核优秀"
    assert entries[1].reason == "2026年度考核优秀，所在单位考核等次为优秀"


def test_award_list_excludes_units_graded_poor_or_vetoed(listed):
    from duibiao.assessment.models import RunResult

    assert names(sel.cadre_derived_list(user=listed["office"], kind="award", year=YEAR)) == ["王建华", "李丽娜"]
    RunResult.objects.filter(unit=listed["a"]).update(grade="良好", vetoes=[{"code": "fj03"}])
    assert names(sel.cadre_derived_list(user=listed["office"], kind="award", year=YEAR)) == []


def test_training_list(listed):
    entries = sel.cadre_derived_list(user=listed["office"], kind="training", year=YEAR)
    assert names(entries) == ["张志刚"]
    assert entries[0].age == 33 and entries[0].reason == "33岁，平时考核均为好或较好，能力指标85分"


def test_head_sees_own_unit_only_in_lists(listed, client_for):
    assert names(sel.cadre_derived_list(user=listed["head_a"], kind="award", year=YEAR)) == ["王建华", "李丽娜"]
    client = client_for(listed["head_a"])
    text = client.get(f"{reverse('cadres:cadre_lists')}?kind=selection&year={YEAR}").content.decode()
    assert "王建华" in text and "杨国庆" not in text
    rows = client.get(f"/api/cadres/lists/selection?year={YEAR}").json()
    assert [r["cadre"]["name"] for r in rows] == ["王建华", "李丽娜"]


def test_excel_export_opens_back(listed, client_for):
    client = client_for(listed["office"])
    # The old link redirects to the workbook's own route (documents), keeping the year.
    response = client.get(f"{reverse('cadres:cadre_list_export', args=['training'])}?year={YEAR}", follow=True)
    assert response.redirect_chain == [(f"{reverse('documents:cadre_list_download', args=['training'])}?year={YEAR}", 302)]
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.title == "墩苗培养" and ws["A1"].value == "2026年度墩苗培养名单"
    assert [c.value for c in ws[2]][:3] == ["序号", "姓名", "单位"]
    assert [c.value for c in ws[3]][:3] == [1, "张志刚", "靖宇街道"]
    assert ws.max_row == 3
    api = client.get(f"/api/cadres/lists/award?year={YEAR}&format=xlsx")
    wb = load_workbook(io.BytesIO(api.content))
    assert [r[1] for r in wb.active.iter_rows(min_row=3, values_only=True)] == ["王建华", "李丽娜"]


def test_list_page_shows_rule_and_unknown_kind_is_404(listed, client_for):
    client = client_for(listed["office"])
    text = client.get(f"{reverse('cadres:cadre_lists')}?kind=training&year={YEAR}").content.decode()
    assert "年龄不超过35岁" in text and "张志刚" in text
    assert client.get(f"{reverse('cadres:cadre_lists')}?kind=nope").status_code == 404
    assert client.get(f"/api/cadres/lists/nope?year={YEAR}").status_code == 404


def test_age_is_taken_on_the_last_day_of_the_year(cadres):
    from duibiao.cadres.services import cadre_update

    x = cadres["cadres_a"][2]
    cadre_update(actor=cadres["office"], cadre=x, expected_version=x.version, name=x.name, position=x.position, rank=x.rank,
                 gender=x.gender, birth_month=date(YEAR - 35, 12, 1))
    for year in (YEAR, YEAR + 1):
        for q in (1, 2, 3, 4):
            CadreRoutineGrade.objects.create(cadre=x, year=year, quarter=q, grade="好")
        CadreIndicatorScore.objects.create(cadre=x, year=year, dimension="capability", score=90)
    assert names(sel.cadre_derived_list(user=cadres["office"], kind="training", year=YEAR)) == [x.name]
    assert names(sel.cadre_derived_list(user=cadres["office"], kind="training", year=YEAR + 1)) == []  # 36
