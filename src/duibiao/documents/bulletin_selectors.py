"""Who sees which bulletins: the office (documents.bulletin.edit) its district's drafts and
issued ones; a leader (documents.bulletin.view) the issued ones only."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.assessment.models import ScoringRun
from duibiao.assessment.selectors.results import run_list
from duibiao.documents.bulletins.kinds import layout
from duibiao.documents.models import BulletinDoc
from duibiao.files.uploads import DOCX, PDF

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


def bulletin_list(*, user: User | AnonymousUser) -> QuerySet[BulletinDoc]:
    qs = BulletinDoc.objects.select_related("district", "number", "run__period")
    drafts = gate.restrict(user, qs, "documents.bulletin.edit", unit_field="district")
    issued = gate.restrict(user, qs, "documents.bulletin.view", unit_field="district").filter(
        status=BulletinDoc.Status.ISSUED)
    return (drafts | issued).distinct()


def bulletin_get(*, user: User | AnonymousUser, pk: int) -> BulletinDoc:
    """A bulletin the user may see (404 otherwise: a draft is not even named to a viewer)."""
    return get_object_or_404(bulletin_list(user=user), pk=pk)


def published_runs(*, user: User | AnonymousUser) -> QuerySet[ScoringRun]:
    """The published runs the user sees, newest publication first (the results bulletin's choice)."""
    return run_list(user=user).filter(stage=ScoringRun.Stage.PUBLISHED, status=ScoringRun.Status.DONE).select_related(
        "period__version__scheme__district").order_by("-published_at", "-pk")


class NoFile(Http404):
    """No file of that format for this bulletin; the reason, in Chinese, is the message."""


@dataclass(frozen=True)
class BulletinFile:
    """A bulletin's Word or PDF file: an issued one's frozen copy (`stored`), or a draft laid
    out now (`data`)."""

    content_type: str
    filename: str
    stored: FieldFile | None = None
    data: bytes | None = None

    def open(self) -> IO[bytes]:
        if self.stored is not None:
            return self.stored.open("rb")
        return io.BytesIO(self.data or b"")


def bulletin_file(*, user: User | AnonymousUser, pk: int, fmt: str) -> BulletinFile:
    """The Word (`docx`) or PDF (`pdf`) file of a bulletin the user may see (the 通报 page's
    downloads and the API's): an issued one's DOCX and PDF as frozen when it was issued; a
    draft's DOCX laid out now from its snapshot and texts, without a number (no PDF: a draft is
    not printed). NoFile (404) with the reason otherwise."""
    gate.require(user, "documents.bulletin.view")
    doc = bulletin_get(user=user, pk=pk)
    if fmt not in ("docx", "pdf"):
        raise NoFile(_("只提供 Word 文档和 PDF"))
    if doc.issued:
        stored = doc.docx if fmt == "docx" else doc.pdf
        if not stored:
            raise NoFile(doc.pdf_note or _("没有该格式的文件"))
        return BulletinFile(DOCX if fmt == "docx" else PDF, f"{doc.number}{doc.title}", stored=stored)
    if fmt != "docx":
        raise NoFile(_("草稿只提供 Word 文档；印发后提供 PDF"))
    data = layout(doc.kind, user=user, district=doc.district, run=doc.run, figures=doc.figures,
                  texts=doc.texts, date=timezone.localdate()).save()
    return BulletinFile(DOCX, f"{doc.title}（草稿）.docx", data=data)
