"""What a value and a text may be: a value against its indicator, a text against its column.

One place, so that every path agrees: the reporting form and the API (`submission_save`),
the Excel import (`submission_bulk_save`), the task force's scores (`score_record`), the
run snapshot, the pages that flag stored values, and `duibiao check_values`. It also makes
SQLite (which stores whatever it is given) and PostgreSQL (which refuses what does not fit
the column, as a server error) behave the same: nothing reaches either that does not fit.

A value is checked in this order, and the first rule it breaks is the message:
a number at all (thousands separators only in groups of three: "1,234.5", never "12,5")
→ finite → fits `Submission.value` (Decimal(20, 6)) → its kind (是/否, 百分比) → the ranges
its scheme gives. A range rule is a function of the indicator and what the scheme document
says about it (`RANGE_RULES`): the manual score's 0–满分, and the indicator's value rule
(`min`, `max`, `integer`, or its kind's default: 百分比 0–100, 次数 ≥ 0 whole, 时长 ≥ 0),
the same `engine.ValueRule` that `duibiao score` checks its files against.

    rules = value_rules(period.version)      # parses the scheme once
    rules.clean(indicator, "95.5%")          # → Decimal("95.5"), or InvalidValue
    rules.problem(indicator, stored_value)   # → None, or why a stored value is wrong
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duibiao import engine
from duibiao.assessment.errors import InvalidValue
from duibiao.assessment.models import Appeal, Indicator, SchemeVersion
from duibiao.schemes import SchemeDocumentError, load_scheme_text

INTEGER_DIGITS = 14  # Submission.value is Decimal(20, 6): 14 digits before the point …
DECIMALS = 6  # … and 6 after it
COLUMN_LIMIT = Decimal(10) ** INTEGER_DIGITS
# The reporting template's cell validation says the same (百分比 -1000 … 1000): a rate is
# typed as a percentage, and four digits catch a value typed per mille or in the wrong unit.
PERCENT_LIMIT = Decimal(1000)
BALLOT_LIMIT = 10**7  # votes per grade: above any district's electorate
RAW_LENGTH = 40  # characters: longer typed "numbers" are not numbers anyone means
YES_NO_WORDS = {"是": 1, "否": 0, "yes": 1, "no": 0, "y": 1, "n": 0, "1": 1, "0": 0, "true": 1, "false": 0}
BALLOT_COUNT = re.compile(r"[0-9]+")

# Free-text columns without a length of their own (TextField), and the limit every form,
# the API and the services hold them to.
TEXT_LIMITS: dict[tuple[type[models.Model], str], int] = {
    (Appeal, "reason"): 2000,
    (Appeal, "decision"): 2000,
}


@dataclass(frozen=True)
class Range:
    """A closed range a value must fall in, and what to tell the user when it does not."""

    lower: Decimal | None
    upper: Decimal | None
    message: str | Promise
    args: Mapping[str, object] = field(default_factory=dict)
    integer: bool = False
    unit: str = ""  # unit of measure, named after the message

    def refuses(self, value: Decimal) -> bool:
        if self.integer and value != value.to_integral_value():
            return True
        return (self.lower is not None and value < self.lower) or (self.upper is not None and value > self.upper)

    def text(self) -> str:
        text = str(self.message) % dict(self.args) if self.args else str(self.message)
        return text + _("（单位：%(unit)s）") % {"unit": self.unit} if self.unit else text


# A rule reads the indicator row and the scheme document's own indicator (None when the
# stored document no longer loads): its normalisation parameters and its value rule.
RangeRule = Callable[[Indicator, "engine.Indicator | None"], "Range | None"]


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _manual_range(indicator: Indicator, spec: engine.Indicator | None) -> Range | None:
    """A task force's manual score is out of the scheme's `full` (满分值, 100 unless given)."""
    if indicator.method != "manual":
        return None
    params: Mapping[str, Any] = spec.params if spec is not None else {}
    full = _decimal(params.get("full", 100)) or Decimal(100)
    return Range(Decimal(0), full, gettext_lazy("专班评分应在 0–%(full)s 之间"), {"full": _plain(full)})


# The value rule's message by which bounds it has and whether it takes whole numbers only.
_RULE_MESSAGES: dict[tuple[bool, bool, bool], str | Promise] = {
    (True, True, False): gettext_lazy("应在 %(low)s–%(high)s 之间"),
    (True, True, True): gettext_lazy("应为 %(low)s–%(high)s 之间的整数"),
    (True, False, False): gettext_lazy("不能小于 %(low)s"),
    (True, False, True): gettext_lazy("应为不小于 %(low)s 的整数"),
    (False, True, False): gettext_lazy("不能大于 %(high)s"),
    (False, True, True): gettext_lazy("应为不大于 %(high)s 的整数"),
    (False, False, True): gettext_lazy("应为整数"),
}


def _scheme_range(indicator: Indicator, spec: engine.Indicator | None) -> Range | None:
    """The indicator's value rule from the scheme (`min`, `max`, `integer`), or its kind's
    default when the scheme gives none: 百分比 0–100, 次数 a whole number ≥ 0, 时长 ≥ 0, a
    lower-is-better target ≥ 0. A manual score's default (0–满分) is `_manual_range`'s."""
    if indicator.kind == Indicator.Kind.BALLOT:
        return None  # votes per grade: ballots_clean
    rule = spec.values if spec is not None else engine.default_value_rule(
        kind=indicator.kind, unit_of_measure=indicator.unit_of_measure, method=indicator.method,
        direction=indicator.direction,
    )
    if not rule.active or rule.basis in ("manual", "yes-no"):
        return None  # said by _manual_range and _kind_problem, in their own words
    low = None if rule.min is None else _decimal(rule.min)
    high = None if rule.max is None else _decimal(rule.max)
    if low == 0 and high is None and rule.integer:
        message: str | Promise = gettext_lazy("应为非负整数")
    else:
        message = _RULE_MESSAGES[(low is not None, high is not None, rule.integer)]
    args = {"low": _plain(low) if low is not None else "", "high": _plain(high) if high is not None else ""}
    return Range(low, high, message, args, integer=rule.integer, unit=rule.unit)


RANGE_RULES: list[RangeRule] = [_manual_range, _scheme_range]


def _decimal(raw: object) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


class ValueRules:
    """The value rules of one scheme version. Built once per version (`value_rules`), so a
    run snapshot or an import of 100 000 values parses the scheme document once."""

    def __init__(self, specs: Mapping[str, engine.Indicator]) -> None:
        self._specs = specs
        self._ranges: dict[tuple[str, str, str], list[Range]] = {}

    def ranges(self, indicator: Indicator) -> list[Range]:
        key = (indicator.code, indicator.kind, indicator.method)
        if key not in self._ranges:
            spec = self._specs.get(indicator.code)
            found = (rule(indicator, spec) for rule in RANGE_RULES)
            self._ranges[key] = [r for r in found if r is not None]
        return self._ranges[key]

    def problem(self, indicator: Indicator, value: Decimal | None) -> str | None:
        """Why a value (typed, or already stored) is not acceptable; None when it is."""
        if value is None:
            return None
        if not value.is_finite():
            return _("不是有效数字")
        if abs(value) >= COLUMN_LIMIT:
            return _("数值过大：整数部分最多 %(n)d 位") % {"n": INTEGER_DIGITS}
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > DECIMALS:
            return _("小数最多 %(n)d 位") % {"n": DECIMALS}
        kind = _kind_problem(indicator, value)
        if kind:
            return kind
        for bounds in self.ranges(indicator):
            if bounds.refuses(value):
                return bounds.text()
        return None

    def clean(self, indicator: Indicator, raw: object) -> Decimal | None:
        """The value as a Decimal, or InvalidValue with a message fit for a user."""
        value = parse_value(indicator, raw)
        problem = self.problem(indicator, value)
        if problem:
            raise InvalidValue(problem)
        return value


def _kind_problem(indicator: Indicator, value: Decimal) -> str | None:
    # 次数 (a whole number ≥ 0) is the count's default value rule (RANGE_RULES), which a
    # scheme may change (`integer: false` for averaged counts); 是/否 and the percent
    # typing check are what the kind itself means.
    if indicator.kind == Indicator.Kind.YES_NO and value not in (0, 1):
        return _("应填“是”或“否”")
    if indicator.kind == Indicator.Kind.PERCENT and abs(value) > PERCENT_LIMIT:
        return _("百分比超出合理范围（应以百分数填写，如 95 表示 95%）")
    return None


def parse_value(indicator: Indicator, raw: object) -> Decimal | None:
    """What was typed (or read from a cell) as a Decimal, before any range check; None
    for a blank. Raises InvalidValue when it is not a number at all."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if isinstance(raw, Decimal):
        return raw
    if indicator.kind == Indicator.Kind.YES_NO and isinstance(raw, str):
        key = raw.strip().lower()
        if key not in YES_NO_WORDS:
            raise InvalidValue(_("应填“是”或“否”"))
        return Decimal(YES_NO_WORDS[key])
    if isinstance(raw, bool):
        raw = int(raw)
    text = str(raw).strip()
    if indicator.kind == Indicator.Kind.PERCENT:
        text = text.rstrip("%％").strip()
    shown = str(raw) if len(str(raw)) <= RAW_LENGTH else str(raw)[:RAW_LENGTH] + "…"
    if len(text) > RAW_LENGTH:
        raise InvalidValue(_("“%(raw)s”不是数字（过长）") % {"raw": shown})
    try:
        # The same reading of "1,234.5" as `duibiao score`: separators in groups of three.
        text = engine.strip_thousands(text)
    except engine.MisplacedSeparator:
        raise InvalidValue(
            _("“%(raw)s”的千分位分隔符位置不对（应每三位一组，如 1,234.5；小数点用“.”）") % {"raw": shown}
        ) from None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidValue(_("“%(raw)s”不是数字") % {"raw": shown}) from None
    if not value.is_finite():
        raise InvalidValue(_("“%(raw)s”不是有效数字") % {"raw": shown})
    return value


def ballots_clean(indicator: Indicator, raw: Mapping[str, object]) -> dict[str, int]:
    """Vote counts per grade of a ballot indicator (民主测评), in the scheme's grade order."""
    ballots: dict[str, int] = {}
    for grade in indicator.grade_names:
        text = str(raw.get(grade, "") or "0").strip()
        if not BALLOT_COUNT.fullmatch(text):
            raise InvalidValue(_("“%(grade)s”票数应为非负整数") % {"grade": grade})
        count = int(text[:12])
        if len(text) > 12 or count > BALLOT_LIMIT:
            raise InvalidValue(_("“%(grade)s”票数过大（最多 %(n)d 票）") % {"grade": grade, "n": BALLOT_LIMIT})
        ballots[grade] = count
    unknown = set(raw) - set(indicator.grade_names)
    if unknown:
        raise InvalidValue(_("未知的测评等次：%(grades)s") % {"grades": "、".join(sorted(unknown))})
    if sum(ballots.values()) == 0:
        raise InvalidValue(_("测评票数合计不能为 0"))
    return ballots


def ballots_problem(indicator: Indicator, ballots: Mapping[str, object] | None) -> str | None:
    """Why stored ballots are not acceptable (None when they are, or there are none)."""
    if not ballots:
        return None
    try:
        ballots_clean(indicator, {k: str(v) for k, v in ballots.items()})
    except InvalidValue as exc:
        return str(exc)
    return None


def value_rules(version: SchemeVersion) -> ValueRules:
    """The rules of a scheme version (cached by its document: versions never change)."""
    return _rules_for_document(version.document)


@lru_cache(maxsize=16)
def _rules_for_document(document: str) -> ValueRules:
    try:
        scheme = load_scheme_text(document)
    except SchemeDocumentError:
        # Every stored version was valid when saved; a loader that has since grown
        # stricter must not stop anyone from reporting, so only the kind rules apply.
        return ValueRules({})
    return ValueRules({i.code: i for i in scheme.indicators})


def value_clean(indicator: Indicator, raw: object, rules: ValueRules | None = None) -> Decimal | None:
    """Parse and check one value of an indicator; raises InvalidValue."""
    return (rules or value_rules(indicator.version)).clean(indicator, raw)


def submission_problem(submission: Any, rules: ValueRules) -> str | None:
    """Why a stored submission's value (or ballots) would not be accepted today."""
    indicator = submission.indicator
    if indicator.kind == Indicator.Kind.BALLOT:
        problem = ballots_problem(indicator, submission.ballots)
    else:
        problem = rules.problem(indicator, submission.value)
    limit = text_limit(type(submission), "note")
    if problem is None and len(submission.note or "") > limit:
        problem = _("填报说明超过 %(n)d 字") % {"n": limit}
    return problem


YEARS = (2000, 2100)  # the period, scheme and calendar forms offer the same range


def year_clean(year: int) -> int:
    """A year for a scheme, period, calendar or combination (a PositiveIntegerField that
    PostgreSQL would refuse below 0 or above 2^31, and SQLite would keep)."""
    if not YEARS[0] <= year <= YEARS[1]:
        raise InvalidValue(_("年度应在 %(low)d–%(high)d 之间") % {"low": YEARS[0], "high": YEARS[1]})
    return year


def text_limit(model: type[models.Model], name: str) -> int:
    """How many characters a text column takes: its max_length, or its documented limit."""
    column = model._meta.get_field(name)
    limit = getattr(column, "max_length", None) or TEXT_LIMITS.get((model, name))
    if limit is None:
        raise LookupError(f"{model.__name__}.{name} has no length limit; add one to TEXT_LIMITS")
    return int(limit)


def text_label(model: type[models.Model], name: str) -> str:
    """A column's label as people read it (its verbose name, in the current language)."""
    field = model._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, models.Field) else name


def text_clean(text: object, *, model: type[models.Model], name: str, required: str = "") -> str:
    """The text stripped, or InvalidValue: longer than its column takes (the same on SQLite,
    which would store it, and PostgreSQL, which would fail), or blank when `required`
    (the message to show then) is given."""
    value = "" if text is None else str(text).strip()
    if not value and required:
        raise InvalidValue(required)
    limit = text_limit(model, name)
    if len(value) > limit:
        label = text_label(model, name)
        raise InvalidValue(_("“%(label)s”最多 %(limit)d 字，现有 %(n)d 字") % {
            "label": label, "limit": limit, "n": len(value)})
    return value
