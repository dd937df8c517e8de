"""The access sweep: every route, tried by everyone it is not for.

Every URL pattern of the resolver (namespaces included) and every operation of the OpenAPI
schema has an entry in the tables below: the arguments that point it at unit A's objects in a
filled district (scheme, periods in each state, submissions in each state, evidence, runs in
each stage, an appeal, a combination, cadre sheets, a lock, an authenticator, an import job),
the body a permitted user would send, and who may use it, mostly as the action the route
needs (`Needs`), worked out from `accounts.actions` and each user's grants. A route without
an entry fails `test_every_route_is_in_the_sweep`, naming it, so a new app cannot add a route
that nobody checks; an entry for a route that is gone fails too.

For each route and each method it takes:
- the anonymous visitor is sent to the login page (pages) or gets 401 (API);
- every user not allowed, among them unit B's reporter and unit head on unit A's objects,
  the office of another district, a task force that does not own the indicator, the three
  administrators, a user without roles and every role without the action, is refused: 403
  or 404, or (where the table says so) a 400 that shows its reason; and the database is
  unchanged: each attempt runs in a savepoint that is rolled back afterwards, and every
  watched table it wrote to (all but the audit log and the sessions) is compared row by row
  with the start;
- the users allowed (four of them for a read, three for a write, the office and unit A's
  first) get through, and a write that should change something does: so an example that no
  longer points anywhere (a 404 for everyone) cannot pass unseen.
A method the table does not list changes nothing; a read changes nothing. The admin site is
checked on its own: only the system administrator gets in. `test_the_sweep_finds_a_route_left_open`
stages the attack the sweep exists for and shows it reported.

Adding a route: add its entry to PAGES or API, naming the action it needs (or the users),
the example arguments and, for a write, the body that works for a permitted user. A key with
a query ("assessment:run_detail?export=xlsx") is a variant of its route, tried on its own:
exports and unit-named parameters, where a filter is most easily forgotten.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PASSWORD, build_approved, build_assessed, build_world
from tests.files import samples

YEAR = 2026
NEW_PASSWORD = "Sweep@Pass2027"

# ---------------------------------------------------------------------------- who tries

UNIT_A = frozenset({"reporter_a", "head_a"})
UNIT_B = frozenset({"reporter_b", "head_b"})
DISTRICT = frozenset({"office", "taskforce", "taskforce_zb2", "leader", "secretary", "inspector"}) | UNIT_A | UNIT_B
ADMINS = frozenset({"sysadmin", "secadmin", "auditor"})
# `nobody` holds no role at all; `office_nangang` is the office of another district;
# `taskforce_zb2` a task force that does not own unit A's indicators under test (zb1's).
EVERYONE = DISTRICT | ADMINS | {"nobody", "office_nangang"}


@dataclass(frozen=True)
class Needs:
    """The users who hold ACTION in `accounts.actions` (the gate's table): over unit `unit`
    (a key of the filled district), or over some unit under `within`, or anywhere when
    neither is given; for an object of task force `taskforce` when the action is held by a
    task force for its own objects only. Worked out here from the table and the users'
    grants, not by asking the gate: the sweep checks that the code does what the table says."""

    action: str
    unit: str | None = None
    within: str | None = None
    taskforce: str | None = None
    # For an action a secretary holds for the projects he serves only: the user (a key of the
    # filled district) who serves the route's project; other secretaries are refused.
    served_by: str | None = None

    def __call__(self, w: dict) -> frozenset[str]:
        key = (self, id(w))
        if key not in _HOLDERS:
            _HOLDERS[key] = self._holders(w)
        return _HOLDERS[key]

    def _holders(self, w: dict) -> frozenset[str]:
        from duibiao.accounts.actions import ACTIONS, ROLE_ACTIONS, Reach
        from duibiao.org.models import Unit

        assert self.action in ACTIONS, f"the sweep names an action the table does not have: {self.action}"
        if self.unit:
            targets = [w[self.unit]]
        elif self.within:
            targets = list(Unit.objects.filter(path__startswith=w[self.within].path))
        else:
            targets = []
        found = set()
        for who in EVERYONE:
            for grant in w[who].grants.prefetch_related("units"):
                reach = ROLE_ACTIONS[grant.role].get(self.action)
                if reach is None:
                    continue
                if reach is Reach.OWN_TASKFORCE and self.taskforce and grant.taskforce_id != w[self.taskforce].pk:
                    continue
                if reach is Reach.SERVED and targets and self.served_by != who:
                    continue
                if not targets or reach is Reach.EVERYWHERE or any(
                        unit.pk == target.pk or (grant.include_subtree and target.path.startswith(unit.path))
                        for unit in grant.units.all() for target in targets):
                    found.add(who)
        return frozenset(found)


_HOLDERS: dict[tuple[Needs, int], frozenset[str]] = {}
# The order in which users allowed on a route try it (then the others, by name).
PREFERRED = ["office", "reporter_a", "head_a", "taskforce", "leader", "secadmin", "sysadmin", "auditor"]


def _preference(who: str) -> tuple[int, str]:
    return (PREFERRED.index(who) if who in PREFERRED else len(PREFERRED), who)
# Who may use a route: a set of users, a Needs, or a tuple of them (any of).
Who = frozenset | Needs | tuple


def who_may(spec: Who, w: dict) -> frozenset[str]:
    if isinstance(spec, frozenset):
        return spec
    if isinstance(spec, Needs):
        return spec(w)
    return frozenset().union(*(who_may(part, w) for part in spec))


# ---------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class Page:
    """A page route: who may GET it, who may POST it (None: the method is not how it is
    used), the reverse() arguments, the POST body a permitted user sends, and whether that
    POST changes the database (live checks and previews do not)."""

    get: Who | None = None
    post: Who | None = None
    args: Callable[[dict], dict] = lambda w: {}
    data: Callable[[dict], dict] | None = None
    changes: bool = True
    query: str = ""
    # What a refusal may look like besides 403 and 404: a form that cannot use what it was
    # sent shows it again with the reason (400, or 200 on older forms); an Excel import
    # refuses another unit's sheets row by row (400). Any of these must show an error.
    refused: tuple[int, ...] = (403, 404)
    public: bool = False


@dataclass(frozen=True)
class Op:
    """An API operation: who may call it, the path arguments, a JSON body or files."""

    allow: Who
    args: Callable[[dict], dict] = lambda w: {}
    body: Callable[[dict], Any] | None = None
    files: Callable[[dict], dict] | None = None
    query: str = ""
    changes: bool = True
    refused: tuple[int, ...] = (403, 404)


def _pdf(name: str = "佐证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.PDF, content_type="application/pdf")


def _xlsx(data: bytes, name: str = "填报.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _indicator_form(w: dict, **over: str) -> dict:
    data = {
        "based_on": str(w["version"].number), "name": "督查问题整改率", "parent": "D1", "weight": "3",
        "taskforce": "zb1", "item_kind": "common", "kind": "percent", "method": "target", "direction": "higher",
        "unit_of_measure": "%", "source": "区委督查室督查台账", "standard": "已销号问题数/应整改问题数。",
        "p_target": "100", "p_cap": "", "p_floor": "",
    }
    return {**data, **over}


def _first_audit_row() -> int:
    from duibiao.audit.models import AuditEntry

    return AuditEntry.objects.order_by("id").values_list("id", flat=True)[0]


def _ids(**names: str) -> Callable[[dict], dict]:
    """reverse() arguments from the filled district: _ids(pk="run") → {"pk": w["run"].pk}."""
    return lambda w: {key: w[name].pk for key, name in names.items()}


def _with(fixed: dict, **names: str) -> Callable[[dict], dict]:
    return lambda w: {**fixed, **{key: w[name].pk for key, name in names.items()}}


def _based_on(w: dict, **data: Any) -> dict:
    return {"based_on": str(w["version"].number), **data}


SCHEME = {"code": "daowai-2023"}
EVERY = frozenset(EVERYONE)
# The actions, as the routes need them. "Of A": on unit A's objects; "in the district": on
# something of the district's (its scheme, a period, a run), which its units see too.
SEE_SCHEME = Needs("assessment.scheme.view", within="district")
EDIT_SCHEME = Needs("assessment.scheme.edit", unit="district")
REPORT_VIEW_A = Needs("assessment.report.view", unit="a")
REPORT_A = Needs("assessment.submission.report", unit="a")
SIGN_A = Needs("assessment.submission.sign", unit="a")
SEE_VALUES_A = Needs("assessment.submission.view", unit="a")
REVIEW_A = Needs("assessment.submission.review", unit="a", taskforce="taskforce_zb1")
REVIEW_ZB1 = Needs("assessment.submission.review", within="district", taskforce="taskforce_zb1")
UNLOCK_A = Needs("assessment.submission.unlock", unit="a")
COMMENT_A = Needs("assessment.submission.comment", unit="a", taskforce="taskforce_zb1")
# A released run: those who see every run, and those who see released results.
SEE_RUN = (Needs("assessment.run.view_all", within="district"), Needs("assessment.result.view", within="district"))
SEE_RESULT_A = (Needs("assessment.run.view_all", unit="a"), Needs("assessment.result.view", unit="a"))
START_RUN = Needs("assessment.run.start", unit="district")
ANALYSE_RUN = Needs("assessment.run.analyse", unit="district")
SEE_APPEAL_A = Needs("assessment.appeal.view", unit="a", taskforce="taskforce_zb1")
DECIDE_APPEAL_A = Needs("assessment.appeal.decide", unit="a", taskforce="taskforce_zb1")
FILE_APPEAL_A = Needs("assessment.appeal.file", unit="a")
OPEN_PERIOD = Needs("assessment.period.open", unit="district")
PROGRESS = Needs("assessment.progress.view", within="district")
CALENDAR = Needs("assessment.calendar.edit")
CADRES_A = Needs("cadres.sheet.view", unit="a")
EDIT_CADRES_A = Needs("cadres.sheet.edit", unit="a")
IMPORT_SCHEME = Needs("documents.workbook.import", unit="district")
# The cadre pages that are not one unit's: whoever may see some unit's cadre sheets.
CADRE_READERS = Needs("cadres.sheet.view")
# 督导检查: a campaign over units A and B inspected by `inspector`; unit A's findings in each state.
SEE_FINDING_A = Needs("inspections.finding.view", unit="a")
MANAGE_CAMPAIGN_A = Needs("inspections.campaign.manage", unit="a")


def _campaign_form(w: dict, **over: Any) -> dict:
    return {"name": "秋季城市管理检查（复查）", "kind": "city", "status": "active", "starts_on": "2026-09-01",
            "ends_on": "2026-12-31", "units": ["jingyu"], "inspectors": [str(w["inspector"].pk)], **over}


def _finding_form(w: dict) -> dict:
    from tests.inspections.findings_world import photo

    return {"unit": "jingyu", "category": "垃圾堆放", "description": "路边垃圾未清运", "address": "靖宇街3号",
            "severity": "minor", "workdays": "5", "found_on": "2026-09-28", "photos": [photo()]}


def _after_photo() -> list:
    from tests.inspections.findings_world import photo

    return [photo("整改后.jpg")]
# Unit A's project, served by the secretary `secretary` (another secretary is refused).
SEE_PROJECT_A = Needs("projects.project.view", unit="a", served_by="secretary")
REPORT_PROJECT_A = Needs("projects.progress.report", unit="a", served_by="secretary")


def _project_ledger(w: dict) -> dict:
    return {"code": "XM-SW1", "name": "靖宇街道老旧小区改造", "level": "district", "type": "infrastructure",
            "stage": "continuing", "source": "government", "planned_total": "12000", "planned_annual": "4800",
            "planned_start": "2026-03-01", "actual_start": "2026-03-10", "secretary": w["secretary"].pk}

# 调度会: the office of the district arranges, minutes, assigns and closes.
MANAGE_MEETINGS = Needs("projects.meeting.manage", unit="district")

# 一企一档 and 工作量 of unit A.
EDIT_ENTERPRISE_A = Needs("inspections.enterprise.edit", unit="a")
RECORD_WORK_A = Needs("inspections.worklog.record", unit="a")


PAGES: dict[str, Page] = {
    # ------------------------------------------------------------ web: signing in, home
    "web:login": Page(public=True),
    "web:login_otp": Page(public=True),
    "web:logout": Page(public=True),
    "web:home": Page(get=EVERY),
    "web:schemes": Page(get=EVERY),
    # 领导驾驶舱 (the leader's home, the office's 总览), its 大屏 and the data the 大屏 reloads.
    "web:cockpit": Page(get=Needs("web.cockpit.view")),
    "web:cockpit_screen": Page(get=Needs("web.cockpit.view")),
    "web:cockpit_data": Page(get=Needs("web.cockpit.view")),
    "web:security": Page(get=Needs("accounts.policy.view")),
    # ------------------------------------------------------------ accounts
    "accounts:grants": Page(get=Needs("accounts.grant.manage")),
    "accounts:grant_user": Page(
        get=Needs("accounts.grant.manage"), post=Needs("accounts.grant.manage"), args=_ids(pk="nobody"),
        data=lambda w: {"role": "leader", "units": [w["district"].pk], "include_subtree": "on", "taskforce": ""}),
    "accounts:grant_revoke": Page(post=Needs("accounts.grant.manage"), args=_ids(pk="grant_secretary"),
                                  data=lambda w: {}),
    "accounts:actions": Page(get=Needs("accounts.actions.view")),
    # 接口令牌: every role, each his own; a token for what the user holds is made, another's
    # token is nobody else's to revoke (404).
    "accounts:tokens": Page(get=Needs("accounts.token.manage"), post=Needs("accounts.token.manage"),
                            data=lambda w: {"name": "对接", "actions": ["org.tree.view"],
                                            "expires_on": (date.today() + timedelta(days=30)).isoformat()}),
    "accounts:token_revoke": Page(post=frozenset({"office"}), args=_ids(pk="api_token"),
                                  data=lambda w: {"version": w["api_token"].version}),
    "accounts:password_change": Page(
        get=EVERY, post=EVERY,
        data=lambda w: {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}),
    "accounts:security": Page(get=Needs("accounts.lockout.manage")),
    "accounts:unlock": Page(get=Needs("accounts.lockout.manage"), post=Needs("accounts.lockout.manage"),
                            query="username=tb_a", data=lambda w: {"username": "tb_a", "confirm": "yes"}),
    "accounts:second_factor_reset": Page(
        get=Needs("accounts.lockout.manage"), post=Needs("accounts.lockout.manage"), args=_ids(pk="sysadmin"),
        data=lambda w: {"confirm": "yes"}),
    # ------------------------------------------------------------ org
    "org:unit_list": Page(get=EVERY),
    "org:my_unit": Page(get=UNIT_A | UNIT_B),  # a user without a unit of his own: 404
    "assessment:my_unit": Page(get=UNIT_A | UNIT_B),  # 本单位: only a unit's own people
    "org:unit_detail": Page(get=Needs("org.tree.view", unit="a"), args=lambda w: {"code": "jingyu"}),
    # ------------------------------------------------------------ audit
    "audit:list": Page(get=Needs("audit.log.view")),
    # The district's first audit row (its units' creation); 立即校验 records a chain check.
    "audit:detail": Page(get=Needs("audit.log.view"), args=lambda w: {"pk": _first_audit_row()}),
    "audit:verify": Page(post=Needs("audit.chain.verify"), data=lambda w: {}),
    "audit_export:xlsx": Page(get=Needs("audit.log.export")),
    # ------------------------------------------------------------ cadres (mounted at /org/cadres/)
    # The index lists the assessed units (with a category) whose sheets one may see.
    "cadres:cadre_index": Page(get=Needs("cadres.sheet.view", within="district")),
    "cadres:cadre_lists": Page(get=CADRE_READERS),
    "cadres:cadre_list_export": Page(get=CADRE_READERS, args=lambda w: {"kind": "selection"}),
    "cadres:cadre_register": Page(get=CADRES_A, args=lambda w: {"code": "jingyu"}),
    "cadres:cadre_add": Page(
        get=EDIT_CADRES_A, post=EDIT_CADRES_A, args=lambda w: {"code": "jingyu"},
        data=lambda w: {"name": "赵新", "position": "科员", "rank": "科员", "gender": "男",
                        "birth_month": "1995-04", "order": "9", "is_active": "on"}),
    "cadres:cadre_edit": Page(
        get=EDIT_CADRES_A, post=EDIT_CADRES_A, args=_with({"code": "jingyu"}, pk="cadre_a"),
        data=lambda w: {"name": "王建华", "position": "党工委书记", "rank": "正科级", "gender": "男",
                        "birth_month": "1975-03", "order": "1", "is_active": "on",
                        "version": str(w["cadre_a"].version)}),
    "cadres:cadre_routine": Page(
        get=CADRES_A, post=EDIT_CADRES_A, args=lambda w: {"code": "jingyu"},
        data=lambda w: {"year": str(YEAR), f"g-{w['cadre_a'].pk}-2": "较好"}),
    "cadres:cadre_annual": Page(
        get=CADRES_A, post=EDIT_CADRES_A, args=lambda w: {"code": "jingyu"},
        data=lambda w: {"year": str(YEAR), f"p-{w['cadre_a'].pk}": "称职", f"s-{w['cadre_a'].pk}": "91"}),
    "cadres:cadre_quota": Page(post=EDIT_CADRES_A, args=lambda w: {"code": "jingyu"},
                               data=lambda w: {"year": str(YEAR), "approved": "1", "note": "批准"}),
    # ------------------------------------------------------------ assessment: schemes
    "assessment:scheme_detail": Page(get=SEE_SCHEME, args=lambda w: SCHEME),
    "assessment:scheme_edit": Page(
        get=EDIT_SCHEME, post=EDIT_SCHEME, args=lambda w: SCHEME,
        data=lambda w: _based_on(w, document=w["version"].document + "\n# 访问检查\n", note="检查")),
    "assessment:scheme_check": Page(post=EDIT_SCHEME, args=lambda w: SCHEME, changes=False,
                                    data=lambda w: {"document": w["version"].document}),
    "assessment:scheme_clone": Page(post=EDIT_SCHEME, args=lambda w: SCHEME, data=lambda w: {"year": "2027"}),
    "assessment:scheme_indicator_new": Page(
        get=EDIT_SCHEME, post=EDIT_SCHEME, args=lambda w: SCHEME,
        data=lambda w: _indicator_form(w, code="gz19", name="新增指标", parent="D3", weight="1")),
    "assessment:scheme_indicator_check_new": Page(
        post=EDIT_SCHEME, args=lambda w: SCHEME, changes=False,
        data=lambda w: _indicator_form(w, code="gz19", name="新增指标", parent="D3", weight="1")),
    "assessment:scheme_indicator_params_new": Page(get=EDIT_SCHEME, args=lambda w: SCHEME, query="method=goalposts"),
    "assessment:scheme_indicator_edit": Page(get=EDIT_SCHEME, post=EDIT_SCHEME, args=lambda w: {**SCHEME, "ind": "nl02"},
                                             data=lambda w: _indicator_form(w, weight="4")),
    "assessment:scheme_indicator_check": Page(post=EDIT_SCHEME, args=lambda w: {**SCHEME, "ind": "nl02"},
                                              changes=False, data=lambda w: _indicator_form(w, weight="4")),
    "assessment:scheme_indicator_params": Page(get=EDIT_SCHEME, args=lambda w: {**SCHEME, "ind": "nl02"},
                                               query="method=goalposts"),
    "assessment:scheme_indicator_remove": Page(post=EDIT_SCHEME, args=lambda w: {**SCHEME, "ind": "nl10"},
                                               data=lambda w: _based_on(w)),
    "assessment:scheme_adjustment_new": Page(
        get=EDIT_SCHEME, post=EDIT_SCHEME, args=lambda w: SCHEME,
        data=lambda w: _based_on(w, code="jl04", name="区级表彰", type="bonus", points="0.5", cap="1",
                                 taskforce="zb1")),
    "assessment:scheme_adjustment_edit": Page(
        get=EDIT_SCHEME, post=EDIT_SCHEME, args=lambda w: {**SCHEME, "item": "jl01"},
        data=lambda w: _based_on(w, code="jl01", name="国家级表彰或经验推广", type="bonus", points="3", cap="4",
                                 taskforce="zb1")),
    "assessment:scheme_adjustment_remove": Page(post=EDIT_SCHEME, args=lambda w: {**SCHEME, "item": "jl03"},
                                                data=lambda w: _based_on(w)),
    "assessment:scheme_veto_new": Page(
        get=EDIT_SCHEME, post=EDIT_SCHEME, args=lambda w: SCHEME,
        data=lambda w: _based_on(w, code="fj04", name="环保督察问题", effect="cap_grade", grade="一般")),
    "assessment:scheme_veto_edit": Page(
        get=EDIT_SCHEME, post=EDIT_SCHEME, args=lambda w: {**SCHEME, "item": "fj03"},
        data=lambda w: _based_on(w, code="fj03", name="发生重大负面舆情事件", effect="zero", grade="")),
    "assessment:scheme_veto_remove": Page(post=EDIT_SCHEME, args=lambda w: {**SCHEME, "item": "fj03"},
                                          data=lambda w: _based_on(w)),
    "assessment:scheme_dimensions": Page(
        get=EDIT_SCHEME, post=EDIT_SCHEME, args=lambda w: SCHEME,
        data=lambda w: _based_on(w, points_D1="30", points_D2="30", points_D3="40")),
    "assessment:scheme_dimensions_check": Page(post=EDIT_SCHEME, args=lambda w: SCHEME, changes=False,
                                               data=lambda w: {"points_D1": "30"}),
    # ------------------------------------------------------------ assessment: reporting
    "assessment:report_index": Page(get=EVERY),
    "assessment:report_home": Page(get=SEE_SCHEME, args=_ids(period_id="period")),
    "assessment:report_unit": Page(get=REPORT_VIEW_A, args=_with({"unit_code": "jingyu"}, period_id="period")),
    "assessment:report_submit": Page(post=REPORT_A, args=_with({"unit_code": "jingyu"}, period_id="period"),
                                     data=lambda w: {"confirm": "1"}),
    # Signed off in the published quarter, where every value of A's is approved.
    "assessment:report_signoff": Page(post=SIGN_A, args=_with({"unit_code": "jingyu"}, period_id="period_published"),
                                      data=lambda w: {}),
    "assessment:value_save": Page(
        post=REPORT_A, args=_with({"unit_code": "jingyu", "code": "nl04"}, period_id="period"),
        data=lambda w: {"value": "88", "note": "", "version": str(w["sub_draft"].version)}),
    "assessment:evidence_upload": Page(post=REPORT_A, args=_ids(pk="sub_draft"), data=lambda w: {"file": _pdf()}),
    "assessment:evidence_download": Page(get=SEE_VALUES_A, args=_ids(pk="evidence")),
    "assessment:evidence_view": Page(get=SEE_VALUES_A, args=_ids(pk="evidence")),
    "assessment:evidence_delete": Page(post=REPORT_A, args=_ids(pk="evidence"), data=lambda w: {}),
    "assessment:value_history": Page(get=SEE_VALUES_A, args=_ids(pk="sub_draft")),
    "assessment:comment_add": Page(post=COMMENT_A, args=_ids(pk="sub_draft"), data=lambda w: {"text": "请核对口径"}),
    # ------------------------------------------------------------ assessment: review
    "assessment:review_index": Page(get=EVERY),
    "assessment:review_home": Page(get=SEE_SCHEME, args=_ids(period_id="period")),
    "assessment:review_indicator": Page(get=REVIEW_ZB1, args=_with({"code": "nl03"}, period_id="period")),
    "assessment:score": Page(
        post=REVIEW_A, args=_with({"code": "nl01", "unit_code": "jingyu"}, period_id="period"),
        data=lambda w: {"value": "90", "justification": "按制度评定", "version": str(w["score_version"])}),
    "assessment:bulk_approve": Page(
        post=REVIEW_A, args=_with({"code": "nl03"}, period_id="period"),
        data=lambda w: {"pick": str(w["sub_submitted"].pk),
                        f"version-{w['sub_submitted'].pk}": str(w["sub_submitted"].version)}),
    "assessment:score_evidence": Page(
        post=REVIEW_A, args=_with({"code": "nl01", "unit_code": "jingyu"}, period_id="period"),
        data=lambda w: {"file": _pdf("评分依据.pdf")}),
    "assessment:approve": Page(post=REVIEW_A, args=_ids(pk="sub_submitted"),
                               data=lambda w: {"version": str(w["sub_submitted"].version)}),
    "assessment:return": Page(post=REVIEW_A, args=_ids(pk="sub_submitted"),
                              data=lambda w: {"version": str(w["sub_submitted"].version), "reason": "台账不全"}),
    "assessment:unlock": Page(post=UNLOCK_A, args=_ids(pk="sub_approved"),
                              data=lambda w: {"version": str(w["sub_approved"].version), "reason": "更正"}),
    # ------------------------------------------------------------ assessment: runs and appeals
    "assessment:run_index": Page(get=EVERY),
    "assessment:period_runs": Page(get=SEE_SCHEME, args=_ids(period_id="period")),
    "assessment:run_start": Page(post=START_RUN, args=_ids(period_id="period"), data=lambda w: {"note": "检查"}),
    "assessment:run_detail": Page(get=SEE_RUN, args=_ids(pk="run")),
    # Exports are where filters get forgotten: the ranking's workbook is tried on its own.
    "assessment:run_detail?export=xlsx": Page(get=SEE_RUN, args=_ids(pk="run")),
    "assessment:run_progress": Page(get=SEE_RUN, args=_ids(pk="run")),
    "assessment:run_restart": Page(post=START_RUN, args=_ids(pk="run_failed"), data=lambda w: {}),
    "assessment:run_sensitivity": Page(get=ANALYSE_RUN, args=_ids(pk="run")),
    "assessment:run_compare": Page(get=SEE_RUN, args=_ids(pk="run", other="run_published")),
    "assessment:run_inputs": Page(get=ANALYSE_RUN, args=_ids(pk="run")),
    "assessment:run_release": Page(post=Needs("assessment.run.release", unit="district"), args=_ids(pk="run_draft"),
                                   data=lambda w: {"workdays": "5"}),
    "assessment:run_publish": Page(get=Needs("assessment.run.publish", unit="district"),
                                   post=Needs("assessment.run.publish", unit="district"),
                                   args=_ids(pk="run_to_publish"),
                                   data=lambda w: {"stage": "released", "reason": "市委要求提前报送"}),
    "assessment:run_withdraw": Page(get=Needs("assessment.run.publish", unit="district"),
                                    post=Needs("assessment.run.publish", unit="district"),
                                    args=_ids(pk="run_published"),
                                    data=lambda w: {"stage": "published", "reason": "数据有误，须更正后重新公布"}),
    "assessment:appeals": Page(get=SEE_RUN, args=_ids(pk="run")),
    # Lists only what the user may see (each appeal through the gate), like the run index.
    "assessment:appeal_index": Page(get=EVERY),
    "assessment:appeal_decide": Page(post=DECIDE_APPEAL_A, args=_ids(appeal_id="appeal"),
                                     data=lambda w: {"accept": "0", "decision": "经核实不予采纳"}),
    "assessment:appeal_evidence": Page(get=SEE_APPEAL_A, args=_ids(appeal_id="appeal")),
    "assessment:appeal_evidence_view": Page(get=SEE_APPEAL_A, args=_ids(appeal_id="appeal")),
    "assessment:unit_result": Page(get=SEE_RESULT_A, args=_with({"unit_code": "jingyu"}, pk="run")),
    "assessment:what_if": Page(post=SEE_RESULT_A, args=_with({"unit_code": "jingyu"}, pk="run"), changes=False,
                               data=lambda w: {"v-nl02": "99"}),
    "assessment:appeal_file": Page(post=FILE_APPEAL_A, args=_with({"unit_code": "jingyu"}, pk="run"),
                                   data=lambda w: {"indicator": "nl03", "reason": "办结台账已补充"}),
    "assessment:combination_index": Page(get=EVERY),
    # The office of another district reaches the form (with nothing to choose) and is refused
    # the district's runs when it posts them: the form again, with the reason.
    "assessment:combination_edit": Page(
        get=Needs("assessment.combination.edit"), post=Needs("assessment.combination.edit", unit="district"),
        refused=(200, 400, 403, 404),
        data=lambda w: {"code": "y2026-sweep", "name": "年度结果", "year": str(YEAR), "name-0": "年度评价",
                        "weight-0": "100", "runs-0": [str(w["run_published"].pk)]}),
    "assessment:combination_detail": Page(get=Needs("assessment.combination.view", within="district"),
                                          args=lambda w: {"code": w["combination"].code}),
    # ------------------------------------------------------------ assessment: periods, calendar, progress
    "assessment:period_list": Page(get=EVERY),
    "assessment:period_create": Page(  # another district's scheme is not a choice: the form says so
        get=Needs("assessment.period.open"), post=OPEN_PERIOD, refused=(200, 400, 403, 404),
        data=lambda w: {"scheme": str(w["scheme"].pk), "kind": "month", "year": str(YEAR), "number": "6",
                        "opens_on": "2026-06-01", "deadline_workdays": "10", "name": ""}),
    "assessment:period_preview": Page(post=Needs("assessment.period.open"), changes=False,
                                      data=lambda w: {"opens_on": "2026-10-09", "deadline_workdays": "10"}),
    "assessment:period_status": Page(get=OPEN_PERIOD, post=OPEN_PERIOD, args=_ids(period_id="period"),
                                     query="status=closed",
                                     data=lambda w: {"status": "closed", "current": "open", "reason": "提前完成审核"}),
    "assessment:calendar": Page(get=CALENDAR, post=CALENDAR,
                                data=lambda w: {"year": "2030", "note": "", "text": "2030-01-01 元旦 休"}),
    "assessment:progress_index": Page(get=Needs("assessment.progress.view")),
    "assessment:progress": Page(get=PROGRESS, args=_ids(period_id="period")),
    # ------------------------------------------------------------ documents (Excel)
    "documents:index": Page(get=EVERY),
    "documents:scheme_download": Page(get=SEE_SCHEME, args=_ids(pk="scheme")),
    "documents:scheme_import": Page(get=IMPORT_SCHEME, post=IMPORT_SCHEME, args=_ids(pk="scheme"),
                                    data=lambda w: {"file": _xlsx(w["scheme_workbook"], "细则.xlsx")}),
    "documents:period": Page(get=SEE_SCHEME, args=_ids(pk="period")),
    "documents:progress_download": Page(get=PROGRESS, args=_ids(pk="period")),
    # The ranking and the cadre lists are written here (the old links redirect after the same refusal).
    "documents:ranking_download": Page(get=SEE_RUN, args=_ids(pk="run")),
    "documents:cadre_list_download": Page(get=CADRE_READERS, args=lambda w: {"kind": "selection"}),
    "documents:template_download": Page(get=Needs("assessment.report.view", within="district"),
                                        args=_ids(pk="period")),
    "documents:template_import": Page(post=REPORT_A, args=_ids(pk="period"),
                                      data=lambda w: {"file": _xlsx(w["template_a"])}, refused=(400, 403, 404)),
    "documents:unit_template_download": Page(get=REPORT_VIEW_A, args=_with({"code": "jingyu"}, pk="period")),
    "documents:unit_template_import": Page(post=REPORT_A, args=_with({"code": "jingyu"}, pk="period"),
                                           data=lambda w: {"file": _xlsx(w["template_a"])}),
    # A background import is its uploader's alone.
    "documents:import_job": Page(get=frozenset({"reporter_a"}), args=_ids(pk="import_job")),
    "documents:import_job_progress": Page(get=frozenset({"reporter_a"}), args=_ids(pk="import_job")),
    # ------------------------------------------------------------ documents: 通报
    # The office of a district drafts (another district's office drafts its own), rewrites and
    # issues its bulletins; a leader reads the issued ones; a draft is not shown to a leader.
    "documents:bulletins": Page(get=Needs("documents.bulletin.view")),
    "documents:bulletin_new": Page(post=Needs("documents.bulletin.edit"), refused=(400, 403, 404),
                                   data=lambda w: {"kind": "inspections", "day": "2026-10-16"}),
    # 批量与定时起草: the office's own district (a batch job, a schedule of its district).
    "documents:bulletin_auto": Page(get=Needs("documents.bulletin.edit")),
    "documents:bulletin_batch": Page(post=Needs("documents.bulletin.edit"), refused=(400, 403, 404),
                                     data=lambda w: {"kinds": ["inspections"], "start": "2026-10-16", "end": "2026-10-16"}),
    "documents:bulletin_schedule": Page(post=Needs("documents.bulletin.edit"), refused=(400, 403, 404, 409),
                                        args=lambda w: {"kind": "inspections"},
                                        data=lambda w: {"enabled": "on", "at": "17:30", "version": "0"}),
    "documents:bulletin": Page(
        get=Needs("documents.bulletin.edit", unit="district"), post=Needs("documents.bulletin.edit", unit="district"),
        args=_ids(pk="bulletin_draft"), data=lambda w: {
            "version": w["bulletin_draft"].version, "opening": "改写的开头。", "requirements": "改写的要求。"}),
    "documents:bulletin_issue": Page(
        get=Needs("documents.bulletin.issue", unit="district"), post=Needs("documents.bulletin.issue", unit="district"),
        args=_ids(pk="bulletin_to_issue"), data=lambda w: {"version": w["bulletin_to_issue"].version}),
    "documents:bulletin_download": Page(get=Needs("documents.bulletin.view", unit="district"),
                                        args=_with({"fmt": "docx"}, pk="bulletin_issued")),
    # 任务: everyone sees his own jobs (the office its district's); an export's file is its owner's
    # alone, and only he retries it (a POST that queues a new job, the failed one kept).
    "web:jobs": Page(get=EVERY),
    "web:jobs_progress": Page(get=EVERY),
    "web:job_download": Page(get=frozenset({"office"}), args=_ids(pk="export_job")),
    "web:job_retry": Page(post=frozenset({"office"}), args=_ids(pk="export_job_failed"), data=lambda w: {}),
    # ------------------------------------------------------------ projects: the library, progress, problems
    "projects:portfolio": Page(get=Needs("projects.project.view")),
    # 项目四率: the rates of what the gate shows each holder (another district's office, nothing of ours).
    "projects:rates": Page(get=Needs("projects.project.view")),
    "projects:rates?export=csv": Page(get=Needs("projects.project.view")),
    "projects:workspace": Page(get=Needs("projects.progress.report")),
    "projects:project_new": Page(
        get=Needs("projects.project.edit"), post=Needs("projects.project.edit", unit="a"), refused=(400, 403, 404),
        data=lambda w: {**_project_ledger(w), "code": "XM-SW2", "owner_unit": w["a"].pk}),
    "projects:project_detail": Page(get=SEE_PROJECT_A, args=_ids(pk="project")),
    "projects:project_edit": Page(
        get=Needs("projects.project.edit", unit="a"), post=Needs("projects.project.edit", unit="a"),
        args=_ids(pk="project"), data=lambda w: {**_project_ledger(w), "name": "改名", "version": w["project"].version,
                                                 "owner_unit": w["a"].pk}),
    "projects:milestones_edit": Page(
        post=Needs("projects.project.edit", unit="a"), args=_ids(pk="project"),
        data=lambda w: {"version": w["project"].version, "approval_planned": "2026-01-10",
                        "approval_actual": "2026-01-12"}),
    "projects:progress_new": Page(
        get=REPORT_PROJECT_A, post=REPORT_PROJECT_A, args=_ids(pk="project"),
        data=lambda w: {"version": w["project"].version, "completed_ytd": "1500", "text": "主体施工"}),
    "projects:problem_new": Page(
        post=Needs("projects.problem.raise", unit="a", served_by="secretary"), args=_ids(pk="project"),
        data=lambda w: {"problem_text": "用电未接入", "problem_unit": w["fagai"].pk}),
    "projects:problems_asked": Page(get=Needs("projects.problem.answer")),
    # The project's side, or the unit asked to solve it (区发改局: nobody of the sweep answers for it).
    "projects:problem_solve": Page(
        post=(Needs("projects.problem.solve", unit="a", served_by="secretary"),
              Needs("projects.problem.answer", unit="fagai")), args=_ids(pk="project_problem"),
        data=lambda w: {"version": 1, "solution": "已解决"}),
    "projects:photo_raw": Page(get=SEE_PROJECT_A, args=_ids(pk="project_photo")),
    "projects:photo_view": Page(get=SEE_PROJECT_A, args=_ids(pk="project_photo")),
    # Another district's office keeps no project of unit A: its import is refused row by row (400).
    "documents:project_ledger": Page(
        get=Needs("projects.project.view"), post=Needs("projects.project.edit", unit="a"), refused=(400, 403, 404),
        data=lambda w: {"file": _xlsx(w["ledger_workbook"], "台账.xlsx")}),
    "documents:project_ledger_export": Page(get=Needs("projects.project.view")),
    # ------------------------------------------------------------ projects: 调度会, 交办事项, 线索
    # Lists show what the gate lets each user see; a meeting is its district's, an assignment
    # its responsible unit's, a lead the unit's that pushed it.
    "dispatch:meeting_list": Page(get=Needs("projects.meeting.view")),
    "dispatch:meeting_new": Page(post=MANAGE_MEETINGS, refused=(400, 403, 404), data=lambda w: {
        "district": str(w["district"].pk), "cadence": "weekly", "held_on": "2026-10-16", "chair": ""}),
    "dispatch:meeting_detail": Page(get=Needs("projects.meeting.view", unit="district"), args=_ids(pk="meeting")),
    "dispatch:meeting_minutes": Page(post=MANAGE_MEETINGS, args=_ids(pk="meeting"),
                                     data=lambda w: {"version": str(w["meeting"].version), "minutes": "改纪要"}),
    "dispatch:assignment_add": Page(post=MANAGE_MEETINGS, args=_ids(pk="meeting"), data=lambda w: {
        "version": str(w["meeting"].version), "text": "协调用电", "unit": str(w["a"].pk), "workdays": "3"}),
    "dispatch:meeting_close": Page(post=MANAGE_MEETINGS, args=_ids(pk="meeting"),
                                   data=lambda w: {"version": str(w["meeting"].version)}),
    "dispatch:assignment_list": Page(get=Needs("projects.assignment.view")),
    "dispatch:assignment_reply": Page(post=Needs("projects.assignment.reply", unit="a"), args=_ids(pk="assignment"),
                                      data=lambda w: {"version": str(w["assignment"].version), "reply": "已办"}),
    "dispatch:lead_list": Page(get=Needs("projects.lead.view")),
    "dispatch:lead_funnel": Page(get=Needs("projects.lead.view")),
    "dispatch:lead_new": Page(post=Needs("projects.lead.edit", unit="a"), refused=(400, 403, 404), data=lambda w: {
        "unit": str(w["a"].pk), "name": "新线索", "expected_investment": "600"}),
    "dispatch:lead_detail": Page(get=Needs("projects.lead.view", unit="a"), args=_ids(pk="lead")),
    "dispatch:lead_advance": Page(post=Needs("projects.lead.edit", unit="a"), args=_ids(pk="lead"),
                                  data=lambda w: {"version": str(w["lead"].version), "note": "已对接统计"}),
    "dispatch:lead_convert": Page(post=Needs("projects.lead.convert", unit="a"), args=_ids(pk="lead"), data=lambda w: {
        "version": str(w["lead"].version), "code": "XM-SWL", "level": "district", "type": "industry",
        "source": "enterprise"}),
    # ------------------------------------------------------------ inspections: 日通报, 处置率, 企业档案, 工作量
    # The statistics pages show what the gate lets each holder count (another district's
    # office gets an empty picture); a file and a log are their unit's.
    "inspections:daily": Page(get=Needs("inspections.stats.view")),
    "inspections:rates": Page(get=Needs("inspections.stats.view")),
    "documents:inspections_daily": Page(get=Needs("inspections.stats.view")),
    "inspections:enterprises": Page(get=Needs("inspections.enterprise.view")),
    "inspections:enterprise_new": Page(  # a unit outside the grant is not a choice: the form says so
        get=Needs("inspections.enterprise.edit"), post=EDIT_ENTERPRISE_A, refused=(403, 404, 422),
        data=lambda w: {"credit_code": "92230104MA1BX0K7XC", "name": "某某超市", "unit": "jingyu"}),
    "inspections:enterprise": Page(get=Needs("inspections.enterprise.view", unit="a"), args=_ids(pk="enterprise")),
    "inspections:enterprise_edit": Page(
        get=EDIT_ENTERPRISE_A, post=EDIT_ENTERPRISE_A, args=_ids(pk="enterprise"),
        data=lambda w: {"credit_code": w["enterprise"].credit_code, "name": "改名", "unit": "jingyu",
                        "version": w["enterprise"].version}),
    "inspections:risk_add": Page(post=EDIT_ENTERPRISE_A, args=_ids(pk="enterprise"), data=lambda w: {
        "text": "消防通道堵塞", "level": "general", "identified_on": "2026-10-09"}),
    "inspections:risk_status": Page(post=EDIT_ENTERPRISE_A, args=lambda w: {"pk": w["enterprise"].pk,
                                                                            "risk_id": w["risk"].pk},
                                    data=lambda w: {"version": w["risk"].version, "status": "closed"}),
    "inspections:worklogs": Page(get=Needs("inspections.worklog.view")),
    "inspections:worklog_new": Page(post=RECORD_WORK_A, refused=(403, 404, 422), data=lambda w: {
        "unit": "jingyu", "work_type": w["worktype"].pk, "quantity": "120", "done_on": "2026-10-09"}),
    "inspections:worklog_edit": Page(get=RECORD_WORK_A, post=RECORD_WORK_A, args=_ids(pk="worklog"), data=lambda w: {
        "version": w["worklog"].version, "work_type": w["worktype"].pk, "quantity": "130", "done_on": "2026-10-09"}),
    "inspections:worktypes": Page(get=Needs("inspections.worktype.edit"), post=Needs("inspections.worktype.edit"),
                                  data=lambda w: {"name": "维修设施", "unit_of_measure": "处", "active": "1"}),
    # ------------------------------------------------------------ inspections: campaigns, findings, rectification
    "inspections:index": Page(get=(Needs("inspections.campaign.view"), Needs("inspections.finding.view"))),
    "inspections:campaigns": Page(get=Needs("inspections.campaign.view")),
    "inspections:campaign_new": Page(get=Needs("inspections.campaign.manage"), post=MANAGE_CAMPAIGN_A,
                                     refused=(403, 404, 422), data=lambda w: _campaign_form(w)),
    "inspections:campaign": Page(get=Needs("inspections.campaign.view", unit="a"), args=_ids(pk="campaign")),
    "inspections:campaign_edit": Page(
        get=MANAGE_CAMPAIGN_A, post=MANAGE_CAMPAIGN_A, args=_ids(pk="campaign"),
        data=lambda w: _campaign_form(w, units=["jingyu", "taigu"], version=str(w["campaign"].version))),
    # Recording is for an inspector of the campaign (who holds the action over the unit).
    "inspections:finding_new": Page(get=frozenset({"inspector"}), post=frozenset({"inspector"}),
                                    args=_ids(campaign_id="campaign"), data=_finding_form),
    # The recording form's live check of likely duplicates (htmx): for the campaign's inspector.
    "inspections:finding_duplicates": Page(get=frozenset({"inspector"}), args=_ids(campaign_id="campaign"),
                                           query="category=垃圾堆放&address=靖宇街1号"),
    "inspections:finding": Page(get=SEE_FINDING_A, args=_ids(pk="finding_open")),
    "inspections:finding_report": Page(
        post=Needs("inspections.finding.rectify", unit="a"), args=_ids(pk="finding_open"),
        data=lambda w: {"version": str(w["finding_open"].version), "text": "已清运", "photos": _after_photo()}),
    "inspections:finding_verify": Page(
        post=Needs("inspections.finding.verify", unit="a"), args=_ids(pk="finding_reported"),
        data=lambda w: {"version": str(w["finding_reported"].version), "step": "return", "reason": "仍有垃圾"}),
    "inspections:finding_extend": Page(
        post=Needs("inspections.finding.extend", unit="a"), args=_ids(pk="finding_open"),
        data=lambda w: {"version": str(w["finding_open"].version), "requested_to": "2026-11-30", "reason": "需协调"}),
    "inspections:extension_decide": Page(
        post=Needs("inspections.extension.decide", unit="a"),
        args=lambda w: {"pk": w["finding_extending"].pk, "extension_id": w["extension"].pk},
        data=lambda w: {"version": str(w["finding_extending"].version), "approve": "1"}),
    "inspections:finding_remind": Page(
        post=Needs("inspections.finding.remind", unit="a"), args=_ids(pk="finding_open"),
        data=lambda w: {"version": str(w["finding_open"].version), "text": "请尽快整改"}),
    "inspections:photo": Page(get=SEE_FINDING_A, args=_ids(pk="finding_photo")),
    "inspections:photo_raw": Page(get=SEE_FINDING_A, args=_ids(pk="finding_photo")),
    # Lists show what the gate lets each holder see (unit B's people get an empty list).
    "inspections:rectify": Page(get=Needs("inspections.finding.rectify")),
    "inspections:verify": Page(get=(Needs("inspections.finding.verify"), Needs("inspections.extension.decide"))),
    # ------------------------------------------------------------ the API's own pages
    "api:openapi-json": Page(get=EVERY),
    "api:openapi-view": Page(get=EVERY),
    "api:api-root": Page(public=True),
}

RUN = _ids(pk="run")
YEAR_OF_A = {"code": "jingyu", "year": YEAR}
API: dict[str, Op] = {
    "GET /api/accounts/me": Op(EVERY),
    # ------------------------------------------------------------ schemes, reporting, review
    "GET /api/assessment/schemes": Op(EVERY),
    "GET /api/assessment/schemes/{code}": Op(SEE_SCHEME, args=lambda w: SCHEME),
    "POST /api/assessment/schemes/{code}/versions": Op(
        EDIT_SCHEME, args=lambda w: SCHEME,
        body=lambda w: {"document": w["version"].document + "\n# 访问检查\n", "note": "检查",
                        "based_on": w["version"].number}),
    # The scheme editor's item-by-item edits: the office of the scheme's district, from the latest version.
    "POST /api/assessment/schemes/{code}/indicators": Op(
        EDIT_SCHEME, args=lambda w: SCHEME,
        body=lambda w: {"based_on": w["version"].number, "code": "gz19", "name": "新增指标", "parent": "D3",
                        "weight": 1, "params": {"target": 100}}),
    "PATCH /api/assessment/schemes/{code}/indicators/{ind}": Op(
        EDIT_SCHEME, args=lambda w: {**SCHEME, "ind": "nl02"}, body=lambda w: {"based_on": w["version"].number,
                                                                             "weight": 4}),
    "POST /api/assessment/schemes/{code}/indicators/{ind}/remove": Op(
        EDIT_SCHEME, args=lambda w: {**SCHEME, "ind": "nl10"}, body=lambda w: {"based_on": w["version"].number}),
    "POST /api/assessment/schemes/{code}/adjustments": Op(
        EDIT_SCHEME, args=lambda w: SCHEME,
        body=lambda w: {"based_on": w["version"].number, "code": "jl04", "name": "区级表彰", "type": "bonus",
                        "points": 0.5, "cap": 1, "taskforce": "zb1"}),
    "PATCH /api/assessment/schemes/{code}/adjustments/{item}": Op(
        EDIT_SCHEME, args=lambda w: {**SCHEME, "item": "jl01"},
        body=lambda w: {"based_on": w["version"].number, "points": 2.5}),
    "POST /api/assessment/schemes/{code}/adjustments/{item}/remove": Op(
        EDIT_SCHEME, args=lambda w: {**SCHEME, "item": "jl03"}, body=lambda w: {"based_on": w["version"].number}),
    "POST /api/assessment/schemes/{code}/vetoes": Op(
        EDIT_SCHEME, args=lambda w: SCHEME,
        body=lambda w: {"based_on": w["version"].number, "code": "fj04", "name": "环保督察问题", "effect": "cap_grade",
                        "grade": "一般"}),
    "PATCH /api/assessment/schemes/{code}/vetoes/{item}": Op(
        EDIT_SCHEME, args=lambda w: {**SCHEME, "item": "fj03"},
        body=lambda w: {"based_on": w["version"].number, "effect": "zero", "grade": ""}),
    "POST /api/assessment/schemes/{code}/vetoes/{item}/remove": Op(
        EDIT_SCHEME, args=lambda w: {**SCHEME, "item": "fj03"}, body=lambda w: {"based_on": w["version"].number}),
    "POST /api/assessment/schemes/{code}/indicators/check": Op(
        EDIT_SCHEME, args=lambda w: SCHEME, changes=False,
        body=lambda w: {"code": "gz19", "name": "新增指标", "parent": "D3", "weight": 1, "params": {"target": 100}}),
    "POST /api/assessment/schemes/{code}/indicators/{ind}/check": Op(
        EDIT_SCHEME, args=lambda w: {**SCHEME, "ind": "nl02"}, changes=False, body=lambda w: {"weight": 4}),
    "POST /api/assessment/schemes/{code}/dimensions/check": Op(
        EDIT_SCHEME, args=lambda w: SCHEME, changes=False, body=lambda w: {"points": {"D1": 30}}),
    "PUT /api/assessment/schemes/{code}/dimensions": Op(
        EDIT_SCHEME, args=lambda w: SCHEME,
        body=lambda w: {"based_on": w["version"].number, "points": {"D1": 30, "D2": 30, "D3": 40}}),
    "GET /api/assessment/periods/{period_id}/units/{unit_code}/rows": Op(
        REPORT_VIEW_A, args=_with({"unit_code": "jingyu"}, period_id="period")),
    "PUT /api/assessment/periods/{period_id}/units/{unit_code}/values/{code}": Op(
        REPORT_A, args=_with({"unit_code": "jingyu", "code": "nl04"}, period_id="period"),
        body=lambda w: {"value": "88", "version": w["sub_draft"].version}),
    # 签发 over the API: unit A's head, in the published quarter where every value is approved.
    "POST /api/assessment/periods/{period_id}/units/{unit_code}/signoff": Op(
        Needs("assessment.submission.sign", unit="a"), args=_with({"unit_code": "jingyu"}, period_id="period_published")),
    "POST /api/assessment/periods/{period_id}/units/{unit_code}/submit": Op(
        REPORT_A, args=_with({"unit_code": "jingyu"}, period_id="period"), query="confirm=true"),
    "GET /api/assessment/periods/{period_id}/review/{code}": Op(REVIEW_ZB1, args=_with({"code": "nl03"},
                                                                                       period_id="period")),
    "POST /api/assessment/periods/{period_id}/review/{code}/approve": Op(
        REVIEW_A, args=_with({"code": "nl03"}, period_id="period"),
        body=lambda w: {"items": [{"id": w["sub_submitted"].pk, "version": w["sub_submitted"].version}]}),
    "POST /api/assessment/submissions/{pk}/approve": Op(REVIEW_A, args=_ids(pk="sub_submitted"),
                                                        body=lambda w: {"version": w["sub_submitted"].version}),
    "POST /api/assessment/submissions/{pk}/return": Op(
        REVIEW_A, args=_ids(pk="sub_submitted"),
        body=lambda w: {"version": w["sub_submitted"].version, "reason": "台账不全"}),
    "POST /api/assessment/submissions/{pk}/unlock": Op(
        UNLOCK_A, args=_ids(pk="sub_approved"), body=lambda w: {"version": w["sub_approved"].version, "reason": "更正"}),
    "PUT /api/assessment/periods/{period_id}/units/{unit_code}/scores/{code}": Op(
        REVIEW_A, args=_with({"unit_code": "jingyu", "code": "nl01"}, period_id="period"),
        body=lambda w: {"value": "90", "justification": "按制度评定", "version": w["score_version"]}),
    # 佐证材料 and 数据留言 of unit A's draft value, as on the reporting row and the value's page.
    "GET /api/assessment/submissions/{pk}/evidence": Op(SEE_VALUES_A, args=_ids(pk="sub_draft")),
    "POST /api/assessment/submissions/{pk}/evidence": Op(REPORT_A, args=_ids(pk="sub_draft"),
                                                         files=lambda w: {"file": _pdf()}),
    "GET /api/assessment/evidence/{pk}": Op(SEE_VALUES_A, args=_ids(pk="evidence")),
    "DELETE /api/assessment/evidence/{pk}": Op(REPORT_A, args=_ids(pk="evidence")),
    "GET /api/assessment/submissions/{pk}/comments": Op(SEE_VALUES_A, args=_ids(pk="sub_draft")),
    "POST /api/assessment/submissions/{pk}/comments": Op(COMMENT_A, args=_ids(pk="sub_draft"),
                                                         body=lambda w: {"text": "请核对口径"}),
    # ------------------------------------------------------------ runs, results, appeals, combinations
    "GET /api/results/runs": Op(EVERY),
    "POST /api/results/periods/{period_id}/runs": Op(START_RUN, args=_ids(period_id="period"),
                                                     body=lambda w: {"note": "检查"}),
    "GET /api/results/runs/{pk}": Op(SEE_RUN, args=RUN),
    "GET /api/results/runs/{pk}/ranking": Op(SEE_RUN, args=RUN),
    "GET /api/results/runs/{pk}/results/{unit_code}": Op(SEE_RESULT_A, args=_with({"unit_code": "jingyu"}, pk="run")),
    "POST /api/results/runs/{pk}/results/{unit_code}/what-if": Op(
        SEE_RESULT_A, args=_with({"unit_code": "jingyu"}, pk="run"), body=lambda w: {"values": {"nl02": 99}},
        changes=False),
    "GET /api/results/runs/{pk}/sensitivity": Op(ANALYSE_RUN, args=RUN),
    # The run page's outputs: its 排名表 workbook, its inputs, 批次对比, a unit's analysis, 公布前核对.
    "GET /api/results/runs/{pk}/ranking/workbook": Op(SEE_RUN, args=RUN),
    "GET /api/results/runs/{pk}/ranking/workbook?category=street&sort=score": Op(SEE_RUN, args=RUN),
    "GET /api/results/runs/{pk}/inputs": Op(ANALYSE_RUN, args=RUN),
    "GET /api/results/runs/{pk}/compare/{other}": Op(SEE_RUN, args=_ids(pk="run", other="run_published")),
    "GET /api/results/runs/{pk}/results/{unit_code}/analysis": Op(
        SEE_RESULT_A, args=_with({"unit_code": "jingyu"}, pk="run")),
    "GET /api/results/runs/{pk}/publish-review": Op(Needs("assessment.run.publish", unit="district"), args=RUN),
    "POST /api/results/runs/{pk}/release": Op(Needs("assessment.run.release", unit="district"),
                                              args=_ids(pk="run_draft"), body=lambda w: {"appeal_workdays": 5}),
    "POST /api/results/runs/{pk}/publish": Op(Needs("assessment.run.publish", unit="district"),
                                              args=_ids(pk="run_to_publish"),
                                              body=lambda w: {"stage": "released", "override_reason": "市委要求提前报送"}),
    "GET /api/results/runs/{pk}/appeals": Op(SEE_RUN, args=RUN),
    "POST /api/results/runs/{pk}/units/{unit_code}/appeals": Op(
        FILE_APPEAL_A, args=_with({"unit_code": "jingyu"}, pk="run"),
        body=lambda w: {"indicator": "nl03", "reason": "办结台账已补充"}),
    "POST /api/results/appeals/{appeal_id}/decide": Op(DECIDE_APPEAL_A, args=_ids(appeal_id="appeal"),
                                                       body=lambda w: {"accept": False, "decision": "不予采纳"}),
    # 申诉 with its material (multipart, as the unit result page's form), the appeal and its file.
    "POST /api/results/runs/{pk}/units/{unit_code}/appeals/with-file": Op(
        FILE_APPEAL_A, args=_with({"unit_code": "jingyu"}, pk="run"),
        files=lambda w: {"indicator": "nl03", "reason": "办结台账已补充", "file": _pdf("台账.pdf")}),
    "GET /api/results/appeals/{appeal_id}": Op(SEE_APPEAL_A, args=_ids(appeal_id="appeal")),
    "GET /api/results/appeals/{appeal_id}/evidence": Op(SEE_APPEAL_A, args=_ids(appeal_id="appeal")),
    "GET /api/results/combinations": Op(EVERY),
    "POST /api/results/combinations": Op(
        Needs("assessment.combination.edit", unit="district"), refused=(403, 404, 422),
        body=lambda w: {"code": "y2026-api", "name": "年度结果", "year": YEAR,
                        "parts": [{"name": "年度评价", "weight": 100, "runs": [w["run_published"].pk]}]}),
    "GET /api/results/combinations/{code}": Op(Needs("assessment.combination.view", within="district"),
                                               args=lambda w: {"code": w["combination"].code}),
    # ------------------------------------------------------------ cadres
    "GET /api/cadres/units/{code}/cadres": Op(CADRES_A, args=lambda w: {"code": "jingyu"}),
    "GET /api/cadres/units": Op(EVERY),
    "POST /api/cadres/units/{code}/cadres": Op(
        EDIT_CADRES_A, args=lambda w: {"code": "jingyu"},
        body=lambda w: {"name": "赵新", "position": "科员", "rank": "科员", "gender": "男", "birth_month": "1995-04-01"}),
    "PUT /api/cadres/cadres/{pk}": Op(
        EDIT_CADRES_A, args=_ids(pk="cadre_a"),
        body=lambda w: {"name": "王建华", "position": "党工委书记", "rank": "正科级", "gender": "男",
                        "birth_month": "1975-03-01", "version": w["cadre_a"].version}),
    "GET /api/cadres/units/{code}/years/{year}": Op(CADRES_A, args=lambda w: YEAR_OF_A),
    "PUT /api/cadres/units/{code}/years/{year}/routine": Op(
        EDIT_CADRES_A, args=lambda w: YEAR_OF_A,
        body=lambda w: [{"cadre_id": w["cadre_a"].pk, "quarter": 2, "grade": "较好"}]),
    "PUT /api/cadres/units/{code}/years/{year}/annual": Op(
        EDIT_CADRES_A, args=lambda w: YEAR_OF_A,
        body=lambda w: [{"cadre_id": w["cadre_a"].pk, "proposed": "称职", "score": 91}]),
    "POST /api/cadres/units/{code}/years/{year}/apply": Op(EDIT_CADRES_A, args=lambda w: YEAR_OF_A),
    "PUT /api/cadres/units/{code}/years/{year}/quota": Op(EDIT_CADRES_A, args=lambda w: YEAR_OF_A,
                                                          body=lambda w: {"approved": True, "note": "批准"}),
    "GET /api/cadres/lists/{kind}": Op(CADRE_READERS, args=lambda w: {"kind": "selection"}, query=f"year={YEAR}"),
    "GET /api/cadres/lists/{kind}?format=xlsx": Op(CADRE_READERS, args=lambda w: {"kind": "selection"},
                                                   query=f"year={YEAR}"),
    # ------------------------------------------------------------ documents (Excel)
    "GET /api/documents/schemes/{scheme_id}/workbook": Op(SEE_SCHEME, args=_ids(scheme_id="scheme")),
    "POST /api/documents/schemes/{scheme_id}/workbook": Op(
        IMPORT_SCHEME, args=_ids(scheme_id="scheme"), files=lambda w: {"file": _xlsx(w["scheme_workbook"], "细则.xlsx")}),
    "GET /api/documents/periods/{period_id}/template": Op(Needs("assessment.report.view", within="district"),
                                                          args=_ids(period_id="period")),
    # One unit's template, named in the query: unit A's for those who see A's reporting.
    "GET /api/documents/periods/{period_id}/template?unit=jingyu": Op(REPORT_VIEW_A, args=_ids(period_id="period")),
    "POST /api/documents/periods/{period_id}/template?unit=jingyu": Op(
        REPORT_A, args=_ids(period_id="period"), files=lambda w: {"file": _xlsx(w["template_a"])}),
    # 通报, read only: the list answers what each may see (empty for others); an issued one.
    "GET /api/documents/bulletins": Op(EVERY),
    "GET /api/documents/bulletins/{pk}": Op(Needs("documents.bulletin.view", unit="district"),
                                            args=_ids(pk="bulletin_issued")),
    # 通报 written over the API: the office drafts (another district's office drafts its own),
    # rewrites and issues its district's; the files are read as the issued bulletin is.
    "POST /api/documents/bulletins": Op(Needs("documents.bulletin.edit"),
                                        body=lambda w: {"kind": "inspections", "day": f"{YEAR}-10-16"}),
    "PUT /api/documents/bulletins/{pk}/texts": Op(
        Needs("documents.bulletin.edit", unit="district"), args=_ids(pk="bulletin_draft"), body=lambda w: {
            "version": w["bulletin_draft"].version, "opening": "改写的开头。", "requirements": "改写的要求。"}),
    "POST /api/documents/bulletins/{pk}/issue": Op(
        Needs("documents.bulletin.issue", unit="district"), args=_ids(pk="bulletin_to_issue"),
        body=lambda w: {"version": w["bulletin_to_issue"].version}),
    "GET /api/documents/bulletins/{pk}/docx": Op(Needs("documents.bulletin.view", unit="district"),
                                                 args=_ids(pk="bulletin_issued")),
    "GET /api/documents/bulletins/{pk}/pdf": Op(Needs("documents.bulletin.view", unit="district"),
                                                args=_ids(pk="bulletin_issued")),
    "POST /api/documents/bulletins/batch": Op(Needs("documents.bulletin.edit"), body=lambda w: {
        "kinds": ["inspections"], "start": f"{YEAR}-10-16", "end": f"{YEAR}-10-16"}),
    "GET /api/documents/bulletin-schedules": Op(Needs("documents.bulletin.edit")),
    "PUT /api/documents/bulletin-schedules/{kind}": Op(Needs("documents.bulletin.edit"),
                                                       args=lambda w: {"kind": "inspections"},
                                                       body=lambda w: {"enabled": True, "at": "17:30", "version": 0}),
    "GET /api/documents/imports/{job_id}": Op(frozenset({"reporter_a"}), args=_ids(job_id="import_job")),
    # 任务: each his own jobs (the list answers what each may see); an export started as the page
    # starts it (a period's all-units template: whoever sees the scheme's periods); the office's
    # finished export, its state and file the office's alone.
    "GET /api/documents/jobs": Op(EVERY),
    "POST /api/documents/exports": Op(SEE_SCHEME, body=lambda w: {"kind": "reporting_template", "period": w["period"].pk}),
    "GET /api/documents/exports/{job_id}": Op(frozenset({"office"}), args=_ids(job_id="export_job")),
    "GET /api/documents/exports/{job_id}/file": Op(frozenset({"office"}), args=_ids(job_id="export_job")),
    "POST /api/documents/exports/{job_id}/retry": Op(frozenset({"office"}), args=_ids(job_id="export_job_failed")),
    "POST /api/documents/periods/{period_id}/template": Op(
        REPORT_A, args=_ids(period_id="period"), files=lambda w: {"file": _xlsx(w["template_a"])},
        refused=(400, 403, 404)),
    # ------------------------------------------------------------ org
    # ------------------------------------------------------------ projects: 调度会, 交办事项, 线索
    "GET /api/projects/meetings": Op(EVERY),
    "POST /api/projects/meetings": Op(MANAGE_MEETINGS, refused=(403, 404, 422), body=lambda w: {
        "district": "daowai", "cadence": "weekly", "held_on": "2026-10-16"}),
    "GET /api/projects/meetings/{pk}": Op(Needs("projects.meeting.view", unit="district"), args=_ids(pk="meeting")),
    "PUT /api/projects/meetings/{pk}/minutes": Op(MANAGE_MEETINGS, args=_ids(pk="meeting"), body=lambda w: {
        "version": w["meeting"].version, "minutes": "改纪要"}),
    "POST /api/projects/meetings/{pk}/assignments": Op(MANAGE_MEETINGS, args=_ids(pk="meeting"), body=lambda w: {
        "version": w["meeting"].version, "text": "协调用电", "unit": "jingyu", "workdays": 3}),
    "POST /api/projects/meetings/{pk}/close": Op(MANAGE_MEETINGS, args=_ids(pk="meeting"),
                                                 body=lambda w: {"version": w["meeting"].version}),
    "GET /api/projects/assignments": Op(EVERY),
    "GET /api/projects/assignments/{pk}": Op(Needs("projects.assignment.view", unit="a"), args=_ids(pk="assignment")),
    "POST /api/projects/assignments/{pk}/reply": Op(
        Needs("projects.assignment.reply", unit="a"), args=_ids(pk="assignment"),
        body=lambda w: {"version": w["assignment"].version, "reply": "已办", "done": True}),
    "GET /api/projects/leads": Op(EVERY),
    "POST /api/projects/leads": Op(Needs("projects.lead.edit", unit="a"), refused=(403, 404, 422), body=lambda w: {
        "unit": "jingyu", "name": "新线索", "expected_investment": 600}),
    "GET /api/projects/leads/funnel": Op(EVERY),
    "GET /api/projects/leads/{pk}": Op(Needs("projects.lead.view", unit="a"), args=_ids(pk="lead")),
    "POST /api/projects/leads/{pk}/advance": Op(Needs("projects.lead.edit", unit="a"), args=_ids(pk="lead"),
                                                body=lambda w: {"version": w["lead"].version}),
    "POST /api/projects/leads/{pk}/convert": Op(Needs("projects.lead.convert", unit="a"), args=_ids(pk="lead"),
                                                body=lambda w: {"version": w["lead"].version, "code": "XM-SWL",
                                                                "level": "district", "type": "industry",
                                                                "source": "enterprise"}),
    # ------------------------------------------------------------ inspections: 日通报, 处置率, 企业档案, 工作量
    "GET /api/inspections/daily": Op(Needs("inspections.stats.view")),
    "GET /api/inspections/rates": Op(Needs("inspections.stats.view")),
    "GET /api/inspections/daily/workbook": Op(Needs("inspections.stats.view")),
    "GET /api/inspections/enterprises": Op(Needs("inspections.enterprise.view")),
    "POST /api/inspections/enterprises": Op(EDIT_ENTERPRISE_A, refused=(403, 404, 422), body=lambda w: {
        "credit_code": "92230104MA1BX0K7XC", "name": "某某超市", "unit": "jingyu"}),
    "GET /api/inspections/enterprises/{pk}": Op(Needs("inspections.enterprise.view", unit="a"),
                                                args=_ids(pk="enterprise")),
    "PUT /api/inspections/enterprises/{pk}": Op(EDIT_ENTERPRISE_A, args=_ids(pk="enterprise"), body=lambda w: {
        "credit_code": w["enterprise"].credit_code, "name": "改名", "unit": "jingyu",
        "version": w["enterprise"].version}),
    "POST /api/inspections/enterprises/{pk}/risks": Op(EDIT_ENTERPRISE_A, args=_ids(pk="enterprise"), body=lambda w: {
        "text": "消防通道堵塞", "level": "general", "identified_on": "2026-10-09"}),
    "POST /api/inspections/enterprises/{pk}/risks/{risk_id}/status": Op(
        EDIT_ENTERPRISE_A, args=lambda w: {"pk": w["enterprise"].pk, "risk_id": w["risk"].pk},
        body=lambda w: {"version": w["risk"].version, "status": "closed"}),
    "GET /api/inspections/work/types": Op(Needs("inspections.worklog.view")),
    "GET /api/inspections/work/totals": Op(Needs("inspections.worklog.view")),
    "GET /api/inspections/work/logs": Op(Needs("inspections.worklog.view")),
    "POST /api/inspections/work/logs": Op(RECORD_WORK_A, refused=(403, 404, 422), body=lambda w: {
        "unit": "jingyu", "work_type": w["worktype"].pk, "quantity": "120", "done_on": "2026-10-09"}),
    "PUT /api/inspections/work/logs/{pk}": Op(RECORD_WORK_A, args=_ids(pk="worklog"), body=lambda w: {
        "version": w["worklog"].version, "work_type": w["worktype"].pk, "quantity": "130", "done_on": "2026-10-09"}),
    "POST /api/inspections/work/logs/{pk}/delete": Op(RECORD_WORK_A, args=_ids(pk="worklog"),
                                                       body=lambda w: {"version": w["worklog"].version}),
    # The types of work are each district's: its office keeps them (another district's office adds
    # to its own list, and is refused this district's type with a 404); an existing name is a 422.
    "POST /api/inspections/work/types": Op(Needs("inspections.worktype.edit"), body=lambda w: {
        "name": "清运垃圾", "unit_of_measure": "吨", "order": 2}),
    "PUT /api/inspections/work/types/{pk}": Op(Needs("inspections.worktype.edit", unit="district"),
                                               args=_ids(pk="worktype"),
                                               body=lambda w: {"name": "清理绿地", "unit_of_measure": "万平方米",
                                                               "version": w["worktype"].version}),
    # 审计日志: the audit administrator's.
    "GET /api/audit/entries": Op(Needs("audit.log.view")),
    "GET /api/audit/entries/{pk}": Op(Needs("audit.log.view"), args=lambda w: {"pk": _an_audit_row()}),
    # The chain's state, 立即校验 (records a check) and the search as Excel, as on the page.
    "GET /api/audit/chain": Op(Needs("audit.log.view")),
    "POST /api/audit/chain/verify": Op(Needs("audit.chain.verify")),
    "GET /api/audit/export": Op(Needs("audit.log.export")),
    # 领导驾驶舱: the office and district leaders; units and administrators refused (403).
    "GET /api/cockpit": Op(Needs("web.cockpit.view")),
    "GET /api/org/units": Op(EVERY),
    "GET /api/org/units/{code}": Op(Needs("org.tree.view", unit="a"), args=lambda w: {"code": "jingyu"}),
    # ------------------------------------------------------------ periods, calendar, progress
    "GET /api/periods": Op(EVERY),
    # The office of another district has no scheme here: 422, "没有可用的考核方案".
    "POST /api/periods": Op(
        OPEN_PERIOD, refused=(403, 404, 422),
        body=lambda w: {"scheme": "daowai-2023", "kind": "month", "year": YEAR, "number": 6,
                        "opens_on": "2026-06-01", "deadline_workdays": 10}),
    "GET /api/periods/deadline": Op(Needs("assessment.period.open"), query="opens_on=2026-10-09&workdays=10"),
    "GET /api/periods/calendar/years": Op(CALENDAR),
    "PUT /api/periods/calendar/years/{year}": Op(CALENDAR, args=lambda w: {"year": 2030},
                                                 body=lambda w: {"text": "2030-01-01 元旦 休", "note": ""}),
    "GET /api/periods/{period_id}": Op(SEE_SCHEME, args=_ids(period_id="period")),
    "POST /api/periods/{period_id}/open": Op(OPEN_PERIOD, args=_ids(period_id="period_closed")),
    "POST /api/periods/{period_id}/close": Op(OPEN_PERIOD, args=_ids(period_id="period"),
                                              query="reason=提前完成审核"),
    "GET /api/periods/{period_id}/progress": Op(PROGRESS, args=_ids(period_id="period")),
    # ------------------------------------------------------------ projects: the library
    "GET /api/projects/library": Op(Needs("projects.project.view")),
    "GET /api/projects/library?unit=jingyu": Op(Needs("projects.project.view")),
    # Another district's office keeps no project of unit A: 422, the unit named beside its field.
    "POST /api/projects/library": Op(
        Needs("projects.project.edit", unit="a"), refused=(403, 404, 422),
        body=lambda w: {**_project_ledger(w), "code": "XM-SW3", "owner_unit": "jingyu", "secretary": "mishu"}),
    "GET /api/projects/library/{pk}": Op(SEE_PROJECT_A, args=_ids(pk="project")),
    "PUT /api/projects/library/{pk}": Op(
        Needs("projects.project.edit", unit="a"), args=_ids(pk="project"),
        body=lambda w: {**_project_ledger(w), "name": "改名", "owner_unit": "jingyu", "secretary": "mishu",
                        "version": w["project"].version}),
    "GET /api/projects/library/{pk}/reports": Op(SEE_PROJECT_A, args=_ids(pk="project")),
    "GET /api/projects/library/{pk}/changes": Op(SEE_PROJECT_A, args=_ids(pk="project")),
    "GET /api/projects/photos/{pk}": Op(SEE_PROJECT_A, args=_ids(pk="project_photo")),
    # 四率 and its CSV: the page's selector, refused (403) to roles without the projects.
    "GET /api/projects/rates": Op(Needs("projects.project.view")),
    "GET /api/projects/rates/export": Op(Needs("projects.project.view")),
    # 项目台账 imported as on its page (the office of unit A's projects; another district's office: 400, row by row).
    "POST /api/projects/ledger": Op(Needs("projects.project.edit", unit="a"), refused=(400, 403, 404),
                                    files=lambda w: {"file": _xlsx(w["ledger_workbook"], "台账.xlsx")}),
    "GET /api/projects/library/{pk}/milestones": Op(SEE_PROJECT_A, args=_ids(pk="project")),
    "PUT /api/projects/library/{pk}/milestones": Op(
        Needs("projects.project.edit", unit="a"), args=_ids(pk="project"),
        body=lambda w: {"version": w["project"].version,
                        "milestones": {"approval": {"planned": "2026-01-10", "actual": "2026-01-12"}}}),
    "POST /api/projects/library/{pk}/reports": Op(
        REPORT_PROJECT_A, args=_ids(pk="project"),
        files=lambda w: {"version": str(w["project"].version), "completed_ytd": "1500",
                         "photos": SimpleUploadedFile("现场.png", samples.image("PNG"), content_type="image/png")}),
    "GET /api/projects/library/{pk}/problems": Op(SEE_PROJECT_A, args=_ids(pk="project")),
    "POST /api/projects/library/{pk}/problems": Op(
        Needs("projects.problem.raise", unit="a", served_by="secretary"), args=_ids(pk="project"),
        body=lambda w: {"text": "用电未接入", "asked_unit": "fagai"}),
    "GET /api/projects/problems/asked": Op(Needs("projects.problem.answer")),
    "GET /api/projects/mine": Op(Needs("projects.progress.report")),
    "POST /api/projects/problems/{pk}/solve": Op(
        (Needs("projects.problem.solve", unit="a", served_by="secretary"),
         Needs("projects.problem.answer", unit="fagai")), args=_ids(pk="project_problem"),
        body=lambda w: {"version": 1, "solution": "已解决"}),
    # ------------------------------------------------------------ inspections: campaigns, findings, rectification
    # Lists answer what the gate lets each user see (empty for those without the action).
    "GET /api/inspections/campaigns": Op(EVERY),
    "GET /api/inspections/campaigns?mine=true": Op(EVERY),
    "POST /api/inspections/campaigns": Op(MANAGE_CAMPAIGN_A, refused=(403, 404, 422), body=lambda w: {
        "name": "复查", "starts_on": "2026-09-01", "ends_on": "2026-12-31", "units": ["jingyu"],
        "inspectors": [w["inspector"].username]}),
    "GET /api/inspections/campaigns/{pk}": Op(Needs("inspections.campaign.view", unit="a"), args=_ids(pk="campaign")),
    "PUT /api/inspections/campaigns/{pk}": Op(MANAGE_CAMPAIGN_A, args=_ids(pk="campaign"), body=lambda w: {
        "name": "改名", "starts_on": "2026-09-01", "ends_on": "2026-12-31", "units": ["jingyu", "taigu"],
        "inspectors": [w["inspector"].username], "version": w["campaign"].version}),
    "GET /api/inspections/campaigns/{pk}/findings": Op(Needs("inspections.campaign.view", unit="a"),
                                                        args=_ids(pk="campaign")),
    "POST /api/inspections/campaigns/{pk}/findings": Op(frozenset({"inspector"}), args=_ids(pk="campaign"),
                                                         files=_finding_form),
    "GET /api/inspections/findings": Op(EVERY),
    # 整改任务 and 待核查, as their pages; the recording form's duplicate check (the campaign's inspector).
    "GET /api/inspections/rectify": Op(Needs("inspections.finding.rectify")),
    "GET /api/inspections/verify": Op((Needs("inspections.finding.verify"), Needs("inspections.extension.decide"))),
    "GET /api/inspections/campaigns/{pk}/duplicates": Op(frozenset({"inspector"}), args=_ids(pk="campaign"),
                                                         query="category=垃圾堆放&address=靖宇街1号"),
    "GET /api/inspections/findings/{pk}": Op(SEE_FINDING_A, args=_ids(pk="finding_open")),
    "POST /api/inspections/findings/{pk}/report": Op(
        Needs("inspections.finding.rectify", unit="a"), args=_ids(pk="finding_open"),
        files=lambda w: {"version": str(w["finding_open"].version), "text": "已清运", "photos": _after_photo()}),
    "POST /api/inspections/findings/{pk}/verify": Op(
        Needs("inspections.finding.verify", unit="a"), args=_ids(pk="finding_reported"),
        body=lambda w: {"version": w["finding_reported"].version, "step": "return", "reason": "仍有垃圾"}),
    "POST /api/inspections/findings/{pk}/extensions": Op(
        Needs("inspections.finding.extend", unit="a"), args=_ids(pk="finding_open"),
        body=lambda w: {"version": w["finding_open"].version, "requested_to": "2026-11-30", "reason": "需协调"}),
    "POST /api/inspections/findings/{pk}/extensions/{extension_id}/decide": Op(
        Needs("inspections.extension.decide", unit="a"),
        args=lambda w: {"pk": w["finding_extending"].pk, "extension_id": w["extension"].pk},
        body=lambda w: {"version": w["finding_extending"].version, "approve": True}),
    "POST /api/inspections/findings/{pk}/remind": Op(
        Needs("inspections.finding.remind", unit="a"), args=_ids(pk="finding_open"),
        body=lambda w: {"version": w["finding_open"].version, "text": "请尽快整改"}),
    "GET /api/inspections/photos/{pk}": Op(SEE_FINDING_A, args=_ids(pk="finding_photo")),
}

# ---------------------------------------------------------------------------- enumeration


def _url_patterns() -> dict[str, tuple[str, URLPattern]]:
    """Every URL pattern as "namespace:name" → (route, pattern), walking includes. Left out:
    Django's language switch (i18n/), static files, and the admin site (tested below on its
    own)."""
    from django.conf import settings

    found: dict[str, tuple[str, URLPattern]] = {}
    static = tuple(u.lstrip("/") for u in (settings.STATIC_URL, settings.MEDIA_URL) if u)

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or route.startswith("i18n/"):
                    continue
                walk(pattern.url_patterns, route, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and not route.startswith(static):
                found[f"{namespace}{pattern.name}" if pattern.name else route] = (route, pattern)

    walk(get_resolver().url_patterns, "", "")
    return found


def resolver_routes() -> dict[str, str]:
    """Every URL pattern's name → its route."""
    return {name: route for name, (route, _pattern) in _url_patterns().items()}


def api_operations() -> dict[str, dict]:
    """"METHOD /path" → the operation, for every path and method of the OpenAPI schema."""
    from duibiao.api.app import api

    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}": op for path, methods in schema["paths"].items()
            for method, op in methods.items()}


def _api_path(route: str) -> str:
    """'api/periods/<int:period_id>' → '/api/periods/{period_id}' (the schema's spelling)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


# ---------------------------------------------------------------------------- the filled district


def _fill() -> dict:
    """world + scheme + periods in every state + submissions, evidence, runs, an appeal, a
    combination, cadre sheets, a lock, an authenticator, an import job, and the workbooks a
    permitted user uploads; built once for the module (see `filled`)."""
    w = build_approved(build_assessed(build_world()))
    for step in (_people, _runs, _values, _cadres, _security, _workbooks, _projects_library, _inspections_files):
        step(w)
    _dispatch(w)  # 调度会, 交办事项 and 线索
    _inspection_findings(w)  # 督导检查: a campaign, findings in each state
    _bulletins(w)  # 通报: drafts and an issued one
    _api_tokens(w)  # 接口令牌
    return w


def _people(w: dict) -> None:
    """Who `world` lacks: unit B's head, the two roles of the next apps, a task force that
    does not own zb1's indicators, another district's office and a user without roles."""
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.org.models import TaskForce

    def person(username: str, role: str, units: list, unit=None, **grant):
        user = user_create(actor=None, username=username, password=PASSWORD, unit=unit)
        if role:
            role_grant(actor=None, user=user, role=role, units=units, **grant)
        return user

    w["head_b"] = person("fzr_b", Role.UNIT_HEAD, [w["b"]], unit=w["b"], include_subtree=False)
    w["secretary"] = person("mishu", Role.SECRETARY, [w["district"]])
    w["inspector"] = person("duzhao", Role.INSPECTOR, [w["district"]])
    w["taskforce_zb2"] = person("zb2", Role.TASKFORCE, [w["district"]], taskforce=TaskForce.objects.get(code="zb2"))
    w["office_nangang"] = person("khb_ng", Role.OFFICE, [w["other_district"]])
    w["nobody"] = person("nobody", "", [])
    w["grant_secretary"] = w["secretary"].grants.get()
    w["taskforce_zb1"] = TaskForce.objects.get(code="zb1", district=w["district"])


def _runs(w: dict) -> None:
    """Two earlier quarters with the same approved values, one published (the combination and
    the comparison read it), one closed with a released run (publishable, re-openable); in the
    open quarter a released run with a pending appeal, a draft run and a failed one."""
    from duibiao.assessment.models import Period, ScoringRun, Submission
    from duibiao.assessment.services.appeals import appeal_file
    from duibiao.assessment.services.combinations import combination_save
    from duibiao.assessment.services.runs import run_publish, run_release, run_start

    office, period = w["office"], w["period"]

    def quarter(number: int, status: str) -> Period:
        earlier = Period.objects.create(
            version=w["version"], kind=Period.Kind.QUARTER, year=YEAR, number=number, name=f"{YEAR}年第{number}季度",
            opens_on=date(YEAR, 3 * number - 2, 10), deadline=date(YEAR, 3 * number - 2, 24), status=status)
        rows = list(Submission.objects.filter(period=period))
        for row in rows:
            row.pk, row.period = None, earlier
        Submission.objects.bulk_create(rows)
        return earlier

    w["period_published"] = quarter(2, Period.Status.OPEN)
    released = run_release(actor=office, run=run_start(actor=office, period=w["period_published"]))
    w["run_published"] = run_publish(actor=office, run=released, stage=released.stage,
                                     override_reason="申诉期内提前公布（测试数据）")
    w["period_closed"] = quarter(3, Period.Status.CLOSED)
    w["run_to_publish"] = run_release(actor=office, run=run_start(actor=office, period=w["period_closed"]))
    w["combination"] = combination_save(actor=office, code="y2026", name="2026年度", year=YEAR,
                                        district=w["district"], parts=[("年度评价", 100, [w["run_published"]])])
    w["run"] = run_release(actor=office, run=run_start(actor=office, period=period, note="反馈"))
    w["run_draft"] = run_start(actor=office, period=period, note="试算")
    w["run_failed"] = run_start(actor=office, period=period, note="失败")
    ScoringRun.objects.filter(pk=w["run_failed"].pk).update(status=ScoringRun.Status.FAILED, error="worker died")
    w["appeal"] = appeal_file(actor=w["head_a"], run=w["run"], unit=w["a"], indicator=w["ind"]["nl02"],
                              reason="整改台账已补充", upload=_pdf("台账.pdf"))


def _values(w: dict) -> None:
    """Unit A's values in each state (nl02 approved, nl03 submitted, nl04 a draft with
    evidence), the version of its manual score, and a finished background import of its."""
    from duibiao.assessment.models import Submission
    from duibiao.assessment.services.submissions import evidence_attach
    from duibiao.documents.excel.problems import ImportReport
    from duibiao.documents.models import ImportJob

    period = w["period"]
    subs = {s.indicator.code: s for s in Submission.objects.filter(period=period, unit=w["a"])
            .select_related("indicator")}
    Submission.objects.filter(pk=subs["nl03"].pk).update(status=Submission.Status.SUBMITTED)
    Submission.objects.filter(pk=subs["nl04"].pk).update(status=Submission.Status.DRAFT)
    for key, code in (("sub_approved", "nl02"), ("sub_submitted", "nl03"), ("sub_draft", "nl04")):
        w[key] = Submission.objects.get(pk=subs[code].pk)
    w["evidence"] = evidence_attach(actor=w["reporter_a"], submission=w["sub_draft"], upload=_pdf())
    score = Submission.objects.filter(period=period, unit=w["a"], indicator__code="nl01").first()
    w["score_version"] = score.version if score else 0
    w["import_job"] = ImportJob.objects.create(
        kind=ImportJob.Kind.REPORTING, status=ImportJob.Status.DONE, period=period, unit=w["a"],
        original_name="填报.xlsx", content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        size=1, report=ImportReport(filename="填报.xlsx").as_dict(), created_by=w["reporter_a"])
    from django.core.files.base import ContentFile

    from duibiao.documents.models import ExportJob

    w["export_job"] = ExportJob(kind=ExportJob.Kind.PROGRESS, title="填报进度", unit=w["district"],
                                params={"period": period.pk, "query": {}}, status=ExportJob.Status.DONE,
                                percent=100, filename="填报进度.xlsx", size=4, created_by=w["office"])
    w["export_job"].file.save("填报进度.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    w["export_job_failed"] = ExportJob.objects.create(
        kind=ExportJob.Kind.PROGRESS, title="填报进度", unit=w["district"], params={"period": period.pk, "query": {}},
        status=ExportJob.Status.FAILED, percent=10, error="后台导出出错", created_by=w["office"])


def _cadres(w: dict) -> None:
    """Cadre sheets of both streets: a routine grade and a proposal for unit A's first cadre."""
    from duibiao.cadres import services as cadres

    def cadre(unit, name: str, position: str, rank: str, born: date):
        return cadres.cadre_create(actor=w["office"], unit=unit, name=name, position=position, rank=rank,
                                   gender="男", birth_month=born)

    w["cadre_a"] = cadre(w["a"], "王建华", "书记", "正科级", date(1975, 3, 1))
    cadre(w["a"], "张志刚", "副主任", "副科级", date(1993, 1, 1))
    w["cadre_b"] = cadre(w["b"], "杨国庆", "书记", "正科级", date(1972, 2, 1))
    cadres.cadre_routine_grades_set(actor=w["office"], unit=w["a"], year=YEAR, grades={(w["cadre_a"].pk, 1): "好"})
    cadres.cadre_year_save(actor=w["office"], unit=w["a"], year=YEAR, entries=[
        cadres.CadreYearInput(cadre_id=w["cadre_a"].pk, proposed="优秀", score=95, indicators={})])


def _security(w: dict) -> None:
    """What the security administrator's pages act on: a lock and an authenticator."""
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    AccessAttempt.objects.create(username="tb_a", ip_address="10.0.0.9", user_agent="sweep", http_accept="*/*",
                                 path_info="/login/", get_data="", post_data="", failures_since_start=9)
    TOTPDevice.objects.create(user=w["sysadmin"], name="手机", confirmed=True)


def _workbooks(w: dict) -> None:
    """The workbooks a permitted user uploads, downloaded as the office would: the scheme's
    with one weight changed, and unit A's reporting template with a value for its draft."""
    from tests.documents.conftest import open_xlsx, row_of, to_bytes

    client = Client()
    client.force_login(w["office"])
    book = open_xlsx(client.get(reverse("documents:scheme_download", args=[w["scheme"].pk])).content)
    book.active["D5"].value = 6
    w["scheme_workbook"] = to_bytes(book)
    book = open_xlsx(client.get(reverse("documents:unit_template_download",
                                        args=[w["period"].pk, "jingyu"])).content)
    book.active.cell(row_of(book.active, "nl04"), 6).value = 77
    w["template_a"] = to_bytes(book)
    w["scheme"].refresh_from_db()


def _projects_library(w: dict) -> None:
    """Unit A's key project, served by `secretary`, with a report carrying a photo and an open
    problem asked of 区发改局."""
    from duibiao.projects.services.progress import problem_raise, progress_report
    from duibiao.projects.services.projects import Binding, project_create

    w["project"] = project_create(actor=w["office"], raw={**_project_ledger(w)},
                                  binding=Binding(w["a"], w["secretary"]))
    report = progress_report(actor=w["secretary"], project=w["project"], version=1, completed_ytd="800",
                             photos=[SimpleUploadedFile("现场.png", samples.image("PNG"), content_type="image/png")])
    w["project_photo"] = report.photos.get()
    w["project_problem"] = problem_raise(actor=w["secretary"], project=w["project"], text="征拆未完成",
                                         asked_unit=w["fagai"])
    w["project"].refresh_from_db()
    w["ledger_workbook"] = _ledger_workbook(w)


def _ledger_workbook(w: dict) -> bytes:
    """The office's ledger export with the project renamed (what a permitted import changes)."""
    from duibiao.documents.project_ledger import ledger_workbook
    from tests.documents.conftest import open_xlsx, to_bytes

    book = open_xlsx(ledger_workbook(user=w["office"], as_of=date(YEAR, 6, 30))[1])
    book.active["B2"].value = "靖宇街道老旧小区改造（台账导入）"
    return to_bytes(book)


def _dispatch(w: dict) -> None:
    """A planned daily meeting of the district (dated, with minutes: it may be closed), an
    open assignment of unit A's, and a lead of unit A's whose evidence is complete."""
    from duibiao.projects.models import Project
    from duibiao.projects.services.dispatch import (
        assignment_create,
        meeting_create,
        meeting_minutes_save,
    )
    from duibiao.projects.services.leads import lead_advance, lead_create

    Project.objects.create(code="XM-DP1", name="靖宇街道红灯项目", level="district", type="industry", stage="new",
                           source="enterprise", owner_unit=w["a"], planned_total=300, planned_start=date(YEAR, 5, 4))
    meeting = meeting_create(actor=w["office"], district=w["district"], cadence="daily", held_on=date(YEAR, 10, 12))
    meeting = meeting_minutes_save(actor=w["office"], meeting=meeting, version=meeting.version, minutes="研究红灯项目")
    w["assignment"] = assignment_create(actor=w["office"], meeting=meeting, version=meeting.version, text="落实施工许可",
                                        unit=w["a"], workdays=3)
    meeting.refresh_from_db()
    w["meeting"] = meeting
    lead = lead_create(actor=w["reporter_a"], unit=w["a"], name="冷链物流园", expected_investment="8000",
                       on=date(YEAR, 10, 8))
    for _ in range(3):
        lead = lead_advance(actor=w["reporter_a"], lead=lead, version=lead.version, on=date(YEAR, 10, 9))
    w["lead"] = lead
    # The admin site's dispatch settings, as the defaults (the agendas above do not change).
    from duibiao.projects.models import CadenceRule, LeadStageLimit

    w["cadence_rule"] = CadenceRule.objects.create(cadence="weekly", levels=["province", "city"], flags=["red"],
                                                   every_workdays=5, assignment_workdays=5)
    w["stage_limit"] = LeadStageLimit.objects.create(stage="found", workdays=3)


def _inspections_files(w: dict) -> None:
    """Unit A's enterprise file with one risk, a type of work and a log of unit A's."""
    from duibiao.inspections.services.enterprises import (
        EnterpriseInput,
        RiskInput,
        enterprise_create,
        risk_add,
    )
    from duibiao.inspections.services.worklogs import WorkLogInput, worklog_record, worktype_save

    w["enterprise"] = enterprise_create(actor=w["office"], data=EnterpriseInput(
        credit_code="91230104MA1B2C3D43", name="老鼎丰餐饮店", unit=w["a"], address="靖宇街88号"))
    w["risk"] = risk_add(actor=w["office"], enterprise=w["enterprise"], data=RiskInput(
        text="燃气管道老化", level="major", identified_on=date(2026, 10, 9)))
    w["worktype"] = worktype_save(actor=w["office"], name="清理绿地", unit_of_measure="平方米")
    w["worklog"] = worklog_record(actor=w["office"], unit=w["a"], data=WorkLogInput(
        work_type=w["worktype"], quantity="800", done_on=date(2026, 10, 9)))


def _inspection_findings(w: dict) -> None:
    """A campaign over units A and B inspected by `inspector`; unit A's findings open,
    reported, and open with a pending extension request (each reached through the services)."""
    from duibiao.inspections.models import Campaign
    from duibiao.inspections.services.campaigns import CampaignInput, campaign_create
    from duibiao.inspections.services.findings import extension_request, finding_report
    from tests.inspections.findings_world import photo, record

    w["campaign"] = campaign_create(actor=w["office"], data=CampaignInput(
        name="2026年秋季城市管理检查", kind=Campaign.Kind.CITY, starts_on=date(YEAR, 9, 1), ends_on=date(YEAR, 12, 31),
        units=[w["a"], w["b"]], inspectors=[w["inspector"]]))
    w["finding_open"] = record(w, address="靖宇街1号", lat=None, lng=None)
    w["finding_photo"] = w["finding_open"].photos.get()
    reported = record(w, address="靖宇街2号", lat=None, lng=None)
    w["finding_reported"] = finding_report(actor=w["reporter_a"], finding=reported, expected_version=reported.version,
                                           text="已清理", photos=[photo("整改后.jpg")])
    extending = record(w, address="靖宇街3号", lat=None, lng=None)
    w["extension"] = extension_request(actor=w["reporter_a"], finding=extending, expected_version=extending.version,
                                       requested_to=date(YEAR, 11, 30), reason="需协调执法部门")
    extending.refresh_from_db()
    w["finding_extending"] = extending


def _bulletins(w: dict) -> None:
    """Two drafts of the office (one to rewrite, one to issue) and an issued bulletin."""
    from duibiao.documents.bulletin_services import bulletin_draft_create, bulletin_issue

    office, day = w["office"], date(YEAR, 10, 16)
    w["bulletin_draft"] = bulletin_draft_create(actor=office, kind="projects", day=day)
    w["bulletin_to_issue"] = bulletin_draft_create(actor=office, kind="inspections", day=day)
    issued = bulletin_draft_create(actor=office, kind="inspections", day=day)
    w["bulletin_issued"] = bulletin_issue(actor=office, doc=issued, version=issued.version)


def _an_audit_row() -> int:
    from duibiao.audit.models import AuditEntry

    return AuditEntry.objects.order_by("pk").values_list("pk", flat=True)[0]


def _api_tokens(w: dict) -> None:
    """The office's integration token (接口令牌), to revoke."""
    from datetime import timedelta

    from django.utils import timezone

    from duibiao.accounts.tokens import token_create

    w["api_token"], _secret = token_create(actor=w["office"], name="对接", actions=["org.tree.view"], units=[],
                                           expires_on=timezone.localdate() + timedelta(days=30))


@pytest.fixture(scope="module")
def filled(django_db_setup, django_db_blocker, tmp_path_factory):
    """The filled district, once for the module, inside a transaction rolled back at the end
    (each test's own transaction nests in it as a savepoint)."""
    from tests import on_commit

    media = tmp_path_factory.mktemp("sweep-media")
    quick = override_settings(
        MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
    with django_db_blocker.unblock(), quick:
        # Marked as a test case's block, so that services' on_commit callbacks (queued runs)
        # run where production would commit, as in every other test (tests/on_commit.py).
        outer = transaction.atomic()
        outer._from_testcase = True
        outer.__enter__()
        patch = pytest.MonkeyPatch()
        on_commit.install(patch)
        try:
            w = _fill()
        finally:
            patch.undo()
        yield w
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def sweep(filled, db):
    return Sweep(filled)


# ---------------------------------------------------------------------------- the checks

# Tables left out of the fingerprint: the audit log records refusals (that is its job; its
# chain head moves with every row) and sessions change with every request.
UNWATCHED = {"audit.AuditEntry", "audit.ChainHead", "sessions.Session", "admin.LogEntry"}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _tables() -> dict[str, Any]:
    """db_table → model, for every watched table."""
    return {m._meta.db_table: m for m in apps.get_models() if m._meta.label not in UNWATCHED}


def digest(model) -> str:
    """A digest of every row of one table."""
    rows = model._base_manager.order_by("pk").values_list()
    return hashlib.blake2b(repr(list(rows)).encode(), digest_size=16).hexdigest()


def fingerprint() -> dict[str, str]:
    """The digest of every watched table, by model label."""
    return {model._meta.label: digest(model) for model in _tables().values()}


class Sweep:
    """Sends requests as any user of the filled district and collects every failure, so
    one run reports all holes at once."""

    def __init__(self, w: dict) -> None:
        self.w = w
        self.failures: list[str] = []
        self.clients: dict[str, Client] = {}
        self.login = reverse("web:login")
        for who in ["anonymous", *self.users()]:
            self.client(who)  # signing in sets last_login: before the fingerprint
        self.tables = _tables()
        self.base = fingerprint()

    def changed(self, statements: list[dict]) -> list[str]:
        """The watched tables whose rows differ from the start: only those a statement wrote
        to are read again (a table nothing wrote to is as it was)."""
        written = {m.group(1) for q in statements if (m := WRITE.match(q["sql"]))}
        models = [self.tables[t] for t in sorted(written) if t in self.tables]
        return sorted(m._meta.label for m in models if digest(m) != self.base[m._meta.label])

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client()
            if who != "anonymous":
                client.force_login(self.w[who])
            self.clients[who] = client
        return self.clients[who]

    def users(self, allowed: frozenset[str] = frozenset(), method: str = "GET") -> list[str]:
        """Who tries: everyone not allowed (each must be refused) and a few of those allowed
        (four for a read, three for a write), the office and unit A's users first: enough
        to show the example works, without rendering the same page fifteen times."""
        tried = sorted(allowed, key=_preference)[:4 if method == "GET" else 3]
        return sorted((EVERYONE - allowed) | set(tried))

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def send(self, who: str, method: str, url: str, *, data=None, json_body=None, files=None) -> Any:
        client = self.client(who)
        if json_body is not None:
            return client.generic(method, url, json.dumps(json_body), content_type="application/json")
        if method == "GET":
            return client.get(url)
        if method == "POST":  # a form (multipart, with any files)
            return client.post(url, {**(data or {}), **(files or {})})
        return client.generic(method, url, "", content_type="application/json")

    def attempt(self, label: str, who: str, method: str, url: str, **kwargs) -> tuple[Any, list[str]]:
        """One request in a savepoint that is rolled back, so every attempt starts from the
        same state: (response, watched tables whose rows it changed)."""
        response, changed = None, []
        client = self.client(who)  # signed in outside the savepoint, so the session outlives it
        cookies = copy.deepcopy(client.cookies)  # a password change rotates the session key
        connection.queries_log.clear()  # the log is capped: a full one would capture nothing
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            try:
                response = self.send(who, method, url, **kwargs)
            except Exception as exc:  # a crash is a failure of this route, not of the sweep
                self.fail(f"{label} as {who}: raised {type(exc).__name__}: {exc}")
            changed = self.changed(queries.captured_queries)
            transaction.set_rollback(True)
        client.cookies = cookies
        return response, changed

    def to_login(self, response) -> bool:
        return response.status_code == 302 and response["Location"].startswith(self.login)

    def report(self, what: str) -> None:
        assert not self.failures, f"{len(self.failures)} {what}:\n" + "\n".join(self.failures)


ERROR_HTML = re.compile(r'class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>\s*(?:<li>)?([^<]+)')


def _errors(response) -> list[str]:
    """The errors a response shows: the page's error alerts, field messages and import
    report, or the API's `detail` / `problems`."""
    if response.streaming:
        return []
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.loads(response.content or b"{}")
        found = [body.get("detail")] if isinstance(body, dict) and body.get("detail") else []
        return found + [p["reason"] for p in body.get("problems", [])] if isinstance(body, dict) else found
    text = response.content.decode(errors="replace")
    found = [t.strip() for t in ERROR_HTML.findall(text) if t.strip()]
    if 'data-testid="import-report"' in text:  # an import's problems: a table by sheet and row
        found.append("导入报告")
    return found


def _said(response) -> str:
    """What a response says, briefly, for a failure message: its errors or its start."""
    found = _errors(response)
    text = "" if response.streaming else response.content.decode(errors="replace")
    return "；".join(found)[:300] or text[:300]


def _status(response) -> int | str:
    """The status, with where a redirect goes (a 302 to the login page is no success)."""
    if response.status_code in (301, 302):
        return f"{response.status_code} to {response['Location']}"
    return response.status_code


def _page_url(name: str, page: Page, w: dict) -> str:
    return reverse(_base(name), kwargs=page.args(w)) + _query(name, page.query)


def _page_methods(page: Page) -> Iterator[tuple[str, Who]]:
    if page.get is not None:
        yield "GET", page.get
    if page.post is not None:
        yield "POST", page.post


def _base(key: str) -> str:
    """A table key without its variant: "assessment:run_detail?export=xlsx" → the route's."""
    return key.partition("?")[0]


def _query(key: str, query: str) -> str:
    both = "&".join(q for q in (key.partition("?")[2], query) if q)
    return f"?{both}" if both else ""


def _op_parts(key: str, op: Op, w: dict) -> tuple[str, str, dict]:
    method, path = _base(key).split(" ", 1)
    url = path.format(**op.args(w)) + _query(key, op.query)
    kwargs: dict = {}
    if op.files is not None:
        kwargs["files"] = op.files(w)
    elif method != "GET":
        kwargs["json_body"] = op.body(w) if op.body is not None else {}
    return method, url, kwargs


# ---------------------------------------------------------------------------- the tests


def gaps(routes: dict[str, str], operations: dict[str, dict]) -> dict[str, list[str]]:
    """What the tables miss: routes and operations without an entry, API patterns that are
    not in the schema, and entries for routes that no longer exist."""
    pages, ops = {_base(key) for key in PAGES}, {_base(key) for key in API}
    covered = {name for name in routes if not name.startswith("api:") or name in pages}
    paths = {key.split(" ", 1)[1] for key in operations}
    return {
        "routes without an entry in the access sweep's tables": sorted(covered - pages)
        + sorted(f"{key} (API)" for key in operations.keys() - ops),
        "API patterns outside the OpenAPI schema": sorted(
            f"{name} ({route})" for name, route in routes.items()
            if name.startswith("api:") and name not in pages and _api_path(route) not in paths),
        "entries for routes that no longer exist": sorted(
            (pages - routes.keys()) | (ops - operations.keys())),
    }


def test_every_route_is_in_the_sweep():
    """A route missing from the tables fails here, by name; so does an entry for a route
    that no longer exists. The counts are the sweep's coverage."""
    routes, operations = resolver_routes(), api_operations()
    for problem, names in gaps(routes, operations).items():
        assert not names, f"{problem}: " + ", ".join(names)
    pages = [name for name in routes if not name.startswith("api:") or name in PAGES]
    variants = sum("?" in key for key in (*PAGES, *API))
    print(f"\naccess sweep: {len(pages)} page routes, {len(operations)} API operations, {variants} variants")
    # At least what the sweep covered when it was written: an enumeration that finds nothing
    # would otherwise pass.
    assert len(pages) >= 105 and len(operations) >= 52


def test_a_new_app_cannot_add_an_unchecked_route():
    """What a new app's routes look like to the sweep before they have entries."""
    routes = {**resolver_routes(), "projects:project_list": "projects/"}
    operations = {**api_operations(), "GET /api/projects/{code}": {}}
    found = gaps(routes, operations)
    assert found["routes without an entry in the access sweep's tables"] == [
        "projects:project_list", "GET /api/projects/{code} (API)"]
    # A route of the resolver's is found wherever it is mounted, namespaces included.
    assert resolver_routes()["cadres:cadre_quota"] == "org/cadres/<slug:code>/annual/quota/"
    assert resolver_routes()["api:result"] == "api/results/runs/<pk>/results/<unit_code>"


def _pages() -> Iterator[tuple[str, Page]]:
    """The table's pages that exist (an entry for a route gone is reported above)."""
    routes = resolver_routes()
    return ((name, page) for name, page in PAGES.items() if _base(name) in routes and not page.public)


def _operations() -> Iterator[tuple[str, Op]]:
    operations = api_operations()
    return ((key, op) for key, op in API.items() if _base(key) in operations)


def test_the_sweep_finds_a_route_left_open(sweep, monkeypatch):
    """The attack the sweep exists for, staged: unit A's evidence served and deleted by views
    that skip the gate. Both are reported by route and user, with what the delete changed."""
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse

    from duibiao.assessment.models import Evidence

    def download(request, pk: int):
        return HttpResponse(Evidence.objects.get(pk=pk).original_name)

    def delete(request, pk: int):
        Evidence.objects.filter(pk=pk).delete()
        return HttpResponse("已删除")

    patterns = _url_patterns()
    for name, view in (("assessment:evidence_download", download), ("assessment:evidence_delete", delete)):
        monkeypatch.setattr(patterns[name][1], "callback", login_required(view))
        _check_page(sweep, name, PAGES[name])
    assert "GET assessment:evidence_download as reporter_b: got 200, expected 403 or 404" in sweep.failures
    assert "POST assessment:evidence_delete as reporter_b: got 200, expected 403 or 404" in sweep.failures
    assert ("POST assessment:evidence_delete as reporter_b: refused request changed ['assessment.Evidence']"
            in sweep.failures)
    assert not [f for f in sweep.failures if " as office:" in f or " as reporter_a:" in f]
    assert Evidence.objects.filter(pk=sweep.w["evidence"].pk).exists()  # every attempt was rolled back


def test_anonymous_visitors_are_sent_to_sign_in(sweep):
    w = sweep.w
    for name, page in _pages():
        url = _page_url(name, page, w)
        for method, _allowed in _page_methods(page):
            response, changed = sweep.attempt(name, "anonymous", method, url,
                                              data=page.data(w) if method == "POST" and page.data else None)
            if response is not None and not sweep.to_login(response):
                sweep.fail(f"{method} {name}: anonymous got {response.status_code}, not the login page")
            if changed:
                sweep.fail(f"{method} {name}: an anonymous request changed {changed}")
    for key, op in _operations():
        method, url, kwargs = _op_parts(key, op, w)
        response, changed = sweep.attempt(key, "anonymous", method, url, **kwargs)
        if response is not None and response.status_code != 401:
            sweep.fail(f"{key}: anonymous got {response.status_code}, not 401")
        if changed:
            sweep.fail(f"{key}: an anonymous request changed {changed}")
    sweep.report("routes open to anonymous visitors")


def test_public_routes_show_nothing_but_the_way_in(sweep):
    """The only routes without sign-in: the login form, its second step (which sends a
    visitor without a pending sign-in back), the logout, and the API root (an empty 404)."""
    anonymous = sweep.client("anonymous")
    assert anonymous.get(reverse("web:login")).status_code == 200
    assert sweep.to_login(anonymous.get(reverse("web:login_otp")))
    assert sweep.to_login(anonymous.post(reverse("web:logout")))
    assert anonymous.get(reverse("api:api-root")).status_code == 404


def _check_page(sweep: Sweep, name: str, page: Page) -> None:
    w = sweep.w
    url = _page_url(name, page, w)
    for method, spec in _page_methods(page):
        allowed = who_may(spec, w)
        for who in sweep.users(allowed, method):
            data = page.data(w) if method == "POST" and page.data else None
            response, changed = sweep.attempt(name, who, method, url, data=data)
            if response is None:
                continue
            status, shown = response.status_code, _status(response)
            where = f"{method} {name} as {who}"
            if method == "GET" and changed:
                sweep.fail(f"{where}: a read changed {changed}")
            if who in allowed:
                if status in (401, 403, 404, 405) or sweep.to_login(response) or status >= 500:
                    sweep.fail(f"{where}: refused ({shown}) though the table allows it")
                elif method == "POST" and page.changes and not changed:
                    sweep.fail(f"{where}: {shown} and nothing changed (is the example body right?) {_said(response)}")
            else:
                if status not in page.refused:
                    sweep.fail(f"{where}: got {shown}, expected {' or '.join(map(str, page.refused))}")
                elif status not in (403, 404) and not _errors(response):
                    sweep.fail(f"{where}: refused with {status} but no error shown")
                if changed:
                    sweep.fail(f"{where}: refused request changed {changed}")


def _check_unlisted_methods(sweep: Sweep, name: str, page: Page) -> None:
    """A method the table does not list for a page changes nothing, even when sent by a
    user who may use the page: a view that starts taking POST cannot write unchecked."""
    w = sweep.w
    url = _page_url(name, page, w)
    for method, listed in (("GET", page.get), ("POST", page.post)):
        if listed is not None:
            continue
        users = who_may(page.get if page.get is not None else page.post, w)
        who = min(users, key=_preference)
        response, changed = sweep.attempt(name, who, method, url, data={} if method == "POST" else None)
        if changed:
            sweep.fail(f"{method} {name} as {who}: not in the table, yet it changed {changed}")


def test_pages_refuse_other_units_and_other_roles(sweep):
    for name, page in _pages():
        _check_page(sweep, name, page)
        _check_unlisted_methods(sweep, name, page)
    sweep.report("page accesses wrong")


def test_api_refuses_other_units_and_other_roles(sweep):
    w = sweep.w
    for key, op in _operations():
        method, url, _ = _op_parts(key, op, w)
        allowed = who_may(op.allow, w)
        for who in sweep.users(allowed, method):
            _, _, kwargs = _op_parts(key, op, w)  # a new upload each time: a read one is empty
            response, changed = sweep.attempt(key, who, method, url, **kwargs)
            if response is None:
                continue
            status, shown = response.status_code, _status(response)
            where = f"{key} as {who}"
            if who in allowed:
                if status in (401, 403, 404, 405) or status >= 500:
                    sweep.fail(f"{where}: refused ({shown}) though the table allows it")
                elif method != "GET" and op.changes and not changed:
                    sweep.fail(f"{where}: {shown} and nothing changed (is the example body right?) {_said(response)}")
            else:
                if status not in op.refused:
                    sweep.fail(f"{where}: got {shown}, expected {' or '.join(map(str, op.refused))}")
                elif status not in (403, 404) and not _errors(response):
                    sweep.fail(f"{where}: refused with {status} but no reason given")
                if changed:
                    sweep.fail(f"{where}: refused request changed {changed}")
    sweep.report("API accesses wrong")


def _admin_urls(w: dict) -> list[tuple[str, str]]:
    """(label, url) of every admin URL pattern of our models, with an example object."""
    from duibiao.accounts.admin_site import admin_site

    examples = {"accounts.User": w["reporter_a"], "org.Unit": w["a"], "org.Category": w["a"].category,
                "org.Tier": w["a"].tier, "org.TaskForce": w["taskforce"]}
    examples.update({"projects.CadenceRule": w["cadence_rule"], "projects.LeadStageLimit": w["stage_limit"]})
    urls = []
    for model, model_admin in admin_site._registry.items():
        label = model._meta.label
        assert label in examples, f"admin model without an example object in the sweep: {label}"
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            route = re.sub(r"<(?:\w+:)?(object_)?id>", str(examples[label].pk), str(pattern.pattern))
            urls.append((f"{label} {pattern.name}", base + route))
    return urls


# The admin site asks for a role, not a unit: one user of each kind tries every admin URL.
ADMIN_TRIERS = ["anonymous", "sysadmin", "secadmin", "auditor", "office", "leader", "reporter_a", "nobody"]


def test_the_admin_site_is_for_the_system_administrator_only(sweep):
    w = sweep.w
    urls = _admin_urls(w) + [("index", "/admin/"), ("app", "/admin/org/")]
    for label, url in urls:
        for who in ADMIN_TRIERS:
            response, _ = sweep.attempt(label, who, "GET", url)
            if response is None:
                continue
            if who == "sysadmin":  # in; deleting is switched off (403) where nothing may be deleted
                if response.status_code not in (200, 302, 403) or "login" in response.get("Location", ""):
                    sweep.fail(f"admin {label} ({url}) as sysadmin: {response.status_code}")
            elif not (response.status_code == 302 and "login" in response["Location"]):
                sweep.fail(f"admin {label} ({url}) as {who}: {response.status_code}, not the login page")
    # Writes through the admin: only the system administrator's change goes through.
    change = f"/admin/org/unit/{w['a'].pk}/change/"
    body = {"name": "靖宇街道办事处", "kind": "street", "category": w["a"].category_id, "tier": w["a"].tier_id,
            "order": 0, "is_active": "on"}
    delete = f"/admin/org/category/{w['fagai'].category_id}/delete/"
    for who in ADMIN_TRIERS:
        for url, data in ((change, body), (delete, {"post": "yes"})):
            response, changed = sweep.attempt(url, who, "POST", url, data=data)
            if who == "sysadmin":
                if url == change and "org.Unit" not in changed:
                    sweep.fail(f"POST {url} as sysadmin changed nothing ({response.status_code})")
            elif changed:
                sweep.fail(f"POST {url} as {who}: refused request changed {changed}")
    sweep.report("admin accesses wrong")
