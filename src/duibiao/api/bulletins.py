"""通报 over the API, as on the 通报 pages and with the same services: the office drafts a
bulletin of each kind, rewrites a draft's texts (carrying its version), issues it (the 发文字号
is taken then; irreversible), queues a batch of drafts and sets the drafting schedules; the
Word and PDF files download as attachments. A leader reads the issued bulletins only; units
never see them. Every refusal comes back in the one error body (api/errors.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from duibiao.accounts import gate
from duibiao.api.errors import FieldErrors
from duibiao.api.pagination import Mapped, paged
from duibiao.documents.bulletin_batch import bulletin_batch_start
from duibiao.documents.bulletin_schedules import (
    ScheduleConflict,
    bulletin_schedule_save,
    schedules_visible,
)
from duibiao.documents.bulletin_selectors import NoFile, bulletin_file, bulletin_get, bulletin_list
from duibiao.documents.bulletin_services import (
    EDIT,
    BulletinConflict,
    bulletin_draft_new,
    bulletin_issue,
    bulletin_texts_save,
)
from duibiao.documents.models import BulletinDoc, BulletinSchedule
from duibiao.documents.views_bulletins import bulletin_response

router = Router(tags=["documents"])


class BulletinOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    title: str
    district: str
    day: date
    number: str | None
    issued_on: date | None
    issued_at: datetime | None
    run: int | None
    version: int


class BulletinDetailOut(BulletinOut):
    texts: dict[str, Any]
    figures: dict[str, Any]
    # Why an issued bulletin has no PDF (LibreOffice missing, timed out), else "".
    pdf_note: str


def _out(doc: BulletinDoc) -> dict[str, Any]:
    return {
        "id": doc.pk, "kind": doc.kind, "kind_label": str(doc.get_kind_display()), "status": doc.status,
        "title": doc.title, "district": doc.district.code, "day": doc.day,
        "number": str(doc.number) if doc.number_id else None, "issued_on": doc.issued_on,
        "issued_at": doc.issued_at, "run": doc.run_id, "version": doc.version,
    }


def _detail(doc: BulletinDoc) -> dict[str, Any]:
    return {**_out(doc), "texts": doc.texts or {}, "figures": doc.figures or {}, "pdf_note": doc.pdf_note or ""}


@contextmanager
def _refusals() -> Iterator[None]:
    """The services' refusals in the one error body: a field at fault → 422 with the field's
    reason; a stale version or an issued bulletin → 409 (as the pages answer)."""
    try:
        yield
    except ValidationError as exc:
        raise FieldErrors(exc.message_dict) from exc
    except (BulletinConflict, ScheduleConflict) as exc:
        raise HttpError(409, str(exc)) from exc


@router.get("/bulletins", response=list[BulletinOut], summary="通报列表（考核办：本地区的草稿与已印发；区领导：已印发）")
@paged
def bulletins(request, status: str = "", kind: str = ""):
    rows = bulletin_list(user=request.user).order_by("-day", "-pk")
    # A status or kind outside its vocabulary matches nothing; it is not sent to the database,
    # which may refuse it (PostgreSQL: a NUL) where it should find no row.
    if status:
        rows = rows.filter(status=status) if status in BulletinDoc.Status.values else rows.none()
    if kind:
        rows = rows.filter(kind=kind) if kind in BulletinDoc.Kind.values else rows.none()
    return Mapped(rows, _out)


class DraftIn(Schema):
    kind: str
    run: int | None = None  # 考核结果通报: a published run's id
    day: date | None = None  # the other kinds: the as-of date (today when left out)


@router.post("/bulletins", response={201: BulletinDetailOut},
             summary="起草通报（kind：results 考核结果，须 run 为已公布的计分批次；projects 重点项目、inspections 督导检查，"
                     "按 day 统计）")
def bulletin_draft(request, payload: DraftIn):
    with _refusals():
        doc = bulletin_draft_new(actor=request.user, kind=payload.kind, run_id=payload.run, day=payload.day)
    return Status(201, _detail(doc))


# Batch and schedules first: "/bulletins/batch" is not a bulletin's id.
class BatchIn(Schema):
    kinds: list[str]
    start: date
    end: date


class BatchOut(Schema):
    job: int
    title: str
    drafts: int


@router.post("/bulletins/batch", response={202: BatchOut},
             summary="批量起草（后台任务：所选类型在起止日期内的每个工作日各一份草稿，考核结果通报一份；至多 31 天）")
def bulletin_batch(request, payload: BatchIn):
    with _refusals():
        job, drafts = bulletin_batch_start(actor=request.user, kinds=payload.kinds, start=payload.start,
                                           end=payload.end)
    return Status(202, {"job": job.pk, "title": job.title, "drafts": drafts})


class ScheduleOut(Schema):
    kind: str
    kind_label: str
    enabled: bool
    weekday: int | None  # 0 = 星期一 (the weekly kind only)
    at: str | None  # HH:MM
    next_due: datetime | None
    last_run_at: datetime | None
    last_doc: int | None
    last_error: str
    owner: str | None
    version: int  # 0: not set yet


def _schedule_out(kind: str, label: object, schedule: BulletinSchedule | None) -> dict[str, Any]:
    if schedule is None:
        return {"kind": kind, "kind_label": str(label), "enabled": False, "weekday": None, "at": None,
                "next_due": None, "last_run_at": None, "last_doc": None, "last_error": "", "owner": None,
                "version": 0}
    return {"kind": kind, "kind_label": str(label), "enabled": schedule.enabled, "weekday": schedule.weekday,
            "at": schedule.at.strftime("%H:%M"), "next_due": schedule.next_due, "last_run_at": schedule.last_run_at,
            "last_doc": schedule.last_doc_id, "last_error": schedule.last_error or "",
            "owner": schedule.owner.username if schedule.owner_id else None, "version": schedule.version}


@router.get("/bulletin-schedules", response=list[ScheduleOut],
            summary="定时起草的设置（本地区，每种可定时的通报一条，不分页）")
def schedules(request):
    gate.require(request.user, EDIT)  # as the 批量与定时 page
    found = schedules_visible(user=request.user)
    return [_schedule_out(kind, label, found.get(kind)) for kind, label in BulletinSchedule.Kind.choices]


class ScheduleIn(Schema):
    enabled: bool
    weekday: int | None = None  # 0 = 星期一 … 6 = 星期日; the weekly kind (projects) only
    at: time | None = None  # 起草时间, e.g. "17:30"
    version: int  # the version read (0 when not set yet)


@router.put("/bulletin-schedules/{kind}", response=ScheduleOut,
            summary="设置定时起草（inspections 每个工作日、projects 每周一次；enabled=false 为停用；带 version）")
def schedule_save(request, kind: str, payload: ScheduleIn):
    with _refusals():
        saved = bulletin_schedule_save(actor=request.user, kind=kind, enabled=payload.enabled,
                                       weekday=payload.weekday, at=payload.at, version=payload.version)
    return _schedule_out(saved.kind, saved.get_kind_display(), saved)


@router.get("/bulletins/{pk}", response=BulletinDetailOut, summary="通报详情（文字部分与数据快照）")
def bulletin(request, pk: int):
    return _detail(bulletin_get(user=request.user, pk=pk))


class TextsIn(Schema):
    opening: str  # 开头
    requirements: str  # 希望和要求
    version: int


@router.put("/bulletins/{pk}/texts", response=BulletinDetailOut,
            summary="修改草稿的文字部分（开头、希望和要求；带 version，已印发或版本过期回答 409）")
def bulletin_texts(request, pk: int, payload: TextsIn):
    doc = bulletin_get(user=request.user, pk=pk)
    with _refusals():
        saved = bulletin_texts_save(actor=request.user, doc=doc, version=payload.version,
                                    texts={"opening": payload.opening, "requirements": payload.requirements})
    return _detail(saved)


class IssueIn(Schema):
    version: int


@router.post("/bulletins/{pk}/issue", response=BulletinDetailOut,
             summary="印发（不可撤回：取下一个发文字号，生成定稿 Word 与 PDF；带 version，已印发回答 409）")
def bulletin_issue_op(request, pk: int, payload: IssueIn):
    doc = bulletin_get(user=request.user, pk=pk)
    with _refusals():
        issued = bulletin_issue(actor=request.user, doc=doc, version=payload.version)
    return _detail(issued)


def _download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    try:
        found = bulletin_file(user=request.user, pk=pk, fmt=fmt)
    except NoFile as exc:
        raise HttpError(404, str(exc)) from exc
    return bulletin_response(found)


@router.get("/bulletins/{pk}/docx", response={200: None},
            summary="下载 Word 文档（附件；已印发的为定稿，草稿为按当前文字生成、不含发文字号）")
def bulletin_docx(request, pk: int):
    return _download(request, pk, "docx")


@router.get("/bulletins/{pk}/pdf", response={200: None},
            summary="下载 PDF（附件；只有已印发的通报有 PDF，未生成时 404 并说明原因）")
def bulletin_pdf(request, pk: int):
    return _download(request, pk, "pdf")
