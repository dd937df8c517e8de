"""Forms of the account pages: they parse and check the input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from duibiao.accounts.roles import Role
from duibiao.org.models import TaskForce, Unit


class UnitChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        # Indented by depth, so that a long list still reads as the tree it is.
        depth = max(0, obj.path.strip("/").count("/"))
        return "\u3000" * depth + obj.name


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices,
                             widget=forms.Select(attrs={"class": "form-select"}))
    units = UnitChoices(label=_("范围单位"), queryset=None, required=False,
                        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 12}))
    include_subtree = forms.BooleanField(label=_("含下级单位"), required=False, initial=True,
                                         widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    taskforce: forms.ModelChoiceField[TaskForce] = forms.ModelChoiceField(label=_("所属专班"), queryset=None, required=False,
                                       empty_label=_("（不属于专班）"),
                                       widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(
        self, *args: Any, units: QuerySet[Unit], taskforces: QuerySet[TaskForce], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # self.fields holds copies of the fields above (typed as plain Field: hence the casts).
        cast(UnitChoices, self.fields["units"]).queryset = units
        cast(forms.ModelChoiceField, self.fields["taskforce"]).queryset = taskforces
