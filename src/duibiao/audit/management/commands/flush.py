"""Django's flush, able to empty the audit table on SQLite.

flush removes every row of every table (the test runner uses it between transactional
tests). PostgreSQL empties tables with TRUNCATE, which the statement trigger refuses; SQLite
deletes row by row, which the append-only trigger refuses. So the triggers are dropped for the
flush and put back by post_migrate, which flush sends when it is done (audit/apps.py), and
again here whatever happened. Whoever may run flush owns the database and could drop them too.
"""

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from duibiao.audit import triggers


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if triggers.TABLE in connection.introspection.table_names():
            triggers.drop(connection)
        try:
            super().handle(**options)
        finally:
            triggers.install(connection)
