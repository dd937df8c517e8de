"""What the run page gives beside the ranking, over the API: the 排名表 workbook (the page's own
file), the run's inputs, 批次对比, a unit's analysis and the office's 公布前核对 — each read
through the page's selector, so refused exactly as the page is."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from duibiao.accounts.tokens import token_create
from duibiao.assessment.models import Submission
from duibiao.assessment.selectors.ranking_table import ranking_table
from duibiao.assessment.selectors.results import ranking
from duibiao.assessment.services.runs import run_release, run_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def runs(approved):
    """Two runs of the quarter: the first released, the second after 靖宇街道's nl02 changed."""
    w = approved
    first = run_start(actor=w["office"], period=w["period"])
    Submission.objects.filter(period=w["period"], unit=w["a"], indicator__code="nl02").update(value=Decimal("40"))
    second = run_start(actor=w["office"], period=w["period"])
    run_release(actor=w["office"], run=second)
    first.refresh_from_db()
    second.refresh_from_db()
    return {**w, "first": first, "second": second}


def _bearer(user, actions, units=()):
    _token, secret = token_create(actor=user, name="对接", actions=actions, units=list(units),
                                  expires_on=timezone.localdate() + timedelta(days=30))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_ranking_workbook_is_the_pages_file(runs, client_for):
    w = runs
    office = client_for(w["office"])
    run = w["second"]
    response = office.get(f"/api/results/runs/{run.pk}/ranking/workbook?category=street&sort=score")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX and response["Content-Disposition"].startswith("attachment")
    page = office.get(reverse("documents:ranking_download", args=[run.pk]) + "?category=street&sort=score")
    assert _sheets(response.content) == _sheets(page.content)
    (rows,) = _sheets(response.content).values()
    assert {r[1] for r in rows[2:]} == {"靖宇街道", "太古街道"}  # the category asked for only


def test_a_token_held_to_one_unit_exports_that_unit_only(runs, client_for):
    w = runs
    run = w["second"]
    client = _bearer(w["office"], ["assessment.scheme.view", "assessment.run.view_all"], units=["jingyu"])
    response = client.get(f"/api/results/runs/{run.pk}/ranking/workbook")
    assert response.status_code == 200, response.content
    names = {r[1] for rows in _sheets(response.content).values() for r in rows[2:]}
    assert names == {"靖宇街道"}
    # A token without any result action is refused before anything is read.
    refused = _bearer(w["office"], ["assessment.scheme.view"]).get(f"/api/results/runs/{run.pk}/ranking/workbook")
    assert refused.status_code in (403, 404) and refused.json()["code"] in ("forbidden", "not_found")


def test_a_unit_reads_no_other_units_ranking_or_analysis(runs, client_for):
    w = runs
    run = w["second"]
    reporter_b = client_for(w["reporter_b"])
    names = {r[1] for rows in _sheets(reporter_b.get(f"/api/results/runs/{run.pk}/ranking/workbook").content).values()
             for r in rows[2:]}
    assert "靖宇街道" not in names
    refused = reporter_b.get(f"/api/results/runs/{run.pk}/results/jingyu/analysis")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    # The first run was never released: a unit does not see it at all.
    hidden = client_for(w["reporter_a"]).get(f"/api/results/runs/{run.pk}/compare/{w['first'].pk}")
    assert hidden.status_code == 404


def test_comparison_names_the_units_that_moved_and_the_inputs_that_changed(runs, client_for):
    w = runs
    response = client_for(w["office"]).get(f"/api/results/runs/{w['second'].pk}/compare/{w['first'].pk}")
    assert response.status_code == 200, response.content
    rows = {row["unit"]: row for row in response.json()["items"]}
    jingyu = rows["jingyu"]
    (change,) = jingyu["changes"]
    assert change["indicator"] == "nl02" and float(change["after"]) == 40 and float(change["before"]) != 40
    assert jingyu["after"]["score"] < jingyu["before"]["score"]
    assert all(row["changes"] == [] for code, row in rows.items() if code != "jingyu")  # moved by a peer only


def test_a_units_analysis_is_the_result_pages(runs, client_for):
    w = runs
    run = w["second"]
    ranked = client_for(w["office"]).get(f"/api/results/runs/{run.pk}/ranking?category=street").json()["items"]
    first, second = sorted(ranked, key=lambda r: r["rank"])
    office = client_for(w["office"]).get(f"/api/results/runs/{run.pk}/results/{second['unit']}/analysis")
    assert office.status_code == 200, office.content
    body = office.json()
    assert len(body["radar"]["dimensions"]) == 3 == len(body["radar"]["unit"]) == len(body["radar"]["best"])
    assert body["trend"]["periods"][-1] == w["period"].name and body["trend"]["ranks"][-1] == 2
    above = body["above"]
    assert above["name"] == first["name"] and above["score"] == first["score"]
    assert round(above["distance"], 6) == round(first["score"] - second["score"], 6)
    assert round(sum(item["difference"] for item in above["gap"]), 6) == round(above["distance"], 6)
    top = client_for(w["office"]).get(f"/api/results/runs/{run.pk}/results/{first['unit']}/analysis").json()
    assert top["above"] is None
    # A unit's own people see how far the unit above is, not who it is or its figures.
    unit_user = "reporter_a" if second["unit"] == "jingyu" else "reporter_b"
    own = client_for(w[unit_user]).get(f"/api/results/runs/{run.pk}/results/{second['unit']}/analysis").json()
    assert own["above"]["distance"] == above["distance"]
    assert own["above"]["name"] is None and own["above"]["score"] is None
    assert all(item["upper"] is None for item in own["above"]["gap"])


def test_the_inputs_are_the_pages_archive_for_those_who_analyse(runs, client_for):
    w = runs
    run = w["second"]
    response = client_for(w["office"]).get(f"/api/results/runs/{run.pk}/inputs")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="run-{run.pk}-inputs.zip"'
    page = client_for(w["office"]).get(reverse("assessment:run_inputs", args=[run.pk]))
    api_zip, page_zip = zipfile.ZipFile(io.BytesIO(response.content)), zipfile.ZipFile(io.BytesIO(page.content))
    assert {n: api_zip.read(n) for n in api_zip.namelist()} == {n: page_zip.read(n) for n in page_zip.namelist()}
    refused = client_for(w["reporter_a"]).get(f"/api/results/runs/{run.pk}/inputs")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_the_publish_review_is_the_offices(runs, client_for):
    w = runs
    run = w["second"]
    response = client_for(w["office"]).get(f"/api/results/runs/{run.pk}/publish-review")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["units"] == 3 and body["stage"] == "released"
    assert body["waivable"]  # the appeal window is still open
    assert sum(count for _grade, count in body["grades"]) == 3
    for who in ("leader", "reporter_a", "taskforce"):
        refused = client_for(w[who]).get(f"/api/results/runs/{run.pk}/publish-review")
        assert refused.status_code in (403, 404), who


def test_the_apis_ranking_has_the_pages_figures(runs):
    """The API's ranking and the workbook read `results.ranking` (they need each unit's node
    scores, bonus and penalty, which the page's frozen table does not keep): every figure is
    the page's table's, unit by unit."""
    w = runs
    run = w["second"]
    for user in (w["office"], w["reporter_a"], w["leader"]):
        api = ranking(user=user, run=run)
        page = ranking_table(user=user, run=run)
        assert api["categories"] == page["categories"] and api["dimensions"] == page["dimensions"]
        for name, rows in page["groups"].items():
            figures = {r.unit.code: (r.score, r.rank, r.rank_change, r.grade, tuple(r.vetoes), r.cells["score"])
                       for r in rows}
            assert figures == {r.unit.code: (r.score, r.rank, r.rank_change, r.grade, tuple(r.vetoes),
                                             r.cells["score"]) for r in api["groups"][name]}


def test_the_ranking_filters_and_sorts_as_the_page_does(runs, client_for):
    w = runs
    run = w["second"]
    office = client_for(w["office"])
    everyone = office.get(f"/api/results/runs/{run.pk}/ranking").json()["items"]
    grade = everyone[0]["grade"]
    graded = office.get(f"/api/results/runs/{run.pk}/ranking?grade={grade}").json()["items"]
    assert graded and {r["grade"] for r in graded} == {grade}
    assert {r["unit"] for r in graded} == {r["unit"] for r in everyone if r["grade"] == grade}
    by_score = office.get(f"/api/results/runs/{run.pk}/ranking?category=street&sort=score").json()["items"]
    assert [r["score"] for r in by_score] == sorted((r["score"] for r in by_score), reverse=True)
    bad = office.get(f"/api/results/runs/{run.pk}/ranking?sort=name")
    assert bad.status_code == 422 and "sort" in bad.json()["errors"]
