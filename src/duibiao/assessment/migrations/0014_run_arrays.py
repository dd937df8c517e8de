"""A run's computed arrays stored once (RunArrays), every unit's trace rebuilt from them.

Runs computed before keep their traces: the field is renamed `legacy_trace` (its column keeps
its name: no row rewritten) and read when a run has no arrays; new runs leave it empty.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0013_holidays_moved_out'),
    ]

    operations = [
        # The field is renamed, its column is not (db_column): no row is rewritten, and a
        # database taken back to an earlier migration reads the same column.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RenameField(model_name='runresult', old_name='trace', new_name='legacy_trace'),
                migrations.AlterField(
                    model_name='runresult',
                    name='legacy_trace',
                    field=models.JSONField(blank=True, db_column='trace', default=dict, verbose_name='计分说明（旧批次）'),
                ),
            ],
        ),
        migrations.CreateModel(
            name='RunArrays',
            fields=[
                ('run', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='arrays', serialize=False, to='assessment.scoringrun')),
                ('data', models.BinaryField(verbose_name='计分数组')),
            ],
            options={
                'verbose_name': '计分数组',
                'verbose_name_plural': '计分数组',
            },
        ),
    ]
