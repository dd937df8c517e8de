"""任务 over the API: the jobs the 任务 page lists, an export started as the page starts it
(the same plan, the same worker function), its state and its file — its owner's alone, and a
token call's job the token's alone — and the attacks: another unit's data, another user's or
another token's job, a job without the period it needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from duibiao.accounts.roles import Role
from duibiao.accounts.services import role_grant, user_create
from duibiao.accounts.tokens import token_create
from duibiao.assessment.services.runs import run_start
from duibiao.audit.models import AuditEntry
from duibiao.documents.models import ExportJob
from duibiao.files.uploads import XLSX
from tests.conftest import PASSWORD
from tests.documents.conftest import open_xlsx

RESULTS = ["assessment.scheme.view", "assessment.result.view", "assessment.run.view_all", "assessment.report.view"]


@pytest.fixture
def run(approved):
    return run_start(actor=approved["office"], period=approved["period"], note="试算")


def _token(user, actions: list[str], units: list[str]) -> tuple[object, Client]:
    from duibiao.accounts import gate

    held = [a for a in actions if a in gate.actions(user)]
    token, secret = token_create(actor=user, name="对接", actions=held, units=units,
                                 expires_on=timezone.localdate() + timedelta(days=30))
    return token, Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _start(client: Client, **body) -> object:
    return client.post("/api/documents/exports", body, content_type="application/json")


def test_the_office_starts_an_export_follows_it_and_downloads_the_file(approved, run, client_for):
    office = client_for(approved["office"])
    started = _start(office, kind="ranking", run=run.pk, filters={"category": "street", "bogus": "x"})
    assert started.status_code == 202, started.content
    body = started.json()
    assert body["kind"] == "ranking" and body["status"] == "done" and body["filename"].endswith(".xlsx")
    job = ExportJob.objects.get(pk=body["id"])
    assert job.params == {"run": run.pk, "query": {"category": "street"}}  # the page's filters only
    assert job.created_by == approved["office"] and job.unit == approved["district"] and job.api_token is None

    state = office.get(f"/api/documents/exports/{job.pk}").json()
    assert state["status"] == "done" and state["file"] == f"/api/documents/exports/{job.pk}/file"
    got = office.get(state["file"])
    assert got.status_code == 200 and got["Content-Type"] == XLSX
    assert got["Content-Disposition"].startswith("attachment") and got["X-Content-Type-Options"] == "nosniff"
    assert open_xlsx(b"".join(got.streaming_content)).active.max_row > 1

    listed = office.get("/api/documents/jobs?size=1").json()
    assert listed["count"] >= 2 and listed["next"]  # the export and the scoring run, paged
    everything = office.get("/api/documents/jobs?size=200").json()["items"]
    mine = next(item for item in everything if item["key"] == f"export-{job.pk}")
    assert mine["kind"] == "export" and mine["url"] == f"/api/documents/exports/{job.pk}"
    assert any(item["key"] == f"run-{run.pk}" and item["url"] == f"/api/results/runs/{run.pk}" for item in everything)


def test_another_user_of_the_same_district_gets_404_for_a_job(approved, run, client_for):
    job_id = _start(client_for(approved["office"]), kind="ranking", run=run.pk).json()["id"]
    for who in ("leader", "reporter_a", "head_a", "taskforce", "auditor"):
        client = client_for(approved[who])
        for url in (f"/api/documents/exports/{job_id}", f"/api/documents/exports/{job_id}/file"):
            refused = client.get(url)
            assert refused.status_code == 404 and refused.json() == {
                "code": "not_found", "detail": "未找到", "errors": {}}, (who, url)
    assert Client().get(f"/api/documents/exports/{job_id}").status_code == 401


def test_a_tokens_job_is_the_tokens_and_its_owners(approved, run, client_for):
    office = approved["office"]
    token, client = _token(office, RESULTS, [])
    started = _start(client, kind="ranking", run=run.pk)
    assert started.status_code == 202, started.content
    job = ExportJob.objects.get(pk=started.json()["id"])
    assert job.api_token == token and job.status == ExportJob.Status.DONE
    queued = AuditEntry.objects.get(action="documents.export_queue", object_id=str(job.pk))
    assert queued.api_token_key == token.key_id  # as every token call's row

    assert client.get(f"/api/documents/exports/{job.pk}/file").status_code == 200
    # Its exports and imports are those it queued; the runs it reads through the gate, as ever.
    keys = [i["key"] for i in client.get("/api/documents/jobs").json()["items"]]
    assert [k for k in keys if not k.startswith("run-")] == [f"export-{job.pk}"]
    # The owner, signed in, sees it; another token of his does not (nor the page's jobs).
    assert client_for(office).get(f"/api/documents/exports/{job.pk}").status_code == 200
    _other, second = _token(office, RESULTS, [])
    assert second.get(f"/api/documents/exports/{job.pk}").status_code == 404
    assert second.get(f"/api/documents/exports/{job.pk}/file").status_code == 404
    page_job = _start(client_for(office), kind="ranking", run=run.pk).json()["id"]
    assert client.get(f"/api/documents/exports/{page_job}").status_code == 404
    assert f"export-{page_job}" not in {i["key"] for i in client.get("/api/documents/jobs").json()["items"]}


def test_a_token_held_to_one_district_cannot_export_anothers_data(approved, run, client_for):
    # An office over the whole city, whose token is held to 南岗区: 道外区's run is out of reach.
    city_office = user_create(actor=None, username="khb_city", password=PASSWORD)
    role_grant(actor=None, user=city_office, role=Role.OFFICE, units=[approved["city"]])
    _t, client = _token(city_office, RESULTS, ["nangang"])
    for body in ({"kind": "ranking", "run": run.pk}, {"kind": "progress", "period": approved["period"].pk},
                 {"kind": "reporting_template", "period": approved["period"].pk}):
        refused = _start(client, **body)
        assert refused.status_code in (403, 404) and refused.json()["code"] in ("not_found", "forbidden"), body
    assert not ExportJob.objects.exists()
    # Signed in, without the token's limit, the same user reaches it: the refusal was the token's.
    assert _start(client_for(city_office), kind="ranking", run=run.pk).status_code == 202


def test_a_token_without_the_results_cannot_export_the_ranking(approved, run):
    _t, client = _token(approved["office"], ["org.tree.view"], [])
    refused = _start(client, kind="ranking", run=run.pk)
    assert refused.status_code in (403, 404) and refused.json()["detail"]
    assert not ExportJob.objects.exists()


def test_what_is_missing_or_unknown_is_said_beside_its_field(approved, client_for):
    office = client_for(approved["office"])
    missing = _start(office, kind="progress")
    assert missing.status_code == 422 and missing.json()["errors"] == {"period": ["请指定要导出的考核周期。"]}
    no_run = _start(office, kind="ranking", period=approved["period"].pk)
    assert no_run.status_code == 422 and set(no_run.json()["errors"]) == {"run"}
    unknown = _start(office, kind="bulletin_batch")
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid"
    assert not ExportJob.objects.exists()


def test_the_project_ledger_and_the_progress_table_are_started_too(approved, client_for):
    office = client_for(approved["office"])
    for body in ({"kind": "project_ledger"}, {"kind": "progress", "period": approved["period"].pk,
                                               "filters": {"status": "draft"}}):
        started = _start(office, **body)
        assert started.status_code == 202 and started.json()["status"] == "done", (body, started.content)


def test_a_failed_export_is_retried_once_by_its_owner(approved, run, client_for):
    office = client_for(approved["office"])
    job_id = _start(office, kind="ranking", run=run.pk).json()["id"]
    done = office.post(f"/api/documents/exports/{job_id}/retry")
    assert done.status_code == 409 and done.json()["code"] == "conflict" and "未出错" in done.json()["detail"]
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, error="后台导出出错")
    assert client_for(approved["leader"]).post(f"/api/documents/exports/{job_id}/retry").status_code == 404
    again = office.post(f"/api/documents/exports/{job_id}/retry")
    assert again.status_code == 202 and again.json()["retry_of"] == job_id and again.json()["status"] == "done"
    twice = office.post(f"/api/documents/exports/{job_id}/retry")
    assert twice.status_code == 409 and "已重试过" in twice.json()["detail"]
    assert ExportJob.objects.filter(retry_of=job_id).count() == 1
