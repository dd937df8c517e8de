"""A type's district is required and its name unique within it (apart from 0003's data step, so
that PostgreSQL does not alter the table with the data step's row changes pending)."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("inspections", "0003_worktype_district"),
    ]

    operations = [
        migrations.AlterField(
            model_name="worktype",
            name="district",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="work_types",
                                    to="org.unit", verbose_name="所属区县"),
        ),
        migrations.AddConstraint(
            model_name="worktype",
            constraint=models.UniqueConstraint(fields=("district", "name"), name="worktype_district_name"),
        ),
    ]
