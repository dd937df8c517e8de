"""The cadre tables leave org for the cadres app without losing a row.

A database migrated by the code before the move (org 0002 applied, cadres unknown) is filled
through the historical models, then migrated forward: every row comes back through the new
models with the same ids and links, the tables carry their new names, foreign keys point at the
renamed tables, new rows continue the id sequence, and the content types (with the permissions
hanging on them) moved instead of being recreated. Backwards keeps the rows too.
Runs on SQLite and on PostgreSQL (CI runs both).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# Where a database stood before cadres had an app of its own.
BEFORE = [("org", "0002_cadres"), ("cadres", None)]
MODELS = ("cadre", "cadreannualgrade", "cadreindicatorscore", "cadrequotaapproval", "cadreroutinegrade")


def _migrate(targets):
    """Migrate to ``targets`` and return the historical apps of the database as it then is."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    ContentType.objects.clear_cache()
    return loader.project_state(list(loader.applied_migrations)).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _tables() -> set[str]:
    return {t for t in connection.introspection.table_names() if "cadre" in t}


def _fill(apps) -> dict[str, list[tuple]]:
    """Cadre rows of every kind, written with the models org had before the move."""
    Unit = apps.get_model("org", "Unit")
    User = apps.get_model("accounts", "User")
    Cadre = apps.get_model("org", "Cadre")
    a = Unit.objects.create(code="jingyu", name="靖宇街道", kind="street", path="/jingyu/")
    b = Unit.objects.create(code="taigu", name="太古街道", kind="street", path="/taigu/")
    approver = User.objects.create(username="khb", full_name="考核办")
    cadres = [
        Cadre.objects.create(unit=unit, name=name, position="科员", rank="科员", gender="男",
                             birth_month=date(1990 + i, 1, 1), order=i)
        for i, (unit, name) in enumerate([(a, "王建华"), (a, "李丽娜"), (a, "张志刚"), (b, "杨国庆")])
    ]
    for i, cadre in enumerate(cadres):
        for quarter in (1, 2, 3, 4):
            apps.get_model("org", "CadreRoutineGrade").objects.create(
                cadre=cadre, year=2026, quarter=quarter, grade="好" if i else "一般")
        apps.get_model("org", "CadreAnnualGrade").objects.create(
            cadre=cadre, year=2026, proposed="优秀", score=90 - i, final="称职" if i else "优秀",
            reason="超出优秀比例" if i else "")
        for dim, score in (("party", 90), ("development", 85.5), ("capability", 80 + i)):
            apps.get_model("org", "CadreIndicatorScore").objects.create(
                cadre=cadre, year=2026, dimension=dim, score=score)
    apps.get_model("org", "CadreQuotaApproval").objects.create(
        unit=a, year=2026, approved_by=approver, note="区委组织部批准")
    return _rows(apps, "org")


def _rows(apps, app_label: str) -> dict[str, list[tuple]]:
    """Every column of every cadre table, ordered by id, read through ``app_label``'s models."""
    out = {}
    for name in MODELS:
        model = apps.get_model(app_label, name)
        columns = [f.attname for f in model._meta.concrete_fields]
        out[name] = list(model.objects.order_by("pk").values_list(*columns))
    return out


@pytest.fixture
def before_the_move(db):
    """The database as the old code left it; put back to the latest state whatever happens."""
    old_apps = _migrate(BEFORE)
    try:
        yield old_apps
    finally:
        _migrate(_latest())


def test_a_filled_database_migrates_forward_with_every_row(before_the_move):
    old_apps = before_the_move
    assert _tables() == {f"org_{m}" for m in MODELS}
    filled = _fill(old_apps)
    assert sum(len(rows) for rows in filled.values()) == 4 + 16 + 4 + 12 + 1
    old_type = ContentType.objects.get(app_label="org", model="cadre")
    perm = Permission.objects.get(content_type=old_type, codename="change_cadre")

    new_apps = _migrate(_latest())

    assert _tables() == {f"cadres_{m}" for m in MODELS}
    # Every moved cadre starts at version 1 (cadres 0003 added the optimistic lock, last column).
    assert _rows(new_apps, "cadres") == {**filled, "cadre": [row + (1,) for row in filled["cadre"]]}
    # The application's own models (not only the historical ones) read the same rows.
    from duibiao.cadres.models import Cadre, CadreAnnualGrade, CadreQuotaApproval

    assert sorted(Cadre.objects.values_list("pk", "name")) == [(r[0], r[1]) for r in filled["cadre"]]
    first = Cadre.objects.get(name="王建华")
    assert first.unit.code == "jingyu"
    assert [g.grade for g in first.routine_grades.order_by("quarter")] == ["一般"] * 4
    assert CadreAnnualGrade.objects.get(cadre=first).final == "优秀"
    assert CadreQuotaApproval.objects.get().approved_by.username == "khb"
    # The content type moved with its id, so permissions granted on it still apply.
    assert ContentType.objects.get_for_model(Cadre).pk == old_type.pk
    assert not ContentType.objects.filter(app_label="org", model__in=MODELS).exists()
    assert Permission.objects.get(pk=perm.pk).content_type_id == old_type.pk


def test_after_the_move_ids_continue_and_foreign_keys_point_at_the_new_tables(before_the_move):
    filled = _fill(before_the_move)
    _migrate(_latest())
    from duibiao.cadres.models import Cadre, CadreRoutineGrade

    unit = Cadre.objects.get(name="杨国庆").unit
    new = Cadre.objects.create(unit=unit, name="新干部", position="科员", rank="科员", gender="女",
                               birth_month=date(1999, 1, 1))
    assert new.pk > max(row[0] for row in filled["cadre"])
    CadreRoutineGrade.objects.create(cadre=new, year=2026, quarter=1, grade="好")
    # The database itself refuses a grade of a cadre that does not exist in cadres_cadre.
    with pytest.raises(IntegrityError), transaction.atomic():
        CadreRoutineGrade.objects.create(cadre_id=new.pk + 1000, year=2026, quarter=1, grade="好")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name in MODELS:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f"cadres_{name}"])
                assert cursor.fetchone()[0].endswith(f"cadres_{name}_id_seq")


def test_migrating_back_keeps_the_rows_in_the_old_tables(before_the_move):
    filled = _fill(before_the_move)
    _migrate(_latest())
    old_apps = _migrate(BEFORE)
    assert _tables() == {f"org_{m}" for m in MODELS}
    assert _rows(old_apps, "org") == filled
    assert ContentType.objects.filter(app_label="org", model="cadre").exists()
