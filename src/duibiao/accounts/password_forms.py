"""The form of the password change page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest

    from duibiao.accounts.models import User


class OwnPasswordForm(PasswordChangeForm):
    """Django's form (old password, new twice, AUTH_PASSWORD_VALIDATORS on the new one), with
    the old password checked through authenticate: a wrong guess counts towards the lockout
    like a wrong sign-in, so an unattended session cannot be used to guess the password."""

    def __init__(self, user: User, data: Mapping[str, Any] | None = None, *, request: HttpRequest | None = None):
        super().__init__(user, data)
        self.request = request
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:  # shown in red next to the field that caused it
                self.fields[name].widget.attrs["class"] = "form-control is-invalid"

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old) is None:
            raise forms.ValidationError(self.error_messages["password_incorrect"],
                                        code="password_incorrect")
        return old

    def clean_new_password1(self) -> str:
        new = self.cleaned_data["new_password1"]
        if new and new == self.data.get("old_password"):
            raise forms.ValidationError(_("新密码不能与原密码相同。"), code="password_unchanged")
        return new
