"""Work types come to belong to a district without losing a log: the data step of inspections
0003 gives each type the district of the logs that use it, copies a type shared by logs of
several districts (re-pointing each district's logs to its copy) and gives a type no log uses
to every district. Runs on SQLite and on PostgreSQL (CI runs both)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("inspections", "0002_enterprises_risks_worklogs")]


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_existing_types_go_to_the_districts_of_their_logs():
    old = _migrate(BEFORE)
    Unit = old.get_model("org", "Unit")
    WorkType = old.get_model("inspections", "WorkType")
    WorkLog = old.get_model("inspections", "WorkLog")
    Unit.objects.create(code="harbin", name="哈尔滨市", kind="city", path="/harbin/")
    Unit.objects.create(code="daowai", name="道外区", kind="district", path="/harbin/daowai/")
    Unit.objects.create(code="nangang", name="南岗区", kind="district", path="/harbin/nangang/")
    jingyu = Unit.objects.create(code="jingyu", name="靖宇街道", kind="street", path="/harbin/daowai/jingyu/")
    huayuan = Unit.objects.create(code="huayuan", name="花园街道", kind="street", path="/harbin/nangang/huayuan/")
    shared = WorkType.objects.create(name="清理绿地", unit_of_measure="平方米", order=1, version=3, active=False)
    own = WorkType.objects.create(name="清运垃圾", unit_of_measure="吨", order=2)
    unused = WorkType.objects.create(name="修剪树木", unit_of_measure="株", order=3)
    day = date(2026, 10, 9)
    logs = {
        "jingyu_shared": WorkLog.objects.create(unit=jingyu, work_type=shared, quantity=1, done_on=day).pk,
        "huayuan_shared": WorkLog.objects.create(unit=huayuan, work_type=shared, quantity=2, done_on=day).pk,
        "jingyu_own": WorkLog.objects.create(unit=jingyu, work_type=own, quantity=3, done_on=day).pk,
    }

    new = _migrate(_latest())
    Unit = new.get_model("org", "Unit")
    WorkType = new.get_model("inspections", "WorkType")
    WorkLog = new.get_model("inspections", "WorkLog")
    daowai, nangang = Unit.objects.get(code="daowai"), Unit.objects.get(code="nangang")
    got = sorted(WorkType.objects.values_list("name", "district__code", "unit_of_measure", "order", "active"))
    assert got == [
        ("修剪树木", "daowai", "株", 3, True), ("修剪树木", "nangang", "株", 3, True),
        ("清理绿地", "daowai", "平方米", 1, False), ("清理绿地", "nangang", "平方米", 1, False),
        ("清运垃圾", "daowai", "吨", 2, True),
    ]
    # The original row stays with one district (its id unchanged); each log uses its district's.
    assert WorkType.objects.get(pk=shared.pk).district_id == daowai.pk
    assert WorkType.objects.get(pk=unused.pk).district_id == daowai.pk
    assert WorkLog.objects.get(pk=logs["jingyu_shared"]).work_type_id == shared.pk
    moved = WorkLog.objects.get(pk=logs["huayuan_shared"]).work_type
    assert (moved.name, moved.district_id) == ("清理绿地", nangang.pk) and moved.pk != shared.pk
    assert WorkLog.objects.get(pk=logs["jingyu_own"]).work_type_id == own.pk
    assert WorkLog.objects.count() == 3
