"""The attack of the security review (hole 1), in a real browser: a reporter uploads appeal
evidence named 证明材料.html that starts like a PDF and carries a script which unlocks an
approved submission through the API when the office opens it. The file is refused at
upload, with the reason next to the file field; a polyglot that is a real PDF is accepted,
but it is served as an application/pdf download in a sandbox, the office's link opens it in
the viewer (pdf.js reads it as data), and its script never runs."""

from __future__ import annotations

import contextlib
import time

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from duibiao.assessment.models import Appeal, ReviewEvent, Submission
from duibiao.assessment.services.runs import run_release, run_start
from tests.conftest import signed_in_page
from tests.files import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def payload(pk: int) -> bytes:
    """What the attacker's page runs with the office's session: unlock an approved value."""
    return (
        b"<script>document.title='ran';"
        b"fetch('/api/assessment/submissions/%d/unlock',{method:'POST',credentials:'include',"
        b"headers:{'Content-Type':'application/json','X-CSRFToken':"
        b"document.cookie.replace(/.*csrftoken=([^;]+).*/,'$1')},"
        b"body:JSON.stringify({reason:'x'})})</script>" % pk
    )


def file_appeal(page, base, run_pk, name: str, data: bytes):
    page.goto(f"{base}/assessment/runs/{run_pk}/units/jingyu/")
    form = page.get_by_test_id("appeal-form")
    form.get_by_label("申诉指标").select_option("nl02")
    form.get_by_label("申诉理由").fill("整改率应为 98%，见证明材料")
    form.locator("input[type=file]").set_input_files({"name": name, "mimeType": "text/html", "buffer": data})
    with page.expect_navigation():  # a plain form: the answer is a whole page
        form.get_by_role("button", name="提交申诉").click()


def test_html_evidence_is_refused_and_a_pdf_polyglot_never_runs(browser, live_server, approved, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    target = Submission.objects.get(unit=approved["a"], indicator__code="nl02")
    assert target.status == Submission.Status.APPROVED
    run = run_start(actor=approved["office"], period=approved["period"], note="试算")
    run_release(actor=approved["office"], run=run)

    reporter = signed_in_page(browser, base, "tb_a")
    file_appeal(reporter, base, run.pk, "证明材料.html", b"%PDF-1.4\n" + payload(target.pk) + b"\n%%EOF\n")
    error = reporter.get_by_test_id("appeal-file-error")
    expect(error).to_contain_text("网页代码")
    # Next to the file field, and what was typed is still there to resubmit.
    assert error.evaluate("e => e.previousElementSibling.type") == "file"
    assert reporter.get_by_label("申诉理由").input_value() == "整改率应为 98%，见证明材料"
    assert not Appeal.objects.exists()

    # A polyglot that is a well-formed PDF passes the checks (its markup is past the first KB).
    file_appeal(reporter, base, run.pk, "证明材料.html", samples.pdf_polyglot(payload(target.pk)))
    reporter.get_by_text("申诉已提交").wait_for()
    appeal = Appeal.objects.get()
    assert appeal.evidence_type == "application/pdf"
    reporter.context.close()

    office = signed_in_page(browser, base, "khb")
    unlock_calls = []
    office.context.on("request", lambda r: "/unlock" in r.url and unlock_calls.append(r.url))
    url = f"{base}{reverse('assessment:appeal_evidence', args=[appeal.pk])}"
    headers = office.request.get(url).headers
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment;")
    assert headers["content-security-policy"].startswith("sandbox; default-src 'none'")
    assert headers["x-content-type-options"] == "nosniff"
    assert ".html.pdf" in headers["content-disposition"]

    office.goto(f"{base}/assessment/runs/{run.pk}/appeals/")
    with office.context.expect_page() as opened:  # the viewer, in a new tab
        office.get_by_role("link", name="证明材料.html").click()
    viewer = opened.value
    viewer.locator("[data-pdf-viewer][data-state=rendered]").wait_for()  # pdf.js drew the PDF part
    expect(viewer.get_by_test_id("page-count")).to_have_text("1")
    # The raw link itself, sent to the office by the attacker: a download, never a document.
    raw = viewer.context.new_page()
    with raw.expect_download() as download, contextlib.suppress(PlaywrightError):  # "Download is starting"
        raw.goto(url)
    assert download.value.suggested_filename.endswith(".html.pdf")
    time.sleep(1.5)  # room for a script that would run
    assert not unlock_calls
    assert office.title() != "ran" and viewer.title() != "ran" and raw.title() != "ran"
    target.refresh_from_db()
    assert target.status == Submission.Status.APPROVED
    assert not ReviewEvent.objects.filter(submission=target, action=ReviewEvent.Action.UNLOCK).exists()
    office.context.close()


def test_the_payload_would_run_if_served_as_a_web_page(browser, live_server, approved):
    """The control: the same bytes sent as text/html without the sandbox do run (the fetch is
    stopped here before it reaches the server), so the test above would see a regression."""
    base = live_server.url
    target = Submission.objects.get(unit=approved["a"], indicator__code="nl02")
    office = signed_in_page(browser, base, "khb")
    attempts = []

    def as_html(route):
        route.fulfill(status=200, content_type="text/html", body=samples.pdf_polyglot(payload(target.pk)))

    def stop(route):
        attempts.append(route.request.url)
        route.abort()

    office.route(f"{base}/control/evidence", as_html)
    office.route("**/unlock", stop)
    # Wait for the script's request itself rather than for a while after the title changed; and
    # a locator assertion for the title, not a string predicate (wait_for_function needs eval).
    with office.expect_request("**/unlock"):
        office.goto(f"{base}/control/evidence")
    expect(office).to_have_title("ran")
    assert attempts and attempts[0].endswith(f"/api/assessment/submissions/{target.pk}/unlock")
    target.refresh_from_db()
    assert target.status == Submission.Status.APPROVED
    office.context.close()


def test_an_upload_over_the_request_limit_is_explained(browser, live_server, approved, settings, tmp_path):
    """A file past DUIBIAO_REQUEST_MAX_MB never reaches the upload check: the 413 answer is
    shown to the reporter in a dialog rather than lost by htmx."""
    settings.MEDIA_ROOT = tmp_path
    settings.DUIBIAO_REQUEST_MAX_MB = 1
    Submission.objects.filter(unit=approved["a"], indicator__code="nl02").update(status="draft")
    reporter = signed_in_page(browser, live_server.url, "tb_a")
    reporter.goto(f"{live_server.url}/assessment/report/")
    messages = []
    reporter.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    # Wait for the dialog itself (it follows the 413 answer), not for a fixed while after it.
    with reporter.expect_event("dialog"), reporter.expect_response(lambda r: r.status == 413):
        reporter.get_by_test_id("row-nl02").locator("input[type=file]").set_input_files(
            {"name": "扫描件.pdf", "mimeType": "application/pdf", "buffer": samples.PDF + b"%" * (2 * 1024 * 1024)})
    assert messages and "提交的内容过大（上限 1 MB）" in messages[0]
    reporter.context.close()
