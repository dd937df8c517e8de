from __future__ import annotations

import pytest

from duibiao.audit.models import AuditEntry
from duibiao.org.models import Unit
from duibiao.org.services import unit_create, unit_move


def test_paths_follow_the_tree(world):
    assert world["a"].path == "/harbin/daowai/jingyu/"
    assert world["a"].depth == 2
    assert AuditEntry.objects.filter(action="unit.create", object_id=str(world["a"].pk)).exists()


def test_tree_of_any_depth(world):
    community = unit_create(actor=None, code="sq1", name="某社区", kind=Unit.Kind.OFFICE, parent=world["a"])
    grid = unit_create(actor=None, code="wg1", name="某网格", kind=Unit.Kind.OFFICE, parent=community)
    assert grid.path == "/harbin/daowai/jingyu/sq1/wg1/"
    assert grid.depth == 4


def test_move_rewrites_the_subtree(world):
    community = unit_create(actor=None, code="sq1", name="某社区", kind=Unit.Kind.OFFICE, parent=world["a"])
    unit_move(actor=None, unit=world["a"], parent=world["other_district"])
    community.refresh_from_db()
    assert community.path == "/harbin/nangang/jingyu/sq1/"
    world["a"].refresh_from_db()
    assert world["a"].parent == world["other_district"]
    entry = AuditEntry.objects.get(action="unit.move")
    assert entry.before == {"path": "/harbin/daowai/jingyu/"}


def test_cannot_move_under_own_descendant(world):
    with pytest.raises(ValueError):
        unit_move(actor=None, unit=world["district"], parent=world["a"])
