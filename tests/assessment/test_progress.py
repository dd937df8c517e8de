"""填报进度: statuses per cell, counts, overdue units, filters, who sees what, the Excel
export read back, and a bounded number of queries whatever the size."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from duibiao.assessment.models import Period, Submission
from duibiao.assessment.selectors.progress import NA, ProgressFilters, progress_matrix
from duibiao.assessment.services.periods import period_create, period_set_status
from duibiao.assessment.services.schemes import scheme_create
from duibiao.org.models import TaskForce, Unit
from duibiao.org.services import unit_create

SCHEME = Path(__file__).resolve().parents[2] / "examples" / "daowai-2023" / "scheme.yaml"
BEFORE, AFTER = date(2026, 10, 12), date(2026, 10, 14)  # the deadline is 2026-10-13


@pytest.fixture
def setup(world):
    for code in ("zb2", "zb3", "zb4"):
        TaskForce.objects.create(code=code, name=f"{code}专班", district=world["district"])
    scheme = scheme_create(actor=None, code="s", name="道外区考核方案", year=2026,
                           district=world["district"], document=SCHEME.read_text())
    version = scheme.versions.get()
    period = period_create(actor=world["office"], version=version, kind="quarter", year=2026,
                           number=3, opens_on=date(2026, 9, 30), deadline_workdays=5)
    period = period_set_status(actor=world["office"], period=period, status=Period.Status.OPEN)
    ind = {i.code: i for i in version.indicators.all()}
    a, b = world["a"], world["b"]
    # 靖宇 has handed in everything; 太古 has a mix; 发改局 nothing.
    for i in ind.values():
        if i.entered_by_units and i.applies_to(a):
            Submission.objects.create(period=period, unit=a, indicator=i, status="approved")
    Submission.objects.create(period=period, unit=b, indicator=ind["nl02"], status="submitted")
    Submission.objects.create(period=period, unit=b, indicator=ind["nl03"], status="draft")
    Submission.objects.create(period=period, unit=b, indicator=ind["ys03"], status="returned")
    return {**world, "period": period, "ind": ind}


def matrix(setup, who="office", today=BEFORE, **filters):
    period = Period.objects.select_related("version__scheme__district").get(pk=setup["period"].pk)
    return progress_matrix(user=setup[who], period=period, filters=ProgressFilters(**filters),
                           today=today)


def cell(m, unit_code, indicator_code):
    row = next(r for r in m.rows if r.unit.code == unit_code)
    return row.cells[[c.code for c in m.columns].index(indicator_code)]


def test_cells_show_each_status_and_not_applicable(setup):
    m = matrix(setup)
    # Categories in their order (both 0 here, so by code), units in theirs.
    assert [g.category.name for g in m.groups] == ["经济部门", "街道乡镇"]
    assert [r.unit.code for r in m.rows] == ["fagai", "jingyu", "taigu"]
    assert cell(m, "taigu", "nl02") == "submitted"
    assert cell(m, "taigu", "nl03") == "draft"
    assert cell(m, "taigu", "ys03") == "returned"
    assert cell(m, "taigu", "nl04") == "empty"
    assert cell(m, "jingyu", "nl02") == "approved"
    assert cell(m, "fagai", "gz14") == NA  # 民生实事: 综合部门 and 街道乡镇 only
    assert cell(m, "jingyu", "ys11") == NA  # 惠企政策: 经济部门 only
    codes = [c.code for c in m.columns]
    assert "nl01" not in codes and "jl01" not in codes  # manual scores and items are not reported


def test_counts_and_overdue_flag(setup):
    m = matrix(setup)
    fagai, jingyu, taigu = m.rows
    assert jingyu.complete and jingyu.done == jingyu.applicable
    assert taigu.done == 1 and taigu.counts["draft"] == 1 and taigu.counts["returned"] == 1
    assert fagai.done == 0 and fagai.counts["empty"] == fagai.applicable
    assert not any(r.overdue for r in m.rows) and not m.deadline_passed
    late = matrix(setup, today=AFTER)
    assert [r.overdue for r in late.rows] == [True, False, True] and late.overdue_count == 2


def test_filters(setup):
    assert [r.unit.code for r in matrix(setup, category="street").rows] == ["jingyu", "taigu"]
    assert [r.unit.code for r in matrix(setup, status="returned").rows] == ["taigu"]
    assert [r.unit.code for r in matrix(setup, q="发展").rows] == ["fagai"]
    assert [r.unit.code for r in matrix(setup, today=AFTER, overdue=True).rows] == ["fagai", "taigu"]
    zb2 = matrix(setup, taskforce="zb2")
    assert zb2.columns and all(c.taskforce.code == "zb2" for c in zb2.columns)
    assert ProgressFilters.from_query({"status": "nonsense", "overdue": "1"}) == ProgressFilters(overdue=True)


def test_a_taskforce_member_sees_only_its_indicators(setup):
    m = matrix(setup, who="taskforce")
    assert m.columns and {c.taskforce.code for c in m.columns} == {"zb1"}
    assert [t.code for t in m.taskforces] == ["zb1"]
    assert len(m.rows) == 3
    assert {c.code for c in matrix(setup, who="leader").columns} == {c.code for c in matrix(setup).columns}


def test_page_renders_the_matrix(client_for, setup):
    url = reverse("assessment:progress", args=[setup["period"].pk])
    text = client_for(setup["office"]).get(url).content.decode()
    assert 'data-testid="progress-matrix"' in text
    assert 'title="督查问题整改率（能力作风建设考核评价专班）">nl02</th>' in text
    assert 'class="pm-returned"' in text and 'class="pm-na"' in text
    assert "未填" in text and "已审核" in text and "不适用" in text  # the legend
    filtered = client_for(setup["office"]).get(url + "?category=economic").content.decode()
    assert 'data-unit="fagai"' in filtered and 'data-unit="taigu"' not in filtered


def test_overdue_units_are_highlighted_on_the_page(client_for, setup, settings):
    Period.objects.filter(pk=setup["period"].pk).update(deadline=date(2026, 1, 5))
    text = client_for(setup["office"]).get(reverse("assessment:progress", args=[setup["period"].pk])).content.decode()
    assert 'class="pm-overdue" data-unit="taigu"' in text
    assert 'data-unit="jingyu"' in text and 'class="pm-overdue" data-unit="jingyu"' not in text
    assert 'data-testid="overdue-count"' in text


def test_who_may_open_the_matrix(client_for, setup):
    url = reverse("assessment:progress", args=[setup["period"].pk])
    for who in ("reporter_b", "reporter_a", "head_a"):
        assert client_for(setup[who]).get(url).status_code == 403
        assert client_for(setup[who]).get(reverse("documents:progress_download", args=[setup["period"].pk])).status_code == 403
        assert client_for(setup[who]).get(f"/api/periods/{setup['period'].pk}/progress").status_code == 403
    assert client_for(setup["reporter_b"]).get(reverse("assessment:progress_index")).status_code == 403
    for who in ("office", "leader", "taskforce"):
        assert client_for(setup[who]).get(url).status_code == 200
    text = client_for(setup["taskforce"]).get(url).content.decode()
    assert ">nl02</th>" in text and ">ys03</th>" not in text


def test_index_goes_to_the_open_period(client_for, setup, world):
    response = client_for(world["leader"]).get(reverse("assessment:progress_index"))
    assert response.status_code == 302
    assert response.url == reverse("assessment:progress", args=[setup["period"].pk])


def test_index_without_started_periods(client_for, world):
    text = client_for(world["office"]).get(reverse("assessment:progress_index")).content.decode()
    assert 'data-testid="progress-empty"' in text


def test_excel_export_reads_back(client_for, setup):
    url = reverse("documents:progress_download", args=[setup["period"].pk])
    response = client_for(setup["office"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(BytesIO(response.content))
    ws = wb.worksheets[0]
    assert ws["A1"].value.startswith("2026年第三季度") and ws.freeze_panes == "C4"
    header = [c.value for c in ws[2]]
    names = [c.value for c in ws[3]]
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert set(rows) == {"靖宇街道", "太古街道", "区发展和改革局"}
    j = header.index("nl02")
    assert names[j] == "督查问题整改率"
    assert rows["太古街道"][j] == "已提交" and rows["靖宇街道"][j] == "已审核"
    assert rows["太古街道"][header.index("ys03")] == "已退回"
    assert rows["区发展和改革局"][header.index("gz14")] == "—"
    taigu_row = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "太古街道")
    assert taigu_row[j].fill.fgColor.rgb.endswith("CFE2FF")
    assert taigu_row[header.index("ys03")].fill.fgColor.rgb.endswith("F5C2C7")
    assert "图例" in wb.sheetnames
    only_streets = load_workbook(BytesIO(client_for(setup["office"]).get(url + "?category=street").content))
    assert only_streets.worksheets[0].max_row == 5  # title, codes, names, two streets


def test_api_matrix(client_for, setup):
    body = client_for(setup["leader"]).get(f"/api/periods/{setup['period'].pk}/progress?status=draft").json()
    assert [u["code"] for u in body["units"]] == ["taigu"]
    taigu = body["units"][0]
    assert taigu["cells"]["nl03"] == "draft" and taigu["cells"]["nl02"] == "submitted"
    assert body["period"]["deadline"] == "2026-10-13"


def test_queries_do_not_grow_with_units(client_for, setup, django_assert_max_num_queries):
    url = reverse("assessment:progress", args=[setup["period"].pk])
    client = client_for(setup["office"])
    with django_assert_max_num_queries(16):
        small = client.get(url)
    street = setup["a"].category
    for n in range(25):
        unit = unit_create(actor=None, code=f"s{n}", name=f"街道{n}", kind=Unit.Kind.STREET,
                           parent=setup["district"], category=street)
        for code in ("nl02", "nl03", "ys03"):
            Submission.objects.create(period=setup["period"], unit=unit, indicator=setup["ind"][code],
                                      status=("draft", "submitted", "approved")[n % 3])
    with django_assert_max_num_queries(16):
        big = client.get(url)
    assert big.content.decode().count("data-unit=") == small.content.decode().count("data-unit=") + 25


def test_page_rows_are_the_matrix_cell_by_cell(client_for, setup):
    """The rows written by the progress_rows tag: one cell per column with the selector's
    status, in the columns' order, and the done/applicable count, for every unit."""
    import re

    text = client_for(setup["office"]).get(reverse("assessment:progress", args=[setup["period"].pk])).content.decode()
    m = matrix(setup)
    for row in m.rows:
        html = re.search(rf'<tr[^>]*data-unit="{row.unit.code}">(.*?)</tr>', text, re.S).group(1)
        assert re.findall(r'<td class="pm-([a-z]+)"></td>', html) == row.cells
        assert f'<td class="pm-n">{row.done}/{row.applicable}</td>' in html
    assert text.count("<td>", text.index("<tfoot>")) == len(m.columns) + 1  # 已交单位数 per column
    assert m.column_done == [sum(r.cells[j] in ("submitted", "approved") for r in m.rows) for j in range(len(m.columns))]


def test_page_escapes_unit_names(client_for, setup):
    Unit.objects.filter(pk=setup["b"].pk).update(name='太古<img src=x onerror="alert(1)">')
    text = client_for(setup["office"]).get(reverse("assessment:progress", args=[setup["period"].pk])).content.decode()
    assert "<img src=x" not in text and "太古&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text


def test_a_filter_that_keeps_no_unit_shows_the_empty_note(client_for, setup):
    m = matrix(setup, q="没有这个单位")
    assert m.rows == [] and m.column_done == [0] * len(m.columns)
    url = reverse("assessment:progress", args=[setup["period"].pk]) + "?q=没有这个单位"
    assert 'data-testid="progress-empty"' in client_for(setup["office"]).get(url).content.decode()
