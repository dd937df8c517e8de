"""Benchmark of the key-project pages: 5 000 projects × 52 weeks of progress.

Run: python bench/projects_page_bench.py [--projects 5000] [--weeks 52] [--requests 40] [--no-docs]
Standalone and bounded: makes a temporary SQLite database, migrates, seeds a district with 40
units and the projects (each with a weekly cumulative report for `weeks` weeks of the year),
then times (1) the portfolio page (项目库) through Django's test client as the office — the whole
stack: middleware, session, gate, selector, template; (2) the rates of every grouping through
the web app's own path, `ledger_rows` (the database → ledger rows mapping) and `group_rates`;
(3) the 四率 page. Prints the figures and rewrites the "## 重点项目页面 / Key-project pages"
section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

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

AS_OF = date(2026, 12, 31)
UNITS = 40
LEVELS = ("province", "city", "district", "district")
TYPES = ("industry", "infrastructure", "social", "agriculture", "logistics")
STAGES = ("new", "continuing", "continuing", "completed", "suspended")
SOURCES = ("government", "enterprise")


def seed(projects: int, weeks: int) -> tuple[object, int]:
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.org.models import Unit
    from duibiao.org.services import unit_create
    from duibiao.projects.models import ProgressReport, Project

    city = unit_create(actor=None, code="harbin", name="哈尔滨市", kind=Unit.Kind.CITY)
    district = unit_create(actor=None, code="daowai", name="道外区", kind=Unit.Kind.DISTRICT, parent=city)
    units = [unit_create(actor=None, code=f"u{n:02d}", name=f"单位{n:02d}", kind=Unit.Kind.STREET, parent=district)
             for n in range(UNITS)]
    office = user_create(actor=None, username="khb", password="Bench@Pass2026", unit=district)
    role_grant(actor=None, user=office, role=Role.OFFICE, units=[district])
    rng = random.Random(2026)
    rows = []
    for i in range(projects):
        annual = Decimal(rng.randrange(5, 500) * 100)
        start = AS_OF.replace(month=1, day=1) - timedelta(days=rng.randrange(-200, 400))
        rows.append(Project(
            code=f"XM-{i:05d}", name=f"基准项目{i:05d}", level=LEVELS[i % 4], type=TYPES[i % 5],
            stage=STAGES[i % 5], source=SOURCES[i % 2], owner_unit=units[i % UNITS],
            planned_total=annual * 3, planned_annual=annual, funds_planned=annual,
            planned_start=start, actual_start=start + timedelta(days=rng.randrange(0, 30)) if i % 9 else None,
            planned_completion=start + timedelta(days=rng.randrange(200, 900)),
            in_stats_on=start + timedelta(days=40) if i % 7 else None,
        ))
    Project.objects.bulk_create(rows, batch_size=2000)
    reports = []
    first = AS_OF.replace(month=1, day=2)
    for project in Project.objects.only("pk", "planned_annual"):
        pace = rng.uniform(0.4, 1.2)
        for week in range(weeks):
            day = first + timedelta(days=7 * week)
            done = project.planned_annual * Decimal(str(round(pace * (week + 1) / 52, 4)))
            reports.append(ProgressReport(project_id=project.pk, reported_on=day, year=day.year,
                                          completed_ytd=done.quantize(Decimal("0.01")),
                                          funds_in_place=done.quantize(Decimal("0.01"))))
        if len(reports) >= 50_000:
            ProgressReport.objects.bulk_create(reports, batch_size=5000)
            reports = []
    ProgressReport.objects.bulk_create(reports, batch_size=5000)
    return office, ProgressReport.objects.count()


CPU: dict[str, list[float]] = {}  # CPU seconds of each timed_rates pass: "rates" (the whole), "mapping"


def timed_rates(repeat: int) -> tuple[list[float], list[float]]:
    """(mapping + every grouping, mapping only) timings: ledger_rows over all projects once,
    then the rates of 全部 and of each of the command's --by groupings (group_rates_by: the
    flags computed once, as the 四率 page does)."""
    from duibiao.projects.models import Project
    from duibiao.projects.rates import group_rates_by
    from duibiao.projects.selectors.ledger import ledger_rows

    total, mapping = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        rows = ledger_rows(Project.objects.order_by("code"), AS_OF)
        mapped, cpu_mapped = time.perf_counter(), time.process_time()
        group_rates_by(rows, AS_OF)
        total.append(time.perf_counter() - start)
        mapping.append(mapped - start)
        CPU.setdefault("rates", []).append(time.process_time() - cpu)
        CPU.setdefault("mapping", []).append(cpu_mapped - cpu)
    return total, mapping


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--requests", type=int, default=40, help="timed page requests (default 40, at least 30)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="duibiao-bench-")
    django_site(tmp.name)
    import django
    from django.test import Client
    from django.urls import reverse

    t0 = time.perf_counter()
    office, reports = seed(args.projects, args.weeks)
    seed_s = time.perf_counter() - t0

    client = Client()
    client.force_login(office)
    url = f"{reverse('projects:portfolio')}?as_of={AS_OF.isoformat()}"
    timed_requests(client, url, 3)  # warm up: template compilation, connections
    queries = count_queries(client, url)
    page = timed_requests(client, url, max(30, args.requests))
    filtered = timed_requests(client, url + "&flag=red&type=industry", 10)
    rates_total, rates_mapping = timed_rates(7)
    rates_url = f"{reverse('projects:rates')}?as_of={AS_OF.isoformat()}&by=unit"
    timed_requests(client, rates_url, 1)
    rates_page = timed_requests(client, rates_url, 5)

    rows = [
        ("portfolio page (项目库, 50 a page), unfiltered", len(page), ms(page.wall), ms(page.wall, 95), ms(page.cpu),
         ms(page.cpu, 95), f"{page.size / 1024:.0f} KB"),
        ("portfolio page, filtered (红灯, 产业)", len(filtered), ms(filtered.wall), ms(filtered.wall, 95),
         ms(filtered.cpu), ms(filtered.cpu, 95), ""),
        ("rates of every grouping: ledger_rows + group_rates_by (全部 and the 5 --by)", len(rates_total),
         ms(rates_total), ms(rates_total, 95), ms(CPU["rates"]), ms(CPU["rates"], 95), ""),
        ("… of which ledger_rows (the database → ledger rows)", len(rates_mapping), ms(rates_mapping),
         ms(rates_mapping, 95), ms(CPU["mapping"]), ms(CPU["mapping"], 95), ""),
        ("四率 page (by unit, year on year, 12 monthly points)", len(rates_page), ms(rates_page.wall),
         ms(rates_page.wall, 95), ms(rates_page.cpu), ms(rates_page.cpu, 95), f"{rates_page.size / 1024:.0f} KB"),
    ]
    load = os.getloadavg()[0]
    lines = [
        "## 重点项目页面 / Key-project pages",
        "",
        f"Measured by `python bench/projects_page_bench.py` on {date.today():%Y-%m-%d}; machine: {machine()}, "
        f"Django {django.get_version()}, SQLite (temporary file).",
        f"{args.projects:,} projects over {UNITS} units × {args.weeks} weekly cumulative reports "
        f"({reports:,} report rows), as of {AS_OF}. Pages through Django's test client as the office "
        f"(session, gate, selector, template); queries per portfolio page: {queries}. "
        f"Seeding took {seed_s:.1f} s. Load average while measuring: {load:.1f} on {os.cpu_count()} cores "
        "(other work on the machine); wall time is what a user waits, CPU time what the request itself costs.",
        "",
        "| measured | n | wall p50 | wall p95 | CPU p50 | CPU p95 | response size |",
        "|---|---|---|---|---|---|---|",
        *[f"| {name} | {n} | {p50} | {p95} | {c50} | {c95} | {sz} |" for name, n, p50, p95, c50, c95, sz in rows],
        "",
        "Targets (issue 11): the portfolio page p95 < 300 ms; the rates of every grouping < 0.5 s.",
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    portfolio_p95, rates_p95 = percentile(page.wall, 95) * 1000, percentile(rates_total, 95)
    record(f"key-project portfolio page, {args.projects:,} projects, p95", round(portfolio_p95), "ms", "< 300 ms",
           met=portfolio_p95 < 300)
    record("key-project rates of every grouping, p95", round(rates_p95, 3), "s", "< 0.5 s", met=rates_p95 < 0.5)
    if not args.no_docs:
        write_section("## 重点项目页面 / Key-project pages", section)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
