"""Benchmark of the 填报进度 (progress matrix) page: 60 units × 150 indicators.

Run: python bench/progress_bench.py [--requests 40] [--no-docs]
Standalone and bounded: makes a temporary SQLite database, migrates, seeds a district with
60 units (three categories), a 150-indicator scheme and an open period with a realistic mix of
statuses, then times a fixed number of requests through Django's test client (the whole
stack: middleware, session, gate, selector, template) and stops. Prints the figures and
rewrites the "## 填报进度矩阵 / Progress matrix" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date

from benchlib import (  # noqa: E402
    count_queries,
    django_site,
    machine,
    ms,
    percentile,
    record,
    timed_requests,
    write_section,
)

UNITS = {"街道乡镇": 24, "经济部门": 18, "综合部门": 18}  # 60 units
INDICATORS = 150  # reported by units (the columns); plus a few manual ones that are not
STATUS_MIX = [("empty", 0.15), ("draft", 0.10), ("submitted", 0.35), ("returned", 0.05),
              ("approved", 0.35)]


def scheme_document() -> str:
    """A 3-dimension scheme: 150 unit-reported indicators (most common to all, some per
    category, a few specific to named units) and 6 manual ones the task forces score."""
    categories = list(UNITS)
    dims = []
    j = 0
    for d, weight in enumerate((30, 30, 40)):
        leaves = []
        for k in range(INDICATORS // 3 + 2):
            code = f"i{j:03d}"
            leaf: dict = {"code": code, "name": f"指标{j + 1:03d}（第{d + 1}维度第{k + 1}项）",
                          "weight": 1 + j % 3, "kind": "percent", "taskforce": f"zb{1 + j % 4}",
                          "normalise": {"method": "target", "target": 100}}
            if k >= INDICATORS // 3:
                leaf["normalise"] = {"method": "manual", "full": 100}
            elif j % 7 == 3:
                leaf["applies_to"] = {"categories": [categories[j % 3]]}
            elif j % 29 == 5:
                leaf["applies_to"] = {"units": [f"u{(j * 7) % 60:02d}", f"u{(j * 11) % 60:02d}"]}
            leaves.append(leaf)
            j += 1
        dims.append({"code": f"D{d + 1}", "name": f"维度{d + 1}", "weight": weight, "children": leaves})
    doc = {
        "code": "bench", "name": "进度基准方案", "version": "1",
        "taskforces": [{"code": f"zb{n}", "name": f"专班{n}"} for n in range(1, 5)],
        "categories": categories,
        "tree": {"code": "total", "name": "综合得分", "children": dims},
    }
    return json.dumps(doc, ensure_ascii=False)  # JSON is YAML


def seed():
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.assessment.models import Period, Submission
    from duibiao.assessment.services.periods import period_create, period_set_status
    from duibiao.assessment.services.schemes import scheme_create
    from duibiao.org.models import Category, TaskForce, Unit
    from duibiao.org.services import unit_create

    city = unit_create(actor=None, code="harbin", name="哈尔滨市", kind=Unit.Kind.CITY)
    district = unit_create(actor=None, code="daowai", name="道外区", kind=Unit.Kind.DISTRICT, parent=city)
    n = 0
    for order, (name, count) in enumerate(UNITS.items()):
        category = Category.objects.create(code=f"c{order}", name=name, order=order)
        for _ in range(count):
            kind = Unit.Kind.STREET if order == 0 else Unit.Kind.DEPARTMENT
            unit_create(actor=None, code=f"u{n:02d}", name=f"{name[:2]}单位{n:02d}", kind=kind,
                        parent=district, category=category)
            n += 1
    for k in range(1, 5):
        TaskForce.objects.create(code=f"zb{k}", name=f"专班{k}", district=district)
    office = user_create(actor=None, username="khb", password="Bench@Pass2026", unit=district)
    role_grant(actor=None, user=office, role=Role.OFFICE, units=[district])
    scheme = scheme_create(actor=None, code="bench", name="进度基准方案", year=2026,
                           district=district, document=scheme_document())
    period = period_create(actor=office, version=scheme.versions.get(), kind=Period.Kind.QUARTER,
                           year=2026, number=3, opens_on=date(2026, 9, 30), deadline_workdays=10)
    period = period_set_status(actor=office, period=period, status=Period.Status.OPEN)
    rng = random.Random(2026)
    statuses, weights = zip(*STATUS_MIX, strict=True)
    indicators = [i for i in scheme.versions.get().indicators.all() if i.entered_by_units]
    rows = []
    for unit in Unit.objects.filter(category__isnull=False).select_related("category"):
        done = rng.random() < 0.2  # a fifth of the units have handed everything in
        for indicator in indicators:
            if not indicator.applies_to(unit):
                continue
            status = rng.choice(("submitted", "approved")) if done else rng.choices(statuses, weights)[0]
            if status != "empty":
                rows.append(Submission(period=period, unit=unit, indicator=indicator, status=status))
    Submission.objects.bulk_create(rows, batch_size=2000)
    return office, period, len(indicators), len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="timed page requests (default 40)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="duibiao-bench-")
    django_site(tmp.name)
    # The workbook of 60 units is large enough for a background job; the bench times the
    # building of the file itself (what the worker does), so the request builds it.
    import django
    from django.conf import settings

    # Set on the settings: django_site has loaded them already, so the environment is too late.
    settings.DUIBIAO_EXPORT_BACKGROUND_ROWS = 10**9
    from django.test import Client
    from django.urls import reverse

    from duibiao.assessment.models import Period
    from duibiao.assessment.selectors.progress import progress_matrix
    t0 = time.perf_counter()
    office, period, columns, cells = seed()
    seed_s = time.perf_counter() - t0

    client = Client()
    client.force_login(office)
    url = reverse("assessment:progress", args=[period.pk])
    timed_requests(client, url, 3)  # warm up: template compilation, connections
    queries = count_queries(client, url)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())  # the machine may be shared: said beside the figures
    page = timed_requests(client, url, args.requests)
    filtered = timed_requests(client, url + "?category=c0&status=returned", max(5, args.requests // 4))
    export = timed_requests(client, reverse("documents:progress_download", args=[period.pk]), 5)
    api = timed_requests(client, f"/api/periods/{period.pk}/progress", 10)
    period = Period.objects.select_related("version__scheme__district").get(pk=period.pk)
    selector = []
    for _ in range(10):
        start = time.perf_counter()
        matrix = progress_matrix(user=office, period=period)
        selector.append(time.perf_counter() - start)
    units = len(matrix.rows)

    rows = [
        ("matrix page, unfiltered", len(page), ms(page.wall), ms(page.wall, 95), f"{page.size / 1024:.0f} KB"),
        ("… its CPU time (the request's own cost)", len(page), ms(page.cpu), ms(page.cpu, 95), ""),
        ("matrix page, filtered (one category, 已退回)", len(filtered), ms(filtered.wall), ms(filtered.wall, 95), ""),
        ("Excel export", len(export), ms(export.wall), ms(export.wall, 95), f"{export.size / 1024:.0f} KB"),
        ("API JSON", len(api), ms(api.wall), ms(api.wall, 95), ""),
        ("selector only (no HTTP, no template)", len(selector), ms(selector), ms(selector, 95), ""),
    ]
    lines = [
        "## 填报进度矩阵 / Progress matrix",
        "",
        f"Measured by `python bench/progress_bench.py` on {date.today():%Y-%m-%d}; machine: {machine()}, "
        f"Django {django.get_version()}, SQLite (temporary file).",
        f"{units} units in 3 categories × {columns} unit-reported indicators (plus 6 manual ones, not "
        f"columns); {cells:,} submissions (mix: {', '.join(f'{s} {w:.0%}' for s, w in STATUS_MIX)}; a fifth "
        "of the units complete). Each request goes through Django's test client as the office: session, "
        f"access gate, selector, template. Queries per page: {queries} (constant in the number of units; "
        f"asserted in tests/assessment/test_progress.py). Seeding took {seed_s:.1f} s.",
        "",
        "| request | n | p50 | p95 | response size |",
        "|---|---|---|---|---|",
        *[f"| {name} | {n} | {p50} | {p95} | {sz} |" for name, n, p50, p95, sz in rows],
        "",
        f"Load average when the requests began (1, 5, 15 min): {load}; on a shared machine wall times "
        "stretch with it while the CPU row holds.",
        "",
        "Target (issue 14): the unfiltered page p95 ≤ 100 ms (before: p95 187 ms, of which the template "
        "~100 ms: a variable resolved and escaped per cell). The 9 000 cells are now written by one template "
        "tag (`progress_rows`), the selector asks `applies_to` only of indicators that name units or "
        "categories. Cells carry only a class (`pm-approved` …); the status letter comes from CSS, which "
        "keeps 9 000 cells at a size a phone loads quickly.",
    ]
    page_p95 = percentile(page.wall, 95) * 1000
    record("progress matrix, 60 × 150, p95", round(page_p95), "ms", "≤ 100 ms", met=page_p95 <= 100)
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_docs:
        write_section("## 填报进度矩阵 / Progress matrix", section)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
