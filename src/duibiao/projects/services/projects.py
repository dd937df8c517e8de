"""项目台账: create and update a project at the version it was read, recording each changed
field as a LedgerChange (who, when, old → new) and one audit row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from duibiao.accounts import gate
from duibiao.accounts.roles import Role
from duibiao.audit.services import audit_record
from duibiao.projects.errors import ConflictError, ProjectInvalid
from duibiao.projects.fields import FIELD_NAMES, Bad, parse_date, parse_project
from duibiao.projects.models import LedgerChange, Milestone, Project, ReportingRhythm

if TYPE_CHECKING:
    from duibiao.accounts.models import User
    from duibiao.org.models import Unit

EDIT = "projects.project.edit"


@dataclass(frozen=True)
class Binding:
    """Who a project belongs to and who serves it: the owner unit, the service secretary
    (a user holding the secretary role, or None) and the reporting rhythm ('' = default)."""

    owner_unit: Unit
    secretary: User | None = None
    rhythm: str = ""


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def _check_binding(binding: Binding, errors: dict[str, str]) -> None:
    if binding.secretary is not None and Role.SECRETARY not in gate.roles(binding.secretary):
        errors["secretary"] = _("所选用户不是项目服务秘书")
    if binding.rhythm and binding.rhythm not in ReportingRhythm.values:
        errors["rhythm"] = _("填报频次应为每周、每半月或每月")


def _snapshot(project: Project) -> dict[str, str]:
    shown = {name: _shown(getattr(project, name)) for name in FIELD_NAMES}
    shown["owner_unit"] = project.owner_unit.name
    shown["secretary"] = project.secretary.username if project.secretary else ""
    shown["rhythm"] = project.rhythm
    return shown


def parsed(raw: Mapping[str, object], binding: Binding, *, exclude: int | None = None) -> dict[str, object]:
    """The values of `raw` as the project's columns, or ProjectInvalid with every reason."""
    values, errors = parse_project(raw)
    _check_binding(binding, errors)
    code = values.get("code")
    others = Project.objects.filter(code=code)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if code and "code" not in errors and others.exists():
        errors["code"] = _("项目编号已存在")
    if errors:
        raise ProjectInvalid(errors)
    return {**values, "owner_unit": binding.owner_unit, "secretary": binding.secretary, "rhythm": binding.rhythm}


@transaction.atomic
def project_create(
    *, actor: User, raw: Mapping[str, object], binding: Binding, source: str = "form",
) -> Project:
    """A new project in the library (入库 of the ledger); its creation is its first history row."""
    gate.require(actor, EDIT, unit=binding.owner_unit)
    project = Project.objects.create(**parsed(raw, binding))
    LedgerChange.objects.create(project=project, field="created", new_value=project.code,
                                changed_by=actor, source=source)
    audit_record(actor=actor, action="projects.project.create", obj=project, unit=project.owner_unit,
                 after=_snapshot(project))
    return project


@transaction.atomic
def project_update(
    *, actor: User, project: Project, version: int, raw: Mapping[str, object], binding: Binding,
    source: str = "form",
) -> Project:
    """Save the project at the version it was read (ConflictError when someone saved since);
    each changed field becomes a LedgerChange row."""
    gate.require(actor, EDIT, unit=project.owner_unit)
    if binding.owner_unit.pk != project.owner_unit_id:  # moving it: the new unit must be ours too
        gate.require(actor, EDIT, unit=binding.owner_unit)
    values = parsed(raw, binding, exclude=project.pk)
    before = _snapshot(project)
    if not Project.objects.filter(pk=project.pk, version=version).update(**values, version=F("version") + 1):
        raise ConflictError()
    project.refresh_from_db()
    after = _snapshot(project)
    changed = [name for name in after if after[name] != before[name]]
    LedgerChange.objects.bulk_create([
        LedgerChange(project=project, field=name, old_value=before[name][:300], new_value=after[name][:300],
                     changed_by=actor, source=source)
        for name in changed
    ])
    audit_record(actor=actor, action="projects.project.update", obj=project, unit=project.owner_unit,
                 before={n: before[n] for n in changed}, after={n: after[n] for n in changed})
    return project


@transaction.atomic
def milestones_save(
    *, actor: User, project: Project, version: int, dates: Mapping[str, tuple[object, object]],
) -> Project:
    """The planned and actual dates of the project's milestones (立项 … 竣工), by step code, at
    the version the project was read; each changed date becomes a LedgerChange row."""
    gate.require(actor, EDIT, unit=project.owner_unit)
    errors: dict[str, str] = {}
    parsed_dates: dict[str, tuple[date | None, date | None]] = {}
    for step in Milestone.Step.values:
        planned_raw, actual_raw = dates.get(step, (None, None))
        pair: list[date | None] = []
        for suffix, raw in (("planned", planned_raw), ("actual", actual_raw)):
            try:
                pair.append(parse_date(raw))
            except Bad as exc:
                errors[f"{step}_{suffix}"] = str(exc)
                pair.append(None)
        parsed_dates[step] = (pair[0], pair[1])
    if errors:
        raise ProjectInvalid(errors)
    if not Project.objects.filter(pk=project.pk, version=version).update(version=F("version") + 1):
        raise ConflictError()
    current = {m.step: m for m in project.milestones.all()}
    changes = []
    for step, (planned, actual) in parsed_dates.items():
        old = current.get(step)
        before = (old.planned_on, old.actual_on) if old else (None, None)
        if before == (planned, actual):
            continue
        Milestone.objects.update_or_create(project=project, step=step,
                                           defaults={"planned_on": planned, "actual_on": actual})
        for i in (0, 1):
            if before[i] != (planned, actual)[i]:
                changes.append(LedgerChange(
                    project=project, field=f"milestone:{step}:{'planned' if i == 0 else 'actual'}",
                    old_value=_shown(before[i]), new_value=_shown((planned, actual)[i]), changed_by=actor,
                    source="form"))
    LedgerChange.objects.bulk_create(changes)
    project.refresh_from_db()
    audit_record(actor=actor, action="projects.milestones.update", obj=project, unit=project.owner_unit,
                 after={c.field: c.new_value for c in changes})
    return project
