"""Reporting and review rules: who may write, when, with what values; no lost updates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from duibiao.assessment.errors import AssessmentError, ConflictError
from duibiao.assessment.models import Evidence, Period, ReviewEvent, Submission
from duibiao.assessment.services.submissions import (
    ValueInput,
    evidence_attach,
    review_approve,
    review_return,
    review_unlock,
    score_record,
    submission_bulk_save,
    submission_save,
    submission_submit,
    unit_signoff,
)
from duibiao.audit.models import AuditEntry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def current_version(ctx, code, unit="a") -> int:
    """What a form opened now would carry: the stored version, or 0 for a value not saved yet."""
    sub = Submission.objects.filter(period=ctx["period"], unit=ctx[unit], indicator=ctx["ind"][code]).first()
    return sub.version if sub else 0


def save(ctx, code, value, who="reporter_a", unit="a", expected=None, **extra):
    """Save as a form opened just now would (or as one opened at `expected`)."""
    version = current_version(ctx, code, unit) if expected is None else expected
    return submission_save(
        actor=ctx[who], period=ctx["period"], unit=ctx[unit],
        item=ValueInput(indicator=ctx["ind"][code], value=value, expected_version=version, **extra),
    )


def test_reporter_saves_a_draft_and_it_is_audited(assessed):
    sub = save(assessed, "nl02", "95.5%")
    assert sub.status == Submission.Status.DRAFT and sub.value == Decimal("95.5") and sub.version == 1
    entry = AuditEntry.objects.get(action="submission.save", object_id=str(sub.pk))
    assert entry.before is None and entry.after["value"] == "95.5" and entry.username == "tb_a"


def test_second_of_two_conflicting_saves_is_refused(assessed):
    first = save(assessed, "nl02", "90")
    # Two people opened the form at version 1; the first saves, the second must not overwrite.
    save(assessed, "nl02", "91", expected=first.version)
    with pytest.raises(ConflictError, match="已被他人修改"):
        save(assessed, "nl02", "92", expected=first.version)
    assert Submission.objects.get(pk=first.pk).value == Decimal("91")


def test_two_first_entries_conflict_too(assessed):
    save(assessed, "nl03", "90", expected=0)
    with pytest.raises(ConflictError):
        save(assessed, "nl03", "80", expected=0)


def test_reporter_of_another_unit_is_refused(assessed):
    with pytest.raises(Http404):
        save(assessed, "nl02", "90", who="reporter_b", unit="a")
    assert not Submission.objects.exists()


def test_values_are_checked_by_kind(assessed):
    with pytest.raises(AssessmentError, match="不是数字"):
        save(assessed, "nl02", "九十")
    with pytest.raises(AssessmentError, match="是"):
        save(assessed, "nl10", "maybe")
    assert save(assessed, "nl10", "是").value == 1
    with pytest.raises(AssessmentError, match="非负整数"):
        save(assessed, "ys10", "1.5")
    with pytest.raises(AssessmentError, match="合计不能为 0"):
        save(assessed, "nl05", None, ballots={"优秀": "0"})
    sub = save(assessed, "nl05", None, ballots={"优秀": "20", "称职": "5"})
    assert sub.ballots == {"优秀": 20, "称职": 5, "基本称职": 0, "不称职": 0}


def test_units_do_not_report_what_does_not_apply_or_is_scored_by_task_forces(assessed):
    with pytest.raises(AssessmentError, match="不适用"):
        save(assessed, "ys01", "3")  # 个性: 市场监管局 and 政务服务中心 only
    with pytest.raises(AssessmentError, match="专班或考核办评定"):
        save(assessed, "nl01", "90")


def test_closed_period_refuses_changes(assessed):
    Period.objects.filter(pk=assessed["period"].pk).update(status=Period.Status.CLOSED)
    assessed["period"].refresh_from_db()
    with pytest.raises(AssessmentError, match="未在填报中"):
        save(assessed, "nl02", "90")


def test_submit_return_resubmit_approve_lock(assessed):
    sub = save(assessed, "nl02", "90")
    assert submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"], confirm=True) == 1
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SUBMITTED
    with pytest.raises(AssessmentError):
        save(assessed, "nl02", "91")  # submitted values wait for review
    reviewer = assessed["taskforce"]  # zb1 owns nl02
    with pytest.raises(AssessmentError, match="原因"):
        review_return(actor=reviewer, submission=sub, expected_version=sub.version, reason=" ")
    sub = review_return(actor=reviewer, submission=sub, expected_version=sub.version, reason="与台账不符")
    assert sub.status == Submission.Status.RETURNED and sub.return_reason == "与台账不符"
    sub = save(assessed, "nl02", "88", expected=sub.version)
    submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"], confirm=True)
    sub.refresh_from_db()
    assert sub.return_reason == ""
    sub = review_approve(actor=reviewer, submission=sub, expected_version=sub.version)
    assert sub.status == Submission.Status.APPROVED
    with pytest.raises(AssessmentError, match="考核办解锁"):
        save(assessed, "nl02", "70")
    actions = list(ReviewEvent.objects.filter(submission=sub).values_list("action", flat=True))
    assert actions == ["submit", "return", "submit", "approve"]


def test_unlock_is_the_offices_and_audited(assessed):
    sub = save(assessed, "nl02", "90")
    submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"], confirm=True)
    sub.refresh_from_db()
    sub = review_approve(actor=assessed["taskforce"], submission=sub, expected_version=sub.version)
    with pytest.raises(PermissionDenied):
        review_unlock(actor=assessed["taskforce"], submission=sub, expected_version=sub.version, reason="更正")
    sub = review_unlock(actor=assessed["office"], submission=sub, expected_version=sub.version,
                        reason="统计局更正数据")
    assert sub.status == Submission.Status.RETURNED
    assert AuditEntry.objects.filter(action="review.unlock", username="khb").exists()
    assert save(assessed, "nl02", "91", expected=sub.version).value == Decimal("91")


def test_only_the_owning_task_force_reviews(assessed):
    sub = save(assessed, "ys03", "80")  # owned by zb2
    submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"], confirm=True)
    sub.refresh_from_db()
    with pytest.raises(PermissionDenied):
        review_approve(actor=assessed["taskforce"], submission=sub, expected_version=sub.version)
    # The office may act on any indicator.
    assert review_approve(actor=assessed["office"], submission=sub, expected_version=sub.version).status == "approved"


def test_stale_review_is_refused(assessed):
    sub = save(assessed, "nl02", "90")
    submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"], confirm=True)
    sub.refresh_from_db()
    review_approve(actor=assessed["taskforce"], submission=sub, expected_version=sub.version)
    with pytest.raises((ConflictError, AssessmentError)):
        review_return(actor=assessed["taskforce"], submission=sub, expected_version=sub.version, reason="x")


def test_bulk_save_is_all_or_nothing(assessed):
    items = [ValueInput(indicator=assessed["ind"]["nl02"], value="90", expected_version=0),
             ValueInput(indicator=assessed["ind"]["nl03"], value="ninety", expected_version=0)]
    with pytest.raises(AssessmentError):
        submission_bulk_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"], items=items)
    assert not Submission.objects.exists()


def test_task_force_scores_and_office_records_items(assessed):
    score = score_record(
        actor=assessed["taskforce"], period=assessed["period"], unit=assessed["a"],
        item=ValueInput(indicator=assessed["ind"]["nl01"], value="92", expected_version=0),
        justification="学习制度落实到位",
    )
    assert score.status == Submission.Status.APPROVED and score.justification == "学习制度落实到位"
    with pytest.raises(AssessmentError, match="0–100"):
        score_record(actor=assessed["taskforce"], period=assessed["period"], unit=assessed["a"],
                     item=ValueInput(indicator=assessed["ind"]["nl01"], value="120", expected_version=score.version),
                     justification="x")
    with pytest.raises(AssessmentError, match="理由"):
        score_record(actor=assessed["office"], period=assessed["period"], unit=assessed["a"],
                     item=ValueInput(indicator=assessed["ind"]["cf01"], value="1", expected_version=0), justification="")
    veto = score_record(actor=assessed["office"], period=assessed["period"], unit=assessed["b"],
                        item=ValueInput(indicator=assessed["ind"]["fj01"], value="是", expected_version=0),
                        justification="区应急局通报")
    assert veto.value == 1
    with pytest.raises(PermissionDenied):
        score_record(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                     item=ValueInput(indicator=assessed["ind"]["nl01"], value="100", expected_version=score.version),
                     justification="自评")


def test_evidence_type_is_checked_by_content(assessed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sub = save(assessed, "nl02", "90")
    ok = evidence_attach(actor=assessed["reporter_a"], submission=sub,
                         upload=SimpleUploadedFile("台账.pdf", PDF))
    assert ok.content_type == "application/pdf" and len(ok.sha256) == 64
    with pytest.raises(AssessmentError, match="只接受"):
        evidence_attach(actor=assessed["reporter_a"], submission=sub,
                        upload=SimpleUploadedFile("renamed.pdf", b"MZ\x90\x00 not a pdf"))
    settings.DUIBIAO_EVIDENCE_MAX_MB = 1
    with pytest.raises(AssessmentError, match="上限"):
        evidence_attach(actor=assessed["reporter_a"], submission=sub,
                        upload=SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 1)))
    assert Evidence.objects.count() == 1
    with pytest.raises(Http404):
        evidence_attach(actor=assessed["reporter_b"], submission=sub, upload=SimpleUploadedFile("x.pdf", PDF))


def test_unit_head_signs_off_only_when_everything_is_submitted(assessed, settings, tmp_path):
    from tests.assessment.test_completeness import fill

    settings.MEDIA_ROOT = tmp_path
    fill(assessed)
    with pytest.raises(AssessmentError, match="未提交"):
        unit_signoff(actor=assessed["head_a"], period=assessed["period"], unit=assessed["a"])
    submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"])
    assert unit_signoff(actor=assessed["head_a"], period=assessed["period"], unit=assessed["a"]).by == assessed["head_a"]
    # a reporter does not sign, even for his own unit (the gate: assessment.submission.sign)
    with pytest.raises(PermissionDenied, match="签认"):
        unit_signoff(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"])
    with pytest.raises(Http404):  # a head of another unit signs nothing of this one
        unit_signoff(actor=_head_of(assessed["b"]), period=assessed["period"], unit=assessed["a"])


def _head_of(unit):
    from duibiao.accounts.services import role_grant, user_create

    head = user_create(actor=None, username=f"fzr_{unit.code}", password="Xx@12345678", unit=unit)
    role_grant(actor=None, user=head, role="unit_head", units=[unit], include_subtree=False)
    return head


def test_bulk_save_audits_every_value_and_keeps_the_lock(assessed):
    first = save(assessed, "nl02", "90")
    items = [ValueInput(indicator=assessed["ind"]["nl02"], value="91", expected_version=first.version),
             ValueInput(indicator=assessed["ind"]["nl03"], value="88", expected_version=0),
             ValueInput(indicator=assessed["ind"]["nl05"], ballots={"优秀": "10", "称职": "2"}, expected_version=0)]
    saved = submission_bulk_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                                 items=items)
    assert {s.indicator.code for s in saved} == {"nl02", "nl03", "nl05"}
    nl02 = Submission.objects.get(indicator__code="nl02")
    assert (nl02.value, nl02.version) == (Decimal("91"), 2)
    entries = AuditEntry.objects.filter(action="submission.save")
    assert entries.count() == 4 and all(e.object_id for e in entries)
    assert entries.get(object_id=str(nl02.pk), before__isnull=False).before["value"] == "90"
    stale = [ValueInput(indicator=assessed["ind"]["nl02"], value="95", expected_version=1),
             ValueInput(indicator=assessed["ind"]["nl03"], value="10", expected_version=1)]
    with pytest.raises(ConflictError):
        submission_bulk_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"], items=stale)
    assert Submission.objects.get(indicator__code="nl03").value == Decimal("88")


def test_evidence_is_required_only_where_the_scheme_says(assessed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert assessed["ind"]["gz12"].evidence_required and not assessed["ind"]["nl02"].evidence_required
    save(assessed, "nl02", "90")
    gz12 = save(assessed, "gz12", "3")
    with pytest.raises(AssessmentError, match="“入库入统项目数”缺少佐证材料"):
        submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"])
    assert not Submission.objects.filter(status="submitted").exists()  # nothing half-submitted
    evidence_attach(actor=assessed["reporter_a"], submission=gz12, upload=SimpleUploadedFile("入库证明.pdf", PDF))
    assert submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"], confirm=True) == 2
