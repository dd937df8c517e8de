"""The table of actions and the gate that answers by action.

The table is code: these tests pin every role's set (a change to who may do what shows up
here, in review), check that every action the code asks about is in the table and that the
table holds none the code never asks about, and perform the refusals as attacks."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from duibiao.accounts import gate
from duibiao.accounts.actions import ACTIONS, DIRECTORY_ACTIONS, ROLE_ACTIONS, Reach
from duibiao.accounts.models import User
from duibiao.accounts.roles import ADMIN_ROLES, Role

SRC = Path(__file__).resolve().parents[2] / "src" / "duibiao"
ACTION_NAME = re.compile(r"^(org|accounts|audit|assessment|cadres|documents|projects|inspections|web)\.[a-z_]+\.[a-z_]+$")

EVERY_DATA_ROLE = {
    "org.tree.view", "org.unit.view", "assessment.scheme.view", "assessment.submission.view",
    "assessment.combination.view",
}
EXPECTED = {
    Role.SYSADMIN: {"org.tree.manage", "org.tree.view"},
    Role.SECADMIN: {
        "accounts.grant.manage", "accounts.lockout.manage", "accounts.policy.view",
        "accounts.actions.view", "org.tree.view",
    },
    Role.AUDITOR: {"audit.log.view", "audit.log.export", "audit.chain.verify"},
    Role.OFFICE: EVERY_DATA_ROLE | {
        "assessment.scheme.edit", "assessment.period.open", "assessment.calendar.edit",
        "assessment.report.view", "assessment.submission.report", "assessment.submission.review",
        "assessment.submission.unlock", "assessment.submission.comment", "assessment.progress.view",
        "assessment.reminder.office", "assessment.run.view_all", "assessment.run.start", "assessment.run.release",
        "assessment.run.publish", "assessment.run.analyse", "assessment.result.view",
        "assessment.result.view_published", "assessment.result.view_peers", "assessment.appeal.view",
        "assessment.appeal.decide", "assessment.combination.edit", "cadres.sheet.view",
        "cadres.sheet.edit", "documents.workbook.import", "documents.job.view_all",
        "projects.project.view", "projects.project.edit", "projects.progress.report",
        "projects.problem.raise", "projects.problem.solve",
    },
    Role.TASKFORCE: EVERY_DATA_ROLE | {
        "assessment.submission.review", "assessment.submission.comment", "assessment.progress.view",
        "assessment.result.view", "assessment.result.view_published", "assessment.result.view_peers",
        "assessment.appeal.view", "assessment.appeal.decide", "projects.project.view",
    },
    Role.REPORTER: EVERY_DATA_ROLE | {
        "assessment.report.view", "assessment.submission.report", "assessment.submission.comment",
        "assessment.reminder.unit", "assessment.result.view", "assessment.result.view_published",
        "assessment.appeal.view", "assessment.appeal.file",
        "projects.project.view", "projects.progress.report", "projects.problem.raise",
        "projects.problem.answer",
    },
    Role.UNIT_HEAD: EVERY_DATA_ROLE | {
        "assessment.report.view", "assessment.submission.sign", "assessment.submission.comment",
        "assessment.reminder.unit", "assessment.result.view", "assessment.result.view_published",
        "assessment.appeal.view", "assessment.appeal.file", "cadres.sheet.view",
        "projects.project.view", "projects.problem.raise", "projects.problem.answer",
    },
    Role.LEADER: EVERY_DATA_ROLE | {
        "assessment.report.view", "assessment.progress.view", "assessment.result.view_published",
        "assessment.result.view_peers", "projects.project.view",
    },
    Role.SECRETARY: EVERY_DATA_ROLE | {
        "projects.project.view", "projects.progress.report", "projects.problem.raise",
        "projects.problem.solve",
    },
    Role.INSPECTOR: EVERY_DATA_ROLE,
}

# 调度会, 交办事项 and 项目线索: the office holds meetings and converts leads; leaders read; a
# unit answers its assignments and pushes its leads.
_UNIT_DISPATCH = {"projects.assignment.view", "projects.assignment.reply", "projects.lead.view", "projects.lead.edit"}
for _role, _names in {
    Role.OFFICE: {"projects.meeting.view", "projects.meeting.manage", "projects.assignment.view",
                  "projects.lead.view", "projects.lead.edit", "projects.lead.convert"},
    Role.LEADER: {"projects.meeting.view", "projects.assignment.view", "projects.lead.view"},
    Role.REPORTER: _UNIT_DISPATCH,
    Role.UNIT_HEAD: _UNIT_DISPATCH,
}.items():
    EXPECTED[_role] = EXPECTED[_role] | _names


# 督导检查: campaigns, findings and their rectification; only the inspector sees a photo's EXIF.
_UNIT_RECTIFIES = {"inspections.finding.view", "inspections.finding.rectify", "inspections.finding.extend"}
for _role, _names in {
    Role.OFFICE: {"inspections.campaign.view", "inspections.campaign.manage", "inspections.finding.view",
                  "inspections.extension.decide", "inspections.finding.remind"},
    Role.LEADER: {"inspections.campaign.view", "inspections.finding.view"},
    Role.INSPECTOR: {"inspections.campaign.view", "inspections.finding.view", "inspections.finding.record",
                     "inspections.finding.verify", "inspections.extension.decide", "inspections.finding.remind",
                     "inspections.photo.location"},
    Role.REPORTER: _UNIT_RECTIFIES,
    Role.UNIT_HEAD: _UNIT_RECTIFIES,
}.items():
    EXPECTED[_role] = EXPECTED[_role] | _names

# 督导检查: the statistics (处置率, the daily picture), 一企一档一清单 and 工作量统计.
_READ_INSPECTIONS = {"inspections.stats.view", "inspections.enterprise.view", "inspections.worklog.view"}
for _role, _names in {
    Role.OFFICE: _READ_INSPECTIONS | {"inspections.enterprise.edit", "inspections.worklog.record",
                                      "inspections.worktype.edit"},
    Role.TASKFORCE: {"inspections.stats.view"},
    Role.REPORTER: _READ_INSPECTIONS | {"inspections.worklog.record"},
    Role.UNIT_HEAD: _READ_INSPECTIONS,
    Role.LEADER: _READ_INSPECTIONS,
    Role.INSPECTOR: _READ_INSPECTIONS | {"inspections.enterprise.edit"},
}.items():
    EXPECTED[_role] = EXPECTED[_role] | _names

# 领导驾驶舱: the leaders' home page and the office's 总览.
for _role in (Role.OFFICE, Role.LEADER):
    EXPECTED[_role] = EXPECTED[_role] | {"web.cockpit.view"}

# 通报: the office drafts, rewrites and issues; leaders read the issued ones.
EXPECTED[Role.OFFICE] = EXPECTED[Role.OFFICE] | {"documents.bulletin.view", "documents.bulletin.edit",
                                                 "documents.bulletin.issue"}
EXPECTED[Role.LEADER] = EXPECTED[Role.LEADER] | {"documents.bulletin.view"}

# 接口令牌: every role makes and revokes its own.
for _role in EXPECTED:
    EXPECTED[_role] = EXPECTED[_role] | {"accounts.token.manage"}


def _names_in_code() -> dict[str, list[str]]:
    """Every string in src/duibiao (Python and templates) that looks like an action name."""
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        # Audit event codes (`audit_record(action="inspections.risk.add")` and their names in
        # audit/event_labels.py) are spelt like actions but name what happened, not a right.
        if "migrations" in path.parts or path.name in ("actions.py", "event_labels.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        events = {id(kw.value) for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit_record"
                  for kw in node.keywords if kw.arg == "action"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ACTION_NAME.match(node.value) \
                    and id(node) not in events:
                found.setdefault(node.value, []).append(str(path.relative_to(SRC)))
    for path in sorted(SRC.rglob("*.html")):
        for name in re.findall(r"[\"']([a-z_]+\.[a-z_]+\.[a-z_]+)[\"']", path.read_text(encoding="utf-8")):
            if ACTION_NAME.match(name):
                found.setdefault(name, []).append(str(path.relative_to(SRC)))
    return found


def test_every_action_the_code_asks_about_is_in_the_table():
    unknown = {name: where for name, where in _names_in_code().items() if name not in ACTIONS}
    assert not unknown, unknown


def test_the_table_holds_no_action_the_code_never_asks_about():
    assert set(ACTIONS) - set(_names_in_code()) == set()


def test_every_role_holds_exactly_its_set():
    assert {role: set(held) for role, held in ROLE_ACTIONS.items()} == EXPECTED


def test_every_action_has_a_chinese_label_and_a_holder():
    for name, action in ACTIONS.items():
        assert re.search(r"[\u4e00-\u9fff]", str(action.label)), name
        assert any(name in held for held in ROLE_ACTIONS.values()), name


def test_task_forces_act_on_their_own_indicators_only():
    own = {name for name, reach in ROLE_ACTIONS[Role.TASKFORCE].items() if reach is Reach.OWN_TASKFORCE}
    assert own == {"assessment.submission.review", "assessment.submission.comment", "assessment.progress.view",
                   "assessment.appeal.view", "assessment.appeal.decide"}
    assert all(reach is not Reach.OWN_TASKFORCE for role, held in ROLE_ACTIONS.items()
               if role != Role.TASKFORCE for reach in held.values())


def test_administrators_hold_no_data_action():
    for role in ADMIN_ROLES:
        data = {name for name in ROLE_ACTIONS[role] if ACTIONS[name].scoped} - DIRECTORY_ACTIONS
        assert data == set(), role


def test_the_table_checks_itself(monkeypatch):
    """A data action slipped to an administrator, or a data role without its units' data,
    stops the table from loading at all."""
    from duibiao.accounts import actions

    original = ROLE_ACTIONS[Role.SYSADMIN]
    monkeypatch.setitem(actions.ROLE_ACTIONS, Role.SYSADMIN, {**original, "assessment.submission.view": Reach.GRANT})
    with pytest.raises(ValueError, match="administrator"):
        actions._check_table()
    monkeypatch.setitem(actions.ROLE_ACTIONS, Role.SYSADMIN, original)
    actions._check_table()  # the table as it is passes
    leader = {k: v for k, v in ROLE_ACTIONS[Role.LEADER].items() if k != "org.unit.view"}
    monkeypatch.setitem(actions.ROLE_ACTIONS, Role.LEADER, leader)
    with pytest.raises(ValueError, match="org.unit.view"):
        actions._check_table()


# --- The gate, attacked ----------------------------------------------------------------------

def test_a_reporter_cannot_publish_results(world):
    with pytest.raises(PermissionDenied, match="公布考核结果"):
        gate.require(world["reporter_a"], "assessment.run.publish", unit=world["a"])
    assert not gate.allows(world["reporter_a"], "assessment.run.publish")
    assert not gate.units(world["reporter_a"], "assessment.run.publish").exists()


def test_the_sysadmin_gets_no_unit_for_any_data_action(world):
    for admin in ("sysadmin", "secadmin", "auditor"):
        user = world[admin]
        for name, action in ACTIONS.items():
            if action.scoped and name not in DIRECTORY_ACTIONS:
                assert not gate.units(user, name).exists(), (admin, name)
                assert not gate.allows(user, name, unit=world["a"], taskforce=gate.ANY), (admin, name)
                with pytest.raises(PermissionDenied):
                    gate.require(user, name, unit=world["a"], taskforce=gate.ANY)
    # ... while he keeps the whole tree, names and places only
    assert gate.units(world["sysadmin"], "org.tree.view").filter(code="nangang").exists()


def test_anonymous_and_inactive_users_hold_nothing(world):
    assert gate.actions(AnonymousUser()) == frozenset()
    assert not gate.units(AnonymousUser(), "org.unit.view").exists()
    office = world["office"]
    office.is_active = False
    assert gate.actions(office) == frozenset()
    assert not gate.allows(office, "assessment.run.start")


def test_a_unit_outside_the_scope_answers_404(world):
    gate.require(world["office"], "assessment.run.start", unit=world["a"])
    with pytest.raises(Http404):
        gate.require(world["office"], "assessment.run.start", unit=world["other_district"])
    with pytest.raises(Http404):
        gate.require(world["reporter_a"], "assessment.submission.report", unit=world["b"])
    gate.require(world["reporter_a"], "assessment.submission.report", unit=world["a"])


def test_scope_follows_the_grant_subtree_flag(world):
    codes = set(gate.units(world["office"], "assessment.submission.report").values_list("code", flat=True))
    assert codes == {"daowai", "jingyu", "taigu", "fagai"}
    assert set(gate.units(world["reporter_a"], "assessment.submission.report").values_list("code", flat=True)) == {
        "jingyu"}


def test_restrict_filters_rows_by_action(world):
    rows = gate.restrict(world["reporter_a"], User.objects.all(), "assessment.submission.report")
    assert set(rows.values_list("username", flat=True)) == {"tb_a", "fzr_a"}
    assert not gate.restrict(world["leader"], User.objects.all(), "assessment.submission.report").exists()


def test_a_task_force_member_cannot_review_another_task_forces_indicator(world):
    from duibiao.org.models import TaskForce

    user = world["taskforce"]  # a member of task force zb1
    tf1 = TaskForce.objects.get(code="zb1")
    tf2 = TaskForce.objects.create(code="zb2", name="营商环境专班", district=world["district"])
    gate.require(user, "assessment.submission.review", unit=world["a"], taskforce=tf1.pk)
    with pytest.raises(PermissionDenied, match="本专班"):
        gate.require(user, "assessment.submission.review", unit=world["a"], taskforce=tf2.pk)
    with pytest.raises(PermissionDenied, match="本专班"):
        gate.require(user, "assessment.submission.review", unit=world["a"], taskforce=None)
    assert gate.taskforces(user, "assessment.submission.review") == {tf1.pk}
    assert gate.taskforces(world["office"], "assessment.submission.review") is None
    # the office reviews every task force's indicators in its scope
    gate.require(world["office"], "assessment.submission.review", unit=world["a"], taskforce=tf2.pk)


def test_a_task_force_rule_cannot_be_skipped_by_forgetting_the_object(world):
    user = world["taskforce"]
    with pytest.raises(ImproperlyConfigured):
        gate.allows(user, "assessment.submission.review", unit=world["a"])
    from duibiao.assessment.models import Submission

    with pytest.raises(ImproperlyConfigured):
        gate.restrict(user, Submission.objects.all(), "assessment.submission.review")


def test_a_misspelt_action_fails_loudly(world):
    with pytest.raises(LookupError):
        gate.allows(world["office"], "assessment.run.publsh")
    with pytest.raises(LookupError):
        gate.units(AnonymousUser(), "assessment.run.publsh")


def test_a_system_action_takes_no_unit(world):
    gate.require(world["auditor"], "audit.log.view")
    with pytest.raises(ImproperlyConfigured):
        gate.allows(world["auditor"], "audit.log.view", unit=world["a"])
    with pytest.raises(PermissionDenied, match="审计日志"):
        gate.require(world["secadmin"], "audit.log.view")
