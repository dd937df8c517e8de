"""Benchmark of the four rates of key projects: 5 000 projects × 52 weeks of progress.

Run: .venv/bin/python bench/projects_rates_bench.py [--projects 5000] [--runs 5] [--no-write]
No database: the progress history (52 weekly cumulative reports per project) is reduced to
each project's completed_ytd as of D — the web app's job, timed here only for scale — then
  1. group_rates for each --by (none, unit, level, type, stage, source), and group_rates_by
     for all six at once (what a portfolio page asks for); target: all groups < 0.5 s
  2. `duibiao project-rates` end to end (read, check, compute, write RATES and FLAGS) on a
     5 000-row ledger, as CSV and as XLSX
each the median of --runs runs. Prints a table and rewrites the
"## 重点项目四率 / Key-project rates" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from benchlib import machine, record, write_section

from duibiao.projects.ledger import COLUMNS
from duibiao.projects.rates import (
    BY_COLUMNS,
    Funding,
    Kind,
    LedgerRow,
    Level,
    Stage,
    group_rates,
    group_rates_by,
)
from duibiao.projects.rates_cli import main as project_rates

HEADING = "## 重点项目四率 / Key-project rates"
YEAR_START = date(2023, 1, 6)  # the first Friday: weekly reports on Fridays
AS_OF = date(2023, 9, 30)
UNITS = [f"单位{i:02d}" for i in range(60)]


def portfolio(n: int, seed: int = 7) -> tuple[list[LedgerRow], list[list[tuple[date, Decimal, Decimal]]]]:
    """`n` projects without progress, and for each 52 weekly (date, completed, funds) reports."""
    rnd = random.Random(seed)
    projects, history = [], []
    for i in range(n):
        annual = Decimal(rnd.randrange(100, 50_000)) / 10
        planned_start = date(2022, 1, 1) + timedelta(days=rnd.randrange(0, 700))
        started = rnd.random() < 0.8
        projects.append(LedgerRow(
            code=f"XM{i:05d}", name=f"项目{i}", unit=rnd.choice(UNITS), level=rnd.choice(list(Level)),
            type=rnd.choice(list(Kind)), stage=rnd.choice(list(Stage)), source=rnd.choice(list(Funding)),
            planned_total=annual * rnd.randrange(1, 4), planned_annual=annual,
            planned_start=planned_start,
            planned_completion=planned_start + timedelta(days=rnd.randrange(200, 900)),
            actual_start=planned_start + timedelta(days=rnd.randrange(-20, 90)) if started else None,
            funds_planned=annual * Decimal("0.8"),
            in_stats_on=planned_start + timedelta(days=rnd.randrange(10, 120)) if rnd.random() < 0.7 else None,
        ))
        pace, done, funds, weeks = rnd.uniform(0.5, 1.3), Decimal(0), Decimal(0), []
        for week in range(52):
            done += (annual * Decimal(str(round(pace * rnd.uniform(0, 2) / 52, 4)))).quantize(Decimal("0.01"))
            funds += (annual * Decimal(str(round(rnd.uniform(0, 1.6) / 52, 4)))).quantize(Decimal("0.01"))
            weeks.append((YEAR_START + timedelta(weeks=week), done, funds))
        history.append(weeks)
    return projects, history


def as_of_rows(projects: list[LedgerRow], history: list[list[tuple[date, Decimal, Decimal]]],
               as_of: date) -> list[LedgerRow]:
    """Each project with its latest report on or before `as_of` (the web app's reduction)."""
    out = []
    for row, weeks in zip(projects, history, strict=True):
        last = None
        for report in weeks:
            if report[0] > as_of:
                break
            last = report
        done, funds = (last[1], last[2]) if last else (None, None)
        out.append(LedgerRow(**{**row.__dict__, "completed_ytd": done, "funds_in_place": funds}))
    return out


def median_time(fn: object, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (steadier on a shared machine)."""
    walls, cpus = [], []
    for _ in range(runs):
        began, cpu = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def write_ledger(rows: list[LedgerRow], folder: Path) -> tuple[Path, Path]:
    def cells(r: LedgerRow) -> list[str]:
        return ["" if getattr(r, c) is None else str(getattr(r, c)) for c in COLUMNS]

    csv_path, xlsx_path = folder / "ledger.csv", folder / "ledger.xlsx"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(cells(r) for r in rows)
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(list(COLUMNS))
    for r in rows:  # real dates and numbers, as Excel keeps them
        ws.append([float(v) if isinstance(v, Decimal) else v for v in (getattr(r, c) for c in COLUMNS)])
    wb.save(xlsx_path)
    return csv_path, xlsx_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()

    began = time.perf_counter()
    projects, history = portfolio(args.projects)
    seeded = time.perf_counter() - began
    reduce_s = median_time(lambda: as_of_rows(projects, history, AS_OF), args.runs)[0]
    rows = as_of_rows(projects, history, AS_OF)

    table: list[tuple[str, str, tuple[float, float], str]] = []
    total, total_cpu = 0.0, 0.0
    for by in (None, *BY_COLUMNS):
        seconds = median_time(lambda by=by: group_rates(rows, AS_OF, by), args.runs)
        total, total_cpu = total + seconds[0], total_cpu + seconds[1]
        groups = len(group_rates(rows, AS_OF, by)) - 1
        table.append((f"group_rates, --by {by or '（无）'}", f"{groups} + 全部", seconds, ""))
    table.append(("the six calls above, one after another", "", (total, total_cpu), ""))
    everything = median_time(lambda: group_rates_by(rows, AS_OF), args.runs)
    table.append(("group_rates_by, all six groupings (flags computed once)", "75 + 6 × 全部", everything, "< 0.5 s"))

    with tempfile.TemporaryDirectory(prefix="duibiao-rates-bench-") as tmp:
        folder = Path(tmp)
        csv_path, xlsx_path = write_ledger(rows, folder)
        for label, path in (("CSV", csv_path), ("XLSX", xlsx_path)):
            argv = [str(path), "--as-of", AS_OF.isoformat(), "--by", "unit",
                    "--out", str(folder / "r.csv"), "--projects-out", str(folder / "f.csv")]

            def command(argv: list[str] = argv) -> None:
                with contextlib.redirect_stdout(io.StringIO()):
                    assert project_rates(argv) == 0

            size = path.stat().st_size // 1024
            table.append((f"`duibiao project-rates` end to end, {label} ledger ({size} KB)",
                          f"{len(UNITS)} + 全部", median_time(command, args.runs), ""))

    lines = [
        HEADING, "",
        f"Measured by `python bench/projects_rates_bench.py` on {date.today().isoformat()}; machine: "
        f"{machine()}, {_memory()}; load average {os.getloadavg()[0]:.1f} when it started (the machine is "
        f"shared: figures vary with it). No database: pure Python (projects/rates.py, projects/ledger.py).",
        f"{args.projects:,} projects (60 units, every level, type, stage and source) × 52 weekly "
        f"progress reports (cumulative investment and funds), as of {AS_OF.isoformat()}; the reports "
        f"reduced to each project's completed_ytd as of D in {reduce_s * 1000:.0f} ms (the web app "
        f"reads it from the database instead); seeding took {seeded:.1f} s. Median of {args.runs} runs.",
        "",
        "| step | groups | median wall time | median CPU time | target |",
        "|---|---|---|---|---|",
        *(f"| {name} | {groups} | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms | {target} |"
          for name, groups, (wall, cpu), target in table),
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    record(f"key-project rates, all six groupings, {args.projects:,} projects (median)", round(everything[0], 3), "s",
           "< 0.5 s", met=everything[0] < 0.5)
    if not args.no_write:
        write_section(HEADING, section)
    return 0  # a missed target is a ✗ in make bench's summary, not a broken bench


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "memory unknown"


if __name__ == "__main__":
    sys.exit(main())
