"""The Content-Security-Policy holds on every main page (security review, hole 1): a crawl
as the office, a reporter and the system administrator meets no violation while charts,
htmx rows and the admin site work; a script injected into a page is refused."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from duibiao.assessment.models import Evidence, Submission
from duibiao.assessment.services.runs import run_release, run_start
from tests.conftest import sign_in
from tests.files import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every page before its own scripts (Playwright injects it; CSP does not apply).
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def watched_page(browser, base, username):
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return sign_in(page, base, username)


def visit(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp") + [
        m for m in page.console_errors if "Content Security Policy" in m or "Refused to" in m]
    page.console_errors.clear()
    return [f"{url}: {v}" for v in violations]


@pytest.fixture
def released(approved):
    run = run_start(actor=approved["office"], period=approved["period"], note="试算")
    run_release(actor=approved["office"], run=run)
    return run


def evidence_of(submission, name: str, content_type: str, data: bytes) -> Evidence:
    evidence = Evidence(submission=submission, original_name=name, content_type=content_type, size=len(data),
                        sha256="0" * 64)
    evidence.file.save(name, ContentFile(data), save=True)
    return evidence


def test_main_pages_have_no_csp_violation(browser, live_server, approved, released, settings, tmp_path):
    settings.DUIBIAO_ADMIN_2FA = False  # the crawl is about the policy, not the second factor
    settings.MEDIA_ROOT = tmp_path
    submission = Submission.objects.get(unit=approved["a"], indicator__code="nl02")
    pdf = evidence_of(submission, "整改报告.pdf", "application/pdf", samples.pdf_pages(2))
    png = evidence_of(submission, "现场照片.png", "image/png", samples.image("PNG"))
    base, pid, rid = live_server.url, approved["period"].pk, released.pk
    problems: list[str] = []

    office = watched_page(browser, base, "khb")
    for path in ("/", "/assessment/report/", f"/assessment/periods/{pid}/report/jingyu/",
                 "/assessment/review/", f"/assessment/periods/{pid}/review/nl02/",
                 f"/assessment/periods/{pid}/progress/", "/assessment/periods/", "/assessment/runs/",
                 f"/assessment/runs/{rid}/", f"/assessment/runs/{rid}/appeals/",
                 "/assessment/schemes/daowai-2023/", "/assessment/schemes/daowai-2023/indicators/nl02/",
                 "/assessment/schemes/daowai-2023/dimensions/", "/documents/", "/org/units/"):
        problems += visit(office, base + path)
    problems += visit(office, f"{base}/assessment/runs/{rid}/units/jingyu/")
    # The charts really drew (ECharts' SVG) under the policy (assertions that wait for the drawing).
    expect(office.locator("[data-radar] svg")).to_have_count(1)
    expect(office.locator("[data-trend] svg")).to_have_count(1)
    problems += visit(office, f"{base}/assessment/runs/{rid}/")
    expect(office.locator("[data-chart] svg").first).to_be_attached()
    # The file viewer: pdf.js (its module, worker, character maps and fonts) draws under the policy.
    problems += visit(office, f"{base}/assessment/evidence/{pdf.pk}/view/")
    office.locator("[data-pdf-viewer][data-state=rendered]").wait_for()
    office.get_by_role("button", name="下一页").click()
    office.locator("[data-pdf-viewer][data-state=rendered][data-rendered-page='2']").wait_for()
    problems += [f"viewer: {v}" for v in office.evaluate("window.__csp") + office.console_errors]
    problems += visit(office, f"{base}/assessment/evidence/{png.pk}/view/")

    reporter = watched_page(browser, base, "tb_a")
    for path in ("/", "/assessment/report/", f"/assessment/runs/{rid}/units/jingyu/"):
        problems += visit(reporter, base + path)
    # htmx swaps rows in without eval, inline styles or inline scripts.
    Submission.objects.filter(unit=approved["a"], indicator__code="nl02").update(status="draft")
    reporter.goto(f"{base}/assessment/report/")
    row = reporter.get_by_test_id("row-nl02")
    row.locator("input[name=value]").fill("96")
    row.locator("input[name=value]").press("Tab")  # saved on leaving the field
    reporter.get_by_test_id("row-nl02").get_by_test_id("row-saved").wait_for()
    problems += [f"htmx: {v}" for v in reporter.evaluate("window.__csp")]

    admin = watched_page(browser, base, "admin")
    problems += visit(admin, f"{base}/admin/")
    links = admin.eval_on_selector_all("#content-main a[href^='/admin/']", "els => els.map(e => e.getAttribute('href'))")
    assert links, "the admin index lists no model"
    for href in dict.fromkeys(links[:8]):
        problems += visit(admin, base + href)

    assert not problems, "\n".join(problems)
    for page in (office, reporter, admin):
        page.context.close()


def test_an_injected_inline_script_is_refused(browser, live_server, world):
    """What a stored XSS would need: markup that runs. The page's own policy refuses it."""
    base = live_server.url
    page = watched_page(browser, base, "khb")

    def inject(route):
        response = route.fetch()
        html = response.text().replace(
            "</main>", "<script>document.title = 'pwned'</script>"
                       "<img src='/static/web/site.css' onerror=\"document.title = 'pwned2'\">"
                       "<p style='display:none' id='styled'>x</p></main>")
        route.fulfill(response=response, body=html)

    page.route(f"{base}/", inject)
    page.goto(f"{base}/")
    page.wait_for_load_state("networkidle")
    assert "pwned" not in page.title()
    violations = page.evaluate("window.__csp")
    assert any(v.startswith("script-src") for v in violations), violations
    assert any(v.startswith("style-src") for v in violations), violations  # style="" too
    assert page.locator("#styled").is_visible()  # the refused style did not apply
    # A script added later by code (e.g. through a DOM injection) is refused the same way.
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.__ran = true'; document.body.appendChild(s); }""")
    assert page.evaluate("window.__ran === undefined")
    page.context.close()
