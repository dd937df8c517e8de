"""End to end in a real browser: from approved data, run scoring, read the ranking and a
unit's explanation, appeal and accept, re-run, publish — and the published numbers equal
what `duibiao score` gives on the run's exported inputs."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from duibiao.assessment.models import RunResult, ScoringRun
from duibiao.scoring_cli import main as score_cli
from tests.conftest import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_run_rank_explain_appeal_rerun_publish(browser, live_server, approved, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    base, pid = live_server.url, approved["period"].pk

    office = signed_in_page(browser, base, "khb")
    office.goto(f"{base}/assessment/periods/{pid}/runs/")
    office.get_by_test_id("start-run").click()
    office.get_by_test_id("ranking-街道乡镇").wait_for()
    first = ScoringRun.objects.get()
    rows = office.get_by_test_id("ranking-街道乡镇").locator("tbody tr")
    assert rows.count() == 2
    office.get_by_role("link", name="靖宇街道").click()
    office.get_by_test_id("score-tree").wait_for()
    shown = float(office.get_by_test_id("unit-score").get_attribute("data-score"))
    assert shown == pytest.approx(RunResult.objects.get(run=first, unit__code="jingyu").score)
    office.go_back()
    office.get_by_test_id("release").click()
    office.get_by_text("已向各单位发布反馈").wait_for()

    head = signed_in_page(browser, base, "fzr_a")
    head.goto(f"{base}/assessment/runs/{first.pk}/units/jingyu/")
    head.get_by_label("申诉指标").select_option("nl02")
    head.get_by_label("申诉理由").fill("督查问题整改率应为 98%，台账已补充")
    head.get_by_role("button", name="提交申诉").click()
    head.get_by_text("申诉已提交").wait_for()
    assert head.goto(f"{base}/assessment/runs/{first.pk}/units/taigu/").status == 404

    reviewer = signed_in_page(browser, base, "zb1")
    reviewer.goto(f"{base}/assessment/runs/{first.pk}/appeals/")
    row = reviewer.get_by_test_id("appeal-jingyu-nl02")
    row.get_by_label("复核意见").fill("经核实台账，采纳")
    row.get_by_role("button", name="采纳", exact=True).click()
    reviewer.get_by_text("已复核").wait_for()

    office.goto(f"{base}/assessment/runs/{first.pk}/")
    office.get_by_test_id("publish").click()  # the accepted appeal needs a re-run: no reason waives it
    assert "重新计分" in office.get_by_test_id("publish-blockers").inner_text()
    assert office.get_by_test_id("publish-confirm").count() == 0
    office.goto(f"{base}/assessment/periods/{pid}/runs/")
    office.get_by_test_id("start-run").click()
    office.get_by_test_id("ranking-街道乡镇").wait_for()
    second = ScoringRun.objects.order_by("-number").first()
    assert second.number == 2
    office.get_by_test_id("publish").click()
    office.get_by_label("提前公布理由").fill("申诉已全部复核，按市考核办要求提前公布")  # the window is still open
    office.get_by_test_id("publish-confirm").click()
    office.get_by_text("考核结果已公布").wait_for()
    second.refresh_from_db()
    assert second.stage == "published"

    archive = office.request.get(f"{base}/assessment/runs/{second.pk}/inputs.zip")
    zipfile.ZipFile(io.BytesIO(archive.body())).extractall(tmp_path)
    assert score_cli([str(tmp_path / "scheme.yaml"), str(tmp_path / "data.csv"), "--units",
                      str(tmp_path / "units.csv"), "--out", str(tmp_path / "out.csv"), "--quiet"]) == 0
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        cli = {row["unit"]: row for row in csv.DictReader(handle)}
    leader = signed_in_page(browser, base, "leader")
    leader.goto(f"{base}/assessment/runs/{second.pk}/")
    for result in RunResult.objects.filter(run=second).select_related("unit"):
        assert float(cli[result.unit.code]["score"]) == pytest.approx(result.score, abs=1e-6)
        assert float(cli[result.unit.code]["rank"]) == result.rank
        cell = leader.get_by_test_id(f"rank-{result.unit.code}").locator("td").nth(2).inner_text()
        assert cell == f"{result.score:.2f}"
    for page in (office, head, reviewer, leader):
        page.context.close()
