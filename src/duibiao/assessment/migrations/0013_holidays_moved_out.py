"""The holiday models now belong to the `workdays` app (workdays 0001 took over their tables).

State only: nothing is dropped, the tables and their rows stay where workdays 0001 found them.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0012_submission_comment'),
        ('workdays', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='HolidayDate'),
                migrations.DeleteModel(name='HolidayYear'),
            ],
        ),
    ]
