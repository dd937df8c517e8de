"""Form edits of a scheme: load the latest version's document, apply one edit from
`schemes.edits`, save it as the next version (with its note) and audit the change.

Every write is office-only and names the version the editor started from (`based_on`): if
another version was saved meanwhile, the edit is refused with ConflictError, never merged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError, ConflictError
from duibiao.assessment.models import Scheme, SchemeVersion
from duibiao.assessment.scheme_checks import Finding, scheme_findings
from duibiao.assessment.selectors.categories import category_names
from duibiao.assessment.selectors.schemes import scheme_latest_version
from duibiao.assessment.services.schemes import scheme_version_save
from duibiao.audit.services import audit_record
from duibiao.schemes import edits

if TYPE_CHECKING:
    from duibiao.accounts.models import User

Doc = dict[str, Any]
# What an edit did: its note for the version and the audit row, and the state before and after.
Described = tuple[str, Any, Any]


def _latest(scheme: Scheme, *, lock: bool = False) -> SchemeVersion:
    version = scheme_latest_version(scheme, for_update=lock)
    if version is None:
        raise AssessmentError("该方案还没有任何版本")
    return version


def scheme_document(scheme: Scheme) -> tuple[SchemeVersion, Doc]:
    """The latest version and its parsed document (a read: the form starts from here)."""
    version = _latest(scheme)
    try:
        return version, edits.document_load(version.document)
    except edits.EditError as exc:
        raise AssessmentError(str(exc)) from None


def _node(doc: Doc, code: str) -> Doc | None:
    try:
        return edits.find_node(doc, code)[0]
    except edits.EditError:
        return None


def _row(rows: Any, code: str) -> Doc | None:
    return next((r for r in rows or [] if r.get("code") == code), None)


def _parent_code(doc: Doc, code: str) -> str | None:
    try:
        parent = edits.find_node(doc, code)[1]
    except edits.EditError:
        return None
    return parent.get("code") if parent else None


@transaction.atomic
def _edit(
    *, actor: User, scheme: Scheme, based_on: int | None, action: str, apply: Callable[[Doc], Doc],
    describe: Callable[[Doc, Doc], Described],
) -> SchemeVersion:
    """The one write path: permission, conflict check, edit, save, audit (one transaction)."""
    gate.require(actor, "assessment.scheme.edit", unit=scheme.district)
    latest = _latest(scheme, lock=True)
    if based_on is not None and based_on != latest.number:
        raise ConflictError(f"方案已被他人保存为第 {latest.number} 版，请在最新版本上修改。")
    try:
        before_doc = edits.document_load(latest.document)
        after_doc = apply(before_doc)
    except edits.EditError as exc:
        raise AssessmentError(str(exc)) from None
    note, before, after = describe(before_doc, after_doc)
    version = scheme_version_save(
        actor=actor, scheme=scheme, document=edits.document_dump(after_doc), note=note[:200],
        based_on=latest.number,
    )
    audit_record(actor=actor, action=action, obj=scheme, unit=scheme.district, before=before,
                 after={**(after or {}), "version": version.number} if after is not None
                 else {"version": version.number}, detail=note)
    return version


# ---------------------------------------------------------------- indicators


def scheme_indicator_update(
    *, actor: User, scheme: Scheme, code: str, changes: Mapping[str, Any], based_on: int | None
) -> SchemeVersion:
    """Change one indicator (name, weight, task force, applicability, method …); note
    ``修改指标 nl02：权重 3→4``."""

    def describe(old: Doc, new: Doc) -> Described:
        before, after = _node(old, code), _node(new, code)
        moved = {"parent": (_parent_code(old, code), _parent_code(new, code))}
        return f"修改指标 {code}：{edits.change_note(before, after, moved)}", before, after

    return _edit(actor=actor, scheme=scheme, based_on=based_on, action="scheme.indicator.update",
                 apply=lambda doc: edits.indicator_update(doc, code, changes), describe=describe)


def scheme_indicator_create(
    *, actor: User, scheme: Scheme, parent: str, fields: Mapping[str, Any], based_on: int | None
) -> SchemeVersion:
    code = str(fields.get("code", ""))

    def describe(old: Doc, new: Doc) -> Described:
        node = _node(new, code)
        return f"新增指标 {code} {fields.get('name', '')}（{parent}）", None, node

    return _edit(actor=actor, scheme=scheme, based_on=based_on, action="scheme.indicator.create",
                 apply=lambda doc: edits.indicator_add(doc, parent, fields), describe=describe)


def scheme_indicator_remove(*, actor: User, scheme: Scheme, code: str, based_on: int | None) -> SchemeVersion:
    def describe(old: Doc, new: Doc) -> Described:
        node = _node(old, code) or {}
        return f"删除指标 {code} {node.get('name', '')}", node, None

    return _edit(actor=actor, scheme=scheme, based_on=based_on, action="scheme.indicator.remove",
                 apply=lambda doc: edits.indicator_remove(doc, code), describe=describe)


def _points_apply(points: Mapping[str, float]) -> Callable[[Doc], Doc]:
    def apply(doc: Doc) -> Doc:
        for code, value in points.items():
            doc = edits.dimension_points_set(doc, code, value)
        return doc

    return apply


def scheme_dimension_points_set(
    *, actor: User, scheme: Scheme, points: Mapping[str, float], based_on: int | None
) -> SchemeVersion:
    """Set the points of several dimensions at once (one version)."""

    apply = _points_apply(points)

    def describe(old: Doc, new: Doc) -> Described:
        before = {c: (_node(old, c) or {}).get("weight") for c in points}
        after = {c: (_node(new, c) or {}).get("weight") for c in points}
        changed = "；".join(f"{c} {before[c]:g}→{after[c]:g}" for c in points
                           if before[c] != after[c] and before[c] is not None)
        return f"修改维度分值：{changed or '无改动'}", before, after

    return _edit(actor=actor, scheme=scheme, based_on=based_on, action="scheme.dimension.update",
                 apply=apply, describe=describe)


# ---------------------------------------------------------------- 奖惩事项 and 一票否决


def _items(doc: Doc) -> list[Doc]:
    return (doc.get("adjustments") or {}).get("items") or []


def scheme_adjustment_save(
    *, actor: User, scheme: Scheme, code: str | None, fields: Mapping[str, Any], based_on: int | None
) -> SchemeVersion:
    """Add a bonus / penalty item (code None, `fields["code"]` names it) or change one."""
    if code is None:
        new_code = str(fields.get("code", ""))
        return _edit(
            actor=actor, scheme=scheme, based_on=based_on, action="scheme.adjustment.create",
            apply=lambda doc: edits.adjustment_add(doc, fields),
            describe=lambda old, new: (f"新增奖惩事项 {new_code} {fields.get('name', '')}", None,
                                       _row(_items(new), new_code)),
        )

    def describe(old: Doc, new: Doc) -> Described:
        before, after = _row(_items(old), code), _row(_items(new), code)
        return f"修改奖惩事项 {code}：{edits.change_note(before, after)}", before, after

    return _edit(actor=actor, scheme=scheme, based_on=based_on, action="scheme.adjustment.update",
                 apply=lambda doc: edits.adjustment_update(doc, code, fields), describe=describe)


def scheme_adjustment_remove(*, actor: User, scheme: Scheme, code: str, based_on: int | None) -> SchemeVersion:
    return _edit(
        actor=actor, scheme=scheme, based_on=based_on, action="scheme.adjustment.remove",
        apply=lambda doc: edits.adjustment_remove(doc, code),
        describe=lambda old, new: (f"删除奖惩事项 {code}", _row(_items(old), code), None),
    )


def scheme_veto_save(
    *, actor: User, scheme: Scheme, code: str | None, fields: Mapping[str, Any], based_on: int | None
) -> SchemeVersion:
    """Add a veto (code None, `fields["code"]` names it) or change one."""
    if code is None:
        new_code = str(fields.get("code", ""))
        return _edit(
            actor=actor, scheme=scheme, based_on=based_on, action="scheme.veto.create",
            apply=lambda doc: edits.veto_add(doc, fields),
            describe=lambda old, new: (f"新增否决事项 {new_code} {fields.get('name', '')}", None,
                                       _row(new.get("vetoes"), new_code)),
        )

    def describe(old: Doc, new: Doc) -> Described:
        before, after = _row(old.get("vetoes"), code), _row(new.get("vetoes"), code)
        return f"修改否决事项 {code}：{edits.change_note(before, after)}", before, after

    return _edit(actor=actor, scheme=scheme, based_on=based_on, action="scheme.veto.update",
                 apply=lambda doc: edits.veto_update(doc, code, fields), describe=describe)


def scheme_veto_remove(*, actor: User, scheme: Scheme, code: str, based_on: int | None) -> SchemeVersion:
    return _edit(
        actor=actor, scheme=scheme, based_on=based_on, action="scheme.veto.remove",
        apply=lambda doc: edits.veto_remove(doc, code),
        describe=lambda old, new: (f"删除否决事项 {code}", _row(old.get("vetoes"), code), None),
    )


# ---------------------------------------------------------------- live checks (nothing saved)


def scheme_edit_preview(*, actor: User, scheme: Scheme, apply: Callable[[Doc], Doc]) -> list[Finding]:
    """The checks of `scheme_checks` on the document as it would be after the edit."""
    gate.require(actor, "assessment.scheme.edit", unit=scheme.district)
    _version, doc = scheme_document(scheme)
    try:
        new = apply(doc)
    except (edits.EditError, ValueError, TypeError) as exc:
        return [Finding("error", "", str(exc))]
    return scheme_findings(edits.document_dump(new), category_names=category_names())


def scheme_indicator_preview(
    *, actor: User, scheme: Scheme, code: str | None, parent: str, fields: Mapping[str, Any]
) -> list[Finding]:
    """Live checks of the indicator form: an edit of `code`, or a new indicator when None."""
    if code is None:
        return scheme_edit_preview(actor=actor, scheme=scheme,
                                   apply=lambda doc: edits.indicator_add(doc, parent, fields))
    return scheme_edit_preview(
        actor=actor, scheme=scheme,
        apply=lambda doc: edits.indicator_update(doc, code, {**fields, "parent": parent}),
    )


def scheme_dimension_points_preview(*, actor: User, scheme: Scheme, points: Mapping[str, float]) -> list[Finding]:
    return scheme_edit_preview(actor=actor, scheme=scheme, apply=_points_apply(points))
