"""The cadre tables take the app's own names: ``org_cadre*`` → ``cadres_cadre*``.

A rename keeps every row, id and foreign key (PostgreSQL's constraints follow the table;
SQLite ≥ 3.26 rewrites the references). On PostgreSQL the id sequences are renamed too, so that
no database object is left named after a table that no longer exists.
"""

from django.db import migrations

TABLES = ("cadre", "cadreannualgrade", "cadreindicatorscore", "cadrequotaapproval", "cadreroutinegrade")


def _rename_sequences(schema_editor, prefix):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            # The table is named cadres_* whenever this runs: forwards after the renames above,
            # backwards before they are undone.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f"cadres_{table}"])
            (current,) = cursor.fetchone()
            wanted = f"{prefix}_{table}_id_seq"
            if current and current.split(".")[-1].strip('"') != wanted:
                schema_editor.execute(
                    f"ALTER SEQUENCE {current} RENAME TO {schema_editor.quote_name(wanted)}"
                )


def sequences_to_cadres(apps, schema_editor):
    _rename_sequences(schema_editor, "cadres")


def sequences_to_org(apps, schema_editor):
    _rename_sequences(schema_editor, "org")


class Migration(migrations.Migration):

    dependencies = [
        ('cadres', '0001_initial'),
        ('org', '0003_cadres_moved_out'),
    ]

    operations = [
        migrations.AlterModelTable(name='cadre', table=None),
        migrations.AlterModelTable(name='cadreannualgrade', table=None),
        migrations.AlterModelTable(name='cadreindicatorscore', table=None),
        migrations.AlterModelTable(name='cadrequotaapproval', table=None),
        migrations.AlterModelTable(name='cadreroutinegrade', table=None),
        migrations.RunPython(sequences_to_cadres, sequences_to_org),
    ]
