"""The holiday tables take the app's own names: ``assessment_holiday*`` → ``workdays_holiday*``.

A rename keeps every row and id. On PostgreSQL the id sequences are renamed too, so that no
database object is left named after a table that no longer exists.
"""

from django.db import migrations

TABLES = ("holidaydate", "holidayyear")


def _rename_sequences(schema_editor, prefix):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            # The table is named workdays_* whenever this runs: forwards after the renames above,
            # backwards before they are undone.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f"workdays_{table}"])
            (current,) = cursor.fetchone()
            wanted = f"{prefix}_{table}_id_seq"
            if current and current.split(".")[-1].strip('"') != wanted:
                schema_editor.execute(
                    f"ALTER SEQUENCE {current} RENAME TO {schema_editor.quote_name(wanted)}"
                )


def sequences_to_workdays(apps, schema_editor):
    _rename_sequences(schema_editor, "workdays")


def sequences_to_assessment(apps, schema_editor):
    _rename_sequences(schema_editor, "assessment")


class Migration(migrations.Migration):

    dependencies = [
        ('workdays', '0001_initial'),
        ('assessment', '0013_holidays_moved_out'),
    ]

    operations = [
        migrations.AlterModelTable(name='holidaydate', table=None),
        migrations.AlterModelTable(name='holidayyear', table=None),
        migrations.RunPython(sequences_to_workdays, sequences_to_assessment),
    ]
