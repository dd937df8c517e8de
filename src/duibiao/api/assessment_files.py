"""A value's files and comments, and an appeal's material, over the API: 佐证材料 (list, upload,
download, remove), 数据留言 (list, post) and 申诉材料 (file an appeal with its file, download it).

Each operation fetches its object through the selector the page uses (so the same gate, a
token narrowed to its units and actions) and calls the page's service: the upload check (typed
by content, size-capped), the rule on when evidence may change and the text limits are theirs,
checked once. A refused file comes back as 422 with its reason under `errors.file`, a text
that does not fit under its field's name, as the page shows each beside its field. Files go
back as downloads of their stored type, never one guessed from the name (files/serve.py).
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from duibiao.accounts.unit_selectors import unit_get
from duibiao.api.errors import FieldErrors
from duibiao.api.pagination import paged
from duibiao.assessment.errors import FileRejected, InvalidValue
from duibiao.assessment.models import Appeal, Evidence, SubmissionComment
from duibiao.assessment.selectors.history import value_comments
from duibiao.assessment.selectors.reporting import evidence_get, evidence_list, submission_get
from duibiao.assessment.selectors.results import appeal_get, run_get, run_indicators
from duibiao.assessment.services.appeals import appeal_file
from duibiao.assessment.services.comments import comment_post
from duibiao.assessment.services.submissions import evidence_attach, evidence_remove
from duibiao.files.serve import file_response

router = Router(tags=["assessment"])
appeals_router = Router(tags=["results"])


class EvidenceOut(Schema):
    id: int
    submission: int = Field(alias="submission_id")
    filename: str = Field(alias="original_name")
    content_type: str  # decided from the content on upload, and the type it is served with
    size: int
    sha256: str
    uploaded_by: str | None
    uploaded_at: datetime
    url: str  # the download

    @staticmethod
    def resolve_uploaded_by(obj: Evidence) -> str | None:
        return obj.uploaded_by.username if obj.uploaded_by_id and obj.uploaded_by else None

    @staticmethod
    def resolve_url(obj: Evidence) -> str:
        return reverse("api:assessment_evidence_download", args=[obj.pk])


class CommentIn(Schema):
    # Checked by the service as on the page (required, at most the column's length), once.
    text: str = ""


class CommentOut(Schema):
    id: int
    submission: int = Field(alias="submission_id")
    author: str | None
    author_name: str
    text: str
    at: datetime

    @staticmethod
    def resolve_author(obj: SubmissionComment) -> str | None:
        return obj.author.username if obj.author_id and obj.author else None

    @staticmethod
    def resolve_author_name(obj: SubmissionComment) -> str:
        return obj.author.display_name if obj.author_id and obj.author else ""


class AppealDetailOut(Schema):
    id: int
    run: int = Field(alias="run_id")
    unit: str = Field(alias="unit.code")
    indicator: str = Field(alias="indicator.code")
    reason: str
    status: str
    decision: str
    filed_at: datetime
    decided_at: datetime | None
    file: str | None  # the material's name as uploaded; None when the appeal has none
    file_type: str | None
    file_url: str | None

    @staticmethod
    def resolve_file(obj: Appeal) -> str | None:
        return obj.evidence_name if obj.evidence else None

    @staticmethod
    def resolve_file_type(obj: Appeal) -> str | None:
        return obj.evidence_type if obj.evidence else None

    @staticmethod
    def resolve_file_url(obj: Appeal) -> str | None:
        return reverse("api:appeal_evidence_download", args=[obj.pk]) if obj.evidence else None


def _checked_file(error: FileRejected) -> FieldErrors:
    # Beside the field that caused it, as the page shows it under its file input.
    return FieldErrors({"file": str(error)})


# ---------------------------------------------------------------------------- 佐证材料


@router.get("/submissions/{pk}/evidence", response=list[EvidenceOut], summary="一项数据的佐证材料")
@paged
def evidence_index(request, pk: int):
    submission = submission_get(user=request.user, pk=pk)
    return evidence_list(user=request.user, submission=submission)


@router.post("/submissions/{pk}/evidence", response={201: EvidenceOut},
             summary="上传佐证材料（multipart：file；按内容判断类型，大小有上限；已提交或已审核的数据不能再添加）")
def evidence_upload(request, pk: int, file: File[UploadedFile]):
    submission = submission_get(user=request.user, pk=pk)
    try:
        evidence = evidence_attach(actor=request.user, submission=submission, upload=file)
    except FileRejected as exc:
        raise _checked_file(exc) from exc
    return Status(201, evidence)


@router.get("/evidence/{pk}", response={200: None}, url_name="assessment_evidence_download",
            summary="下载佐证材料（附件，按上传时判定的类型）")
def evidence_download(request, pk: int):
    evidence = evidence_get(user=request.user, pk=pk)
    return file_response(evidence.file.open("rb"), content_type=evidence.content_type,
                         filename=evidence.original_name, attachment=True)


@router.delete("/evidence/{pk}", response={204: None},
               summary="删除佐证材料（仅在数据仍可修改时：草稿或退回；否则 422）")
def evidence_delete(request, pk: int):
    evidence_remove(actor=request.user, evidence=evidence_get(user=request.user, pk=pk))
    return Status(204, None)


# ---------------------------------------------------------------------------- 数据留言


@router.get("/submissions/{pk}/comments", response=list[CommentOut], summary="一项数据的留言（先后顺序）")
@paged
def comment_index(request, pk: int):
    return value_comments(submission_get(user=request.user, pk=pk))


@router.post("/submissions/{pk}/comments", response={201: CommentOut},
             summary="就一项数据留言（单位与专班、考核办之间；长度限制与页面相同）")
def comment_new(request, pk: int, payload: CommentIn):
    submission = submission_get(user=request.user, pk=pk)
    try:
        comment = comment_post(actor=request.user, submission=submission, text=payload.text)
    except InvalidValue as exc:
        raise FieldErrors({"text": str(exc)}) from exc
    return Status(201, comment)


# ---------------------------------------------------------------------------- 申诉材料


@appeals_router.post("/runs/{pk}/units/{unit_code}/appeals/with-file", response={201: AppealDetailOut},
                     summary="提交申诉并附申诉材料（multipart：indicator、reason、file）")
def appeal_with_file(request, pk: int, unit_code: str, indicator: Form[str] = "",
                     reason: Form[str] = "", file: File[UploadedFile] = None):  # type: ignore[assignment]
    """The unit result page's 申诉 form: the indicator, the reason and, optionally, one file.
    Nothing is stored when any of them is refused."""
    run = run_get(user=request.user, pk=pk)
    unit = unit_get(user=request.user, code=unit_code)
    chosen = run_indicators(run).get(indicator)
    if chosen is None:
        raise FieldErrors({"indicator": _("请选择申诉的指标")})
    try:
        appeal = appeal_file(actor=request.user, run=run, unit=unit, indicator=chosen, reason=reason, upload=file)
    except FileRejected as exc:
        raise _checked_file(exc) from exc
    except InvalidValue as exc:  # the reason is the only text the service checks
        raise FieldErrors({"reason": str(exc)}) from exc
    return Status(201, appeal)


@appeals_router.get("/appeals/{appeal_id}", response=AppealDetailOut, summary="申诉详情（含申诉材料的下载地址）")
def appeal_detail(request, appeal_id: int):
    return appeal_get(user=request.user, pk=appeal_id)


@appeals_router.get("/appeals/{appeal_id}/evidence", response={200: None}, url_name="appeal_evidence_download",
                    summary="下载申诉材料（提出申诉的单位、复核的专班与考核办）")
def appeal_evidence(request, appeal_id: int):
    appeal = appeal_get(user=request.user, pk=appeal_id)
    if not appeal.evidence:
        raise Http404
    return file_response(appeal.evidence.open("rb"), content_type=appeal.evidence_type,
                         filename=appeal.evidence_name, attachment=True)
