"""Pieces the inspection services share: text and date checks, the deadline, saving photos."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db.models import Model
from django.utils.translation import gettext as _

from duibiao.engine import CalendarGap
from duibiao.inspections import deadlines
from duibiao.inspections.errors import InspectionError
from duibiao.inspections.models import Finding, FindingPhoto
from duibiao.inspections.photos import MAX_PHOTOS, PreparedPhoto, photo_prepare
from duibiao.workdays.selectors import work_calendar

if TYPE_CHECKING:
    from duibiao.accounts.models import User


def text_clean(value: object, *, model: type[Model], name: str, required: str = "", field: str = "") -> str:
    """The text stripped; InspectionError when blank and `required` (the message) or longer
    than its column takes (SQLite would store it, PostgreSQL would fail)."""
    text = "" if value is None else str(value).strip()
    if not text and required:
        raise InspectionError(required, field=field or name)
    column = model._meta.get_field(name)
    limit = getattr(column, "max_length", None)
    if limit and len(text) > limit:
        raise InspectionError(_("“%(label)s”最多 %(limit)d 字，现有 %(n)d 字") % {
            "label": getattr(column, "verbose_name", name), "limit": limit, "n": len(text)}, field=field or name)
    return text


_NOT_ADDRESS = re.compile(r"[\W_]+", re.UNICODE)


def address_key(address: str) -> str:
    """The address folded for comparison: full-width to half-width, case, no spaces or
    punctuation ("道外区 靖宇街 12号" and "道外区靖宇街１２号" are the same place)."""
    return _NOT_ADDRESS.sub("", unicodedata.normalize("NFKC", address).lower())[:300]


def deadline_for(found_on: datetime.date, workdays: int) -> datetime.date:
    """The `workdays`-th working day after the finding day, by the assessment's calendar."""
    try:
        return deadlines.deadline_for(found_on, workdays, work_calendar())
    except CalendarGap as exc:
        raise InspectionError(_("工作日历未覆盖 %(year)s 年，无法计算整改期限：请考核办先维护节假日表") % {
            "year": exc.year}, field="workdays") from exc


def photos_prepare(uploads: Sequence[IO[bytes]], *, required: str = "") -> list[PreparedPhoto]:
    """Every photo checked and re-encoded before anything is stored: one bad photo refuses
    the whole step, and nothing of it is kept."""
    if not uploads and required:
        raise InspectionError(required, field="photos")
    if len(uploads) > MAX_PHOTOS:
        raise InspectionError(_("一次最多上传 %(n)d 张照片") % {"n": MAX_PHOTOS}, field="photos")
    return [photo_prepare(upload, getattr(upload, "name", "") or "") for upload in uploads]


def photos_store(*, finding: Finding, stage: str, photos: list[PreparedPhoto], actor: User) -> list[FindingPhoto]:
    """Save prepared photos (the re-encoded images) for a finding."""
    stored = []
    for prepared in photos:
        photo = FindingPhoto(
            finding=finding, stage=stage, original_name=prepared.name, content_type=prepared.content_type,
            size=prepared.size, sha256=prepared.sha256, exif=prepared.exif, uploaded_by=actor,
        )
        photo.file.save(prepared.name, ContentFile(prepared.display), save=False)
        photo.save()
        stored.append(photo)
    return stored
