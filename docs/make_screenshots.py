"""Take the screenshots used in docs/ from a running demo (`make demo`), with Chromium.

    .venv/bin/python docs/make_screenshots.py [http://127.0.0.1:8000] [name-prefix]

With a prefix (e.g. `projects-`) only the shots whose file name starts with it are taken.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
ONLY = sys.argv[2] if len(sys.argv) > 2 else ""
OUT = Path(__file__).parent / "img"
PASSWORD = "Duibiao@2026"
# (file name, account, path, viewport width)
SHOTS = [
    ("login.png", None, "/login/", 1280),
    ("home-reporter.png", "jingyu_tb", "/", 1280),
    ("home-office.png", "khb", "/", 1280),
    ("units-office.png", "khb", "/org/units/?category=street", 1280),
    ("home-reporter-phone.png", "jingyu_tb", "/", 390),
    ("report-unit.png", "renli_tb", "/assessment/report/", 1280),
    ("report-returned.png", "binjiang_tb", "/assessment/report/", 1280),
    ("review-home.png", "zb1", "/assessment/periods/2/review/", 1280),
    ("review-indicator.png", "zb1", "/assessment/periods/2/review/nl02/", 1280),
    ("evidence-viewer.png", "zb1", "/assessment/evidence/1/view/", 1280),
    ("scheme-detail.png", "khb", "/assessment/schemes/daowai-2023/", 1280),
    ("scheme-edit.png", "khb", "/assessment/schemes/daowai-2023/edit/", 1280),
    ("ranking.png", "leader", "/assessment/runs/1/?category=街道乡镇", 1280),
    ("unit-result.png", "khb", "/assessment/runs/1/units/jingyu/", 1280),
    ("sensitivity.png", "khb", "/assessment/runs/1/sensitivity/", 1280),
    ("cadre-annual.png", "khb", "/org/cadres/jingyu/annual/", 1280),
    ("cadre-routine-head.png", "jingyu_fzr", "/org/cadres/jingyu/routine/", 1280),
    ("cadre-lists.png", "khb", "/org/cadres/lists/?kind=selection", 1280),
    ("projects-rates.png", "khb", "/projects/rates/?by=type&unit=jingyu", 1280),
    ("projects-portfolio.png", "leader", "/projects/", 1280),
    ("projects-workspace-phone.png", "mishu", "/projects/mine/", 390),
    ("inspections-daily.png", "khb", "/inspections/daily/", 1280),
    ("inspections-rates.png", "leader", "/inspections/rates/?by=unit", 1280),
    ("inspections-enterprise.png", "duchao", "/inspections/enterprises/1/", 1280),
    ("inspections-work.png", "jingyu_tb", "/inspections/work/", 1280),
    ("inspections-workspace.png", "duchao", "/inspections/", 1280),
    ("inspections-record-phone.png", "duchao", "/inspections/campaigns/1/record/", 390),
    ("inspections-finding.png", "duchao", "/inspections/findings/10/", 1280),
    ("inspections-rectify-phone.png", "jingyu_tb", "/inspections/rectify/", 390),
    ("cockpit.png", "leader", "/", 1366),  # the leader's home is the cockpit
    ("cockpit-screen.png", "leader", "/cockpit/screen/", 1920),
    # The auditor signs in with a second factor: take it with DUIBIAO_ADMIN_2FA=false on the demo.
    ("audit-log.png", "auditor", "/audit/?action=submission", 1280),
    ("audit-row.png", "auditor", "/audit/1923/", 1280),  # a cadre grade set: before / after
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for name, account, path, width in SHOTS:
            if not name.startswith(ONLY):
                continue
            context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
            page = context.new_page()
            if account:
                page.goto(f"{BASE}/login/")
                page.get_by_label("用户名").fill(account)
                page.get_by_label("密码").fill(PASSWORD)
                page.get_by_role("button", name="登录").click()
                page.wait_for_url(f"{BASE}/")
            page.goto(f"{BASE}{path}")
            if page.locator("[data-pdf-viewer]").count():  # pdf.js draws after the page loads
                page.locator("[data-pdf-viewer][data-state=rendered]").wait_for()
            if page.locator("[data-cockpit-chart]").count():  # the cockpit draws without animation
                page.locator("[data-cockpit-chart] svg").first.wait_for()
            if page.locator("[data-projects-chart]").count():  # ECharts draws, then animates
                page.locator("[data-projects-chart][data-drawn]").first.wait_for()
                page.wait_for_timeout(1200)
            page.screenshot(path=OUT / name, full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
