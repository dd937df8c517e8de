"""考核结果通报: the draft's figures are the ranking's (the selector the ranking page and its
workbook read), in the GB/T 9704 layout of the engine."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.http import Http404
from docx import Document

from duibiao.assessment.models import RunResult
from duibiao.assessment.selectors.results import ranking
from duibiao.assessment.services.runs import run_start
from duibiao.documents.bulletins.results import results_bulletin

DAY = dt.date(2026, 11, 26)


@pytest.fixture
def run(approved):
    run = run_start(actor=approved["office"], period=approved["period"], note="通报")
    # 靖宇街道 moved up two places since the last period.
    RunResult.objects.filter(run=run, unit=approved["a"]).update(rank_change=2)
    return run


@pytest.fixture
def bulletin(run, approved):
    return Document(io.BytesIO(results_bulletin(user=approved["office"], run=run, date=DAY).save()))


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_each_category_table_is_the_ranking(bulletin, run, approved):
    table = ranking(user=approved["office"], run=run)
    assert table["groups"]
    for (category, rows), docx_table in zip(table["groups"].items(), bulletin.tables, strict=False):
        got = [[c.text for c in row.cells] for row in docx_table.rows]
        assert got[0] == ["名次", "单位", "得分", "等次", "名次变化"]
        assert [g[:4] for g in got[1:]] == [[r.cells["rank"], r.unit.name, r.cells["score"], r.grade or ""]
                                           for r in rows], category
        line = next(t for t in texts(bulletin) if t.startswith(f"{category}共{len(rows)}个单位"))
        assert line.endswith("、".join(f"{r.unit.name}（{r.cells['score']}分）" for r in rows) + "。")


def test_the_units_that_moved_up_and_the_grades(bulletin, run, approved):
    a = RunResult.objects.get(run=run, unit=approved["a"])
    said = "\n".join(texts(bulletin))
    assert "1个单位实现晋位" in said and f"{approved['a'].name}晋升2位，现列第{a.rank:g}名" in said
    for grade in set(RunResult.objects.filter(run=run).exclude(grade="").values_list("grade", flat=True)):
        units = RunResult.objects.filter(run=run, grade=grade).count()
        assert f"评定为“{grade}”等次的单位{units}个" in said


def test_the_layout_is_the_engines(bulletin, run):
    said = texts(bulletin)
    assert f"关于{run.period.name}对标晋位考核结果的通报" in said
    assert "2026年11月26日" in said
    assert any(t.startswith("四、希望和要求") for t in said)
    assert "附件" in said  # one attachment: the full ranking, on its own page
    full = bulletin.tables[-2]  # the last is the 版记, floating at the foot of the last page
    assert len(full.rows) == 1 + RunResult.objects.filter(run=run).count()
    assert len(bulletin.inline_shapes) == 1  # the scores chart


def test_a_user_who_may_not_see_the_run_gets_no_bulletin(run, approved):
    with pytest.raises(Http404):
        results_bulletin(user=approved["auditor"], run=run, date=DAY)
