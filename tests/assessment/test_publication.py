"""Guarded publication (issue 10 item 2): publishing is refused while the reporting deadline or
the appeal window has not passed, values are unapproved or appeals are open, unless the office
overrides with a written reason (stored, audited, shown on the ranking); a stale or repeated
confirmation is refused; a publication can be withdrawn with a reason, reopening the period;
closing a period before its deadline needs a reason too."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Period, ScoringRun, Submission
from duibiao.assessment.selectors.runs import previous_published_run
from duibiao.assessment.services.appeals import appeal_decide, appeal_file
from duibiao.assessment.services.periods import period_set_status
from duibiao.assessment.services.runs import run_publish, run_release, run_start, run_withdraw
from duibiao.audit.models import AuditEntry

PAST = date(2026, 10, 30)  # after the fixture period's deadline (2026-10-23), before today
REASON = "市委考核办要求月底前报送，经主任办公会研究提前公布"


@pytest.fixture
def released(approved):
    run = run_start(actor=approved["office"], period=approved["period"], note="试算")
    return run_release(actor=approved["office"], run=run)


def _windows_passed(run: ScoringRun) -> None:
    """The appeal window of the period's release has ended (the reporting deadline already has)."""
    ScoringRun.objects.filter(period=run.period).update(appeal_deadline=PAST)


def _unchanged(run: ScoringRun) -> None:
    run.refresh_from_db()
    assert run.stage == ScoringRun.Stage.RELEASED and run.published_at is None and not run.publish_override
    assert Period.objects.get(pk=run.period_id).status == Period.Status.OPEN
    assert not AuditEntry.objects.filter(action="run.publish").exists()


# ── each refusal, and the override ────────────────────────────────────────────────────


def test_refused_during_the_appeal_window(approved, released):
    with pytest.raises(AssessmentError, match="申诉期.*尚未结束.*请填写理由"):
        run_publish(actor=approved["office"], run=released, stage=released.stage)
    _unchanged(released)


def test_refused_before_the_reporting_deadline(approved, released):
    _windows_passed(released)
    Period.objects.filter(pk=released.period_id).update(deadline=timezone.localdate())  # reporting still today
    with pytest.raises(AssessmentError, match="填报截止日.*尚未过"):
        run_publish(actor=approved["office"], run=released, stage=released.stage)
    _unchanged(released)


def test_refused_with_unapproved_values(approved, released):
    _windows_passed(released)
    Submission.objects.filter(unit=approved["a"], indicator__code="nl02").update(status=Submission.Status.SUBMITTED)
    with pytest.raises(AssessmentError, match="还有 1 项填报数据未审核"):
        run_publish(actor=approved["office"], run=released, stage=released.stage)
    _unchanged(released)


def test_refused_with_open_appeals(approved, released):
    appeal_file(actor=approved["head_a"], run=released, unit=approved["a"], indicator=approved["ind"]["nl02"],
                reason="台账已补充")
    _windows_passed(released)
    with pytest.raises(AssessmentError, match="还有 1 件申诉未复核"):
        run_publish(actor=approved["office"], run=released, stage=released.stage)
    _unchanged(released)


def test_published_without_a_reason_once_everything_has_passed(approved, released):
    _windows_passed(released)
    run = run_publish(actor=approved["office"], run=released, stage=released.stage, override_reason="无需理由")
    assert run.stage == ScoringRun.Stage.PUBLISHED
    assert run.publish_override == ""  # nothing was waived: no reason shown with the ranking
    assert AuditEntry.objects.get(action="run.publish").after["waived"] == []


def test_override_with_a_reason_is_stored_audited_and_closes_the_period(approved, released):
    Submission.objects.filter(unit=approved["a"], indicator__code="nl02").update(status=Submission.Status.RETURNED)
    run = run_publish(actor=approved["office"], run=released, stage=released.stage, override_reason=f"  {REASON} ")
    run.refresh_from_db()
    assert run.stage == ScoringRun.Stage.PUBLISHED and run.publish_override == REASON
    assert Period.objects.get(pk=run.period_id).status == Period.Status.CLOSED
    entry = AuditEntry.objects.get(action="run.publish")
    assert entry.user == approved["office"] and entry.after["override_reason"] == REASON
    assert any("申诉期" in w for w in entry.after["waived"]) and any("未审核" in w for w in entry.after["waived"])


@pytest.mark.parametrize("reason", ["", "   ", "理" * 501])
def test_a_blank_or_overlong_reason_is_refused(approved, released, reason):
    with pytest.raises(AssessmentError, match="请填写理由|最多 500 字"):
        run_publish(actor=approved["office"], run=released, stage=released.stage, override_reason=reason)
    _unchanged(released)


def test_no_reason_waives_an_accepted_appeal_that_the_run_does_not_include(approved, released):
    appeal = appeal_file(actor=approved["head_a"], run=released, unit=approved["a"],
                         indicator=approved["ind"]["nl02"], reason="台账已补充")
    appeal_decide(actor=approved["taskforce"], appeal=appeal, accept=True, decision="采纳")
    with pytest.raises(AssessmentError, match="重新计分"):
        run_publish(actor=approved["office"], run=released, stage=released.stage, override_reason=REASON)
    _unchanged(released)


# ── the confirmation's version ────────────────────────────────────────────────────────


def test_a_double_submit_is_refused_and_publishes_once(approved, released):
    run_publish(actor=approved["office"], run=released, stage="released", override_reason=REASON)
    again = ScoringRun.objects.get(pk=released.pk)
    with pytest.raises(AssessmentError, match="页面已过期.*已公布"):
        run_publish(actor=approved["office"], run=again, stage="released", override_reason=REASON)
    assert AuditEntry.objects.filter(action="run.publish").count() == 1


def test_a_stale_page_is_refused(approved):
    """The page showed a draft; meanwhile the run was released (an appeal window opened)."""
    run = run_start(actor=approved["office"], period=approved["period"])
    run_release(actor=approved["office"], run=ScoringRun.objects.get(pk=run.pk))
    with pytest.raises(AssessmentError, match="页面已过期"):
        run_publish(actor=approved["office"], run=run, stage="draft", override_reason=REASON)
    assert ScoringRun.objects.get(pk=run.pk).stage == ScoringRun.Stage.RELEASED


@pytest.mark.parametrize("who", ["taskforce", "leader", "head_a", "reporter_a"])
def test_only_the_office_publishes_or_withdraws(approved, released, who):
    with pytest.raises(PermissionDenied):
        run_publish(actor=approved[who], run=released, stage=released.stage, override_reason=REASON)
    published = run_publish(actor=approved["office"], run=released, stage=released.stage, override_reason=REASON)
    with pytest.raises(PermissionDenied):
        run_withdraw(actor=approved[who], run=published, stage=published.stage, reason="数据有误")
    assert ScoringRun.objects.get(pk=released.pk).stage == ScoringRun.Stage.PUBLISHED


# ── withdrawal ────────────────────────────────────────────────────────────────────────


def test_withdrawal_needs_a_reason_reopens_the_period_and_allows_a_new_run(approved, released):
    office = approved["office"]
    run = run_publish(actor=office, run=released, stage=released.stage, override_reason=REASON)
    with pytest.raises(AssessmentError, match="请填写撤回理由"):
        run_withdraw(actor=office, run=run, stage=run.stage, reason="  ")
    assert ScoringRun.objects.get(pk=run.pk).stage == ScoringRun.Stage.PUBLISHED
    run = run_withdraw(actor=office, run=run, stage="published", reason="靖宇街道数据录入错误，更正后重新公布")
    run.refresh_from_db()
    assert run.stage == ScoringRun.Stage.WITHDRAWN and run.withdrawn_by == office
    assert run.withdraw_reason == "靖宇街道数据录入错误，更正后重新公布"
    assert Period.objects.get(pk=run.period_id).status == Period.Status.OPEN
    entry = AuditEntry.objects.get(action="run.withdraw")
    assert entry.after["reason"] == run.withdraw_reason and entry.before == {"stage": "published"}
    with pytest.raises(AssessmentError, match="页面已过期"):  # the same confirmation sent twice
        run_withdraw(actor=office, run=run, stage="published", reason="重复提交")
    rerun = run_start(actor=office, period=run.period, note="撤回后重算")  # refused while published
    assert rerun.status == ScoringRun.Status.DONE
    later = Period.objects.create(version=approved["version"], kind="quarter", year=2027, number=1,
                                  name="2027年第一季度", opens_on=run.period.opens_on, deadline=run.period.deadline)
    assert previous_published_run(later) is None  # a withdrawn result is not the basis for 晋位


def test_only_a_published_run_can_be_withdrawn(approved, released):
    with pytest.raises(AssessmentError, match="只有已公布的批次可以撤回"):
        run_withdraw(actor=approved["office"], run=released, stage=released.stage, reason="数据有误")
    assert ScoringRun.objects.get(pk=released.pk).stage == ScoringRun.Stage.RELEASED


# ── closing a period early ────────────────────────────────────────────────────────────


def test_closing_before_the_deadline_needs_a_reason(approved):
    period, office = approved["period"], approved["office"]
    Period.objects.filter(pk=period.pk).update(deadline=timezone.localdate() + timedelta(days=3))
    with pytest.raises(AssessmentError, match="尚未过，提前关闭须填写理由"):
        period_set_status(actor=office, period=period, status=Period.Status.CLOSED, current="open")
    assert Period.objects.get(pk=period.pk).status == Period.Status.OPEN
    period_set_status(actor=office, period=period, status=Period.Status.CLOSED, current="open",
                      reason="各单位均已报齐并审核完毕")
    period.refresh_from_db()
    assert period.status == Period.Status.CLOSED and period.close_reason == "各单位均已报齐并审核完毕"
    entry = AuditEntry.objects.filter(action="period.status").latest("id")
    assert entry.after == {"status": "closed", "close_reason": "各单位均已报齐并审核完毕"}


def test_closing_after_the_deadline_needs_no_reason_and_a_stale_page_is_refused(approved):
    period, office = approved["period"], approved["office"]  # deadline 2026-10-23 has passed
    with pytest.raises(AssessmentError, match="页面已过期"):
        period_set_status(actor=office, period=period, status=Period.Status.CLOSED, current="planned")
    period_set_status(actor=office, period=period, status=Period.Status.CLOSED, current="open")
    period.refresh_from_db()
    assert period.status == Period.Status.CLOSED and period.close_reason == ""


# ── the pages ─────────────────────────────────────────────────────────────────────────


def test_the_confirmation_page_shows_what_will_be_frozen(approved, released, client_for):
    Submission.objects.filter(unit=approved["a"], indicator__code="nl02").update(status=Submission.Status.SUBMITTED)
    page = client_for(approved["office"]).get(reverse("assessment:run_publish", args=[released.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="stage" value="released"' in text
    assert 'data-testid="publish-units">3<' in text
    assert 'data-testid="publish-unapproved">1<' in text and 'data-testid="publish-appeals">0<' in text
    assert "申诉期（截至" in text and "填写理由并提前公布" in text
    assert "还有" in text  # days left to the appeal deadline


def test_a_refused_publication_shows_the_reason_next_to_the_field(approved, released, client_for):
    url = reverse("assessment:run_publish", args=[released.pk])
    response = client_for(approved["office"]).post(url, {"stage": "released", "reason": ""})
    assert response.status_code == 400
    assert 'data-testid="publish-error"' in response.content.decode()
    assert "如确需提前公布，请填写理由" in response.content.decode()
    _unchanged(released)


def test_a_refused_page_get_for_a_unit(approved, released, client_for):
    """A unit's head may read the released ranking, but not the office's confirmation page."""
    response = client_for(approved["head_a"]).get(reverse("assessment:run_publish", args=[released.pk]))
    assert response.status_code in (403, 404)
    response = client_for(approved["head_a"]).post(reverse("assessment:run_publish", args=[released.pk]),
                                                   {"stage": "released", "reason": REASON})
    assert response.status_code in (403, 404)
    _unchanged(released)


def test_the_reason_shows_on_the_ranking_and_the_units_result(approved, released, client_for):
    run_publish(actor=approved["office"], run=released, stage=released.stage, override_reason=REASON)
    for url in (reverse("assessment:run_detail", args=[released.pk]),
                reverse("assessment:unit_result", args=[released.pk, "jingyu"])):
        text = client_for(approved["head_a"]).get(url).content.decode()
        assert 'data-testid="publish-override"' in text and REASON in text
    run_withdraw(actor=approved["office"], run=ScoringRun.objects.get(pk=released.pk), stage="published",
                 reason="数据有误，更正后重新公布")
    text = client_for(approved["head_a"]).get(reverse("assessment:unit_result", args=[released.pk, "jingyu"])
                                             ).content.decode()
    assert 'data-testid="publish-withdrawn"' in text and "数据有误，更正后重新公布" in text


def test_the_close_page_shows_what_is_open_and_refuses_without_a_reason(approved, client_for):
    period = approved["period"]
    Period.objects.filter(pk=period.pk).update(deadline=timezone.localdate() + timedelta(days=4))
    Submission.objects.filter(unit=approved["a"], indicator__code="nl02").update(status=Submission.Status.RETURNED)
    office = client_for(approved["office"])
    url = reverse("assessment:period_status", args=[period.pk])
    page = office.get(url + "?status=closed").content.decode()
    assert "还有 4 天" in page and 'data-testid="close-values">1（已退回 1）' in page
    assert 'name="current" value="open"' in page
    refused = office.post(url, {"status": "closed", "current": "open", "reason": ""})
    assert refused.status_code == 400 and 'data-testid="close-error"' in refused.content.decode()
    assert "提前关闭须填写理由" in refused.content.decode()
    assert Period.objects.get(pk=period.pk).status == Period.Status.OPEN
    done = office.post(url, {"status": "closed", "current": "open", "reason": "市里统一提前收口"})
    assert done.status_code == 302
    assert Period.objects.get(pk=period.pk).close_reason == "市里统一提前收口"
    assert office.get(reverse("assessment:period_list")).status_code == 200


def test_units_are_told_of_a_withdrawal_on_the_periods_page(approved, released, client_for):
    run = run_publish(actor=approved["office"], run=released, stage=released.stage, override_reason=REASON)
    url = reverse("assessment:period_runs", args=[run.period_id])
    assert 'data-testid="publish-withdrawn"' not in client_for(approved["head_a"]).get(url).content.decode()
    run_withdraw(actor=approved["office"], run=run, stage="published", reason="太古街道数据有误")
    for who in ("head_a", "reporter_b", "leader"):
        text = client_for(approved[who]).get(url).content.decode()
        assert 'data-testid="publish-withdrawn"' in text and "太古街道数据有误" in text, who


def test_everyone_who_could_read_it_is_told_of_a_withdrawal_on_his_home_page(approved, released, client_for):
    """Not only on the ranking pages: a unit head or leader who saw the published result meets
    the withdrawal, with its reason and a link, on the home page for 30 days."""
    from duibiao.assessment.selectors.reminders import withdrawn_runs

    run = run_publish(actor=approved["office"], run=released, stage=released.stage, override_reason=REASON)
    home = reverse("web:home")
    assert 'data-testid="withdrawn-reminder"' not in client_for(approved["head_a"]).get(home).content.decode()
    run_withdraw(actor=approved["office"], run=run, stage="published", reason="太古街道数据有误")
    for who in ("head_a", "reporter_b", "leader", "office"):
        text = client_for(approved[who]).get(home).content.decode()
        assert 'data-testid="withdrawn-reminder"' in text and "太古街道数据有误" in text, who
        assert reverse("assessment:run_detail", args=[run.pk]) in text, who
    later = timezone.now() + timedelta(days=31)
    assert withdrawn_runs(user=approved["head_a"], now=later) == []


def test_a_withdrawn_run_no_longer_counts_in_a_combination(approved, released):
    """多考合一 saved with a published run: once withdrawn, that period is averaged as missing."""
    from duibiao.assessment.selectors.combinations import combination_results
    from duibiao.assessment.services.combinations import combination_save

    office = approved["office"]
    run = run_publish(actor=office, run=released, stage=released.stage, override_reason=REASON)
    combo = combination_save(actor=office, code="y2026", name="年度", year=2026, district=approved["district"],
                             parts=[("平时考核", 100, [run])])
    assert combination_results(user=office, combination=combo)  # every unit, from the published run
    run_withdraw(actor=office, run=run, stage="published", reason="数据有误")
    assert combination_results(user=office, combination=combo) == []  # nothing published is left
