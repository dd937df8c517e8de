"""Forms of the 考核方案 editor. They only parse and validate what the office typed into
the shape `schemes.edits` applies to the scheme document."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duibiao.accounts.unit_selectors import unit_list
from duibiao.assessment.method_labels import METHOD_LABELS, method_label
from duibiao.assessment.models import Indicator, Scheme
from duibiao.assessment.selectors.categories import category_names
from duibiao.schemes import edits

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

PARAM_LABELS = {
    "target": gettext_lazy("目标值"), "cap": gettext_lazy("封顶系数（如 1.1）"),
    "floor": gettext_lazy("保底"), "threshold": gettext_lazy("门槛值（0 分）"),
    "best": gettext_lazy("最优值（满分）"), "worst": gettext_lazy("最差值（0 分）"),
    "scope": gettext_lazy("比较范围"), "bands": gettext_lazy("分档（每行“临界值=得分”）"),
    "else": gettext_lazy("未达任一档的得分"), "full": gettext_lazy("满分值"),
    "grades": gettext_lazy("等次分值（每行“等次=分值”）"), "top": gettext_lazy("第一名得分"),
    "step": gettext_lazy("每低一名减"),
}
_NUMBER_PARAMS = ("target", "cap", "floor", "threshold", "full", "top", "step", "else")
_PAIR = re.compile(r"^\s*(.+?)\s*[=＝:：]\s*(-?\d+(?:\.\d+)?)\s*$")  # "1.2.3" is no number


def _pairs(text: str, what: str) -> list[tuple[str, float]]:
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _PAIR.match(line)
        if not match:
            raise forms.ValidationError(_("无法识别“%(line)s”，请写成“%(what)s=分值”") % {"line": line, "what": what})
        out.append((match.group(1), float(match.group(2))))
    return out


def _number_or_text(value: str | None) -> Any:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = float(value)
    except ValueError:
        return value  # frontier best / worst may be `peers` or `p90`
    # "nan" / "inf" stay text, which the scheme check then refuses, rather than a number.
    return number if math.isfinite(number) else value


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    """One of the form's choice fields (Form.fields is typed as holding plain Fields)."""
    return cast(forms.ChoiceField, form.fields[name])


class IndicatorForm(forms.Form):
    """The indicator form. `changes()` gives the dict `schemes.edits.indicator_update` takes."""

    code = forms.CharField(label=gettext_lazy("代码"), max_length=60, required=False)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    parent = forms.ChoiceField(label=gettext_lazy("所属维度"))
    weight = forms.FloatField(label=gettext_lazy("分值/权重"), min_value=0)
    taskforce = forms.ChoiceField(label=gettext_lazy("牵头专班"), required=False)
    item_kind = forms.ChoiceField(label=gettext_lazy("类别"), widget=forms.RadioSelect, choices=[
        ("common", gettext_lazy("共性指标")), ("specific", gettext_lazy("个性指标"))])
    categories = forms.MultipleChoiceField(label=gettext_lazy("适用分类（不选 = 全部单位）"), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    units = forms.MultipleChoiceField(label=gettext_lazy("适用单位"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("数据类型"), choices=Indicator.Kind.choices)
    method = forms.ChoiceField(label=gettext_lazy("计分方法"))
    direction = forms.ChoiceField(label=gettext_lazy("方向"), choices=[
        ("higher", gettext_lazy("越大越好")), ("lower", gettext_lazy("越小越好"))])
    unit_of_measure = forms.CharField(label=gettext_lazy("计量单位"), max_length=20, required=False)
    source = forms.CharField(label=gettext_lazy("数据来源"), max_length=200, required=False)
    standard = forms.CharField(label=gettext_lazy("评分标准"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    p_target = forms.FloatField(required=False)
    p_cap = forms.FloatField(required=False, min_value=0)
    p_floor = forms.FloatField(required=False, min_value=0)
    p_threshold = forms.FloatField(required=False)
    p_best = forms.CharField(required=False, max_length=20)
    p_worst = forms.CharField(required=False, max_length=20)
    p_scope = forms.ChoiceField(required=False)
    p_full = forms.FloatField(required=False, min_value=0)
    p_top = forms.FloatField(required=False)
    p_step = forms.FloatField(required=False, min_value=0)
    p_else = forms.FloatField(required=False)
    p_bands = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    p_grades = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, data=None, *, doc: dict, units: list[tuple[str, str]], node: dict | None = None,
                 parent: str = "", method: str | None = None, category_names: Mapping[str, str] | None = None,
                 ) -> None:
        self.is_new = node is None
        node = node or {}
        self._default_direction = (doc.get("defaults") or {}).get("direction", "higher")
        self._had_direction = "direction" in node
        normalise = node.get("normalise") or {}
        applies = node.get("applies_to") or {}
        initial = {
            "code": node.get("code", ""), "name": node.get("name", ""), "parent": parent,
            "weight": node.get("weight"), "taskforce": node.get("taskforce", ""),
            "item_kind": "specific" if applies.get("units") else "common",
            "categories": applies.get("categories", []), "units": applies.get("units", []),
            "kind": node.get("kind", "number"), "method": method or normalise.get("method", "target"),
            "direction": node.get("direction", self._default_direction), "unit_of_measure": node.get("unit_of_measure", ""),
            "source": node.get("source", ""), "standard": node.get("standard", ""),
        }
        for key, value in normalise.items():
            if key == "bands":
                value = "\n".join(f"{b.get('at')}={b.get('score')}" for b in value)
            elif key == "grades":
                value = "\n".join(f"{g}={v}" for g, v in value.items())
            initial[f"p_{key}"] = value
        super().__init__(data, initial=initial)
        self.current_method = normalise.get("method")
        f = self.fields
        f["code"].required = self.is_new
        f["code"].disabled = not self.is_new
        _choice(self, "parent").choices = [(c, ("　" * (d - 1)) + n) for c, n, d in edits.group_nodes(doc)]
        _choice(self, "taskforce").choices = [("", "—")] + [(t["code"], t.get("name", t["code"]))
                                                for t in doc.get("taskforces") or []]
        cats = list(doc.get("categories") or [])
        cats += [c for c in applies.get("categories", []) if c not in cats]
        names = category_names or {}  # the document keeps codes; the boxes show names
        _choice(self, "categories").choices = [(c, names.get(c, c)) for c in cats]
        known = dict(units)
        unit_choices = units + [(u, u) for u in applies.get("units", []) if u not in known]
        _choice(self, "units").choices = unit_choices
        f["units"].widget.attrs["size"] = min(max(len(unit_choices), 3), 8)
        methods = [(m, f"{label}（{m}）") for m, label in METHOD_LABELS.items() if m in edits.METHODS]
        if self.current_method and self.current_method not in edits.METHODS:
            # a method the form has no fields for (z 分数, 增长率 …) is kept with its parameters
            shown = f"{method_label(self.current_method)}（{self.current_method}）"
            methods.append((self.current_method, _("%(m)s（保留原参数）") % {"m": shown}))
        _choice(self, "method").choices = methods
        _choice(self, "p_scope").choices = [("", _("默认（全体单位）")), ("category", _("同类单位")), ("all", _("全体单位"))] + [
            (g, _("按 %(g)s 分组") % {"g": g}) for g in doc.get("groups") or []]
        for key, label in PARAM_LABELS.items():
            f[f"p_{key}"].label = label
        for name, field in f.items():
            css = "form-check-input" if name in ("item_kind", "categories") else (
                "form-select" if isinstance(field.widget, forms.Select | forms.SelectMultiple) else "form-control")
            field.widget.attrs.setdefault("class", css)

    def method_value(self) -> str:
        return (self.data.get("method") if self.is_bound else None) or self.initial.get("method") or "target"

    def param_fields(self, method: str | None = None):
        return [self[f"p_{k}"] for k in edits.METHODS.get(method or self.method_value(), ())]

    def clean(self):
        super().clean()
        data = self.cleaned_data  # (what Form.clean returns)
        if data.get("item_kind") == "specific" and not data.get("units"):
            self.add_error("units", _("个性指标请至少选择一个单位"))
        for key, what in (("bands", _("临界值")), ("grades", _("等次"))):
            try:
                data[f"p_{key}"] = _pairs(data.get(f"p_{key}", ""), what)
            except forms.ValidationError as exc:
                self.add_error(f"p_{key}", exc)
        for key in edits.METHOD_REQUIRED.get(data.get("method", ""), ()):
            if data.get(f"p_{key}") in (None, "", []):
                self.add_error(f"p_{key}", _("该计分方法必须填写此项"))
        return data

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        method = d["method"]
        params: dict[str, Any] = {}
        for key in edits.METHODS.get(method, ()):
            value = d.get(f"p_{key}")
            if key == "bands":
                value = [{"at": at, "score": score} for at, score in value or []]
            elif key == "grades":
                value = dict(value or [])
            elif key in ("best", "worst"):
                value = _number_or_text(value)
            params[key] = value
        specific = d["item_kind"] == "specific"
        out = {
            "name": d["name"], "weight": d["weight"], "taskforce": d["taskforce"], "kind": d["kind"],
            # a direction equal to the document's default is left out, as the YAML had it
            "direction": "" if not self._had_direction and d["direction"] == self._default_direction
            else d["direction"],
            "unit_of_measure": d["unit_of_measure"], "source": d["source"], "standard": d["standard"],
            "applies_to": {"categories": [] if specific else d["categories"],
                           "units": d["units"] if specific else []},
            "method": method, "params": params,
        }
        if self.is_new:
            out["code"] = d["code"]
        return out


class ItemForm(forms.Form):
    """A 奖惩事项 (kind="adjustment") or 一票否决 (kind="veto")."""

    code = forms.CharField(label=gettext_lazy("代码"), max_length=60)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    type = forms.ChoiceField(label=gettext_lazy("类型"), choices=[
        ("bonus", gettext_lazy("加分")), ("penalty", gettext_lazy("扣分"))])
    points = forms.FloatField(label=gettext_lazy("每次分值"), min_value=0)
    cap = forms.FloatField(label=gettext_lazy("累计上限（分）"), min_value=0, required=False)
    effect = forms.ChoiceField(label=gettext_lazy("否决效果"), choices=[
        ("cap_grade", gettext_lazy("等次不高于")), ("zero", gettext_lazy("得分计 0"))])
    grade = forms.ChoiceField(label=gettext_lazy("等次"), required=False)
    taskforce = forms.ChoiceField(label=gettext_lazy("牵头专班"), required=False)
    source = forms.CharField(label=gettext_lazy("数据来源"), max_length=200, required=False)
    standard = forms.CharField(label=gettext_lazy("评分标准"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))

    FIELDS = {"adjustment": ("name", "type", "points", "cap", "taskforce", "source", "standard"),
              "veto": ("name", "effect", "grade", "taskforce", "source", "standard")}

    def __init__(self, data=None, *, doc: dict, kind: str, row: dict | None = None) -> None:
        super().__init__(data, initial=dict(row or {"type": "bonus", "effect": "cap_grade"}))
        self.kind, self.is_new = kind, row is None
        for name in [n for n in self.fields if n != "code" and n not in self.FIELDS[kind]]:
            del self.fields[name]
        self.fields["code"].disabled = not self.is_new
        _choice(self, "taskforce").choices = [("", "—")] + [(t["code"], t.get("name", t["code"]))
                                                          for t in doc.get("taskforces") or []]
        if "grade" in self.fields:
            _choice(self, "grade").choices = [("", "—")] + [
                (g["name"], g["name"]) for g in (doc.get("grading") or {}).get("grades") or []]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")

    def changes(self) -> dict[str, Any]:
        out = {k: self.cleaned_data.get(k) for k in self.FIELDS[self.kind]}
        if self.is_new:
            out["code"] = self.cleaned_data["code"]
        return out


# ---------------------------------------------------------------- the forms as the page and the API build them


def scheme_unit_choices(*, user: User | AnonymousUser, scheme: Scheme) -> list[tuple[str, str]]:
    """(code, name) of the units a 个性指标 may name: those under the scheme's unit the user sees."""
    units = unit_list(user=user).filter(path__startswith=scheme.district.path).exclude(pk=scheme.district_id)
    return [(u.code, u.name) for u in units.order_by("category__order", "order", "path")]


def indicator_form(
    *, user: User | AnonymousUser, scheme: Scheme, doc: dict, ind: str | None, data: Any = None,
    parent: str = "", method: str | None = None,
) -> IndicatorForm:
    """The indicator form of the editor page and of the API (one validator for both): for
    indicator `ind` of the document (404 when it is not an indicator), or a new one under
    `parent` when `ind` is None."""
    node = None
    if ind is not None:
        try:
            node, parent_node = edits.find_node(doc, ind)
        except edits.EditError:
            raise Http404 from None
        if "children" in node:
            raise Http404
        parent = parent_node.get("code", "") if parent_node is not None else ""
    return IndicatorForm(data, doc=doc, units=scheme_unit_choices(user=user, scheme=scheme), node=node,
                         parent=parent, method=method, category_names=category_names())


def item_row(doc: dict, kind: str, item: str | None) -> dict | None:
    """The 奖惩事项 (kind="adjustment") or 一票否决 (kind="veto") row `item` (404 when there is
    none); None for a new one."""
    if item is None:
        return None
    rows = ((doc.get("adjustments") or {}).get("items") if kind == "adjustment" else doc.get("vetoes")) or []
    row = next((r for r in rows if isinstance(r, dict) and r.get("code") == item), None)
    if row is None:
        raise Http404
    return row
