"""`transaction.on_commit` in tests, where production would run it.

A test that uses the database runs inside the test case's own transactions, which are rolled
back at the end and never commit; Django therefore keeps every on_commit callback (a task
queued by a service, for instance) until the test ends, then drops it. In production the
callback runs when the service's own outermost transaction commits, or at once when there is
no transaction. `install` makes tests do the same: when the last transaction that is not the
test case's ends without error, its callbacks run; a callback registered outside any such
transaction runs at once. A block rolled back drops its callbacks, as in production.
Transactional tests (`transaction=True`) commit for real and are left as they are.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)


def _only_test_case_blocks(connection) -> bool:
    """Inside the test case's transactions and no other (production's autocommit)."""
    return connection.in_atomic_block and all(b._from_testcase for b in connection.atomic_blocks)


def _run(func, robust: bool) -> None:
    if not robust:
        func()
        return
    try:
        func()
    except Exception:
        logger.exception("on_commit callback %s failed", getattr(func, "__qualname__", func))


def install(monkeypatch) -> None:
    original_exit = transaction.Atomic.__exit__
    original_on_commit = BaseDatabaseWrapper.on_commit

    def on_commit(self, func, robust=False):
        if _only_test_case_blocks(self):
            _run(func, robust)
        else:
            original_on_commit(self, func, robust)

    def exit_(self, exc_type, exc_value, traceback):
        original_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if self._from_testcase or exc_type is not None or not _only_test_case_blocks(connection):
            return
        # The service's outermost transaction has just ended: production commits here. Its
        # callbacks may queue more (run inside them, as nested commits would).
        pending, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, func, robust in pending:
            _run(func, robust)

    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_)
    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)
