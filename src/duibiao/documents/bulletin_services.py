"""Bulletins (通报) from draft to issued: create a draft, rewrite its texts, issue it.

Each write is one transaction with one audit row, and every change names the version it was
made on (a stale page gets BulletinConflict, nothing written). Issuing takes the 发文字号 in
the same transaction as the status change, so a number is taken exactly once per bulletin and
a bulletin issued twice at once gets one number (the row is locked, the second sees it issued).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.assessment.models import ScoringRun
from duibiao.audit.services import audit_record
from duibiao.documents.bulletin_selectors import published_runs
from duibiao.documents.bulletins.kinds import (
    KINDS,
    TEXT_LABELS,
    TEXT_LIMIT,
    draft_parts,
    layout,
    number_prefix,
)
from duibiao.documents.models import BulletinDoc
from duibiao.documents.register import document_number_take
from duibiao.documents.word.pdf import docx_to_pdf_even
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from duibiao.accounts.models import User

EDIT, ISSUE, VIEW = "documents.bulletin.edit", "documents.bulletin.issue", "documents.bulletin.view"


class BulletinConflict(Exception):
    """The bulletin changed since the page was loaded (or was issued meanwhile)."""

    def __init__(self, message: str = "该通报已被他人修改或已印发，请刷新页面查看最新内容后再操作。") -> None:
        super().__init__(message)
        self.message = message


def actor_district(actor: User) -> Unit:
    """The district whose bulletins the actor drafts: the district unit his grant for
    documents.bulletin.edit reaches (403 for a role without it)."""
    gate.require(actor, EDIT)
    district = gate.units(actor, EDIT).filter(kind=Unit.Kind.DISTRICT).order_by("path").first()
    if district is None:
        raise PermissionDenied("您的授权范围内没有区县，不能起草通报。")
    return district


@dataclass(frozen=True)
class DraftParts:
    """A draft read and checked but not yet saved (what `bulletin_draft_save` writes)."""

    kind: str
    district: Unit
    run: ScoringRun | None
    day: dt.date
    title: str
    figures: dict[str, Any]
    texts: dict[str, str]


def bulletin_draft_prepare(*, actor: User, kind: str, run: ScoringRun | None = None,
                           day: dt.date | None = None) -> DraftParts:
    """Check and read a new draft of `kind` (results of a published run, or the projects /
    inspections figures as of `day`) without writing anything. Raises ValidationError naming
    the field, PermissionDenied outside the actor's district."""
    if kind not in KINDS:
        raise ValidationError({"kind": "请选择通报类型"})
    if kind == "results":
        if run is None:
            raise ValidationError({"run": "请选择已公布考核结果的考核周期"})
        district = run.period.version.scheme.district
        if run.stage != ScoringRun.Stage.PUBLISHED:
            raise ValidationError({"run": "该考核周期的结果尚未公布，不能起草考核结果通报"})
        day = timezone.localtime(run.published_at).date() if run.published_at else timezone.localdate()
    else:
        district = actor_district(actor)
        day = day or timezone.localdate()
    gate.require(actor, EDIT, unit=district)
    title, figures, texts = draft_parts(kind, user=actor, district=district, run=run, day=day)
    return DraftParts(kind, district, run, day, title, figures, texts)


def bulletin_draft_save(*, actor: User, drafts: list[DraftParts]) -> list[BulletinDoc]:
    """Write prepared drafts, all or none, each with its audit row."""
    saved = []
    with transaction.atomic():
        for d in drafts:
            doc = BulletinDoc.objects.create(kind=d.kind, district=d.district, run=d.run, day=d.day, title=d.title,
                                             figures=d.figures, texts=d.texts, created_by=actor)
            audit_record(actor=actor, action="documents.bulletin.draft", obj=doc, unit=d.district,
                         after={"kind": d.kind, "day": d.day.isoformat(), "run": d.run.pk if d.run else None})
            saved.append(doc)
    return saved


def bulletin_draft_create(*, actor: User, kind: str, run: ScoringRun | None = None,
                          day: dt.date | None = None) -> BulletinDoc:
    """A new draft of `kind` with the default texts (prepare, then save)."""
    return bulletin_draft_save(actor=actor, drafts=[bulletin_draft_prepare(actor=actor, kind=kind, run=run, day=day)])[0]


def bulletin_draft_new(*, actor: User, kind: str, run_id: int | None = None,
                       day: dt.date | None = None) -> BulletinDoc:
    """A new draft as the 通报 page and the API ask for it: the results bulletin of a published
    run the actor sees (by id), the others as of `day` (today when None). ValidationError
    names the field at fault."""
    gate.require(actor, EDIT)
    run = None
    if kind == "results":
        run = published_runs(user=actor).filter(pk=run_id).first() if run_id else None
        if run is None:
            raise ValidationError({"run": _("请选择已公布考核结果的考核周期")})
    return bulletin_draft_create(actor=actor, kind=kind, run=run, day=day if kind != "results" else None)


def _check_texts(texts: dict[str, str]) -> dict[str, str]:
    errors = {}
    clean = {}
    for name, label in TEXT_LABELS.items():
        value = (texts.get(name) or "").replace("\r\n", "\n").strip()
        if not value:
            errors[name] = f"{label}不能为空"
        elif len(value) > TEXT_LIMIT:
            errors[name] = f"{label}不能超过 {TEXT_LIMIT} 字（现有 {len(value)} 字）"
        clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _locked(doc: BulletinDoc, version: int) -> BulletinDoc:
    """The row, locked, if it is still the draft at `version`; else BulletinConflict."""
    current = BulletinDoc.objects.select_for_update().get(pk=doc.pk)
    if current.status != BulletinDoc.Status.DRAFT:
        raise BulletinConflict("该通报已印发，不能再修改或重复印发。")
    if current.version != version:
        raise BulletinConflict()
    return current


def bulletin_texts_save(*, actor: User, doc: BulletinDoc, version: int, texts: dict[str, str]) -> BulletinDoc:
    """The office's rewrite of a draft's text parts (开头, 希望和要求)."""
    gate.require(actor, EDIT, unit=doc.district)
    clean = _check_texts(texts)
    with transaction.atomic():
        current = _locked(doc, version)
        before = dict(current.texts)
        current.texts = clean
        current.version += 1
        current.save(update_fields=["texts", "version"])
        audit_record(actor=actor, action="documents.bulletin.edit", obj=current, unit=current.district,
                     before=before, after=clean)
    return current


def bulletin_issue(*, actor: User, doc: BulletinDoc, version: int) -> BulletinDoc:
    """印发: take the next 发文字号, lay the bulletin out with it and freeze the DOCX; then the
    PDF of that DOCX where LibreOffice is installed (else the reason is kept and shown).

    The PDF is made after the commit: LibreOffice takes seconds (up to its time limit), and
    inside the transaction it would hold the number series' lock — and on SQLite the whole
    database's write lock — for as long."""
    gate.require(actor, ISSUE, unit=doc.district)
    with transaction.atomic():
        current = _locked(doc, version)
        # What the confirm page promises, checked here whoever calls: a complete draft (the
        # texts may have been emptied since drafting by an older version) and a 机关代字 that
        # makes a valid 发文字号.
        _check_texts(current.texts)
        if current.kind == "results":
            run = current.run
            if run is None or run.stage != ScoringRun.Stage.PUBLISHED:
                raise ValidationError({"run": "该考核周期的结果已不是公布状态（可能已撤回），不能印发考核结果通报"})
        today = timezone.localdate()
        try:
            number = document_number_take(prefix=number_prefix(current.district), year=today.year,
                                          title=current.title, taken_by=actor)
        except ValueError as exc:
            raise ValidationError({"number": _("不能生成发文字号：%(reason)s") % {"reason": exc}}) from exc
        docx = layout(current.kind, user=actor, district=current.district, run=current.run,
                      figures=current.figures, texts=current.texts, date=today, number=number.text).save()
        current.docx.save(f"{current.pk}.docx", ContentFile(docx), save=False)
        current.number = number
        current.status = BulletinDoc.Status.ISSUED
        current.issued_on = today
        current.issued_by = actor
        current.issued_at = timezone.now()
        current.version += 1
        current.save()
        audit_record(actor=actor, action="documents.bulletin.issue", obj=current, unit=current.district,
                     after={"number": number.text, "title": current.title})
    _attach_pdf(current, docx)
    return current


def _attach_pdf(doc: BulletinDoc, docx: bytes) -> None:
    """The PDF of the issued DOCX, or why there is none. A rendering of the frozen copy, not a
    change of the bulletin: its version stays. The 版记 goes on an even page (GB/T 9704 §7.5):
    when the laid-out copy ends on an odd page, the DOCX kept is the one with the 版记 moved
    to the back of the sheet — the same text, paginated for two-sided printing."""
    paged, pdf, note = docx_to_pdf_even(docx)
    fields: dict[str, Any] = {"pdf_note": note, "pdf": ""}
    first = doc.docx.name
    if paged != docx:
        doc.docx.save(f"{doc.pk}.docx", ContentFile(paged), save=False)
        fields["docx"] = doc.docx.name
    if pdf is not None:
        doc.pdf.save(f"{doc.pk}.pdf", ContentFile(pdf), save=False)
        fields["pdf"] = doc.pdf.name
    doc.pdf_note = note
    BulletinDoc.objects.filter(pk=doc.pk).update(**fields)
    if first and doc.docx.name != first:  # the row names the new copy now: the first is nobody's
        doc.docx.storage.delete(first)
