"""工作类型 belong to a district: each district's office keeps its own list.

The data step gives every existing type a district: the district of the logs that use it; when
logs of several districts share a type, the type is copied per district and those logs are
re-pointed to their district's copy; a type no log uses goes to every district (copied), so no
office loses a type it had. A log whose unit lies under no district leaves its type where the
other logs put it (or, used by no district's log, with every district)."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


def _district_of(path: str, districts: dict[str, int]) -> int | None:
    """The nearest district at or above the unit with this path (paths are "/a/b/c/")."""
    parts = path.strip("/").split("/")
    for n in range(len(parts), 0, -1):
        found = districts.get("/" + "/".join(parts[:n]) + "/")
        if found is not None:
            return found
    return None


def forwards(apps, schema_editor):
    Unit = apps.get_model("org", "Unit")
    WorkType = apps.get_model("inspections", "WorkType")
    WorkLog = apps.get_model("inspections", "WorkLog")
    districts = dict(Unit.objects.filter(kind="district").values_list("path", "pk"))
    every = sorted(districts.values())
    unit_district = {pk: _district_of(path, districts) for pk, path in Unit.objects.values_list("pk", "path")}
    for worktype in WorkType.objects.order_by("pk"):
        used = sorted({d for d in (unit_district.get(u) for u in
                                   WorkLog.objects.filter(work_type=worktype).values_list("unit_id", flat=True)
                                   .distinct()) if d is not None})
        targets = used or every
        if not targets:
            # No district in the installation: no unit can log work, so no one could use it.
            if not WorkLog.objects.filter(work_type=worktype).exists():
                worktype.delete()
            continue
        first, *others = targets
        WorkType.objects.filter(pk=worktype.pk).update(district_id=first)
        for district in others:
            copy = WorkType.objects.create(district_id=district, name=worktype.name,
                                           unit_of_measure=worktype.unit_of_measure, order=worktype.order,
                                           active=worktype.active, version=1)
            mine = [u for u, d in unit_district.items() if d == district]
            WorkLog.objects.filter(work_type=worktype, unit_id__in=mine).update(work_type=copy)


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0003_cadres_moved_out"),
        ("inspections", "0002_enterprises_risks_worklogs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="worktype",
            name="name",
            field=models.CharField(max_length=40, verbose_name="工作类型"),
        ),
        migrations.AddField(
            model_name="worktype",
            name="district",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="work_types", to="org.unit", verbose_name="所属区县"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
