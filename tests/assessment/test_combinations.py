"""多考合一: weighted parts, each the average of published runs, ranked within category."""

from __future__ import annotations

import pytest
from django.urls import reverse

from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Period, RunResult, Submission
from duibiao.assessment.selectors.combinations import combination_results
from duibiao.assessment.services.combinations import combination_save
from duibiao.assessment.services.runs import run_publish, run_release, run_start


def published_run(ctx, period):
    run = run_start(actor=ctx["office"], period=period)
    run_release(actor=ctx["office"], run=run)
    return run_publish(actor=ctx["office"], run=run, stage=run.stage, override_reason="测试：申诉期内公布")


@pytest.fixture
def two_quarters(approved):
    q3 = published_run(approved, approved["period"])
    q4 = Period.objects.create(version=approved["version"], kind="quarter", year=2027, number=1, name="2027年第一季度",
                               opens_on=approved["period"].opens_on, deadline=approved["period"].deadline,
                               status="open")
    subs = list(Submission.objects.filter(period=approved["period"]))
    for sub in subs:
        sub.pk, sub.period = None, q4
        # Halved where half is still a valid value (not a 是/否 or a count).
        if (sub.value is not None and sub.indicator.entered_by_units and sub.unit.code == "jingyu"
                and sub.indicator.kind in ("number", "percent")):
            sub.value = sub.value / 2
    Submission.objects.bulk_create(subs)
    return approved, q3, published_run(approved, q4)


def test_parts_average_and_weights(two_quarters):
    ctx, q3, q4 = two_quarters
    combo = combination_save(actor=ctx["office"], code="y2026", name="年度", year=2026, district=ctx["district"],
                             parts=[("平时考核", 40, [q3, q4]), ("年度评价", 60, [q4])])
    rows = {r.unit.code: r for r in combination_results(user=ctx["office"], combination=combo)}
    score = {(r.run_id, r.unit.code): r.score for r in RunResult.objects.all().select_related("unit")}
    for code in ("jingyu", "taigu", "fagai"):
        routine = (score[(q3.pk, code)] + score[(q4.pk, code)]) / 2
        assert rows[code].parts[0]["average"] == pytest.approx(routine)
        assert rows[code].total == pytest.approx(0.4 * routine + 0.6 * score[(q4.pk, code)])
    streets = sorted([rows["jingyu"], rows["taigu"]], key=lambda r: r.rank)
    assert streets[0].total >= streets[1].total and streets[0].rank == 1
    assert rows["fagai"].rank == 1


def test_weights_must_add_up_and_runs_be_published(two_quarters, approved):
    ctx, q3, q4 = two_quarters
    with pytest.raises(AssessmentError, match="100%"):
        combination_save(actor=ctx["office"], code="x", name="x", year=2026, district=ctx["district"],
                         parts=[("平时", 40, [q3]), ("年度", 40, [q4])])
    draft = run_start(actor=ctx["office"], period=Period.objects.create(
        version=ctx["version"], kind="year", year=2027, number=1, name="2027年度", opens_on=q3.period.opens_on,
        deadline=q3.period.deadline, status="open"))
    with pytest.raises(AssessmentError, match="已公布"):
        combination_save(actor=ctx["office"], code="x", name="x", year=2026, district=ctx["district"],
                         parts=[("年度", 100, [draft])])


def test_pages_and_access(client_for, two_quarters):
    ctx, q3, q4 = two_quarters
    office = client_for(ctx["office"])
    response = office.post(reverse("assessment:combination_edit"), {
        "code": "y2026", "name": "2026年度结果", "year": "2026",
        "name-0": "平时考核", "weight-0": "40", "runs-0": [q3.pk, q4.pk],
        "name-1": "年度评价", "weight-1": "60", "runs-1": [q4.pk],
    })
    assert response.status_code == 302
    page = office.get(reverse("assessment:combination_detail", args=["y2026"])).content.decode()
    assert 'data-testid="combined-jingyu"' in page
    assert client_for(ctx["reporter_a"]).get(reverse("assessment:combination_edit")).status_code == 403
    mine = client_for(ctx["reporter_a"]).get(reverse("assessment:combination_detail", args=["y2026"])).content.decode()
    assert "combined-jingyu" in mine and "combined-taigu" not in mine


def test_api(client_for, two_quarters):
    ctx, q3, q4 = two_quarters
    office = client_for(ctx["office"])
    payload = {"code": "y", "name": "年度", "year": 2026,
               "parts": [{"name": "平时", "weight": 40, "runs": [q3.pk, q4.pk]}, {"name": "年度", "weight": 60, "runs": [q4.pk]}]}
    assert office.post("/api/results/combinations", payload, content_type="application/json").status_code == 201
    rows = office.get("/api/results/combinations/y").json()["items"]
    assert {r["unit"] for r in rows} == {"jingyu", "taigu", "fagai"}
    assert all(len(r["parts"]) == 2 for r in rows)
    bad = {**payload, "parts": [{"name": "平时", "weight": 50, "runs": [q3.pk]}]}
    assert office.post("/api/results/combinations", bad, content_type="application/json").status_code == 422
    reporter = client_for(ctx["reporter_a"])
    assert reporter.post("/api/results/combinations", payload, content_type="application/json").status_code == 403
    assert [r["unit"] for r in reporter.get("/api/results/combinations/y").json()["items"]] == ["jingyu"]
