"""申诉复核: a unit appeals one indicator of a released run within the window; the owning
task force (or the office) accepts or rejects it with a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError, FileRejected
from duibiao.assessment.limits import text_clean
from duibiao.assessment.models import Appeal, Indicator, ScoringRun
from duibiao.audit.services import audit_record
from duibiao.files.uploads import DOCUMENTS, MB, UploadRejected, upload_type

if TYPE_CHECKING:
    from duibiao.accounts.models import User
    from duibiao.org.models import Unit


@transaction.atomic
def appeal_file(
    *, actor: User, run: ScoringRun, unit: Unit, indicator: Indicator, reason: str, upload: UploadedFile | None = None
) -> Appeal:
    gate.require(actor, "assessment.appeal.file", unit=unit)
    if run.stage != ScoringRun.Stage.RELEASED:
        raise AssessmentError("该批次不在反馈申诉期")
    if run.appeal_deadline and timezone.localdate() > run.appeal_deadline:
        raise AssessmentError(f"申诉已于 {run.appeal_deadline:%Y年%m月%d日} 截止")
    if indicator.version.number != run.scheme_version or indicator.version.scheme_id != run.period.version.scheme_id:
        raise AssessmentError("该指标不属于本批次的考核方案")
    reason = text_clean(reason, model=Appeal, name="reason", required="请写明申诉理由")
    if Appeal.objects.filter(run=run, unit=unit, indicator=indicator, status=Appeal.Status.PENDING).exists():
        raise AssessmentError("该指标已有待复核的申诉")
    appeal = Appeal(run=run, unit=unit, indicator=indicator, reason=reason, filed_by=actor)
    if upload is not None:
        try:
            appeal.evidence_type = upload_type(upload, allowed=DOCUMENTS,
                                               max_bytes=settings.DUIBIAO_EVIDENCE_MAX_MB * MB)
        except UploadRejected as exc:
            raise FileRejected(f"佐证材料未上传：{exc}") from exc
        name = upload.name or "佐证材料"  # (a browser's upload always has a name; a test's may not)
        appeal.evidence.save(name, upload, save=False)
        appeal.evidence_name = name[:200]
    appeal.save()
    audit_record(actor=actor, action="appeal.file", obj=appeal, unit=unit,
                 after={"run": run.pk, "indicator": indicator.code, "reason": appeal.reason,
                        "file": appeal.evidence_name, "type": appeal.evidence_type})
    return appeal


@transaction.atomic
def appeal_decide(*, actor: User, appeal: Appeal, accept: bool, decision: str) -> Appeal:
    gate.require(actor, "assessment.appeal.decide", unit=appeal.unit, taskforce=appeal.indicator.taskforce_id)
    if appeal.status != Appeal.Status.PENDING:
        raise AssessmentError("该申诉已复核")
    decision = text_clean(decision, model=Appeal, name="decision", required="请写明复核意见")
    appeal.status = Appeal.Status.ACCEPTED if accept else Appeal.Status.REJECTED
    appeal.decision = decision
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    audit_record(actor=actor, action="appeal.decide", obj=appeal, unit=appeal.unit,
                 after={"status": appeal.status, "decision": appeal.decision})
    return appeal
