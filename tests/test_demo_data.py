"""The demo (`duibiao demo-data`), loaded once for this module: it takes seconds, so every test
that needs the whole demo reads the same load instead of building its own."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """The printed output of one `demo_data` load; the rows stay until the module ends, then
    the outer transaction is rolled back so no other module sees them."""
    # The same fast hasher as every other test (tests/conftest.py), set here because a
    # module fixture runs before the per-test settings.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        out = StringIO()
        call_command("demo_data", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_demo_data_is_deterministic_and_rerunnable(db, demo_output):
    from duibiao.accounts.models import User
    from duibiao.demo import DEMO_PASSWORD
    from duibiao.org.models import TaskForce, Unit

    assert "khb" in demo_output and DEMO_PASSWORD in demo_output
    counts = (Unit.objects.count(), User.objects.count(), TaskForce.objects.count())
    call_command("demo_data", stdout=StringIO())
    assert (Unit.objects.count(), User.objects.count(), TaskForce.objects.count()) == counts
    assert Unit.objects.filter(category__isnull=False).count() >= 40
    assert TaskForce.objects.count() == 4
    assert set(Unit.objects.filter(category__code="street").values_list("name", flat=True)) >= {
        "靖宇街道", "太古街道", "团结镇", "民主镇"
    }
    reporter = User.objects.get(username="jingyu_tb")
    assert reporter.check_password(DEMO_PASSWORD)
    assert reporter.unit.name == "靖宇街道"


def test_demo_administrators_are_enrolled_with_their_printed_key(db, demo_output):
    from duibiao.accounts.models import User
    from duibiao.crypto.models import SealedTOTPDevice as TOTPDevice
    from duibiao.demo import demo_otp_secret

    device = TOTPDevice.objects.get(user=User.objects.get(username="admin"))
    assert device.confirmed and device.bin_key == base64.b32decode(demo_otp_secret("admin"))
    assert demo_otp_secret("admin") in demo_output


def test_demo_holds_a_published_past_period_and_an_open_one_with_values_in_every_state(db, demo_output):
    from duibiao.assessment.models import Period, ScoringRun, Submission
    from duibiao.org.models import Unit

    published = ScoringRun.objects.filter(stage=ScoringRun.Stage.PUBLISHED).select_related("period")
    assert [run.period.status for run in published] == [Period.Status.CLOSED]
    current = Period.objects.get(status=Period.Status.OPEN)
    assert current.opens_on > published[0].period.opens_on
    states = set(Submission.objects.filter(period=current).values_list("status", flat=True))
    assert {Submission.Status.APPROVED, Submission.Status.SUBMITTED, Submission.Status.RETURNED,
            Submission.Status.DRAFT} <= states
    # Blank: units that have not started, with no value of their own this quarter.
    entered = Submission.objects.filter(period=current, updated_by__username__endswith="_tb")
    assert Unit.objects.filter(category__isnull=False).exclude(pk__in=entered.values("unit")).exists()
    assert Submission.objects.filter(period=current, status=Submission.Status.RETURNED).count() >= 1


def test_reset_refuses_while_the_database_holds_more_than_the_demo(db, demo_output):
    from django.core.management.base import CommandError

    from duibiao.accounts.models import User
    from duibiao.accounts.services import user_create
    from duibiao.assessment.models import Submission
    from duibiao.demo import demo_strangers

    assert demo_strangers() == []  # the demo alone: --reset needs no --yes
    user_create(actor=None, username="zhangsan", password="Real@Pass2026")
    before = (User.objects.count(), Submission.objects.count())
    with pytest.raises(CommandError, match="账号 zhangsan") as refused:
        call_command("demo_data", reset=True, stdout=StringIO())
    assert "--yes" in str(refused.value)
    assert (User.objects.count(), Submission.objects.count()) == before  # nothing deleted


def test_reset_rebuilds_the_demo_from_scratch(db, demo_output):
    from duibiao.accounts.models import User
    from duibiao.accounts.services import user_create
    from duibiao.assessment.models import ScoringRun, Submission
    from duibiao.demo import demo_strangers

    counts = (User.objects.count(), Submission.objects.count(), ScoringRun.objects.count())
    # What a day of trying the demo leaves behind: drafts submitted, an account added.
    Submission.objects.filter(status=Submission.Status.DRAFT).update(status=Submission.Status.SUBMITTED)
    user_create(actor=None, username="zhangsan", password="Real@Pass2026")
    out = StringIO()
    call_command("demo_data", reset=True, yes=True, stdout=out)
    assert "已清空数据库" in out.getvalue() and "khb" in out.getvalue()
    assert (User.objects.count(), Submission.objects.count(), ScoringRun.objects.count()) == counts
    assert not User.objects.filter(username="zhangsan").exists()
    assert Submission.objects.filter(status=Submission.Status.DRAFT).exists()
    assert ScoringRun.objects.filter(stage=ScoringRun.Stage.PUBLISHED).count() == 1
    assert demo_strangers() == []


def test_demo_portfolio_has_the_published_shape(db, demo_output):
    """27 province- and city-level key projects, 50.05 亿元 planned this year: 13 new and 14
    continuing; 9 infrastructure, 15 industrial, 3 social; 13 government- and 14
    enterprise-invested — and district-level projects besides, with a year of weekly reports."""
    from collections import Counter

    from django.db.models import Sum

    from duibiao.org.models import Unit
    from duibiao.projects.models import ProgressReport, Project

    key = Project.objects.filter(level__in=["province", "city"])
    assert key.count() == 27
    assert key.aggregate(total=Sum("planned_annual"))["total"] == 500500  # 万元 = 50.05 亿元
    assert Counter(key.values_list("stage", flat=True)) == {"new": 13, "continuing": 14}
    assert Counter(key.values_list("type", flat=True)) == {"infrastructure": 9, "industry": 15, "social": 3}
    assert Counter(key.values_list("source", flat=True)) == {"government": 13, "enterprise": 14}
    assert Project.objects.filter(level="district").count() >= 15
    # Every unit gz02–gz05 apply to owns a project; no other unit does.
    owners = set(Project.objects.values_list("owner_unit__code", flat=True))
    assert owners == set(Unit.objects.filter(category__code__in=["street", "economic"]).values_list("code", flat=True))
    # Weekly: a continuing project reports every week of the year so far.
    weeks = ProgressReport.objects.filter(project__code="XM-014").values_list("reported_on", flat=True)
    assert len(weeks) >= 40 and all(d.weekday() == 4 for d in weeks)
    assert Project.objects.exclude(secretary=None).count() == Project.objects.count()


def test_demo_units_no_longer_type_the_four_rates(db, demo_output):
    """gz02–gz05 come from the portfolio: no unit's submission holds them, and the published
    run took them from the sources with the projects named."""
    from duibiao.assessment.models import RunResult, ScoringRun, Submission
    from duibiao.assessment.selectors.traces import result_trace

    assert not Submission.objects.filter(indicator__code__in=["gz02", "gz03", "gz04", "gz05"]).exists()
    run = ScoringRun.objects.get(stage=ScoringRun.Stage.PUBLISHED)
    fed = run.inputs["sources"]
    assert {code: fed[code]["name"] for code in ("gz02", "gz03", "gz04", "gz05")} == {
        "gz02": "projects.start_rate", "gz03": "projects.investment_completion_rate",
        "gz04": "projects.funds_rate", "gz05": "projects.completion_rate"}
    values = {u: v for u, c, v in run.inputs["data"] if c == "gz03"}
    assert len(values) >= 30
    trace = result_trace(RunResult.objects.get(run=run, unit__code="jingyu"), run)
    gz03 = next(e for e in trace["indicators"] if e["code"] == "gz03")
    assert gz03["source"]["provenance"] and gz03["source"]["provenance"][0].startswith("项目 ")


def test_demo_supervision_has_findings_in_every_state_and_feeds_nl02(db, demo_output):
    """Three campaigns with findings of every unit in every state, enterprise files with valid
    credit codes and risk lists, a season of work statistics; nl02 is no unit's to type: the
    published run takes each unit's 问题处置率 from the findings, naming them."""
    from django.utils import timezone

    from duibiao.assessment.models import ScoringRun, Submission
    from duibiao.inspections.credit_code import credit_code_problems
    from duibiao.inspections.models import Campaign, Enterprise, Finding, RiskItem, WorkLog
    from duibiao.org.models import Unit

    assert set(Campaign.objects.values_list("kind", flat=True)) == {"city", "greening", "food"}
    states = set(Finding.objects.values_list("state", flat=True))
    assert states == {"open", "reported", "returned", "closed", "closed_not_fixed"}
    today = timezone.localdate()
    assert Finding.objects.exclude(extended_to=None).exists()
    assert Finding.objects.filter(outcome="", deadline__lt=today, extended_to=None).exists()  # overdue
    units = Unit.objects.filter(category__isnull=False)
    assert not units.exclude(pk__in=Finding.objects.values("unit")).exists()
    assert Enterprise.objects.count() >= 12
    assert all(not credit_code_problems(code) for code in Enterprise.objects.values_list("credit_code", flat=True))
    assert {"open", "controlled", "closed"} <= set(RiskItem.objects.values_list("status", flat=True))
    assert WorkLog.objects.values("unit").distinct().count() == units.filter(category__code="street").count()
    assert not Submission.objects.filter(indicator__code="nl02").exists()
    run = ScoringRun.objects.get(stage=ScoringRun.Stage.PUBLISHED)
    fed = run.inputs["sources"]["nl02"]
    assert fed["name"] == "inspections.disposal_rate"
    values = {u: v for u, c, v in run.inputs["data"] if c == "nl02"}
    assert len(values) >= units.count() * 0.8 and all(0 <= v <= 100 for v in values.values())
    assert all(p.startswith("问题 #") for p in fed["units"]["jingyu"])


def test_demo_dispatch_has_meetings_overdue_assignments_and_leads_in_every_stage(db, demo_output):
    from django.utils import timezone

    from duibiao.projects.models import Assignment, DispatchMeeting, Lead
    from duibiao.projects.models.leads import LeadStage

    today = timezone.localdate()
    held = DispatchMeeting.objects.filter(status=DispatchMeeting.Status.HELD)
    assert set(held.values_list("cadence", flat=True)) == {"daily", "three_day", "weekly"}
    assert DispatchMeeting.objects.filter(status=DispatchMeeting.Status.PLANNED, held_on=today).exists()
    overdue = Assignment.objects.filter(status=Assignment.Status.OPEN, deadline__lt=today)
    assert overdue.exists() and Assignment.objects.filter(status=Assignment.Status.DONE).exists()
    assert all(a.project is not None and a.unit_id == a.project.owner_unit_id
               for a in Assignment.objects.select_related("project"))
    assert set(Lead.objects.values_list("stage", flat=True)) == set(LeadStage.values)
    assert all(lead.entries.count() == LeadStage.values.index(lead.stage) + 1 for lead in Lead.objects.all())
