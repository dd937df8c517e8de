"""Cadres leave org for their own app, without touching a row.

The tables were created by org 0002 as ``org_cadre*``. This migration only tells Django's
state that the models now belong to ``cadres`` (still on the old tables); org 0003 removes them
from org's state; cadres 0002 then renames the tables. Content types move with the models, so
permissions and admin history attached to them keep pointing at the same rows.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("cadre", "cadreannualgrade", "cadreindicatorscore", "cadrequotaapproval", "cadreroutinegrade")


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        old = types.filter(app_label=source, model=model).first()
        if old is None:
            continue
        # A `migrate` run in between may have created an empty twin; the moved row (with its
        # permissions) is the one to keep.
        types.filter(app_label=target, model=model).delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def content_types_to_cadres(apps, schema_editor):
    _move_content_types(apps, schema_editor, "org", "cadres")


def content_types_to_org(apps, schema_editor):
    _move_content_types(apps, schema_editor, "cadres", "org")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('org', '0002_cadres'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Cadre',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=40, verbose_name='姓名')),
                        ('position', models.CharField(max_length=60, verbose_name='职务')),
                        ('rank', models.CharField(choices=[('正科级', '正科级'), ('副科级', '副科级'), ('科员', '科员')], max_length=20, verbose_name='职级')),
                        ('gender', models.CharField(choices=[('男', '男'), ('女', '女')], max_length=2, verbose_name='性别')),
                        ('birth_month', models.DateField(verbose_name='出生年月')),
                        ('is_active', models.BooleanField(default=True, verbose_name='在职')),
                        ('order', models.PositiveIntegerField(default=0, verbose_name='排序')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cadres', to='org.unit', verbose_name='单位')),
                    ],
                    options={
                        'db_table': 'org_cadre',
                        'verbose_name': '干部',
                        'verbose_name_plural': '干部',
                        'ordering': ['unit__path', 'order', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='CadreAnnualGrade',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveIntegerField(verbose_name='年度')),
                        ('proposed', models.CharField(choices=[('优秀', '优秀'), ('称职', '称职'), ('基本称职', '基本称职'), ('不称职', '不称职')], max_length=8, verbose_name='拟定等次')),
                        ('score', models.FloatField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='排序得分')),
                        ('final', models.CharField(blank=True, choices=[('优秀', '优秀'), ('称职', '称职'), ('基本称职', '基本称职'), ('不称职', '不称职')], max_length=8, verbose_name='确定等次')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='调整原因')),
                        ('applied_at', models.DateTimeField(blank=True, null=True, verbose_name='规则应用时间')),
                        ('cadre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='annual_grades', to='cadres.cadre')),
                    ],
                    options={
                        'db_table': 'org_cadreannualgrade',
                        'verbose_name': '年度考核等次',
                        'verbose_name_plural': '年度考核等次',
                        'ordering': ['cadre', 'year'],
                        'constraints': [models.UniqueConstraint(fields=('cadre', 'year'), name='cadre_annual_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='CadreIndicatorScore',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveIntegerField(verbose_name='年度')),
                        ('dimension', models.CharField(choices=[('party', '党性'), ('development', '发展'), ('capability', '能力')], max_length=20, verbose_name='指标')),
                        ('score', models.FloatField(validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='得分')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                        ('cadre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicator_scores', to='cadres.cadre')),
                    ],
                    options={
                        'db_table': 'org_cadreindicatorscore',
                        'verbose_name': '干部指标得分',
                        'verbose_name_plural': '干部指标得分',
                        'ordering': ['cadre', 'year', 'dimension'],
                        'constraints': [models.UniqueConstraint(fields=('cadre', 'year', 'dimension'), name='cadre_indicator_unique'), models.CheckConstraint(condition=models.Q(('score__gte', 0), ('score__lte', 100)), name='cadre_indicator_range')],
                    },
                ),
                migrations.CreateModel(
                    name='CadreQuotaApproval',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveIntegerField(verbose_name='年度')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='批准说明')),
                        ('approved_at', models.DateTimeField(auto_now_add=True, verbose_name='批准时间')),
                        ('approved_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='批准人')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cadre_quota_approvals', to='org.unit', verbose_name='单位')),
                    ],
                    options={
                        'db_table': 'org_cadrequotaapproval',
                        'verbose_name': '优秀比例批准',
                        'verbose_name_plural': '优秀比例批准',
                        'ordering': ['unit', 'year'],
                        'constraints': [models.UniqueConstraint(fields=('unit', 'year'), name='cadre_quota_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='CadreRoutineGrade',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveIntegerField(verbose_name='年度')),
                        ('quarter', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(4)], verbose_name='季度')),
                        ('grade', models.CharField(choices=[('好', '好'), ('较好', '较好'), ('一般', '一般'), ('较差', '较差')], max_length=4, verbose_name='等次')),
                        ('cadre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='routine_grades', to='cadres.cadre')),
                    ],
                    options={
                        'db_table': 'org_cadreroutinegrade',
                        'verbose_name': '平时考核等次',
                        'verbose_name_plural': '平时考核等次',
                        'ordering': ['cadre', 'year', 'quarter'],
                        'constraints': [models.UniqueConstraint(fields=('cadre', 'year', 'quarter'), name='cadre_routine_unique'), models.CheckConstraint(condition=models.Q(('quarter__gte', 1), ('quarter__lte', 4)), name='cadre_routine_quarter')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_cadres, content_types_to_org),
    ]
