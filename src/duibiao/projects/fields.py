"""The one validation of each value of a project's ledger, for the form, the API and the
Excel import alike: every value parsed here once, with the reason in Chinese when it does
not fit. Vocabularies are read by `projects.rates` (code or Chinese label), as the
`duibiao project-rates` command reads them.

    values, errors = parse_project({"code": "XM-01", "stage": "续建", "planned_total": "800"})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from duibiao.projects.rates import Funding, Kind, Level, Stage

MAX_MONEY = Decimal("999999999999.99")  # the column: 14 digits, 2 decimals (万元)


class Bad(ValueError):
    """A value that does not fit; the message is the Chinese reason."""


def _text(limit: int, required: bool = False) -> Callable[[object], str]:
    def parse(raw: object) -> str:
        text = "" if raw is None else str(raw).strip()
        if required and not text:
            raise Bad(_("必填"))
        if len(text) > limit:
            raise Bad(_("不能超过 %(n)d 个字") % {"n": limit})
        return text
    return parse


def _money(raw: object) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise Bad(_("应为金额（万元）"))
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise Bad(_("应为金额（万元），如 1200 或 35.5")) from None
    if not value.is_finite():
        raise Bad(_("应为金额（万元），如 1200 或 35.5"))
    if value < 0:
        raise Bad(_("金额不能为负数"))
    if value > MAX_MONEY:
        raise Bad(_("金额过大"))
    return value.quantize(Decimal("0.01"))


def _required_money(raw: object) -> Decimal:
    value = _money(raw)
    if value is None:
        raise Bad(_("必填"))
    return value


def _date(raw: object) -> date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise Bad(_("应为日期，如 2026-03-15")) from None


def _vocabulary(kind: type[Stage] | type[Level] | type[Kind] | type[Funding]) -> Callable[[object], str]:
    def parse(raw: object) -> str:
        text = "" if raw is None else str(raw)
        if not text.strip():
            raise Bad(_("必填"))
        member = kind.parse(text)
        if member is None:
            raise Bad(_("应为以下之一：%(allowed)s") % {"allowed": kind.allowed()})
        return member.value
    return parse


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    parse: Callable[[object], object]


# The ledger's columns, in the order of the form, the workbook and the API.
FIELDS: tuple[Field, ...] = (
    Field("code", "项目编号", _text(40, required=True)),
    Field("name", "项目名称", _text(200, required=True)),
    Field("level", "项目级别", _vocabulary(Level)),
    Field("type", "项目类型", _vocabulary(Kind)),
    Field("stage", "建设阶段", _vocabulary(Stage)),
    Field("source", "投资来源", _vocabulary(Funding)),
    Field("leader_name", "包保领导", _text(50)),
    Field("legal_person", "项目法人", _text(100)),
    Field("contact_phone", "联系电话", _text(30)),
    Field("planned_total", "计划总投资（万元）", _required_money),
    Field("planned_annual", "年度计划投资（万元）", _money),
    Field("funds_planned", "计划到位资金（万元）", _money),
    Field("planned_start", "计划开工日期", _date),
    Field("planned_completion", "计划竣工日期", _date),
    Field("actual_start", "实际开工日期", _date),
    Field("actual_completion", "实际竣工日期", _date),
    Field("in_stats_on", "入库日期", _date),
    Field("location", "建设地点", _text(200)),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
LABELS = {f.name: f.label for f in FIELDS}
# Pairs that must be in order: (earlier, later).
ORDERED = (("planned_start", "planned_completion"), ("actual_start", "actual_completion"))


def parse_project(raw: Mapping[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    """Each value of `raw` parsed by its field (a missing key reads as blank): the values,
    and the reasons of those that do not fit, by field name."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for field in FIELDS:
        try:
            values[field.name] = field.parse(raw.get(field.name))
        except Bad as exc:
            errors[field.name] = str(exc)
    for first, then in ORDERED:
        a, b = values.get(first), values.get(then)
        if isinstance(a, date) and isinstance(b, date) and b < a and then not in errors:
            errors[then] = _("不能早于%(field)s") % {"field": LABELS[first]}
    return values, errors


def parse_money(raw: object, *, required: bool = False) -> Decimal | None:
    """One amount in 万元 (progress reports use the same rule as the ledger)."""
    return _required_money(raw) if required else _money(raw)


def parse_date(raw: object) -> date | None:
    return _date(raw)
