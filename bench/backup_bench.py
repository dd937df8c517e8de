"""`duibiao backup` and `duibiao restore` on a sizeable installation: wall time of each command
(a process of its own, as the operator runs it), the backup's size, and the program's start-up
measured alone (`duibiao check`) so that the work itself can be read off.

    python bench/backup_bench.py [--rows 50000] [--files 100] [--file-kb 256] [--no-docs]

A throwaway SQLite site with ROWS chained audit rows (the biggest table of a working year) and
FILES uploaded files of FILE_KB random bytes each (incompressible, like photos and PDFs); the
backup is restored into a new database and files folder, and the restore verifies every
checksum and every table's count. Bounded for `make bench` (about a minute).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import django_site, machine, record, write_section

HEADING = "## 备份与恢复 / Backup and restore"


def fill(rows: int, media: Path, files: int, kb: int) -> None:
    from django.db import transaction

    from duibiao.audit.chain import chain_append
    from duibiao.audit.services import audit_entry

    for first in range(0, rows, 5000):
        entries = [audit_entry(actor=None, action="submission.save", username=f"tb_{n % 300}", ip="10.1.2.3",
                               before={"value": f"{n}.5"}, after={"value": f"{n + 1}.5"}, detail=f"gz{n % 40:02d}")
                   for n in range(first, min(rows, first + 5000))]
        with transaction.atomic():
            chain_append(entries)
    for n in range(files):
        folder = media / "evidence" / f"{n % 16:02x}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{n:05d}.bin").write_bytes(os.urandom(kb * 1024))


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one `duibiao` command: the CPU time is what the
    command costs whatever else the machine is doing."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "duibiao.cli", *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"duibiao {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--file-kb", type=int, default=256)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        django_site(tmp)
        media = Path(tmp) / "media"
        fill(args.rows, media, args.files, args.file_kb)
        from django.db import connection

        source = connection.settings_dict["NAME"]
        connection.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("DUIBIAO_")}
        env.update(DUIBIAO_VAR_DIR=tmp, DUIBIAO_MEDIA_ROOT=str(media), DUIBIAO_DATABASE_URL=f"sqlite:///{source}",
                   DUIBIAO_SECRET_KEY="bench-" + "k" * 50)
        start_up = timed(["check"], env)
        archive = Path(tmp) / "backup.tar.gz"
        backup = timed(["backup", str(archive)], env)
        restore = timed(["restore", str(archive)], {
            **env, "DUIBIAO_DATABASE_URL": f"sqlite:///{Path(tmp) / 'restored' / 'db.sqlite3'}",
            "DUIBIAO_MEDIA_ROOT": str(Path(tmp) / "restored-media")})
        size_mb = archive.stat().st_size / 1e6
        database_mb = Path(source).stat().st_size / 1e6
    load = os.getloadavg()[0]
    what = f"SQLite {database_mb:.0f} MB ({args.rows} audit rows) + {args.files} files of {args.file_kb} KB"
    (backup, backup_cpu), (restore, restore_cpu), (start_up, start_cpu) = backup, restore, start_up
    print(f"{what}: backup {backup:.1f} s wall / {backup_cpu:.1f} s CPU ({size_mb:.0f} MB), restore {restore:.1f} s"
          f" / {restore_cpu:.1f} s CPU, start-up alone {start_up:.1f} s / {start_cpu:.1f} s CPU; load {load:.1f}")
    record(f"duibiao backup, {what} (CPU {backup_cpu:.1f} s; start-up alone {start_up:.1f} s)",
           round(backup, 2), "s")
    record(f"duibiao restore verifying every checksum and count, {what} (CPU {restore_cpu:.1f} s)",
           round(restore, 2), "s")
    if args.no_docs:
        return
    write_section(HEADING, f"""{HEADING}

`python bench/backup_bench.py` — {machine()}; load average {load:.1f} when measured.

| 数据 / data | 备份 backup | 备份文件 size | 恢复 restore（校验全部成员与行数） | 程序启动 start-up alone |
|---|---|---|---|---|
| {what} | {backup:.1f} s（CPU {backup_cpu:.1f} s） | {size_mb:.0f} MB | {restore:.1f} s（CPU {restore_cpu:.1f} s） | {start_up:.1f} s（CPU {start_cpu:.1f} s） |

Each command is a process of its own, as the operator runs it, so the start-up (measured alone
with `duibiao check`) is part of both figures; CPU is user + system time of the command, which the
other work on the machine does not inflate. The files are random bytes (photos and PDFs do not
compress), so the backup is about their size; compressing them is most of the backup's own work.
""")


if __name__ == "__main__":
    main()
