"""The holiday table leaves assessment for the workdays app without losing a row.

A database as the code before the move left it (assessment 0012, no workdays app) is filled
through the historical models, then migrated forward: the rows come back through the new models,
the tables carry their new names, ids continue, the content types moved, and the calendar in
force still counts the office's make-up workday. Backwards keeps the rows too. Runs on SQLite and
on PostgreSQL (CI runs both).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("assessment", "0012_submission_comment"), ("workdays", None)]
MODELS = ("holidaydate", "holidayyear")


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    ContentType.objects.clear_cache()
    return loader.project_state(list(loader.applied_migrations)).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _tables() -> set[str]:
    return {t for t in connection.introspection.table_names() if "holiday" in t}


def _rows(apps, app_label: str) -> dict[str, list[tuple]]:
    out = {}
    for name in MODELS:
        model = apps.get_model(app_label, name)
        columns = [f.attname for f in model._meta.concrete_fields]
        out[name] = list(model.objects.order_by("pk").values_list(*columns))
    return out


@pytest.fixture
def before_the_move(db):
    old_apps = _migrate(BEFORE)
    try:
        yield old_apps
    finally:
        _migrate(_latest())


def _fill(apps) -> dict[str, list[tuple]]:
    apps.get_model("assessment", "HolidayYear").objects.create(year=2031, note="国办发明电〔2030〕7号")
    Day = apps.get_model("assessment", "HolidayDate")
    Day.objects.create(date=date(2031, 1, 1), is_workday=False, name="元旦")
    Day.objects.create(date=date(2031, 1, 4), is_workday=True, name="元旦调休")  # a Saturday
    return _rows(apps, "assessment")


def test_a_filled_database_migrates_forward_with_every_row(before_the_move):
    assert _tables() == {f"assessment_{m}" for m in MODELS}
    filled = _fill(before_the_move)
    old_type = ContentType.objects.get(app_label="assessment", model="holidaydate")

    new_apps = _migrate(_latest())

    assert _tables() == {f"workdays_{m}" for m in MODELS}
    assert _rows(new_apps, "workdays") == filled
    from duibiao.workdays.models import HolidayDate, HolidayYear
    from duibiao.workdays.selectors import work_calendar

    assert HolidayYear.objects.get().note == "国办发明电〔2030〕7号"
    cal = work_calendar()
    assert not cal.is_workday(date(2031, 1, 1)) and cal.is_workday(date(2031, 1, 4))
    # 2030-12-31 (Tue) + 1 working day skips the holiday on Wednesday → Thursday 2031-01-02.
    assert cal.add_workdays(date(2030, 12, 31), 1) == date(2031, 1, 2)
    new = HolidayDate.objects.create(date=date(2031, 5, 1), name="劳动节")
    assert new.pk > max(row[0] for row in filled["holidaydate"])
    assert ContentType.objects.get_for_model(HolidayDate).pk == old_type.pk
    assert not ContentType.objects.filter(app_label="assessment", model__in=MODELS).exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name in MODELS:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f"workdays_{name}"])
                assert cursor.fetchone()[0].endswith(f"workdays_{name}_id_seq")


def test_migrating_back_keeps_the_rows_in_the_old_tables(before_the_move):
    filled = _fill(before_the_move)
    _migrate(_latest())
    old_apps = _migrate(BEFORE)
    assert _tables() == {f"assessment_{m}" for m in MODELS}
    assert _rows(old_apps, "assessment") == filled
