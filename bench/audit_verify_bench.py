"""`duibiao audit verify` on a large audit log: how long the walk of the hash chain takes, and
what one append costs.

    python bench/audit_verify_bench.py [--rows 100000] [--no-docs]

Builds a throwaway SQLite site, appends ROWS chained rows (through `chain_append`, in batches,
so the rows are what the application writes: JSON before / after, an address, a user agent),
then times `chain_verify()` (wall and CPU) and a single `audit_record` on the full table. The
default is bounded for `make bench`; `--rows 1000000` is the figure issue 15 asks about.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from benchlib import django_site, machine, record, write_section

HEADING = "## 审计链校验 / Audit chain verify"


def fill(rows: int) -> float:
    from django.db import transaction

    from duibiao.audit.chain import chain_append
    from duibiao.audit.services import audit_entry

    started = time.perf_counter()
    batch = 5000
    for first in range(0, rows, batch):
        entries = [
            audit_entry(actor=None, action="submission.save", username=f"tb_{n % 300}", ip="10.1.2.3",
                        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0",
                        before={"value": f"{n}.5", "note": ""}, after={"value": f"{n + 1}.5", "note": "更正"},
                        detail=f"靖宇街道 gz{n % 40:02d}")
            for n in range(first, min(rows, first + batch))
        ]
        with transaction.atomic():
            chain_append(entries)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        django_site(tmp)
        from duibiao.audit.chain import chain_verify
        from duibiao.audit.services import audit_record

        fill_seconds = fill(args.rows)
        cpu = time.process_time()
        verdict = chain_verify()
        cpu = time.process_time() - cpu
        assert verdict.whole and verdict.rows == args.rows, verdict
        started = time.perf_counter()
        audit_record(actor=None, action="login", detail="bench")
        append_ms = (time.perf_counter() - started) * 1000
    per_million = verdict.seconds / args.rows * 1_000_000
    load = os.getloadavg()[0]
    record(f"audit verify, {args.rows:,} rows", verdict.seconds, "s")
    record("audit verify, per 1 M rows (scaled)", per_million, "s")
    record("one audit append on the full table", append_ms, "ms")
    text = (
        f"{HEADING}\n\n"
        f"`duibiao audit verify` streams the table in id order (keyset pages of 5 000 rows) and re-hashes each row.\n"
        f"{machine()}; SQLite; load average {load:.1f} while measured.\n\n"
        f"| rows | verify (wall) | verify (CPU) | per 1 M rows | one append | filling the table |\n"
        f"|---|---|---|---|---|---|\n"
        f"| {args.rows:,} | {verdict.seconds:.1f} s | {cpu:.1f} s | {per_million:.1f} s | {append_ms:.1f} ms |"
        f" {fill_seconds:.0f} s |\n"
    )
    print(text)
    if not args.no_docs:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
