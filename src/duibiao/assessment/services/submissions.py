"""Reporting (填报) and review (审核): every write checks the actor, the period and the
optimistic lock, changes one submission in one transaction, and leaves one audit row."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from duibiao.accounts import gate
from duibiao.assessment.completeness import Gap, gaps_message, unit_gaps
from duibiao.assessment.errors import AssessmentError, ConflictError, FileRejected
from duibiao.assessment.limits import (
    ValueRules,
    ballots_clean,
    submission_problem,
    text_clean,
    value_rules,
)
from duibiao.assessment.models import (
    Evidence,
    Indicator,
    Period,
    ReviewEvent,
    Submission,
    UnitSignoff,
)
from duibiao.audit.services import audit_entry, audit_record, audit_record_many
from duibiao.files.uploads import DOCUMENTS, MB, UploadRejected, upload_type

if TYPE_CHECKING:
    from duibiao.accounts.models import User
    from duibiao.org.models import Unit

EDITABLE = (Submission.Status.DRAFT, Submission.Status.RETURNED)


@dataclass(frozen=True)
class ValueInput:
    """One value as a user typed it. `expected_version` is the version the form (or the
    API client, or the downloaded template) showed: 0 for a value not saved yet. It has no
    default: a write that does not say what it read could overwrite someone else's change
    unseen, so every caller must name it."""

    indicator: Indicator
    value: object = None
    ballots: Mapping[str, object] = field(default_factory=dict)
    note: str = ""
    expected_version: int = field(kw_only=True)


def _snapshot(sub: Submission | None) -> dict | None:
    if sub is None:
        return None
    return {
        "value": None if sub.value is None else format(sub.value.normalize(), "f"),
        "ballots": sub.ballots or {},
        "note": sub.note,
        "status": sub.status,
        "version": sub.version,
    }


def _cleaned(item: ValueInput, rules: ValueRules) -> tuple[Decimal | None, dict[str, int], str]:
    """The value (or ballots) and the note of one input, checked by `assessment.limits`."""
    note = text_clean(item.note, model=Submission, name="note")
    if item.indicator.kind == Indicator.Kind.BALLOT:
        return None, ballots_clean(item.indicator, item.ballots), note
    return rules.clean(item.indicator, item.value), {}, note


def _check_open(period: Period) -> None:
    if period.status != Period.Status.OPEN:
        raise AssessmentError(f"{period.name}未在填报中，不能修改数据")


def _fed_message(indicator: Indicator) -> str:
    return gettext("指标“%(name)s”取自数据源 %(source)s，计分时自动取值，不由单位填报或手工录入") % {
        "name": indicator.name, "source": indicator.value_from}


def _check_reportable(indicator: Indicator, period: Period, unit: Unit) -> None:
    if indicator.version_id != period.version_id:
        raise AssessmentError(f"指标 {indicator.code} 不属于本期考核方案")
    if indicator.value_from:
        raise AssessmentError(_fed_message(indicator))
    if not indicator.entered_by_units:
        raise AssessmentError(f"指标“{indicator.name}”由专班或考核办评定，单位不填报")
    if not indicator.applies_to(unit):
        raise AssessmentError(f"指标“{indicator.name}”不适用于{unit.name}")


def _write(
    *, actor: User, period: Period, unit: Unit, item: ValueInput, status: str | None = None,
    justification: str | None = None, allowed: tuple[str, ...] = EDITABLE,
) -> Submission:
    """Create or update one submission under the optimistic lock."""
    indicator = item.indicator
    value, ballots, note = _cleaned(item, value_rules(period.version))
    # At most one row (unique per period, unit and indicator): by its key, not the model's
    # ordering, which would join the period, the unit and the indicator to sort it.
    existing = Submission.objects.filter(period=period, unit=unit, indicator=indicator).order_by("pk").first()
    before = _snapshot(existing)
    if existing is None:
        if item.expected_version != 0:
            raise ConflictError()
        try:
            with transaction.atomic():
                sub = Submission.objects.create(
                    period=period, unit=unit, indicator=indicator, value=value, ballots=ballots,
                    note=note, status=status or Submission.Status.DRAFT, updated_by=actor,
                    justification=justification or "",
                )
        except IntegrityError:
            raise ConflictError() from None
    else:
        if existing.status not in allowed:
            raise AssessmentError(
                f"“{indicator.name}”{existing.get_status_display()}，不能修改"
                + ("（已审核的数据须由考核办解锁）" if existing.status == Submission.Status.APPROVED else "")
            )
        changes = {
            "value": value, "ballots": ballots, "note": note, "updated_by": actor,
            "version": F("version") + 1, "updated_at": timezone.now(),
        }
        if status:
            changes["status"] = status
        if justification is not None:
            changes["justification"] = justification
        if not Submission.objects.filter(pk=existing.pk, version=item.expected_version).update(**changes):
            raise ConflictError()
        sub = Submission.objects.get(pk=existing.pk)
        # In hand already: the audit row names the submission by them (three queries otherwise).
        sub.period, sub.unit, sub.indicator = period, unit, indicator
    audit_record(
        actor=actor, action="submission.save", obj=sub, unit=unit, before=before, after=_snapshot(sub)
    )
    return sub


@transaction.atomic
def submission_save(*, actor: User, period: Period, unit: Unit, item: ValueInput) -> Submission:
    """Save one value as a draft (填报保存)."""
    gate.require(actor, "assessment.submission.report", unit=unit)
    _check_open(period)
    _check_reportable(item.indicator, period, unit)
    return _write(actor=actor, period=period, unit=unit, item=item)


@transaction.atomic
def submission_bulk_save(*, actor: User, period: Period, unit: Unit, items: list[ValueInput]) -> list[Submission]:
    """Save many values at once (an Excel import): all or nothing, in a few statements.

    The same rules as `submission_save` — the value checks of `assessment.limits`, editable
    status, optimistic lock — and still one audit row per value, but written in bulk rather
    than row by row."""
    gate.require(actor, "assessment.submission.report", unit=unit)
    _check_open(period)
    rules = value_rules(period.version)
    cleaned = []
    for item in items:
        _check_reportable(item.indicator, period, unit)
        cleaned.append((item, *_cleaned(item, rules)))
    existing = {
        s.indicator_id: s
        for s in Submission.objects.select_for_update().filter(
            period=period, unit=unit, indicator__in=[item.indicator for item, *_ in cleaned]
        )
    }
    now = timezone.now()
    created, updated, befores = [], [], []
    for item, value, ballots, note in cleaned:
        sub = existing.get(item.indicator.pk)
        if sub is None:
            if item.expected_version != 0:
                raise ConflictError()
            created.append(Submission(
                period=period, unit=unit, indicator=item.indicator, value=value, ballots=ballots,
                note=note, updated_by=actor, updated_at=now,
            ))
            continue
        if sub.status not in EDITABLE:
            raise AssessmentError(f"“{item.indicator.name}”{sub.get_status_display()}，不能修改")
        if item.expected_version != sub.version:
            raise ConflictError()
        befores.append(_snapshot(sub))
        sub.value, sub.ballots, sub.note = value, ballots, note
        sub.version, sub.updated_by, sub.updated_at = sub.version + 1, actor, now
        updated.append(sub)
    try:
        Submission.objects.bulk_create(created, batch_size=500)
    except IntegrityError:
        raise ConflictError() from None
    Submission.objects.bulk_update(
        updated, ["value", "ballots", "note", "version", "updated_by", "updated_at"], batch_size=500
    )
    audit_record_many(
        [audit_entry(actor=actor, action="submission.save", obj=sub, unit=unit, after=_snapshot(sub))
         for sub in created]
        + [audit_entry(actor=actor, action="submission.save", obj=sub, unit=unit, before=before,
                       after=_snapshot(sub)) for sub, before in zip(updated, befores, strict=True)],
    )
    return created + updated


class Incomplete(AssessmentError):
    """Submitting while indicators are blank or lack required evidence: the unit is asked
    first (the page lists `gaps` with 仍然提交), and a sign-off is refused."""

    def __init__(self, gaps: list[Gap]) -> None:
        super().__init__(gaps_message(gaps))
        self.gaps = gaps


@transaction.atomic
def submission_submit(
    *, actor: User, period: Period, unit: Unit, codes: list[str] | None = None, confirm: bool = False,
) -> int:
    """Submit the unit's drafts and returned values (提交). Returns how many were submitted.

    While any indicator is blank or lacks required evidence it raises `Incomplete` unless
    the unit confirmed (`confirm`); then the complete ones go and the others stay drafts."""
    gate.require(actor, "assessment.submission.report", unit=unit)
    _check_open(period)
    gaps = unit_gaps(period, unit, codes)
    if gaps and not confirm:
        raise Incomplete(gaps)
    held = {gap.indicator.pk for gap in gaps}
    subs = Submission.objects.select_for_update().filter(period=period, unit=unit, status__in=EDITABLE)
    if codes is not None:
        subs = subs.filter(indicator__code__in=codes)
    count = 0
    rules = value_rules(period.version)
    for sub in subs.exclude(indicator__in=held).select_related("indicator").prefetch_related("evidence"):
        if sub.value is None and not sub.ballots:
            raise AssessmentError(f"“{sub.indicator.name}”尚未填写数值，不能提交")
        # A value stored before today's checks (or by hand) goes back to the unit, not on.
        problem = submission_problem(sub, rules)
        if problem:
            raise AssessmentError(f"“{sub.indicator.name}”的数值有误（{problem}），请更正后再提交")
        if sub.indicator.evidence_required and not sub.evidence.all():
            raise AssessmentError(f"“{sub.indicator.name}”须上传佐证材料后才能提交")
        Submission.objects.filter(pk=sub.pk).update(
            status=Submission.Status.SUBMITTED, submitted_at=timezone.now(), return_reason="",
            version=F("version") + 1, updated_by=actor,
        )
        ReviewEvent.objects.create(submission=sub, action=ReviewEvent.Action.SUBMIT, by=actor)
        count += 1
    if count == 0:
        raise AssessmentError("没有可提交的数据")
    audit_record(
        actor=actor, action="submission.submit", unit=unit, obj=period,
        after={"count": count, "codes": codes, "incomplete": [gap.indicator.code for gap in gaps]},
    )
    return count


def _review(*, actor: User, submission: Submission, expected_version: int, status: str, action: str,
            reason: str = "", from_status: tuple[str, ...]) -> Submission:
    gate.require(actor, "assessment.submission.review", unit=submission.unit, taskforce=submission.indicator.taskforce_id)
    if submission.status not in from_status:
        raise AssessmentError(f"该数据当前为“{submission.get_status_display()}”，不能{ReviewEvent.Action(action).label}")
    if status == Submission.Status.APPROVED:
        problem = submission_problem(submission, value_rules(submission.period.version))
        if problem:
            raise AssessmentError(f"该数值有误（{problem}），不能通过，请退回单位更正")
    before = _snapshot(submission)
    changes = {"status": status, "version": F("version") + 1, "updated_by": actor}
    if status == Submission.Status.APPROVED:
        changes.update(approved_by=actor, approved_at=timezone.now(), return_reason="")
    if status == Submission.Status.RETURNED:
        changes.update(return_reason=reason)
    if not Submission.objects.filter(pk=submission.pk, version=expected_version).update(**changes):
        raise ConflictError()
    ReviewEvent.objects.create(submission=submission, action=action, reason=reason, by=actor)
    fresh = Submission.objects.get(pk=submission.pk)
    audit_record(
        actor=actor, action=f"review.{action}", obj=fresh, unit=fresh.unit, before=before,
        after={**(_snapshot(fresh) or {}), "reason": reason},
    )
    if status == Submission.Status.RETURNED:
        _void_signoff(actor=actor, submission=fresh, reason=reason)
    return fresh


def _void_signoff(*, actor: User, submission: Submission, reason: str) -> None:
    """A value sent back to the unit voids the head's sign-off: what he signed is no longer
    what will be scored. The row is kept, marked void with why, so that his pages tell him."""
    why = gettext("“%(name)s”被退回：%(reason)s") % {"name": submission.indicator.name, "reason": reason}
    signoff = UnitSignoff.objects.select_for_update().filter(
        period=submission.period_id, unit=submission.unit_id, voided_at__isnull=True).first()
    if signoff is None:
        return
    signoff.voided_at, signoff.voided_by, signoff.void_reason = timezone.now(), actor, why[:500]
    signoff.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(actor=actor, action="unit.signoff.void", obj=submission.period, unit=submission.unit,
                 before={"by": signoff.by_id, "at": signoff.at.isoformat()}, after={"reason": signoff.void_reason})


@transaction.atomic
def review_approve(*, actor: User, submission: Submission, expected_version: int) -> Submission:
    """专班审核通过: the value is locked from then on."""
    return _review(
        actor=actor, submission=submission, expected_version=expected_version,
        status=Submission.Status.APPROVED, action=ReviewEvent.Action.APPROVE,
        from_status=(Submission.Status.SUBMITTED,),
    )


@dataclass
class BulkApproval:
    approved: list[Submission] = field(default_factory=list)
    skipped: list[tuple[Submission, str]] = field(default_factory=list)  # with why, in Chinese


@transaction.atomic
def review_bulk_approve(*, actor: User, picks: Mapping[int, int]) -> BulkApproval:
    """批量通过: the picked submissions (pk → the version the page showed) approved one by
    one, each with its own review event and audit row. One the actor may not review refuses
    the whole request before anything changes; a stale or no longer submitted one is skipped
    and reported, the others still pass."""
    subs = {s.pk: s for s in Submission.objects.filter(pk__in=list(picks)).select_related(
        "indicator", "unit", "period__version")}
    if len(subs) != len(picks):
        raise AssessmentError("所选数据有的已不存在，请刷新页面后重试")
    ordered = sorted(subs.values(), key=lambda s: s.pk)
    for sub in ordered:  # every row through the gate first: nothing half-done on a refusal
        gate.require(actor, "assessment.submission.review", unit=sub.unit, taskforce=sub.indicator.taskforce_id)
    result = BulkApproval()
    for sub in ordered:
        try:
            with transaction.atomic():  # a savepoint: a skipped row leaves nothing behind
                result.approved.append(review_approve(actor=actor, submission=sub, expected_version=picks[sub.pk]))
        except AssessmentError as exc:
            result.skipped.append((sub, str(exc)))
    return result


@transaction.atomic
def review_return(*, actor: User, submission: Submission, expected_version: int, reason: str) -> Submission:
    """专班退回: the unit sees the reason and resubmits."""
    reason = text_clean(reason, model=Submission, name="return_reason", required="退回须填写原因")
    return _review(
        actor=actor, submission=submission, expected_version=expected_version,
        status=Submission.Status.RETURNED, action=ReviewEvent.Action.RETURN, reason=reason,
        from_status=(Submission.Status.SUBMITTED,),
    )


@transaction.atomic
def review_unlock(*, actor: User, submission: Submission, expected_version: int, reason: str) -> Submission:
    """考核办解锁 an approved value so that it can be corrected; audited with its reason."""
    gate.require(actor, "assessment.submission.unlock", unit=submission.unit)
    reason = text_clean(reason, model=Submission, name="return_reason", required="解锁须填写原因")
    return _review(
        actor=actor, submission=submission, expected_version=expected_version,
        status=Submission.Status.RETURNED, action=ReviewEvent.Action.UNLOCK, reason=reason,
        from_status=(Submission.Status.APPROVED,),
    )


@transaction.atomic
def score_record(
    *, actor: User, period: Period, unit: Unit, item: ValueInput, justification: str
) -> Submission:
    """A task force's manual score, or a bonus / penalty / veto record, with its reason.
    Recorded as approved: the task force is the reviewer of its own judgement."""
    indicator = item.indicator
    gate.require(actor, "assessment.submission.review", unit=unit, taskforce=indicator.taskforce_id)
    if period.status == Period.Status.CLOSED:
        raise AssessmentError(f"{period.name}已关闭")
    if indicator.version_id != period.version_id:
        raise AssessmentError(f"指标 {indicator.code} 不属于本期考核方案")
    if indicator.entered_by_units:
        raise AssessmentError(f"“{indicator.name}”由单位填报，专班通过审核处理")
    if indicator.value_from:  # a source's value is computed at the run, not overridden by hand
        raise AssessmentError(_fed_message(indicator))
    # The manual score's 0–满分 range is one of the value rules `_write` applies.
    justification = text_clean(justification, model=Submission, name="justification",
                               required="请填写评分理由或事项依据")
    sub = _write(
        actor=actor, period=period, unit=unit, item=item, status=Submission.Status.APPROVED,
        justification=justification, allowed=tuple(Submission.Status.values),
    )
    Submission.objects.filter(pk=sub.pk).update(approved_by=actor, approved_at=timezone.now())
    ReviewEvent.objects.create(submission=sub, action=ReviewEvent.Action.SCORE, reason=justification, by=actor)
    return sub


@transaction.atomic
def evidence_attach(*, actor: User, submission: Submission, upload: UploadedFile) -> Evidence:
    """Attach a file after checking its size and its real type (by content)."""
    if submission.indicator.entered_by_units:
        gate.require(actor, "assessment.submission.report", unit=submission.unit)
        if submission.status not in EDITABLE:
            raise AssessmentError("已提交或已审核的数据不能再添加佐证材料")
    else:
        gate.require(actor, "assessment.submission.review", unit=submission.unit, taskforce=submission.indicator.taskforce_id)
    try:
        mime = upload_type(upload, allowed=DOCUMENTS, max_bytes=settings.DUIBIAO_EVIDENCE_MAX_MB * MB)
    except UploadRejected as exc:
        raise FileRejected(str(exc)) from exc
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = upload.name or "佐证材料"  # (a browser's upload always has a name; a test's may not)
    evidence = Evidence(
        submission=submission, original_name=name[:200], content_type=mime, size=upload.size or 0,
        sha256=digest.hexdigest(), uploaded_by=actor,
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    audit_record(
        actor=actor, action="evidence.attach", obj=submission, unit=submission.unit,
        after={"file": evidence.original_name, "sha256": evidence.sha256, "type": mime},
    )
    return evidence


@transaction.atomic
def evidence_remove(*, actor: User, evidence: Evidence) -> None:
    submission = evidence.submission
    gate.require(actor, "assessment.submission.report", unit=submission.unit)
    if submission.status not in EDITABLE:
        raise AssessmentError("已提交或已审核的数据不能删除佐证材料")
    audit_record(
        actor=actor, action="evidence.remove", obj=submission, unit=submission.unit,
        before={"file": evidence.original_name, "sha256": evidence.sha256},
    )
    evidence.delete()


@transaction.atomic
def unit_signoff(*, actor: User, period: Period, unit: Unit) -> UnitSignoff:
    """单位负责人签发 the unit's submission for the period."""
    gate.require(actor, "assessment.submission.sign", unit=unit)
    gaps = unit_gaps(period, unit)
    if gaps:  # never "仍然签发": the head vouches for every indicator the unit reports
        raise Incomplete(gaps)
    pending = Submission.objects.filter(period=period, unit=unit, status__in=EDITABLE).count()
    if pending:
        raise AssessmentError(f"还有 {pending} 项数据未提交，不能签发")
    signoff, created = UnitSignoff.objects.select_for_update().get_or_create(
        period=period, unit=unit, defaults={"by": actor})
    before = None
    if not created:
        if signoff.valid:
            raise AssessmentError(gettext("本单位本期数据已签发"))
        before = {"voided_at": signoff.voided_at.isoformat() if signoff.voided_at else None,
                  "void_reason": signoff.void_reason}
        # Signed again after a void: the new signature replaces the old, the void is history.
        signoff.by, signoff.at, signoff.voided_at, signoff.voided_by, signoff.void_reason = (
            actor, timezone.now(), None, None, "")
        signoff.save()
    audit_record(actor=actor, action="unit.signoff", obj=period, unit=unit, before=before)
    return signoff
