"""A `duibiao db_worker` that stops dead in the middle of a transaction, for the fault tests.

It runs the real worker, with one change: the first INSERT or UPDATE of the table named by
DUIBIAO_FAULT_TABLE made inside a transaction (`atomic`) is executed, then the worker writes
DUIBIAO_FAULT_MARK and sleeps — the test kills it there with SIGKILL, as a power cut or the
OOM killer would, half-way through a transaction it never commits. Test code only: the product
has no fault hooks.

    python -m tests.faults.stalling_worker db_worker --interval 0.2 --no-startup-delay --no-reload
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def install(table: str, mark: Path) -> None:
    from django.db.backends.utils import CursorWrapper

    plain_execute, plain_executemany = CursorWrapper.execute, CursorWrapper.executemany

    def stall_if_hit(cursor: CursorWrapper, sql: str) -> None:
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if verb in ("INSERT", "UPDATE") and f'"{table}"' in sql and cursor.db.in_atomic_block and not mark.exists():
            mark.write_text(sql[:200])
            time.sleep(600)  # never returns: the test kills the process here

    def execute(self, sql, params=None):  # type: ignore[no-untyped-def]
        result = plain_execute(self, sql, params)
        stall_if_hit(self, sql)
        return result

    def executemany(self, sql, param_list):  # type: ignore[no-untyped-def]
        result = plain_executemany(self, sql, param_list)
        stall_if_hit(self, sql)
        return result

    CursorWrapper.execute, CursorWrapper.executemany = execute, executemany


if __name__ == "__main__":
    install(os.environ["DUIBIAO_FAULT_TABLE"], Path(os.environ["DUIBIAO_FAULT_MARK"]))
    from duibiao.cli import main

    sys.exit(main(sys.argv[1:]))
