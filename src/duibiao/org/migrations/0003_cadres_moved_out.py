"""The cadre models now belong to the `cadres` app (cadres 0001 took over their tables).

State only: nothing is dropped, the tables and their rows stay where cadres 0001 found them.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0002_cadres'),
        ('cadres', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='CadreAnnualGrade'),
                migrations.DeleteModel(name='CadreIndicatorScore'),
                migrations.DeleteModel(name='CadreQuotaApproval'),
                migrations.DeleteModel(name='CadreRoutineGrade'),
                migrations.DeleteModel(name='Cadre'),
            ],
        ),
    ]
