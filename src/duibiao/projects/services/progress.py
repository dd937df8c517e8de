"""进度填报 and 难点堵点: a report of a project at the version it was read, with photos checked
by content before anything is stored, and problems raised and solved."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.audit.services import audit_record
from duibiao.files.uploads import IMAGES, MB, UploadRejected, upload_type
from duibiao.projects.errors import ConflictError, PhotoRejected, ProjectError, ProjectInvalid
from duibiao.projects.fields import Bad, parse_money
from duibiao.projects.models import Problem, ProgressPhoto, ProgressReport, Project

if TYPE_CHECKING:
    from duibiao.accounts.models import User
    from duibiao.org.models import Unit

MAX_PHOTOS = 6
TEXT_LIMIT = 2000
PROBLEM_LIMIT = 500


def _photo_limit() -> int:
    return int(settings.DUIBIAO_PROJECT_PHOTO_MAX_MB) * MB


def _check_photos(photos: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    """Each photo's real type and content hash, or PhotoRejected naming the file — all of them
    checked before any is stored."""
    if len(photos) > MAX_PHOTOS:
        raise PhotoRejected(_("一次最多上传 %(n)d 张照片") % {"n": MAX_PHOTOS})
    checked = []
    for upload in photos:
        try:
            mime = upload_type(upload, allowed=IMAGES, max_bytes=_photo_limit())
        except UploadRejected as exc:
            raise PhotoRejected(_("照片“%(name)s”未接收：%(reason)s") % {
                "name": upload.name or "", "reason": exc.reason}) from exc
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append((upload, mime, digest.hexdigest()))
    return checked


def _report_values(
    completed_ytd: object, funds_in_place: object, text: str, reported_on: date,
) -> tuple[Decimal, Decimal | None, str]:
    errors: dict[str, str] = {}
    done: Decimal | None = None
    funds: Decimal | None = None
    try:
        done = parse_money(completed_ytd, required=True)
    except Bad as exc:
        errors["completed_ytd"] = str(exc)
    try:
        funds = parse_money(funds_in_place)
    except Bad as exc:
        errors["funds_in_place"] = str(exc)
    text = (text or "").strip()
    if len(text) > TEXT_LIMIT:
        errors["text"] = _("不能超过 %(n)d 个字") % {"n": TEXT_LIMIT}
    if reported_on > timezone.localdate():
        errors["reported_on"] = _("填报日期不能晚于今天")
    if errors or done is None:
        raise ProjectInvalid(errors)
    return done, funds, text


def _bump(project: Project, version: int) -> None:
    if not Project.objects.filter(pk=project.pk, version=version).update(version=F("version") + 1):
        raise ConflictError()
    project.version = version + 1


@transaction.atomic
def progress_report(
    *, actor: User, project: Project, version: int, completed_ytd: object, funds_in_place: object = None,
    text: str = "", photos: Sequence[UploadedFile] = (), reported_on: date | None = None,
    problem_text: str = "", problem_unit: Unit | None = None,
) -> ProgressReport:
    """A progress report (cumulative figures of its year), its photos and, when given, a
    problem raised with it; refused whole when a value or a photo is not accepted."""
    gate.require(actor, "projects.progress.report", unit=project.owner_unit, secretary=project.secretary_id)
    day = reported_on or timezone.localdate()
    done, funds, text = _report_values(completed_ytd, funds_in_place, text, day)
    problem = _problem_values(problem_text, problem_unit) if (problem_text or "").strip() else None
    checked = _check_photos(photos)
    _bump(project, version)
    report = ProgressReport.objects.create(project=project, reported_on=day, year=day.year, completed_ytd=done,
                                           funds_in_place=funds, text=text, reporter=actor)
    for upload, mime, sha in checked:
        photo = ProgressPhoto(report=report, original_name=(upload.name or "照片")[:200], content_type=mime,
                              size=upload.size or 0, sha256=sha, uploaded_by=actor)
        photo.file.save(upload.name or "photo", upload, save=False)
        photo.save()
    if problem is not None:
        Problem.objects.create(project=project, text=problem[0], asked_unit=problem[1], raised_on=day,
                               raised_by=actor)
    audit_record(actor=actor, action="projects.progress.report", obj=project, unit=project.owner_unit, after={
        "reported_on": str(day), "completed_ytd": str(done), "funds_in_place": str(funds or ""),
        "photos": [sha for _u, _m, sha in checked], "problem": problem[0] if problem else ""})
    return report


def _problem_values(text: str, unit: Unit | None) -> tuple[str, Unit]:
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["problem_text"] = _("请写明难点堵点")
    elif len(text) > PROBLEM_LIMIT:
        errors["problem_text"] = _("不能超过 %(n)d 个字") % {"n": PROBLEM_LIMIT}
    if unit is None:
        errors["problem_unit"] = _("请选择协调解决单位")
    if errors or unit is None:
        raise ProjectInvalid(errors)
    return text, unit


@transaction.atomic
def problem_raise(*, actor: User, project: Project, text: str, asked_unit: Unit | None) -> Problem:
    """A 难点堵点 of the project, asked of a unit to solve."""
    gate.require(actor, "projects.problem.raise", unit=project.owner_unit, secretary=project.secretary_id)
    text, unit = _problem_values(text, asked_unit)
    problem = Problem.objects.create(project=project, text=text, asked_unit=unit,
                                     raised_on=timezone.localdate(), raised_by=actor)
    audit_record(actor=actor, action="projects.problem.raise", obj=problem, unit=project.owner_unit,
                 after={"project": project.code, "text": text, "asked_unit": unit.code})
    return problem


@transaction.atomic
def problem_solve(*, actor: User, problem: Problem, version: int, solution: str = "") -> Problem:
    """Mark a problem solved at the version it was read: by those who may solve the project's
    problems, or by the unit it was asked of."""
    project = problem.project
    # The project's side (the office, its secretary) or the unit asked to solve it may close it.
    if not gate.allows(actor, "projects.problem.answer", unit=problem.asked_unit):
        gate.require(actor, "projects.problem.solve", unit=project.owner_unit, secretary=project.secretary_id)
    if problem.status == Problem.Status.SOLVED:
        raise ProjectError(_("该难点堵点已标记为已解决"))
    solution = (solution or "").strip()
    if len(solution) > PROBLEM_LIMIT:
        raise ProjectInvalid({"solution": _("不能超过 %(n)d 个字") % {"n": PROBLEM_LIMIT}})
    today = timezone.localdate()
    if not Problem.objects.filter(pk=problem.pk, version=version).update(
            status=Problem.Status.SOLVED, solved_on=today, solution=solution, version=F("version") + 1):
        raise ConflictError(_("该难点堵点已被他人更新，请刷新页面后再操作。"))
    problem.refresh_from_db()
    audit_record(actor=actor, action="projects.problem.solve", obj=problem, unit=project.owner_unit,
                 before={"status": "open"}, after={"status": "solved", "solution": solution})
    return problem
