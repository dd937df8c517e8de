"""通报 over the API, read only: the office's drafts and issued bulletins of its district, a
leader's issued ones (the same selectors as the 通报 pages). Drafting, rewriting, issuing and
the Word / PDF files stay on the pages (docs/api.md §7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Router, Schema

from duibiao.api.pagination import Mapped, paged
from duibiao.documents.bulletin_selectors import bulletin_get, bulletin_list
from duibiao.documents.models import BulletinDoc

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


def _out(doc: BulletinDoc) -> dict[str, Any]:
    return {
        "id": doc.pk, "kind": doc.kind, "kind_label": str(doc.get_kind_display()), "status": doc.status,
        "title": doc.title, "district": doc.district.code, "day": doc.day,
        "number": str(doc.number) if doc.number_id else None, "issued_on": doc.issued_on,
        "issued_at": doc.issued_at, "run": doc.run_id, "version": doc.version,
    }


@router.get("/bulletins", response=list[BulletinOut], summary="通报列表（考核办：本地区的草稿与已印发；区领导：已印发）")
@paged
def bulletins(request, status: str = "", kind: str = ""):
    rows = bulletin_list(user=request.user).order_by("-day", "-pk")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return Mapped(rows, _out)


@router.get("/bulletins/{pk}", response=BulletinDetailOut, summary="通报详情（文字部分与数据快照）")
def bulletin(request, pk: int):
    doc = bulletin_get(user=request.user, pk=pk)
    return {**_out(doc), "texts": doc.texts or {}, "figures": doc.figures or {}}
