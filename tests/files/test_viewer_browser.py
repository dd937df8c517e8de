"""The file viewer in a real browser (Chromium): the office opens a reporter's PDF evidence from
the review page; a new tab draws it with pdf.js onto a canvas (pixels of the page's colour,
the page count shown), turns pages, zooms and downloads, under the site's policy with no
violation. The raw PDF itself is a download, never handed to the browser's own PDF viewer
(which refuses files served under a sandbox policy on many Chromium versions)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from duibiao.assessment.models import Submission
from duibiao.assessment.services.submissions import evidence_attach
from tests.conftest import sign_in
from tests.files import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed before the page's own scripts (Playwright's init script; the policy does not apply).
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""

# Share of the canvas that is not white, and the colour at a point, read from its pixels.
INK = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 240 || d[i+1] < 240 || d[i+2] < 240) ink++;
  return ink / (d.length / 4); }"""
COLOUR_AT = """(c, [x, y]) => Array.from(c.getContext('2d')
  .getImageData(Math.floor(c.width * x), Math.floor(c.height * y), 1, 1).data.slice(0, 3))"""


@pytest.fixture
def evidence(assessed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    submission = Submission.objects.create(period=assessed["period"], unit=assessed["a"],
                                           indicator=assessed["ind"]["nl02"], value=90)
    pdf = evidence_attach(actor=assessed["reporter_a"], submission=submission,
                          upload=SimpleUploadedFile("整改报告.pdf", samples.pdf_pages(3)))
    png = evidence_attach(actor=assessed["reporter_a"], submission=submission,
                          upload=SimpleUploadedFile("现场照片.png", samples.image("PNG", (120, 80))))
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    return {**assessed, "pdf": pdf, "png": png}


def office_page(browser, base):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    context.add_init_script(WATCH)
    page = context.new_page()
    return sign_in(page, base, "khb")


def dominant(rgb: list[int]) -> int:
    return max(range(3), key=lambda i: rgb[i])


def wait_drawn(viewer, page_number: int):
    viewer.locator(f"[data-pdf-viewer][data-state=rendered][data-rendered-page='{page_number}']").wait_for()


def test_the_office_opens_pdf_evidence_in_the_viewer(browser, live_server, evidence):
    base = live_server.url
    office = office_page(browser, base)
    requests: list[tuple[str, int]] = []
    office.context.on("response", lambda r: requests.append((r.url, r.status)))
    office.goto(f"{base}/assessment/periods/{evidence['period'].pk}/review/nl02/")
    row = office.get_by_test_id("sub-jingyu")
    with office.context.expect_page() as opened:
        row.get_by_role("link", name="整改报告.pdf").click()  # target=_blank: a new tab
    viewer = opened.value
    assert viewer.url == base + reverse("assessment:evidence_view", args=[evidence["pdf"].pk])
    console: list[str] = []
    viewer.on("console", lambda m: m.type == "error" and console.append(m.text))
    wait_drawn(viewer, 1)

    expect(viewer.get_by_test_id("page-count")).to_have_text("3")
    expect(viewer.get_by_test_id("page-number")).to_have_text("1")
    canvas = viewer.get_by_test_id("pdf-canvas")
    assert canvas.evaluate(INK) > 0.25  # the page's rectangle and text, not a blank canvas
    assert dominant(canvas.evaluate(COLOUR_AT, [0.5, 0.5])) == 0  # page 1 is red
    assert viewer.get_by_role("button", name="上一页").is_disabled()
    viewer.screenshot(path="/tmp/viewer_pdf_page1.png")

    viewer.get_by_role("button", name="下一页").click()
    wait_drawn(viewer, 2)
    expect(viewer.get_by_test_id("page-number")).to_have_text("2")
    assert dominant(canvas.evaluate(COLOUR_AT, [0.5, 0.5])) == 1  # green
    viewer.keyboard.press("ArrowRight")
    wait_drawn(viewer, 3)
    assert dominant(canvas.evaluate(COLOUR_AT, [0.5, 0.5])) == 2  # blue
    assert viewer.get_by_role("button", name="下一页").is_disabled()

    width = canvas.bounding_box()["width"]
    zoom = viewer.get_by_test_id("zoom").inner_text()
    viewer.get_by_role("button", name="放大").click()
    # Locator assertions, not wait_for_function: the page's policy forbids the eval a string
    # predicate needs, and a check that passed at once would hide that until it had to poll.
    expect(viewer.get_by_test_id("zoom")).not_to_have_text(zoom)
    wait_drawn(viewer, 3)
    assert canvas.bounding_box()["width"] == pytest.approx(width * 1.25, abs=2)
    viewer.get_by_role("button", name="适合宽度").click()
    expect(viewer.get_by_test_id("zoom")).to_have_text(zoom)

    # The download button saves the PDF itself, named as stored.
    with viewer.expect_download() as download:
        viewer.get_by_test_id("viewer-download").click()
    assert download.value.suggested_filename == "整改报告.pdf"
    assert download.value.path().read_bytes() == samples.pdf_pages(3)

    # pdf.js found the Chinese character map and the standard font it needed, from our static
    # files; nothing was refused by the policy and nothing failed.
    fetched = {url.rsplit("/", 1)[-1]: status for url, status in requests}
    assert fetched.get("UniGB-UCS2-H.bcmap") == 200, sorted(fetched)
    assert fetched.get("pdf.worker.min.mjs") == 200
    assert viewer.evaluate("window.__csp") == []
    assert not console, console
    office.context.close()


def test_an_image_is_shown_in_the_viewer(browser, live_server, evidence):
    base = live_server.url
    office = office_page(browser, base)
    office.goto(base + reverse("assessment:evidence_view", args=[evidence["png"].pk]))
    image = office.get_by_test_id("viewer-image")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [120, 80]
    assert office.get_by_test_id("viewer-error").is_hidden()
    assert office.evaluate("window.__csp") == []
    office.context.close()


def test_a_file_that_cannot_be_read_is_explained_in_the_viewer(browser, live_server, evidence):
    """The file went away (deleted by its unit, or the session lost its right to it) while the
    viewer was open: the reason is shown in Chinese where the document would be."""
    base = live_server.url
    office = office_page(browser, base)
    raw = base + reverse("assessment:evidence_download", args=[evidence["pdf"].pk])
    office.route(raw, lambda route: route.fulfill(status=404, body="Not Found"))
    office.goto(base + reverse("assessment:evidence_view", args=[evidence["pdf"].pk]))
    error = office.get_by_test_id("viewer-error")
    expect(error).to_contain_text("读取文件失败")
    assert office.get_by_test_id("pdf-canvas").is_hidden()
    office.context.close()


def test_a_damaged_pdf_is_explained_in_the_viewer(browser, live_server, evidence):
    base = live_server.url
    office = office_page(browser, base)
    raw = base + reverse("assessment:evidence_download", args=[evidence["pdf"].pk])
    office.route(raw, lambda route: route.fulfill(status=200, content_type="application/pdf",
                                                  body=b"%PDF-1.4\n" + b"\x00garbage" * 50))
    office.goto(base + reverse("assessment:evidence_view", args=[evidence["pdf"].pk]))
    error = office.get_by_test_id("viewer-error")
    expect(error).to_contain_text("无法显示这个 PDF")
    expect(error).to_contain_text("请下载后查看")
    office.context.close()


def test_the_raw_pdf_is_a_download_not_the_browsers_viewer(browser, live_server, evidence):
    """Opened directly (an old bookmark), the raw link downloads the file: Chromium's own PDF
    viewer is never asked to show a file under the sandbox policy."""
    base = live_server.url
    office = office_page(browser, base)
    raw = base + reverse("assessment:evidence_download", args=[evidence["pdf"].pk])
    with office.expect_download() as download:
        try:
            office.goto(raw)
        except PlaywrightError as error:  # Playwright reports a navigation that became a download
            assert "Download is starting" in str(error)
    assert download.value.suggested_filename == "整改报告.pdf"
    office.context.close()
