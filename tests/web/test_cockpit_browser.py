"""领导驾驶舱 in Chromium: at 1366×768 and at 1920×1080 (大屏) the charts draw under the
Content-Security-Policy with no violation and nothing wider than the window; the print
stylesheet prints A4 landscape pages without the menu; the 大屏 fetches its data again on its timer without reloading.

DUIBIAO_SCREENSHOTS=1 also writes docs/img/cockpit.png and docs/img/cockpit-screen.png
(see docs/cockpit.md)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import sign_in, skip_or_fail
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)
from tests.web.test_cockpit import district  # noqa: F401  (fixture)
from tests.web.test_csp_browser import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("DUIBIAO_SCREENSHOTS", "") == "1"
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _page(browser, base: str, width: int, height: int):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    context.add_init_script(WATCH)
    page = context.new_page()
    page.errors = []
    # A failed load is reported by its response below, with its address (the browser's own
    # /favicon.ico request is not ours).
    page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
            and page.errors.append(m.text))
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
            and page.errors.append(f"{r.status} {r.url}"))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return sign_in(page, base, "leader")


def _clean(page) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == [] and page.errors == []
    wide = page.evaluate("""(w) => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > w + 0.5)
        .map((e) => e.tagName + '.' + e.className).slice(0, 5)""", page.viewport_size["width"])
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], wide


def test_the_cockpit_and_the_large_screen_draw_within_the_window(browser, live_server, district, tmp_path):  # noqa: F811
    base = live_server.url
    page = _page(browser, base, 1366, 768)
    # The leader's home is the cockpit.
    assert page.locator("h1").first.inner_text().startswith("领导驾驶舱")
    page.goto(f"{base}/cockpit/?as_of={D.isoformat()}")
    # Charts and figures are drawn by a script once the page has loaded: assertions that wait.
    for chart in ("trend", "progress", "disposal"):
        expect(page.locator(f"[data-cockpit-chart={chart}] svg"), chart).to_have_count(1)
    expect(page.get_by_test_id("disposal-rate")).to_have_text("57.14")
    expect(page.get_by_test_id("watermark").first).to_have_text(re.compile(r"^leader"))
    _clean(page)
    if SHOTS:
        page.screenshot(path=IMG / "cockpit.png", full_page=True)
    # Printed: no menu; A4 landscape pages (the print stylesheet's @page), two at most, with
    # the figures and the printer's name on them and no button.
    page.emulate_media(media="print")
    assert not page.locator("nav.db-navbar").is_visible() and not page.get_by_test_id("screen-link").is_visible()
    pdf = tmp_path / "cockpit.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    if not shutil.which("pdfinfo"):
        skip_or_fail("pdfinfo (poppler-utils) is not installed")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    assert 1 <= int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 2
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "领导驾驶舱" in text and "57.14" in text and "打印" in text and "大屏模式" not in text

    # The 大屏, reached by its button; its data comes again on the timer, the page stays.
    screen = _page(browser, base, 1920, 1080)
    screen.clock.install()
    screen.goto(f"{base}/cockpit/?as_of={D.isoformat()}")
    screen.get_by_test_id("screen-link").click()
    # The cockpit has a disposal chart too: wait for the 大屏 itself, loaded, before looking.
    screen.wait_for_url(f"{base}/cockpit/screen/?as_of={D.isoformat()}")
    screen.wait_for_selector("[data-cockpit-chart=disposal] svg")
    assert screen.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 21, 38)"
    assert screen.evaluate("document.documentElement.scrollHeight") <= 1080  # one screen, no scrolling
    _clean(screen)
    if SHOTS:
        screen.screenshot(path=IMG / "cockpit-screen.png")
    screen.evaluate("window.__stayed = true")
    with screen.expect_response(lambda r: "/cockpit/data.json" in r.url) as refreshed:
        screen.clock.fast_forward(61_000)
    assert refreshed.value.status == 200
    assert refreshed.value.request.headers.get("x-duibiao-poll") == "1"  # the timer is not activity
    # The refreshed data drawn: the status line says its time (a failed refresh says so instead).
    # A locator assertion, not wait_for_function: the page's policy forbids a string predicate's eval.
    status = screen.get_by_test_id("refresh-status")
    expect(status).to_have_text(f"{status.get_attribute('data-label')} {refreshed.value.json()['at']}")
    assert screen.evaluate("window.__stayed") is True  # not reloaded
    expect(screen.get_by_test_id("disposal-rate")).to_have_text("57.14")
    assert screen.evaluate("window.__csp") == [] and screen.errors == []
