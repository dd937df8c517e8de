"""The scheme editor's item-by-item edits over the API: add, change (or move), remove an
indicator, a 奖惩事项 or an 一票否决, and set the dimensions' points — each one a new version of
the scheme, exactly as the editor page saves it.

The values are checked by the page's own forms (`assessment.forms`: IndicatorForm, ItemForm)
and written by the page's own services (`assessment.services.scheme_edits`). Every write names
the version it was made from (`based_on`, as the page's hidden field): another version saved
meanwhile answers 409, never a merge. A saved version is never changed: each edit is the next
version, so a period scoring an earlier version, and every run of it, keep theirs.

A change (PATCH) names only what it changes: the rest is taken from the item as it is, and the
whole is checked by the form as if the page had been submitted with those fields changed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django import forms
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from duibiao.api.errors import FieldErrors
from duibiao.assessment.forms import ItemForm, indicator_form, item_row
from duibiao.assessment.models import Scheme, SchemeVersion
from duibiao.assessment.selectors.schemes import scheme_edit_get
from duibiao.assessment.services import scheme_edits as services

router = Router(tags=["assessment"])

# A value as a client may send it; the form says whether it will do (one check, the page's).
Loose = str | float | None


class EditOut(Schema):
    scheme: str
    version: int  # the version this edit saved: the `based_on` of the next edit
    note: str  # what changed, as the version's note and the audit row say it


class BasedOnIn(Schema):
    # Required: the version the edit was made from; another version saved meanwhile: 409.
    based_on: int = Field(ge=0)


class IndicatorFields(Schema):
    name: Loose = None
    parent: Loose = Field(None, description="所属维度或分组的代码：改为另一个即移动该指标（移到末尾）")
    weight: Loose = None
    taskforce: Loose = None
    item_kind: Literal["common", "specific"] | None = None
    categories: list[str] | None = None
    units: list[str] | None = None
    kind: Loose = None
    method: Loose = None
    direction: Loose = None
    unit_of_measure: Loose = None
    source: Loose = None
    standard: Loose = None
    params: dict[str, Any] | None = Field(None, description=(
        "计分方法的参数（target、cap、floor、threshold、best、worst、scope、full、top、step、else；"
        "bands 为 [{at, score}]，grades 为 {等次: 分值}）：只给要改的参数，null 清除；改了计分方法时只用给出的参数"))


class IndicatorNewFields(IndicatorFields):
    code: str
    name: Loose
    parent: Loose
    weight: Loose


class IndicatorChangeIn(BasedOnIn, IndicatorFields):
    pass


class IndicatorNewIn(BasedOnIn, IndicatorNewFields):
    pass


class ItemChangeIn(BasedOnIn):
    name: Loose = None
    taskforce: Loose = None
    source: Loose = None
    standard: Loose = None


class AdjustmentChangeIn(ItemChangeIn):
    type: Loose = Field(None, description="bonus（加分）或 penalty（扣分）")
    points: Loose = None
    cap: Loose = None


class AdjustmentNewIn(AdjustmentChangeIn):
    code: str
    name: Loose
    type: Loose
    points: Loose


class VetoChangeIn(ItemChangeIn):
    effect: Loose = Field(None, description="cap_grade（等次不高于 grade）或 zero（得分计 0）")
    grade: Loose = None


class VetoNewIn(VetoChangeIn):
    code: str
    name: Loose
    effect: Loose


class PointsFields(Schema):
    points: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field(description="维度或分组代码 → 分值")


class PointsIn(BasedOnIn, PointsFields):
    pass


class FindingOut(Schema):
    level: str  # error, warning or ok
    where: str
    message: str


def _saved(scheme: Scheme, version: SchemeVersion, status: int = 200) -> Status:
    return Status(status, {"scheme": scheme.code, "version": version.number, "note": version.note})


def _given(payload: Schema) -> dict[str, Any]:
    """The fields the client sent (a change names only what it changes), without based_on."""
    given = payload.model_dump(exclude_unset=True)
    given.pop("based_on", None)
    return given


def _param_text(key: str, value: Any) -> Any:
    """A parameter as the page's form takes it: bands and grades one "key=value" per line."""
    if key == "bands" and isinstance(value, list):
        return "\n".join(f"{b.get('at')}={b.get('score')}" if isinstance(b, dict) else str(b) for b in value)
    if key == "grades" and isinstance(value, dict):
        return "\n".join(f"{grade}={points}" for grade, points in value.items())
    return value


def _indicator_data(form: forms.Form, given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's data: the indicator as it is (the form's initial values) with the given
    fields replaced; parameters the form does not know are reported under params.<name>."""
    data = {name: value for name, value in form.initial.items() if value is not None}
    params = given.pop("params", None)
    if given.get("method") not in (None, data.get("method")):
        # Another method: its parameters are the given ones only, none kept from the old method.
        data = {name: value for name, value in data.items() if not name.startswith("p_")}
    data.update({name: value for name, value in given.items() if value is not None})
    unknown: dict[str, str] = {}
    for key, value in (params or {}).items():
        if f"p_{key}" not in form.fields:
            unknown[f"params.{key}"] = _("没有这个参数")
        elif value is None:
            data.pop(f"p_{key}", None)  # null clears a parameter
        else:
            data[f"p_{key}"] = _param_text(key, value)
    return data, unknown


def _checked(form: forms.Form, unknown: dict[str, str] | None = None) -> None:
    """422 with each field's reasons (the form's, in the page's words) unless the form is valid."""
    errors: dict[str, list[str]] = {name: [reason] for name, reason in (unknown or {}).items()}
    if not form.is_valid() or errors:
        for name, reasons in form.errors.items():
            field = f"params.{name[2:]}" if name.startswith("p_") else name
            errors.setdefault(field, []).extend(str(r) for r in reasons)
        raise FieldErrors(errors)


def _indicator_checked(request, scheme: Scheme, doc: dict, ind: str | None, given: dict[str, Any]):
    """The indicator form filled with the given fields over the indicator as it is (or a new
    one's defaults), checked: 422 with each field's reasons unless valid."""
    current = indicator_form(user=request.user, scheme=scheme, doc=doc, ind=ind,
                             parent=str(given.get("parent") or "") if ind is None else "")
    data, unknown = _indicator_data(current, given)
    form = indicator_form(user=request.user, scheme=scheme, doc=doc, ind=ind, data=data)
    _checked(form, unknown)
    return form


# ---------------------------------------------------------------- live checks (nothing saved)
# Before the indicator's own routes: `indicators/check` must not be taken for an indicator's code.


@router.post("/schemes/{code}/indicators/check", response=list[FindingOut],
             summary="新增指标的校验（不保存）：方案文档按此修改后的校验结果，与编辑页右侧相同")
def indicator_create_check(request, code: str, payload: IndicatorNewFields):
    scheme = scheme_edit_get(user=request.user, code=code)
    _version, doc = services.scheme_document(scheme)
    form = _indicator_checked(request, scheme, doc, None, _given(payload))
    return services.scheme_indicator_preview(actor=request.user, scheme=scheme, code=None,
                                             parent=form.cleaned_data["parent"], fields=form.changes())


@router.post("/schemes/{code}/indicators/{ind}/check", response=list[FindingOut],
             summary="修改指标的校验（不保存）：只给要改的字段")
def indicator_update_check(request, code: str, ind: str, payload: IndicatorFields):
    scheme = scheme_edit_get(user=request.user, code=code)
    _version, doc = services.scheme_document(scheme)
    form = _indicator_checked(request, scheme, doc, ind, _given(payload))
    return services.scheme_indicator_preview(actor=request.user, scheme=scheme, code=ind,
                                             parent=form.cleaned_data["parent"], fields=form.changes())


@router.post("/schemes/{code}/dimensions/check", response=list[FindingOut], summary="维度分值的校验（不保存）")
def dimensions_check(request, code: str, payload: PointsFields):
    scheme = scheme_edit_get(user=request.user, code=code)
    return services.scheme_dimension_points_preview(actor=request.user, scheme=scheme, points=payload.points)


# ---------------------------------------------------------------- indicators


@router.post("/schemes/{code}/indicators", response={201: EditOut},
             summary="新增指标（考核办），保存为方案新版本；based_on 过期则 409")
def indicator_create(request, code: str, payload: IndicatorNewIn):
    scheme = scheme_edit_get(user=request.user, code=code)
    _version, doc = services.scheme_document(scheme)
    form = _indicator_checked(request, scheme, doc, None, _given(payload))
    saved = services.scheme_indicator_create(actor=request.user, scheme=scheme, parent=form.cleaned_data["parent"],
                                             fields=form.changes(), based_on=payload.based_on)
    return _saved(scheme, saved, 201)


@router.patch("/schemes/{code}/indicators/{ind}", response=EditOut,
              summary="修改指标（考核办）：只给要改的字段；改 parent 即移动；based_on 过期则 409")
def indicator_update(request, code: str, ind: str, payload: IndicatorChangeIn):
    scheme = scheme_edit_get(user=request.user, code=code)
    _version, doc = services.scheme_document(scheme)
    form = _indicator_checked(request, scheme, doc, ind, _given(payload))
    saved = services.scheme_indicator_update(
        actor=request.user, scheme=scheme, code=ind, changes={**form.changes(), "parent": form.cleaned_data["parent"]},
        based_on=payload.based_on)
    return _saved(scheme, saved)


@router.post("/schemes/{code}/indicators/{ind}/remove", response=EditOut,
             summary="删除指标（考核办），保存为方案新版本；based_on 过期则 409")
def indicator_remove(request, code: str, ind: str, payload: BasedOnIn):
    scheme = scheme_edit_get(user=request.user, code=code)
    _version, doc = services.scheme_document(scheme)
    indicator_form(user=request.user, scheme=scheme, doc=doc, ind=ind)  # 404 unless it is an indicator
    saved = services.scheme_indicator_remove(actor=request.user, scheme=scheme, code=ind, based_on=payload.based_on)
    return _saved(scheme, saved)


# ---------------------------------------------------------------- 奖惩事项 and 一票否决


def _item_save(request, code: str, kind: str, item: str | None, payload: ItemChangeIn, status: int) -> Status:
    scheme = scheme_edit_get(user=request.user, code=code)
    _version, doc = services.scheme_document(scheme)
    row = item_row(doc, kind, item)
    data = {name: value for name, value in (row or {}).items() if value is not None}
    data.update({name: value for name, value in _given(payload).items() if value is not None})
    form = ItemForm(data, doc=doc, kind=kind, row=row)
    _checked(form)
    save = services.scheme_adjustment_save if kind == "adjustment" else services.scheme_veto_save
    saved = save(actor=request.user, scheme=scheme, code=item, fields=form.changes(), based_on=payload.based_on)
    return _saved(scheme, saved, status)


def _item_remove(request, code: str, kind: str, item: str, payload: BasedOnIn) -> Status:
    scheme = scheme_edit_get(user=request.user, code=code)
    _version, doc = services.scheme_document(scheme)
    item_row(doc, kind, item)  # 404 when there is no such item
    remove = services.scheme_adjustment_remove if kind == "adjustment" else services.scheme_veto_remove
    return _saved(scheme, remove(actor=request.user, scheme=scheme, code=item, based_on=payload.based_on))


@router.post("/schemes/{code}/adjustments", response={201: EditOut}, summary="新增奖惩事项（考核办）")
def adjustment_create(request, code: str, payload: AdjustmentNewIn):
    return _item_save(request, code, "adjustment", None, payload, 201)


@router.patch("/schemes/{code}/adjustments/{item}", response=EditOut, summary="修改奖惩事项（考核办）：只给要改的字段")
def adjustment_update(request, code: str, item: str, payload: AdjustmentChangeIn):
    return _item_save(request, code, "adjustment", item, payload, 200)


@router.post("/schemes/{code}/adjustments/{item}/remove", response=EditOut, summary="删除奖惩事项（考核办）")
def adjustment_remove(request, code: str, item: str, payload: BasedOnIn):
    return _item_remove(request, code, "adjustment", item, payload)


@router.post("/schemes/{code}/vetoes", response={201: EditOut}, summary="新增一票否决事项（考核办）")
def veto_create(request, code: str, payload: VetoNewIn):
    return _item_save(request, code, "veto", None, payload, 201)


@router.patch("/schemes/{code}/vetoes/{item}", response=EditOut, summary="修改一票否决事项（考核办）：只给要改的字段")
def veto_update(request, code: str, item: str, payload: VetoChangeIn):
    return _item_save(request, code, "veto", item, payload, 200)


@router.post("/schemes/{code}/vetoes/{item}/remove", response=EditOut, summary="删除一票否决事项（考核办）")
def veto_remove(request, code: str, item: str, payload: BasedOnIn):
    return _item_remove(request, code, "veto", item, payload)


# ---------------------------------------------------------------- dimensions


@router.put("/schemes/{code}/dimensions", response=EditOut,
            summary="设置维度（及分组）分值（考核办），一次保存为一个新版本；based_on 过期则 409")
def dimensions_set(request, code: str, payload: PointsIn):
    scheme = scheme_edit_get(user=request.user, code=code)
    saved = services.scheme_dimension_points_set(actor=request.user, scheme=scheme, points=payload.points,
                                                 based_on=payload.based_on)
    return _saved(scheme, saved)
