from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _append_only(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # After every migrate and flush (flush empties the table with the triggers dropped, see
    # management/commands/flush.py): the triggers are there whatever built the database.
    from duibiao.audit import triggers

    connection = connections[using]
    # Only once the chain exists (audit/0002 on): migrated back before it, the table is the
    # old unchained one and audit/0003 puts the triggers in place when it comes.
    if {triggers.TABLE, "audit_chainhead"} <= set(connection.introspection.table_names()):
        triggers.install(connection)


class AuditConfig(AppConfig):
    name = "duibiao.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        post_migrate.connect(_append_only, sender=self, dispatch_uid="duibiao.audit.append_only")
