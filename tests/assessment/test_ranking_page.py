"""The ranking page (排名页) at speed: a finished run's figures read once and kept per process,
keyed by the run and its computation, each request's view of them through the gate.

The page must show what `results.ranking` (the API, the Excel export, the bulletin) shows; a
kept figure must never outlive the computation it came from, nor reach a user the gate refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from duibiao.assessment.models import RunResult, ScoringRun, Submission
from duibiao.assessment.selectors import ranking_table as rt
from duibiao.assessment.selectors.results import ranking
from duibiao.assessment.selectors.schemes import _ancestor_paths
from duibiao.assessment.services.run_recovery import run_restart
from duibiao.assessment.services.runs import run_publish, run_release, run_start, run_withdraw


@pytest.fixture
def run(approved):
    rt.frozen_clear()
    return run_start(actor=approved["office"], period=approved["period"], note="试算")


def _rows(table: dict) -> dict[str, list[tuple]]:
    return {name: [(r.unit.code, r.unit.name, r.category_name, r.cells["rank"], r.cells["score"],
                    list(r.cells["dimensions"]), r.cells["bonus"], r.cells["penalty"], r.cells["change"],
                    r.rank_change, r.grade, list(r.vetoes)) for r in rows]
            for name, rows in table["groups"].items()}


@pytest.mark.parametrize("query", [{}, {"sort": "score"}, {"sort": "change"}, {"category": "street"},
                                   {"category": "economic"}, {"grade": "优秀"}, {"category": "nonesuch"}])
@pytest.mark.parametrize("who", ["office", "leader", "head_a"])
def test_the_page_table_is_the_ranking(approved, run, who, query):
    """Every filter and sort, every kind of reader: the same groups, rows, order and cells as the
    ranking the API, the export and the bulletin read."""
    user = approved[who]
    if who != "office":
        run = run_release(actor=approved["office"], run=run)
        run = run_publish(actor=approved["office"], run=run, stage=run.stage, override_reason="测试：申诉期内公布")
    fast, slow = rt.ranking_table(user=user, run=run, **query), ranking(user=user, run=run, **query)
    if query.get("sort") == "change":
        # No earlier run: every change is empty, a tie the database breaks as it likes; the page
        # breaks it by rank.
        assert {k: sorted(v) for k, v in _rows(fast).items()} == {k: sorted(v) for k, v in _rows(slow).items()}
        assert all([r.rank for r in rows] == sorted(r.rank for r in rows) for rows in fast["groups"].values())
    else:
        assert _rows(fast) == _rows(slow)
    assert fast["categories"] == slow["categories"] and fast["dimensions"] == slow["dimensions"]
    assert fast["unstable"] == slow["unstable"]


def test_the_page_shows_the_rows_with_links_and_escapes_names(client_for, approved, run):
    approved["a"].__class__.objects.filter(pk=approved["a"].pk).update(name='<b onmouseover="x">靖宇</b>')
    page = client_for(approved["office"]).get(reverse("assessment:run_detail", args=[run.pk])).content.decode()
    result = RunResult.objects.get(run=run, unit=approved["a"])
    row = page.split('data-testid="rank-jingyu">', 1)[1].split("</tr>", 1)[0]
    assert reverse("assessment:unit_result", args=[run.pk, "jingyu"]) in row
    assert "&lt;b onmouseover=&quot;x&quot;&gt;靖宇&lt;/b&gt;" in row and "<b onmouseover" not in page
    assert f"{result.score:.2f}" in row and result.grade in row


def test_a_second_view_reads_no_figures_again(client_for, approved, run):
    """The figures (every unit's scores of every node) are read once per finished run."""
    client = client_for(approved["office"])
    url = reverse("assessment:run_detail", args=[run.pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        page = client.get(url).content.decode()
    assert any("node_scores" in q["sql"] for q in first.captured_queries)
    assert not any("node_scores" in q["sql"] for q in second.captured_queries)
    assert 'data-testid="rank-taigu"' in page


def test_a_run_computed_again_shows_its_new_figures(client_for, approved, run):
    """Attack on the kept figures: the office views a run, its computation fails, the data are
    corrected and the run is computed again under the same id. The page must show the new
    scores, not the kept ones."""
    client = client_for(approved["office"])
    url = reverse("assessment:run_detail", args=[run.pk])
    old = RunResult.objects.get(run=run, unit=approved["b"]).score
    assert f"{old:.2f}" in client.get(url).content.decode()
    # A restart scores the run's own snapshot: what differs this time is in the snapshot.
    inputs = ScoringRun.objects.get(pk=run.pk).inputs
    inputs["data"] = [[u, c, v / 2 if u == "taigu" and isinstance(v, int | float) else v]
                      for u, c, v in inputs["data"]]
    ScoringRun.objects.filter(pk=run.pk).update(status=ScoringRun.Status.FAILED, error="worker died", inputs=inputs)
    run_restart(actor=approved["office"], run=ScoringRun.objects.get(pk=run.pk))
    new = RunResult.objects.get(run=run, unit=approved["b"]).score
    assert new != pytest.approx(old, abs=0.01)
    row = client.get(url).content.decode().split('data-testid="rank-taigu">', 1)[1].split("</tr>", 1)[0]
    assert f"{new:.2f}" in row and f"{old:.2f}" not in row


def test_the_key_is_the_computation_not_the_run_alone(approved, run):
    """Same id, another finished_at: read again (what run_restart leads to)."""
    first = rt.frozen_figures(run)
    assert rt.frozen_figures(run) is first
    RunResult.objects.filter(run=run, unit=approved["a"]).update(score=1.0)
    ScoringRun.objects.filter(pk=run.pk).update(finished_at=run.finished_at + timedelta(seconds=1))
    again = rt.frozen_figures(ScoringRun.objects.get(pk=run.pk))
    assert again is not first and again[approved["a"].pk].score == 1.0


def test_an_unfinished_run_is_never_kept(approved, run):
    ScoringRun.objects.filter(pk=run.pk).update(status=ScoringRun.Status.RUNNING, finished_at=None)
    unfinished = ScoringRun.objects.get(pk=run.pk)
    assert rt.frozen_figures(unfinished) is not rt.frozen_figures(unfinished)


def test_kept_figures_reach_no_one_the_gate_refuses(client_for, approved, run):
    """The office's view fills the kept figures; a unit head still sees nothing of a draft run,
    only its own unit once released, and a withdrawn publication is shown as withdrawn."""
    url = reverse("assessment:run_detail", args=[run.pk])
    assert 'data-testid="rank-taigu"' in client_for(approved["office"]).get(url).content.decode()
    head, leader = client_for(approved["head_a"]), client_for(approved["leader"])
    assert head.get(url).status_code == 404 and leader.get(url).status_code == 404
    run = run_release(actor=approved["office"], run=run)
    page = head.get(url).content.decode()
    assert 'data-testid="rank-jingyu"' in page and 'data-testid="rank-taigu"' not in page
    assert leader.get(url).status_code == 404  # released to the units, not yet published
    run = run_publish(actor=approved["office"], run=run, stage=run.stage, override_reason="测试：申诉期内公布")
    assert 'data-testid="rank-taigu"' in leader.get(url).content.decode()
    run_withdraw(actor=approved["office"], run=run, stage=run.stage, reason="太古街道数据有误，更正后重新公布")
    page = leader.get(url).content.decode()
    assert "太古街道数据有误" in page and 'data-testid="rank-taigu"' in page


def test_only_the_office_sees_the_unstable_badge(client_for, approved, run):
    ScoringRun.objects.filter(pk=run.pk).update(
        sensitivity={"units": [{"unit": "jingyu", "keep_share": 0.5, "low": 1, "high": 2}]})
    run = ScoringRun.objects.get(pk=run.pk)
    url = reverse("assessment:run_detail", args=[run.pk])
    office = client_for(approved["office"]).get(url).content.decode()
    assert office.split('data-testid="rank-jingyu">', 1)[1].split("</tr>", 1)[0].count("排名不稳定") == 1
    run = run_release(actor=approved["office"], run=run)
    assert "排名不稳定" not in client_for(approved["head_a"]).get(url).content.decode()


def test_the_kept_runs_are_bounded(approved, run, monkeypatch):
    monkeypatch.setattr(rt, "FROZEN_RUNS", 2)
    base = run.finished_at
    for k in range(5):
        run.finished_at = base + timedelta(seconds=k)
        rt.frozen_figures(run)
    assert len(rt._frozen) == 2


paths = st.lists(st.lists(st.sampled_from("abc"), min_size=1, max_size=4), max_size=12)


@settings(max_examples=200, deadline=None)
@given(paths)
def test_ancestor_paths_are_every_prefix(codes):
    """The scheme list's prefixes, which skip units whose parent is given, are still every
    prefix of every path."""
    given_paths = ["/" + "/".join(c) + "/" for c in codes]
    naive = {"/" + "/".join(c[: i + 1]) + "/" for c in codes for i in range(len(c))}
    assert _ancestor_paths(given_paths) == naive


def test_publish_blockers_count_the_values_waiting(approved, run):
    from duibiao.assessment.selectors.runs import publish_review_of

    assert publish_review_of(run).unapproved == 0
    pks = list(Submission.objects.filter(period=approved["period"]).values_list("pk", flat=True)[:3])
    Submission.objects.filter(pk__in=pks[:1]).update(status=Submission.Status.DRAFT)
    Submission.objects.filter(pk__in=pks[1:2]).update(status=Submission.Status.SUBMITTED)
    Submission.objects.filter(pk__in=pks[2:3]).update(status=Submission.Status.RETURNED)
    assert publish_review_of(run).unapproved == 3
