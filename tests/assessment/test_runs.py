"""Scoring runs: snapshots of approved data, scored by the engine, immutable, explainable,
published only after the appeal round; the CLI reproduces them from their exported inputs."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.http import Http404
from django.urls import reverse

from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.limits import value_rules
from duibiao.assessment.models import Appeal, Period, RunResult, ScoringRun, Submission
from duibiao.assessment.selectors.traces import result_trace
from duibiao.assessment.services.appeals import appeal_decide, appeal_file
from duibiao.assessment.services.runs import run_publish, run_release, run_start
from duibiao.scoring_cli import main as score_cli


@pytest.fixture
def run(approved):
    return run_start(actor=approved["office"], period=approved["period"], note="试算")


def test_run_snapshots_only_approved_values(approved):
    Submission.objects.filter(unit=approved["a"], indicator__code="nl02").update(status="submitted")
    run = run_start(actor=approved["office"], period=approved["period"])
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE and run.progress == 100
    codes = {(u, c) for u, c, _ in run.inputs["data"]}
    assert ("jingyu", "nl02") not in codes and ("taigu", "nl02") in codes
    assert ("jingyu", "nl05:优秀") in codes  # ballots become one value per grade
    assert {u["unit"] for u in run.inputs["units"]} == {"jingyu", "taigu", "fagai"}
    assert run.document == approved["version"].document and run.engine_version


def test_results_rank_within_category(run):
    results = {r.unit.code: r for r in RunResult.objects.filter(run=run).select_related("unit")}
    assert set(results) == {"jingyu", "taigu", "fagai"}
    streets = sorted((results["jingyu"], results["taigu"]), key=lambda r: -r.score)
    assert [r.rank for r in streets] == [1.0, 2.0]
    assert results["fagai"].rank == 1.0  # alone in 经济部门
    assert all(r.grade for r in results.values())
    jingyu = result_trace(results["jingyu"], run)
    assert jingyu["unit"] == "jingyu" and abs(jingyu["score"] - results["jingyu"].score) < 1e-9


def test_exported_inputs_score_the_same_on_the_command_line(client_for, run, tmp_path):
    archive = client_for(run.started_by).get(reverse("assessment:run_inputs", args=[run.pk]))
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path)
    assert score_cli([str(tmp_path / "scheme.yaml"), str(tmp_path / "data.csv"), "--units",
                      str(tmp_path / "units.csv"), "--out", str(tmp_path / "out.csv"), "--quiet"]) == 0
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        cli = {row["unit"]: row for row in csv.DictReader(handle)}
    for result in RunResult.objects.filter(run=run).select_related("unit"):
        row = cli[result.unit.code]
        assert float(row["score"]) == pytest.approx(result.score, abs=1e-6)
        assert float(row["rank"]) == result.rank and row["grade"] == result.grade


def test_contributions_on_the_unit_page_add_up_to_the_score(client_for, run):
    page = client_for(run.started_by).get(reverse("assessment:unit_result", args=[run.pk, "jingyu"]))
    html = page.content.decode()
    score = float(re.search(r'data-testid="unit-score" data-score="([^"]+)"', html).group(1))
    parts = [float(x) for x in re.findall(r'data-contribution="([^"]+)"', html)]
    assert len(parts) > 20
    assert sum(parts) == pytest.approx(score, abs=1e-6)
    assert "与上一名" in html or RunResult.objects.get(run=run, unit__code="jingyu").rank == 1


def test_what_if_changes_nothing(client_for, run):
    before = list(RunResult.objects.filter(run=run).values_list("score", flat=True))
    client = client_for(run.started_by)
    response = client.post(reverse("assessment:what_if", args=[run.pk, "taigu"]), {"v-nl02": "100", "v-nl03": "100"})
    assert "测算得分" in response.content.decode()
    assert list(RunResult.objects.filter(run=run).values_list("score", flat=True)) == before


def test_unit_users_see_only_their_own_result_and_only_once_released(client_for, approved, run):
    head = client_for(approved["head_a"])
    url = reverse("assessment:unit_result", args=[run.pk, "jingyu"])
    assert head.get(url).status_code == 404  # draft runs are the office's
    run_release(actor=approved["office"], run=run)
    assert head.get(url).status_code == 200
    assert head.get(reverse("assessment:unit_result", args=[run.pk, "taigu"])).status_code == 404
    ranking = head.get(reverse("assessment:run_detail", args=[run.pk])).content.decode()
    assert "靖宇街道" in ranking and "太古街道" not in ranking
    assert client_for(approved["reporter_b"]).get(url).status_code == 404
    api = client_for(approved["reporter_b"]).get(f"/api/results/runs/{run.pk}/results/jingyu")
    assert api.status_code == 404


def test_appeal_round_then_rerun_then_publish(approved, run):
    office, period = approved["office"], approved["period"]
    with pytest.raises(AssessmentError, match="发布反馈"):
        run_publish(actor=office, run=run, stage=run.stage)
    run_release(actor=office, run=run)
    with pytest.raises(Http404):  # another unit's reporter cannot appeal for jingyu
        appeal_file(actor=approved["reporter_b"], run=run, unit=approved["a"], indicator=approved["ind"]["nl02"],
                    reason="x")
    appeal = appeal_file(actor=approved["head_a"], run=run, unit=approved["a"], indicator=approved["ind"]["nl02"],
                         reason="整改率应为 98%，台账已补充")
    with pytest.raises(AssessmentError, match="未复核"):
        run_publish(actor=office, run=run, stage=run.stage)
    appeal_decide(actor=approved["taskforce"], appeal=appeal, accept=True, decision="经核实采纳")
    with pytest.raises(AssessmentError, match="重新计分"):
        run_publish(actor=office, run=run, stage=run.stage)
    Submission.objects.filter(unit=approved["a"], indicator__code="nl02").update(value=98)
    rerun = run_start(actor=office, period=period, note="申诉采纳后重算")
    published = run_publish(actor=office, run=rerun, stage=rerun.stage, override_reason="测试：申诉期内公布")
    assert published.stage == ScoringRun.Stage.PUBLISHED
    run.refresh_from_db()
    period.refresh_from_db()
    assert run.stage == ScoringRun.Stage.SUPERSEDED and period.status == Period.Status.CLOSED
    assert Appeal.objects.get().status == Appeal.Status.ACCEPTED
    with pytest.raises(AssessmentError, match="冻结"):
        run_start(actor=office, period=period)


def test_rank_change_against_the_previous_published_period(approved, run):
    office = approved["office"]
    run_release(actor=office, run=run)
    run_publish(actor=office, run=run, stage=run.stage, override_reason="测试：申诉期内公布")
    q1 = Period.objects.create(version=approved["version"], kind="quarter", year=2027, number=1, name="2027年第一季度",
                               opens_on=run.period.opens_on, deadline=run.period.deadline, status="open")
    subs = list(Submission.objects.filter(period=approved["period"]))
    rules = value_rules(approved["version"])
    for sub in subs:
        sub.pk, sub.period = None, q1
        # taigu does much better this time (doubled where double is still a valid value)
        if sub.unit.code == "taigu" and sub.value is not None and sub.indicator.entered_by_units \
                and rules.problem(sub.indicator, sub.value * 2) is None:
            sub.value = sub.value * 2
    Submission.objects.bulk_create(subs)
    second = run_start(actor=office, period=q1)
    assert second.previous_id == run.pk
    results = {r.unit.code: r for r in RunResult.objects.filter(run=second).select_related("unit")}
    before = {r.unit.code: r for r in RunResult.objects.filter(run=run).select_related("unit")}
    for code in ("jingyu", "taigu"):
        assert results[code].rank_change == before[code].rank - results[code].rank


def test_office_only_controls(client_for, approved, run):
    client = client_for(approved["reporter_a"])
    assert client.post(reverse("assessment:run_start", args=[approved["period"].pk])).status_code in (302, 403)
    assert ScoringRun.objects.count() == 1
    assert client.get(reverse("assessment:run_sensitivity", args=[run.pk])).status_code in (403, 404)
    assert client.post(reverse("assessment:run_publish", args=[run.pk])).status_code == 404


def test_ranking_page_and_excel(client_for, run):
    from openpyxl import load_workbook

    client = client_for(run.started_by)
    page = client.get(reverse("assessment:run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="rank-jingyu"' in page and "ranking-data" in page
    book = load_workbook(io.BytesIO(client.get(reverse("documents:ranking_download", args=[run.pk])).content))
    assert set(book.sheetnames) == {"街道乡镇", "经济部门"}
    sheet = book["街道乡镇"]
    assert sheet["A2"].value == "名次" and sheet["B3"].value in ("靖宇街道", "太古街道")
    sens = client.get(reverse("assessment:run_sensitivity", args=[run.pk])).content.decode()
    assert "名次区间" in sens



def test_the_excel_export_reads_the_table_only(client_for, run, monkeypatch):
    """run_detail answers ?export=xlsx before it builds the page: the publish checks, the other
    runs and the chart are never computed for a download."""
    from duibiao.assessment.views import runs as views

    def refuse(*args, **kwargs):
        raise AssertionError("the export built the page")

    for name in ("publish_blockers", "ranking_chart", "ranking_grades", "run_list"):
        monkeypatch.setattr(views, name, refuse)
    old = reverse("assessment:run_detail", args=[run.pk]) + "?category=street&export=xlsx"
    response = client_for(run.started_by).get(old, follow=True)
    # The old link goes to the workbook's own route (documents), keeping the page's filter.
    assert response.redirect_chain == [
        (reverse("documents:ranking_download", args=[run.pk]) + "?category=street", 302)]
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def test_the_old_excel_link_refuses_as_the_page_does(client_for, run, approved):
    """A user who may not see the run is refused before any redirect names it."""
    response = client_for(approved["auditor"]).get(reverse("assessment:run_detail", args=[run.pk]) + "?export=xlsx")
    assert response.status_code in (403, 404)
    direct = client_for(approved["auditor"]).get(reverse("documents:ranking_download", args=[run.pk]))
    assert direct.status_code in (403, 404)


def test_api_run_flow(client_for, approved):
    office = client_for(approved["office"])
    pid = approved["period"].pk
    created = office.post(f"/api/results/periods/{pid}/runs", {"note": "api"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "done"
    rid = created.json()["id"]
    ranking = office.get(f"/api/results/runs/{rid}/ranking").json()["items"]
    assert {r["unit"] for r in ranking} == {"jingyu", "taigu", "fagai"}
    explained = office.get(f"/api/results/runs/{rid}/results/taigu").json()
    assert explained["trace"]["unit"] == "taigu"
    sim = office.post(f"/api/results/runs/{rid}/results/taigu/what-if", {"values": {"nl02": 100}},
                      content_type="application/json").json()
    assert set(sim) >= {"score", "rank", "grade", "was_score"}
    assert office.post(f"/api/results/runs/{rid}/release", {"appeal_workdays": 3},
                       content_type="application/json").json()["stage"] == "released"
    head = client_for(approved["head_a"])
    filed = head.post(f"/api/results/runs/{rid}/units/jingyu/appeals", {"indicator": "nl03", "reason": "数据有误"},
                      content_type="application/json")
    assert filed.status_code == 201
    other = client_for(approved["reporter_b"])
    assert other.post(f"/api/results/runs/{rid}/units/jingyu/appeals", {"indicator": "nl03", "reason": "x"},
                      content_type="application/json").status_code == 404
    assert other.get(f"/api/results/runs/{rid}/appeals").json()["items"] == []
    decided = client_for(approved["taskforce"]).post(f"/api/results/appeals/{filed.json()['id']}/decide",
                                                     {"accept": False, "decision": "数据无误"},
                                                     content_type="application/json")
    assert decided.json()["status"] == "rejected"
    refused = office.post(f"/api/results/runs/{rid}/publish", {"stage": "released"},
                          content_type="application/json")  # the appeal window is still open
    assert refused.status_code == 422 and "申诉期" in refused.json()["detail"]
    published = office.post(f"/api/results/runs/{rid}/publish",
                            {"stage": "released", "override_reason": "申诉已全部复核，提前公布"},
                            content_type="application/json")
    assert published.status_code == 200, published.json()
    assert published.json()["stage"] == "published"
    assert client_for(approved["leader"]).get(f"/api/results/runs/{rid}/ranking").status_code == 200


def test_appeal_evidence_is_served_through_the_gate(client_for, approved, run, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    run_release(actor=approved["office"], run=run)
    appeal = appeal_file(actor=approved["head_a"], run=run, unit=approved["a"], indicator=approved["ind"]["nl03"],
                         reason="附办结台账", upload=SimpleUploadedFile("台账.pdf", b"%PDF-1.4\ntrailer<<>>\n%%EOF\n"))
    url = reverse("assessment:appeal_evidence", args=[appeal.pk])
    assert client_for(approved["head_a"]).get(url).status_code == 200
    assert client_for(approved["taskforce"]).get(url).status_code == 200
    assert client_for(approved["reporter_b"]).get(url).status_code == 404
    with pytest.raises(AssessmentError, match="PDF"):
        appeal_file(actor=approved["head_a"], run=run, unit=approved["a"], indicator=approved["ind"]["nl04"],
                    reason="x", upload=SimpleUploadedFile("a.pdf", b"not really a pdf"))


def test_unit_head_sees_the_gap_but_not_who_is_above(client_for, approved, run):
    run_release(actor=approved["office"], run=run)
    streets = {r.unit.code: r for r in RunResult.objects.filter(run=run, category="street").select_related("unit")}
    lower = max(streets.values(), key=lambda r: r.rank)
    upper = min(streets.values(), key=lambda r: r.rank)
    head = {"jingyu": approved["head_a"]}.get(lower.unit.code)
    if head is None:  # the fixture has a head for 靖宇 only: make it the lower one's
        from duibiao.accounts.services import role_grant, user_create

        head = user_create(actor=None, username="fzr_b", password="Xx@12345678", unit=lower.unit)
        role_grant(actor=None, user=head, role="unit_head", units=[lower.unit], include_subtree=False)
    page = client_for(head).get(reverse("assessment:unit_result", args=[run.pk, lower.unit.code])).content.decode()
    assert 'data-testid="gap"' in page and upper.unit.name not in page
    office = client_for(approved["office"]).get(reverse("assessment:unit_result", args=[run.pk, lower.unit.code]))
    assert upper.unit.name in office.content.decode()


def test_a_run_against_last_period_reproduces_on_the_command_line(client_for, approved, run, tmp_path):
    office = approved["office"]
    run_release(actor=office, run=run)
    run_publish(actor=office, run=run, stage=run.stage, override_reason="测试：申诉期内公布")
    q1 = Period.objects.create(version=approved["version"], kind="quarter", year=2027, number=1, name="2027年第一季度",
                               opens_on=run.period.opens_on, deadline=run.period.deadline, status="open")
    subs = list(Submission.objects.filter(period=approved["period"]))
    rules = value_rules(approved["version"])
    for sub in subs:
        sub.pk, sub.period = None, q1
        # Doubled where double is still a valid value (not a 是/否, nor a rate past 100 %).
        if sub.unit.code == "taigu" and sub.value is not None and sub.indicator.entered_by_units \
                and rules.problem(sub.indicator, sub.value * 2) is None:
            sub.value = sub.value * 2
    Submission.objects.bulk_create(subs)
    second = run_start(actor=office, period=q1)
    archive = client_for(office).get(reverse("assessment:run_inputs", args=[second.pk]))
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path)
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    args = readme.strip().splitlines()[-1].split()[2:]  # after "duibiao score"
    assert "--previous-data" in args and "--previous" in args
    args[args.index("--out") + 1] = "out.csv"
    assert score_cli([str(tmp_path / a) if a.endswith((".yaml", ".csv")) else a for a in args] + ["--quiet"]) == 0
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        cli = {row["unit"]: row for row in csv.DictReader(handle)}
    for result in RunResult.objects.filter(run=second).select_related("unit"):
        row = cli[result.unit.code]
        assert float(row["score"]) == pytest.approx(result.score, abs=1e-6)
        assert float(row["rank_change"] or "nan") == pytest.approx(result.rank_change, nan_ok=True)
