"""PostgreSQL: refuse TRUNCATE on the audit table (a statement trigger; row triggers do not see
TRUNCATE). SQLite has no TRUNCATE: nothing to do there."""

from typing import Any

from django.db import migrations

from duibiao.audit import triggers


def refuse_truncate(apps: Any, schema_editor: Any) -> None:
    triggers.install_no_truncate(schema_editor.connection)


def allow_truncate(apps: Any, schema_editor: Any) -> None:
    triggers.drop_no_truncate(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [("audit", "0003_chain_existing_rows")]

    operations = [migrations.RunPython(refuse_truncate, allow_truncate)]
