"""Request parameters: the one parser for the numbers, dates and versions views read from a
form or a query string.

A malformed parameter (a tampered hidden field, `year=abc`, `workdays=1e99`) raises
`BadParameter`, a `BadRequest`: the site's middleware answers 400 with the message, in
Chinese, in the page layout or in the htmx fragment — never a 500. Django only; every
app's views may use it.

    version = version_param(request.POST)               # the optimistic lock, required
    year = int_param(request.GET, "year", label=_("年度"), default=today.year)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

INTEGER = re.compile(r"[+-]?[0-9]{1,15}")
NUMBER_LENGTH = 40
_MISSING: Any = object()


class BadParameter(BadRequest):
    """A request parameter that is missing or malformed; the message says which and why."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.name = name

    def __str__(self) -> str:
        return self.message


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    return "" if value is None else str(value).strip()


def int_param(
    data: Mapping[str, Any], name: str, *, label: str, default: Any = _MISSING,
    min_value: int | None = None, max_value: int | None = None,
) -> Any:
    """An integer parameter; `default` (which may be None) when blank, else 400 if missing."""
    text = _text(data, name)
    if not text:
        if default is _MISSING:
            raise BadParameter(_("缺少“%(label)s”") % {"label": label}, name)
        return default
    if not INTEGER.fullmatch(text):
        raise BadParameter(_("“%(label)s”应为整数，收到“%(value)s”") % {"label": label, "value": text[:20]}, name)
    value = int(text)
    if (min_value is not None and value < min_value) or (max_value is not None and value > max_value):
        raise BadParameter(_("“%(label)s”应在 %(low)s 到 %(high)s 之间") % {
            "label": label, "low": "—" if min_value is None else min_value,
            "high": "—" if max_value is None else max_value}, name)
    return value


def number_param(data: Mapping[str, Any], name: str, *, label: str, default: Any = _MISSING) -> Any:
    """A finite decimal number (NaN, infinities and 40-character numbers are refused)."""
    text = _text(data, name)
    if not text:
        if default is _MISSING:
            raise BadParameter(_("缺少“%(label)s”") % {"label": label}, name)
        return default
    try:
        value = float(text) if len(text) <= NUMBER_LENGTH else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BadParameter(_("“%(label)s”应为数字，收到“%(value)s”") % {"label": label, "value": text[:20]}, name)
    return value


def number_fields(
    data: Mapping[str, Any], prefix: str, *, ignore: str = ""
) -> tuple[dict[str, float], list[str]]:
    """Every non-blank field named ``<prefix><key>`` as a number keyed by ``key`` (the
    characters in `ignore`, such as "%", dropped first), and the messages of the malformed
    ones — all of them, so that a form of many values says everything wrong at once.

        values, errors = number_fields(request.POST, "v-", ignore="%")
    """
    values: dict[str, float] = {}
    errors: list[str] = []
    for name, raw in data.items():
        if not name.startswith(prefix) or not str(raw).strip():
            continue
        key, text = name[len(prefix):], str(raw)
        for char in ignore:
            text = text.replace(char, "")
        try:
            values[key] = number_param({name: text}, name, label=key)
        except BadParameter as exc:
            errors.append(str(exc))
    return values, errors


def date_param(data: Mapping[str, Any], name: str, *, label: str, default: Any = _MISSING) -> Any:
    """A date as YYYY-MM-DD."""
    text = _text(data, name)
    if not text:
        if default is _MISSING:
            raise BadParameter(_("缺少“%(label)s”") % {"label": label}, name)
        return default
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) == 10 else dt.date.fromisoformat("x")
    except ValueError:
        raise BadParameter(_("“%(label)s”应为日期（如 2026-10-09），收到“%(value)s”") % {
            "label": label, "value": text[:20]}, name) from None


def version_param(data: Mapping[str, Any], name: str = "version") -> int:
    """The version a form was built from (the optimistic lock; 0 for a value not saved
    yet). Required: a form without it (a page from before the field existed, or a
    hand-made request) could overwrite someone else's change unseen."""
    text = _text(data, name)
    if not INTEGER.fullmatch(text) or int(text) < 0:
        raise BadParameter(_("页面已过期（缺少数据版本），请刷新页面后再保存"), name)
    return int(text)


def choice_param(data: Mapping[str, Any], name: str, *, label: str, choices: Iterable[str], default: str = "") -> str:
    """One of `choices` (a status, a unit's code in a filter); `default` when blank, else 400.

        status = choice_param(request.GET, "status", label=_("状态"), choices=("submitted", "approved"))
    """
    text = _text(data, name)
    if not text:
        return default
    if text not in set(choices):
        raise BadParameter(_("“%(label)s”没有“%(value)s”这一项") % {"label": label, "value": text[:20]}, name)
    return text
