"""三权分立: the system administrator keeps accounts and the unit tree, and sees no assessment
data. Every evidence file, submission, result and combined result of a filled district is
asked for as he would ask for it (pages and API): each answers 403 or 404 and shows nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse

from duibiao.accounts import gate
from duibiao.accounts.actions import ACTIONS, DIRECTORY_ACTIONS
from duibiao.assessment.models import Appeal, Evidence, RunResult, Submission
from duibiao.assessment.selectors.combinations import combination_list, combination_results
from duibiao.assessment.selectors.reporting import evidence_get, submission_get
from duibiao.assessment.services.combinations import combination_save
from duibiao.assessment.services.runs import run_publish, run_release, run_start

REFUSED = {403, 404}


@pytest.fixture
def filled(approved, settings, tmp_path):
    """The approved quarter scored, released, published and combined, with one evidence file
    and one appeal with its file: every kind of unit-owned object the sysadmin must not read."""
    settings.MEDIA_ROOT = tmp_path
    office = approved["office"]
    run = run_start(actor=office, period=approved["period"])
    run_release(actor=office, run=run)
    submission = Submission.objects.filter(unit=approved["a"]).first()
    evidence = Evidence(submission=submission, original_name="台账.pdf", content_type="application/pdf",
                        size=15, sha256="0" * 64, uploaded_by=approved["reporter_a"])
    evidence.file.save("taizhang.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    appeal = Appeal(run=run, unit=approved["a"], indicator=approved["ind"]["nl03"], reason="附台账",
                    evidence_name="台账.pdf", filed_by=approved["head_a"],
                    status=Appeal.Status.REJECTED, decision="维持原结果")
    appeal.evidence.save("appeal.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    run = run_publish(actor=office, run=run, stage=run.stage, override_reason="测试：申诉期内公布")
    combination = combination_save(actor=office, code="y2026", name="2026年度", year=2026,
                                   district=approved["district"], parts=[("年度评价", 100, [run])])
    return {**approved, "run": run, "submission": submission, "evidence": evidence, "appeal": appeal,
            "combination": combination}


def test_the_gate_gives_the_sysadmin_no_unit_for_any_data_action(filled):
    admin = filled["sysadmin"]
    data_actions = [name for name, action in ACTIONS.items() if action.scoped and name not in DIRECTORY_ACTIONS]
    for name in data_actions:
        assert not gate.units(admin, name).exists(), name
    assert not gate.restrict(admin, Submission.objects.all(), "assessment.submission.view").exists()
    assert not gate.restrict(admin, RunResult.objects.all(), "assessment.result.view_published").exists()
    with pytest.raises(PermissionDenied):
        gate.require(admin, "org.unit.view", unit=filled["a"])
    # He keeps the tree (that is his job), which is names and places, not data.
    tree = gate.units(admin, "org.tree.view").values_list("code", flat=True)
    assert {"harbin", "daowai", "jingyu", "nangang"} <= set(tree)


def test_selectors_refuse_him_every_object(filled):
    from django.http import Http404

    admin = filled["sysadmin"]
    with pytest.raises(Http404):
        evidence_get(user=admin, pk=filled["evidence"].pk)
    with pytest.raises(Http404):
        submission_get(user=admin, pk=filled["submission"].pk)
    assert not combination_list(user=admin).exists()
    assert combination_results(user=admin, combination=filled["combination"]) == []
    # The office still reads all of them: the gate closed the sysadmin, not the data.
    assert evidence_get(user=filled["office"], pk=filled["evidence"].pk) == filled["evidence"]
    assert len(combination_results(user=filled["office"], combination=filled["combination"])) == 3


def _pages(f):
    run, period, a = f["run"], f["period"], f["a"]
    return [
        reverse("assessment:evidence_download", args=[f["evidence"].pk]),
        reverse("assessment:appeal_evidence", args=[f["appeal"].pk]),
        reverse("assessment:evidence_view", args=[f["evidence"].pk]),
        reverse("assessment:appeal_evidence_view", args=[f["appeal"].pk]),
        reverse("assessment:report_unit", args=[period.pk, a.code]),
        reverse("assessment:review_indicator", args=[period.pk, f["submission"].indicator.code]),
        reverse("assessment:progress", args=[period.pk]),
        reverse("documents:progress_download", args=[period.pk]),
        reverse("assessment:run_detail", args=[run.pk]),
        reverse("assessment:run_detail", args=[run.pk]) + "?format=xlsx",
        reverse("assessment:run_inputs", args=[run.pk]),
        reverse("assessment:run_sensitivity", args=[run.pk]),
        reverse("assessment:appeals", args=[run.pk]),
        reverse("assessment:unit_result", args=[run.pk, a.code]),
        reverse("assessment:combination_detail", args=["y2026"]),
        reverse("assessment:scheme_detail", args=[f["scheme"].code]),
    ]


def _api(f):
    run, period, a = f["run"], f["period"], f["a"]
    return [
        f"/api/assessment/periods/{period.pk}/units/{a.code}/rows",
        f"/api/assessment/periods/{period.pk}/review/{f['submission'].indicator.code}",
        f"/api/assessment/schemes/{f['scheme'].code}",
        f"/api/results/runs/{run.pk}",
        f"/api/results/runs/{run.pk}/ranking",
        f"/api/results/runs/{run.pk}/results/{a.code}",
        f"/api/results/runs/{run.pk}/sensitivity",
        f"/api/results/runs/{run.pk}/appeals",
        "/api/results/combinations/y2026",
        f"/api/periods/{period.pk}/progress",
    ]


def test_every_data_page_and_endpoint_refuses_the_sysadmin(client_for, filled):
    admin = client_for(filled["sysadmin"])
    office = client_for(filled["office"])
    for url in _pages(filled) + _api(filled):
        # Each URL really serves the data (to the office), so a refusal below means something.
        assert office.get(url).status_code == 200, url
        response = admin.get(url)
        assert response.status_code in REFUSED, (url, response.status_code)
        text = response.content.decode(errors="replace")
        assert "靖宇街道" not in text and "%PDF" not in text, url


def test_lists_show_the_sysadmin_nothing(client_for, filled):
    admin = client_for(filled["sysadmin"])
    for url in ("/api/results/runs", "/api/results/combinations", "/api/assessment/schemes"):
        response = admin.get(url)
        assert response.status_code in REFUSED or response.json()["items"] == [], url
    index = admin.get(reverse("assessment:combination_index"))
    assert index.status_code in REFUSED or "y2026" not in index.content.decode()
    runs = admin.get(reverse("assessment:run_index"))
    assert runs.status_code in REFUSED or f"/runs/{filled['run'].pk}/" not in runs.content.decode()


def test_the_sysadmin_keeps_the_unit_directory(client_for, filled):
    admin = client_for(filled["sysadmin"])
    assert "南岗区" in admin.get(reverse("org:unit_list")).content.decode()
    assert admin.get(reverse("org:unit_detail", args=["jingyu"])).status_code == 200
    assert "nangang" in {u["code"] for u in admin.get("/api/org/units?size=200").json()["items"]}
