"""The office's dispatch settings in the system administrator's site: the cadence rules
(which levels and flags each 调度会 takes, its default assignment deadline) and the lead stage
time limits. Without a row the defaults of dispatch_rules / lead_rules apply."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from duibiao.accounts.admin import SysadminPermissions
from duibiao.accounts.admin_site import admin_site
from duibiao.projects.dispatch_rules import FLAG_LABELS
from duibiao.projects.models import CadenceRule, LeadStageLimit, Level


class CadenceRuleForm(forms.ModelForm):
    # Chosen from the vocabularies, so a rule never names a level or colour that does not exist.
    levels = forms.MultipleChoiceField(label=_("项目级别"), choices=Level.choices, widget=forms.CheckboxSelectMultiple)
    flags = forms.MultipleChoiceField(label=_("纳入的预警颜色"), choices=list(FLAG_LABELS.items()),
                                      widget=forms.CheckboxSelectMultiple)
    every_workdays = forms.IntegerField(label=_("间隔（工作日）"), min_value=1, max_value=30)
    assignment_workdays = forms.IntegerField(label=_("交办默认期限（工作日）"), min_value=1, max_value=60)

    class Meta:
        model = CadenceRule
        fields = ["cadence", "chair", "every_workdays", "assignment_workdays", "levels", "flags"]


class CadenceRuleAdmin(SysadminPermissions, admin.ModelAdmin):
    form = CadenceRuleForm
    list_display = ["cadence", "chair", "every_workdays", "assignment_workdays", "levels", "flags"]


class LeadStageLimitForm(forms.ModelForm):
    workdays = forms.IntegerField(label=_("时限（工作日）"), min_value=1, max_value=250)

    class Meta:
        model = LeadStageLimit
        fields = ["stage", "workdays"]


class LeadStageLimitAdmin(SysadminPermissions, admin.ModelAdmin):
    form = LeadStageLimitForm
    list_display = ["stage", "workdays"]


admin_site.register(CadenceRule, CadenceRuleAdmin)
admin_site.register(LeadStageLimit, LeadStageLimitAdmin)
