"""The holiday table leaves assessment for the workdays app, without touching a row.

The tables were created by assessment 0001 as ``assessment_holiday*``. This migration only tells
Django's state that the models now belong to ``workdays`` (still on the old tables); assessment
0013 removes them from assessment's state; workdays 0002 then renames the tables. Content types
move with the models, so permissions and admin history keep pointing at the same rows.
"""

from django.db import migrations, models

MODELS = ("holidaydate", "holidayyear")


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        old = types.filter(app_label=source, model=model).first()
        if old is None:
            continue
        # A `migrate` run in between may have created an empty twin; the moved row is the one
        # to keep.
        types.filter(app_label=target, model=model).delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def content_types_to_workdays(apps, schema_editor):
    _move_content_types(apps, schema_editor, "assessment", "workdays")


def content_types_to_assessment(apps, schema_editor):
    _move_content_types(apps, schema_editor, "workdays", "assessment")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('assessment', '0012_submission_comment'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='HolidayDate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(unique=True, verbose_name='日期')),
                        ('is_workday', models.BooleanField(default=False, verbose_name='调休上班')),
                        ('name', models.CharField(blank=True, max_length=40, verbose_name='名称')),
                    ],
                    options={
                        'db_table': 'assessment_holidaydate',
                        'verbose_name': '节假日调整',
                        'verbose_name_plural': '节假日调整',
                        'ordering': ['date'],
                    },
                ),
                migrations.CreateModel(
                    name='HolidayYear',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveIntegerField(unique=True, verbose_name='年度')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='依据')),
                    ],
                    options={
                        'db_table': 'assessment_holidayyear',
                        'verbose_name': '节假日年度',
                        'verbose_name_plural': '节假日年度',
                        'ordering': ['year'],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_workdays, content_types_to_assessment),
    ]
