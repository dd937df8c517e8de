"""Chain the rows written before the chain existed (in id order), then make the table
append-only with its triggers (audit/triggers.py)."""

from typing import Any

from django.db import migrations

from duibiao.audit import triggers
from duibiao.audit.chain import rechain


def chain_existing(apps: Any, schema_editor: Any) -> None:
    rechain(apps.get_model("audit", "AuditEntry"), apps.get_model("audit", "ChainHead"))
    triggers.install(schema_editor.connection)


def unchain(apps: Any, schema_editor: Any) -> None:
    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [("audit", "0002_chain")]

    operations = [migrations.RunPython(chain_existing, unchain)]
