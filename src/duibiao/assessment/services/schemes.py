"""Writes to schemes: every save validates the document and becomes a new version."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.limits import text_clean, year_clean
from duibiao.assessment.models import Dimension, Indicator, Scheme, SchemeVersion
from duibiao.assessment.selectors.categories import category_codes_by_name
from duibiao.assessment.selectors.schemes import scheme_latest_version
from duibiao.assessment.sources import unknown_sources
from duibiao.audit.services import audit_record
from duibiao.engine import Indicator as EngineIndicator
from duibiao.engine import Node
from duibiao.org.models import TaskForce
from duibiao.schemes import SchemeDocumentError, load_scheme_text
from duibiao.schemes.categories import categories_rekey

if TYPE_CHECKING:
    from duibiao.accounts.models import User
    from duibiao.org.models import Unit


def _leaves(
    node: Node, ancestors: tuple[str, ...] = ()
) -> Iterator[tuple[EngineIndicator, tuple[str, ...]]]:
    for child in node.children:
        if isinstance(child, EngineIndicator):
            yield child, ancestors
        else:
            yield from _leaves(child, (*ancestors, child.name))


def _materialise(version: SchemeVersion) -> None:
    """Rebuild the version's indicator rows and the scheme's dimension headers."""
    scheme = load_scheme_text(version.document, source=str(version))
    taskforces = {tf.code: tf for tf in TaskForce.objects.filter(district=version.scheme.district)}
    rows: list[Indicator] = []
    for order, (leaf, ancestors) in enumerate(_leaves(scheme.tree)):
        rows.append(
            Indicator(
                version=version, code=leaf.code, name=leaf.name, ancestors=list(ancestors),
                weight=leaf.weight,
                item_kind=Indicator.ItemKind.SPECIFIC if leaf.applies_to.units else Indicator.ItemKind.COMMON,
                kind=leaf.kind, method=leaf.method, direction=leaf.direction,
                taskforce=taskforces.get(leaf.taskforce or ""), unit_of_measure=leaf.unit_of_measure,
                source=leaf.source, standard=leaf.standard,
                applies_categories=list(leaf.applies_to.categories),
                applies_units=list(leaf.applies_to.units),
                grades=[[name, value] for name, value in leaf.params.get("grades", {}).items()]
                if leaf.kind == "ballot" else [],
                same_as=leaf.same_as or "", value_from=leaf.value_from or "",
                evidence_required=leaf.evidence == "required",
                order=order,
            )
        )
    base = len(rows)
    for i, item in enumerate(scheme.adjustments.items):
        rows.append(
            Indicator(
                version=version, code=item.code, name=item.name, weight=item.points,
                item_kind=Indicator.ItemKind.BONUS if item.kind == "bonus" else Indicator.ItemKind.PENALTY,
                kind=Indicator.Kind.COUNT, taskforce=taskforces.get(item.taskforce or ""),
                unit_of_measure="次", source=item.source, standard=item.standard, order=base + i,
            )
        )
    base = len(rows)
    for i, veto in enumerate(scheme.vetoes):
        rows.append(
            Indicator(
                version=version, code=veto.code, name=veto.name, item_kind=Indicator.ItemKind.VETO,
                kind=Indicator.Kind.YES_NO, taskforce=taskforces.get(veto.taskforce or ""),
                standard=veto.standard, order=base + i,
            )
        )
    Indicator.objects.bulk_create(rows)
    Dimension.objects.filter(scheme=version.scheme).delete()
    Dimension.objects.bulk_create(
        Dimension(scheme=version.scheme, code=node.code, name=node.name, weight=node.weight, order=i)
        for i, node in enumerate(scheme.tree.children)
    )


def _check_editor(actor: User | None, district: Unit) -> None:
    """Only the office of the scheme's own unit writes it (a district's office sees the city's
    scheme too, and may not change it). No actor (the command line, demo data) passes."""
    if actor is not None:
        gate.require(actor, "assessment.scheme.edit", unit=district)


@transaction.atomic
def scheme_create(*, actor: User | None, code: str, name: str, year: int, district: Unit, document: str) -> Scheme:
    _check_editor(actor, district)
    code = text_clean(code, model=Scheme, name="code", required="请填写方案代码")
    name = text_clean(name, model=Scheme, name="name", required="请填写方案名称")
    year_clean(year)
    if Scheme.objects.filter(code=code).exists():
        raise AssessmentError(f"方案代码 {code} 已存在")
    scheme = Scheme.objects.create(code=code, name=name, year=year, district=district)
    scheme_version_save(actor=actor, scheme=scheme, document=document, note="创建方案")
    audit_record(actor=actor, action="scheme.create", obj=scheme, unit=district, after={"code": code})
    return scheme


@transaction.atomic
def scheme_version_save(
    *, actor: User | None, scheme: Scheme, document: str, note: str = "", based_on: int | None = None
) -> SchemeVersion:
    """Validate the document and save it as the next version. `based_on` is the version the
    editor started from: if another version was saved meanwhile, the save is refused."""
    from duibiao.assessment.errors import ConflictError

    _check_editor(actor, scheme.district)
    note = text_clean(note, model=SchemeVersion, name="note")
    # Categories are kept by code: a document that names them by display name (as people and
    # the examples write them) is stored with their codes, the rest of its text untouched.
    document = categories_rekey(document, category_codes_by_name())
    parsed = load_scheme_text(document, source=scheme.code)  # raises SchemeDocumentError with paths
    unknown = unknown_sources(parsed)
    if unknown:  # refused like any other document error, next to the indicator that names it
        raise SchemeDocumentError(unknown, scheme.code)
    latest = (
        SchemeVersion.objects.select_for_update().filter(scheme=scheme).aggregate(n=Max("number"))["n"]
        or 0
    )
    if based_on is not None and based_on != latest:
        raise ConflictError(f"方案已被他人保存为第 {latest} 版，请在最新版本上修改。")
    version = SchemeVersion.objects.create(
        scheme=scheme, number=latest + 1, document=document, note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _materialise(version)
    audit_record(
        actor=actor, action="scheme.version", obj=scheme, unit=scheme.district,
        after={"version": version.number, "note": note},
    )
    return version


@transaction.atomic
def scheme_clone(*, actor: User | None, scheme: Scheme, code: str, name: str, year: int) -> Scheme:
    """Start next year's scheme from this one's latest version (上年方案复制)."""
    latest = scheme_latest_version(scheme)
    if latest is None:
        raise AssessmentError("该方案还没有任何版本")
    clone = scheme_create(
        actor=actor, code=code, name=name, year=year, district=scheme.district, document=latest.document
    )
    audit_record(actor=actor, action="scheme.clone", obj=clone, before={"from": scheme.code})
    return clone


@transaction.atomic
def scheme_activate(*, actor: User | None, scheme: Scheme) -> Scheme:
    _check_editor(actor, scheme.district)
    before = scheme.status
    scheme.status = Scheme.Status.ACTIVE
    scheme.save(update_fields=["status"])
    audit_record(actor=actor, action="scheme.activate", obj=scheme, before={"status": before},
                 after={"status": scheme.status})
    return scheme
