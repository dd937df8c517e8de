"""The one check of each value the enterprises and work statistics take — the page's form, the
API and the demo loader call these, so a value is refused for the same reason everywhere.

Each raises `InvalidValue` naming the field, so a page shows the message beside it.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext as _

from duibiao.inspections.credit_code import credit_code_problems, normalise_credit_code
from duibiao.inspections.errors import InspectionError
from duibiao.inspections.models.worklogs import QUANTITY_DIGITS, QUANTITY_PLACES
from duibiao.inspections.services._common import text_clean as _text_clean


class InvalidValue(InspectionError):
    """A value that does not fit; `field` names the form field it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def credit_code_clean(raw: object, *, field: str = "credit_code") -> str:
    """统一社会信用代码 as stored (normalised: half-width, upper case), checked by its check
    character (GB 32100-2015); the first problem is the message."""
    code = normalise_credit_code(str(raw or ""))
    if not code:
        raise InvalidValue(field, _("请填写统一社会信用代码"))
    problems = credit_code_problems(code)
    if problems:
        raise InvalidValue(field, _("统一社会信用代码“%(code)s”有误：%(problem)s") % {"code": code, "problem": problems[0]})
    return code


MAX_QUANTITY = Decimal(10) ** (QUANTITY_DIGITS - QUANTITY_PLACES)


def quantity_clean(raw: object, *, field: str = "quantity") -> Decimal:
    """A quantity of work: a finite number ≥ 0 with at most two decimals, below 10¹⁰."""
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    if not text:
        raise InvalidValue(field, _("请填写数量"))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidValue(field, _("数量“%(text)s”不是数字") % {"text": text[:20]}) from None
    if not value.is_finite() or not math.isfinite(float(value)):
        raise InvalidValue(field, _("数量必须是有限的数字"))
    if value < 0:
        raise InvalidValue(field, _("数量不能为负数"))
    if value >= MAX_QUANTITY:
        raise InvalidValue(field, _("数量过大，请核对计量单位"))
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_PLACES:
        raise InvalidValue(field, _("数量最多保留两位小数"))
    return value.quantize(Decimal(1).scaleb(-QUANTITY_PLACES))


def text_clean(raw: object, *, model: type[models.Model], field: str, required: bool = False) -> str:
    """A text field through the app's one text check (services._common.text_clean), its
    refusal tied to the field."""
    label = str(getattr(model._meta.get_field(field), "verbose_name", field))
    try:
        return _text_clean(raw, model=model, name=field, required=_("请填写%(label)s") % {"label": label}
                           if required else "")
    except InspectionError as exc:
        raise InvalidValue(field, str(exc)) from None


def choice_clean(raw: object, *, choices: type[models.TextChoices], field: str, label: str) -> str:
    value = str(raw or "")
    if value not in choices.values:
        raise InvalidValue(field, _("请选择%(label)s") % {"label": label})
    return value


def day_clean(value: date | None, *, field: str, label: str, not_after: date | None = None,
              required: bool = True) -> date | None:
    """A date that is given when required and not later than `not_after` (e.g. today)."""
    if value is None:
        if required:
            raise InvalidValue(field, _("请填写%(label)s") % {"label": label})
        return None
    if not_after is not None and value > not_after:
        raise InvalidValue(field, _("%(label)s不能晚于 %(day)s") % {"label": label, "day": not_after.isoformat()})
    return value
