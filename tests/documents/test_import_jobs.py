"""Large imports off the request thread (security review item 5): a file of at least
DUIBIAO_IMPORT_BACKGROUND_KB is checked, stored as an import job and imported by the task
worker through the same services as a small one; the job page polls until it is done. Here
tasks run at commit (immediate backend); tests/test_worker.py runs the real worker."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from duibiao.assessment.models import SchemeVersion, Submission
from duibiao.audit.models import AuditEntry
from duibiao.documents import exports, services
from duibiao.documents.import_jobs import import_job_run
from duibiao.documents.models import ImportJob
from duibiao.documents.tasks import import_workbook
from tests.documents.conftest import open_xlsx, padded, row_of, to_bytes, upload

VALUE = 6
POLL = {"HTTP_X_DUIBIAO_POLL": "1", "HTTP_HX_REQUEST": "true"}


def template_of_a(excel, edit) -> Workbook:
    wb = open_xlsx(exports.reporting_template(user=excel["reporter_a"], period=excel["period"],
                                                unit=excel["a"])[1])
    edit(wb.active)
    return wb


def good(ws):
    ws.cell(row_of(ws, "nl02"), VALUE).value = 95
    ws.cell(row_of(ws, "nl03"), VALUE).value = "88.5"


def bad(ws):
    ws.cell(row_of(ws, "nl02"), VALUE).value = "九十五"
    ws.cell(row_of(ws, "nl03"), VALUE).value = 91
    ws.cell(row_of(ws, "nl04"), 1).value = "zz99"


def state() -> list:
    return list(Submission.objects.order_by("pk").values_list("unit__code", "indicator__code", "value",
                                                              "status", "version"))


def stored_files() -> set[str]:
    return set(default_storage.listdir("imports")[1]) if default_storage.exists("imports") else set()


def synchronous_report(excel, data: bytes) -> dict:
    """What the same file reports when imported in the request (then rolled back)."""
    with transaction.atomic():
        report = services.reporting_workbook_import(actor=excel["reporter_a"], period=excel["period"],
                                                    upload=upload(data), unit=excel["a"])
        transaction.set_rollback(True)
    return report.as_dict()


def post_template(client, excel, data: bytes):
    return client.post(reverse("documents:unit_template_import", args=[excel["period"].pk, "jingyu"]),
                       {"file": upload(data)})


@pytest.fixture
def queue_only(settings):
    """Tasks recorded, never run: a job stays queued as when no worker is there."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_a_large_import_goes_through_a_job_with_the_same_report(client_for, excel):
    data = padded(template_of_a(excel, good))
    expected = synchronous_report(excel, data)
    assert expected["saved"] and expected["counts"] == {"靖宇街道": 2} and not Submission.objects.exists()
    files = stored_files()

    response = post_template(client_for(excel["reporter_a"]), excel, data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("documents:import_job", args=[job.pk])
    assert job.status == ImportJob.Status.DONE and job.report == expected
    assert job.kind == "reporting" and job.unit == excel["a"] and job.size == len(data)
    assert {s.indicator.code: s.value for s in Submission.objects.all()} == {"nl02": 95, "nl03": 88.5}
    assert not job.file and stored_files() == files  # the file is gone once it was read
    actions = AuditEntry.objects.filter(action__startswith="documents.").order_by("pk")
    assert list(actions.values_list("action", "success")) == [
        ("documents.import_queue", True), ("documents.reporting_import", True)]

    page = client_for(excel["reporter_a"]).get(response.url).content.decode()
    assert "已导入 填报.xlsx：1 个单位共 2 项数据保存为草稿" in page and "靖宇街道：2 项" in page
    assert 'hx-trigger="every' not in page  # done: nothing polls
    index = client_for(excel["reporter_a"]).get(reverse("documents:index")).content.decode()
    assert response.url in index  # reachable again from the Excel page


def test_a_small_import_stays_in_the_request(client_for, excel):
    response = post_template(client_for(excel["reporter_a"]), excel, to_bytes(template_of_a(excel, good)))
    assert response.status_code == 302 and response.url == reverse("documents:period", args=[excel["period"].pk])
    assert not ImportJob.objects.exists() and Submission.objects.count() == 2


def test_a_bad_large_file_reports_rows_and_changes_nothing(client_for, excel):
    data = padded(template_of_a(excel, bad))
    expected = synchronous_report(excel, data)
    before = state()
    response = post_template(client_for(excel["reporter_a"]), excel, data)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.report == expected and not job.report["saved"]
    where = {(p["sheet"], p["row"], p["column"]) for p in job.report["problems"]}
    ws = template_of_a(excel, bad).active
    assert where == {("靖宇街道", row_of(ws, "zz99"), "A"), ("靖宇街道", row_of(ws, "nl02"), "F")}
    assert state() == before  # nl03's good value was not saved either
    assert AuditEntry.objects.filter(action="documents.reporting_import", success=False).count() == 1

    page = client_for(excel["reporter_a"]).get(response.url).content.decode()
    assert 'data-testid="import-report"' in page and "未知的指标代码“zz99”" in page
    assert f"<td>{row_of(ws, 'nl02')}</td>" in page and "F（填报值）" in page


def test_a_file_refused_by_its_check_is_never_stored(client_for, excel):
    files = stored_files()
    response = post_template(client_for(excel["reporter_a"]), excel, secrets.token_bytes(300 * 1024))
    assert response.status_code == 400 and "文件不是 Excel 工作簿（.xlsx）" in response.content.decode()
    assert not ImportJob.objects.exists() and stored_files() == files
    assert AuditEntry.objects.filter(action="documents.reporting_import", success=False).exists()


def test_another_user_cannot_see_the_job(client, client_for, excel, queue_only):
    post_template(client_for(excel["reporter_a"]), excel, padded(template_of_a(excel, good)))
    job = ImportJob.objects.get()
    urls = [reverse("documents:import_job", args=[job.pk]), reverse("documents:import_job_progress", args=[job.pk])]
    for url in urls:
        assert client_for(excel["reporter_a"]).get(url).status_code == 200
        assert client_for(excel["reporter_b"]).get(url).status_code == 404  # another unit
        assert client_for(excel["office"]).get(url).status_code == 404  # not the uploader either
        assert client.get(url).status_code == 302  # to the login page
    index = client_for(excel["reporter_b"]).get(reverse("documents:index")).content.decode()
    assert urls[0] not in index


def test_only_those_who_may_import_can_queue_a_job(client_for, excel):
    data = padded(template_of_a(excel, good))
    url = reverse("documents:unit_template_import", args=[excel["period"].pk, "jingyu"])
    assert client_for(excel["reporter_b"]).post(url, {"file": upload(data)}).status_code == 404
    assert client_for(excel["head_a"]).post(url, {"file": upload(data)}).status_code == 404
    assert client_for(excel["leader"]).post(
        reverse("documents:template_import", args=[excel["period"].pk]), {"file": upload(data)}).status_code == 403
    assert not ImportJob.objects.exists() and not Submission.objects.exists()


def test_the_poll_stops_when_done_and_keeps_no_session_alive(client_for, excel, queue_only):
    client = client_for(excel["reporter_a"])
    post_template(client, excel, padded(template_of_a(excel, good)))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED and job.file
    progress = reverse("documents:import_job_progress", args=[job.pk])
    client.get(reverse("web:home"))
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=2)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    for _ in range(3):
        body = client.get(progress, **POLL).content.decode()
        assert 'hx-trigger="every 1s"' in body and 'X-Duibiao-Poll' in body and "排队等待后台处理" in body
    assert Session.objects.get(session_key=key).expire_date == soon  # polls are not activity

    import_job_run(job.pk)  # the worker takes it
    done = client.get(progress, **POLL)
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()
    assert "已导入" in done.content.decode() and Submission.objects.count() == 2


def test_a_job_whose_worker_died_fails_and_imports_nothing(client_for, excel, queue_only, settings):
    settings.DUIBIAO_IMPORT_TIMEOUT_SECONDS = 600
    client = client_for(excel["reporter_a"])
    post_template(client, excel, padded(template_of_a(excel, good)))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert "排队等待后台处理" in client.get(reverse("documents:import_job", args=[job.pk])).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    page = client.get(reverse("documents:import_job", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "导入超时" in job.error and not job.file
    assert 'data-testid="import-job-error"' in page and "导入超时" in page
    assert AuditEntry.objects.filter(action="documents.import_timeout").count() == 1
    import_job_run(job.pk)  # the dead worker's task, taken up later, does not revive it
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and not Submission.objects.exists()


def test_a_job_that_breaks_is_failed_with_its_reason(client_for, excel, queue_only):
    client = client_for(excel["reporter_a"])
    post_template(client, excel, padded(template_of_a(excel, good)))
    job = ImportJob.objects.get()
    default_storage.delete(job.file.name)  # the shared storage lost the file
    with pytest.raises(FileNotFoundError):
        import_workbook.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "FileNotFoundError" in job.error
    page = client.get(reverse("documents:import_job", args=[job.pk])).content.decode()
    assert "后台导入出错" in page and not Submission.objects.exists()


def test_a_large_scheme_workbook_is_imported_by_a_job(client_for, excel):
    wb = open_xlsx(exports.scheme_workbook(user=excel["office"], scheme=excel["scheme"])[1])
    ws = wb.active
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 8).value == "nl07")
    ws.cell(row, 3).value = "机关效能建设（含作风）"
    client = client_for(excel["office"])
    response = client.post(reverse("documents:scheme_import", args=[excel["scheme"].pk]),
                           {"file": upload(padded(wb), "细则-修订.xlsx")})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("documents:import_job", args=[job.pk])
    assert job.status == ImportJob.Status.DONE and job.saved_version == 2
    assert job.report["counts"] == {"更新": 1, "新增": 0, "删除": 0}
    version = SchemeVersion.objects.get(scheme=excel["scheme"], number=2)
    assert version.indicators.get(code="nl07").name == "机关效能建设（含作风）"
    page = client.get(response.url).content.decode()
    assert "已导入 细则-修订.xlsx，保存为第 2 版（更新 1 项，新增 0 项，删除 0 项）" in page
    # Another district's office may not even queue one.
    assert client_for(excel["reporter_a"]).post(
        reverse("documents:scheme_import", args=[excel["scheme"].pk]),
        {"file": upload(padded(wb))}).status_code in (403, 404)
    assert ImportJob.objects.count() == 1


def test_the_api_answers_202_with_the_job_and_then_its_report(client, client_for, excel):
    data = padded(template_of_a(excel, good))
    expected = synchronous_report(excel, data)
    reporter = client_for(excel["reporter_a"])
    url = f"/api/documents/periods/{excel['period'].pk}/template?unit=jingyu"
    response = reporter.post(url, {"file": upload(data)})
    assert response.status_code == 202
    job = response.json()
    assert job["page"] == reverse("documents:import_job", args=[job["id"]]) and job["size"] == len(data)
    answer = reporter.get(f"/api/documents/imports/{job['id']}")
    assert answer.status_code == 200 and answer.json()["status"] == "done"
    assert answer.json()["report"] == {**expected, "version": None}
    assert Submission.objects.count() == 2
    assert client_for(excel["reporter_b"]).get(f"/api/documents/imports/{job['id']}").status_code == 404
    assert client_for(excel["office"]).get(f"/api/documents/imports/{job['id']}").status_code == 404
    assert client.get(f"/api/documents/imports/{job['id']}").status_code == 401
    # A file refused before it is stored answers 400 with the reason, as a small one would.
    refused = reporter.post(url, {"file": upload(secrets.token_bytes(300 * 1024))})
    assert refused.status_code == 400 and refused.json()["problems"][0]["reason"] == "文件不是 Excel 工作簿（.xlsx）"
    assert ImportJob.objects.count() == 1
