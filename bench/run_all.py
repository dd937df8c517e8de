"""`make bench`: run every benchmark, then print one summary table and write it at the top of
docs/benchmarks.md ("## 汇总 / Summary").

Each bench runs as a subprocess with its default (bounded) sizes, DUIBIAO_BENCH_RESULTS naming a
temporary file to which its `benchlib.record()` calls append their rows. A bench that fails or
outruns its time limit is shown as failed and the others still run; the exit status is 1 if
any failed. Missed targets are shown (✗) but are not failures: the figures are the result.

    python bench/run_all.py                      # every bench, docs rewritten
    python bench/run_all.py --no-docs            # leave docs/benchmarks.md alone (benches too)
    python bench/run_all.py --summary-only       # only the summary section is rewritten
    python bench/run_all.py warm_start results   # only the benches whose names contain these
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import ROOT, machine

BENCH_DIR = ROOT / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## 汇总 / Summary"
# A bench still running after this many seconds is interrupted (Ctrl-C, so that it stops the
# servers it started) and shown as failed; `make bench` as a whole must stay under ~10 minutes.
DEFAULT_TIMEOUT = 300


@dataclass
class Outcome:
    bench: str
    seconds: float
    status: str  # "ok", "failed (exit N)", "timed out"
    rows: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def benches(selected: list[str]) -> list[Path]:
    found = sorted(BENCH_DIR.glob("*_bench.py"))  # not benchlib, this runner, or a locustfile
    return [p for p in found if not selected or any(s in p.stem for s in selected)]


def docs_flag(path: Path) -> list[str]:
    """The flag by which a bench leaves docs/benchmarks.md alone, if it has one."""
    source = path.read_text(encoding="utf-8")
    return next(([flag] for flag in ("--no-docs", "--no-write") if f'"{flag}"' in source), [])


def run_one(path: Path, *, results: Path, timeout: float, no_docs: bool) -> Outcome:
    results.write_text("", encoding="utf-8")
    command = [sys.executable, str(path), *(docs_flag(path) if no_docs else [])]
    if no_docs and not docs_flag(path):
        print(f"   ({path.name} has no --no-docs: it may rewrite its own section)", flush=True)
    env = {**os.environ, "DUIBIAO_BENCH_RESULTS": str(results), "PYTHONUNBUFFERED": "1"}
    began = time.monotonic()
    # Its own process group, so that a bench that overruns is interrupted with everything it started.
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        code = process.wait(timeout)
        status = "ok" if code == 0 else f"failed (exit {code})"
    except subprocess.TimeoutExpired:
        status = f"timed out after {timeout:.0f} s"
        _interrupt(process)
    except KeyboardInterrupt:
        # Ctrl-C reaches only this runner: the bench sits in a session of its own, so it would
        # run on with its servers (gunicorn, a PostgreSQL cluster) unless it is stopped here.
        _interrupt(process)
        raise
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Outcome(path.name, time.monotonic() - began, status, rows)


def _interrupt(process: subprocess.Popen[bytes]) -> None:
    """SIGINT first (a Python bench runs its `finally` blocks and stops its servers), then SIGKILL."""
    for sig, grace in ((signal.SIGINT, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def table(outcomes: list[Outcome]) -> list[list[str]]:
    """One line per recorded row: what, figure, target, met, reference, ratio (reference / figure)."""
    lines = []
    for outcome in outcomes:
        for row in outcome.rows:
            met = {True: "✓", False: "✗"}.get(row.get("met"), "")
            reference, figure = row.get("reference"), row.get("figure")
            ratio = f"{reference / figure:.2f}×" if reference is not None and figure else ""
            label = row.get("reference_label") or ""
            lines.append([row.get("what", ""), fmt(figure, row.get("unit", "")), row.get("target", ""), met,
                          f"{fmt(reference, row.get('unit', ''))} ({label})" if reference is not None else "",
                          ratio, outcome.bench])
    return lines


HEAD = ["what", "figure", "target", "met", "reference", "ratio", "bench"]


def print_table(lines: list[list[str]], outcomes: list[Outcome]) -> None:
    widths = [max(_width(c) for c in column) for column in zip(HEAD, *lines, strict=False)]
    for line in [HEAD, *lines]:
        print("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(line, widths, strict=True)))
    print()
    for outcome in outcomes:
        mark = "ok" if outcome.ok else "FAILED"
        print(f"{mark:6} {outcome.bench:28} {outcome.seconds:6.0f} s  {'' if outcome.ok else outcome.status}")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def markdown(lines: list[list[str]], outcomes: list[Outcome], load: tuple[float, float], took: float) -> str:
    rows = "\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines)
    runs = ", ".join(f"{o.bench} {o.seconds:.0f} s{'' if o.ok else ' — ' + o.status.upper()}" for o in outcomes)
    return f"""{HEADING}

Written by `make bench` (`python bench/run_all.py`) on {time.strftime('%Y-%m-%d %H:%M %Z')}; machine: {machine()}; load average {load[0]:.2f} at the start, {load[1]:.2f} at the end; {took / 60:.1f} min in all.
`make bench` runs every `bench/*_bench.py` with its bounded default sizes ({DEFAULT_TIMEOUT} s at most each); `bench/load_bench.py` needs PostgreSQL on 127.0.0.1 (`DUIBIAO_LOAD_DATABASE_URL`) and is skipped without it. Each row is recorded by the bench that measures it (`benchlib.record`); the ratio is the reference measured in the same run divided by our figure (above 1: we are faster). The sections below hold each bench's details. 每行由测量它的基准程序记录；比值 = 同次运行的参照 ÷ 本系统的数字（大于 1 即更快）。

| {' | '.join(HEAD)} |
|{'---|' * len(HEAD)}
{rows}

Benches run: {runs}.
"""


def write_summary(section: str) -> None:
    """Replace the summary section, or put it first, right under the page's title."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(HEADING) + r"\n.*?(?=\n## |\Z)", re.S)
    text = pattern.sub("", text).rstrip("\n") + "\n"
    title, _, rest = text.partition("\n")
    DOC.write_text(f"{title}\n\n{section.rstrip()}\n\n{rest.lstrip(chr(10))}".rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only the benches whose names contain one of these")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--summary-only", action="store_true",
                        help="the benches leave their sections alone; only the summary is written")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per bench")
    args = parser.parse_args(argv)
    chosen = benches(args.only)
    if not chosen:
        print(f"no bench matches {args.only}", file=sys.stderr)
        return 2
    start_load, began = os.getloadavg()[0], time.monotonic()
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="duibiao-bench-") as tmp:
        for path in chosen:
            print(f"== {path.name}", flush=True)
            outcomes.append(run_one(path, results=Path(tmp) / f"{path.stem}.jsonl", timeout=args.timeout,
                                    no_docs=args.no_docs or args.summary_only))
            if not outcomes[-1].ok:
                print(f"== {path.name}: {outcomes[-1].status}", flush=True)
    took = time.monotonic() - began
    lines = table(outcomes)
    print(f"\n== 汇总 / Summary ({took / 60:.1f} min; load average {start_load:.2f} → {os.getloadavg()[0]:.2f})")
    print_table(lines, outcomes)
    if not args.no_docs:
        write_summary(markdown(lines, outcomes, (start_load, os.getloadavg()[0]), took))
        print(f"\nwritten: {DOC.relative_to(ROOT)} ({HEADING})")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
