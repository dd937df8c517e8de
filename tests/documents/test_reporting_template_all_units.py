"""The all-units 填报模板, built in bulk (the indicators read once, every unit's values in one
query, each validation's cells given at once): every sheet is the one-unit template of its
unit, cell for cell and validation for validation, and the queries do not grow with the units."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from duibiao.assessment.models import Submission
from duibiao.assessment.selectors.reporting import reporting_rows, reporting_rows_many
from duibiao.assessment.services.submissions import ValueInput, submission_save, submission_submit
from duibiao.documents import exports
from duibiao.documents.selectors import period_units
from duibiao.org.models import Unit
from duibiao.org.services import unit_create
from tests.documents.conftest import open_xlsx


def _sheet(ws) -> tuple[list, list]:
    cells = [[(c.value, c.style_id, c.protection.locked) for c in row] for row in ws.iter_rows()]
    checks = sorted((dv.type, dv.formula1, dv.formula2, dv.error, dv.prompt, str(dv.sqref))
                    for dv in ws.data_validations.dataValidation)
    return cells, checks


def _mixed(excel):
    """Values in two states (a draft, a submitted one) and a stored value no longer valid."""
    a, b = excel["a"], excel["b"]
    submission_save(actor=excel["reporter_a"], period=excel["period"], unit=a,
                    item=ValueInput(excel["ind"]["nl02"], value="88", note="草稿", expected_version=0))
    submission_save(actor=excel["reporter_b"], period=excel["period"], unit=b,
                    item=ValueInput(excel["ind"]["nl03"], value="91", note="已交", expected_version=0))
    submission_submit(actor=excel["reporter_b"], period=excel["period"], unit=b, confirm=True)
    Submission.objects.filter(unit=a, indicator__code="nl02").update(value=Decimal("-5"))


def test_bulk_rows_are_each_units_rows(excel):
    _mixed(excel)
    units = period_units(user=excel["office"], period=excel["period"])
    many = reporting_rows_many(user=excel["office"], period=excel["period"], units=units)
    assert len(units) >= 3
    for unit in units:
        one = reporting_rows(user=excel["office"], period=excel["period"], unit=unit)
        assert [(r.indicator.pk, r.submission.pk if r.submission else None, r.problem) for r in one] == \
            [(r.indicator.pk, r.submission.pk if r.submission else None, r.problem) for r in many[unit.pk]]
    assert any(r.problem for rows in many.values() for r in rows)  # the invalid value is flagged


def test_every_sheet_is_the_one_unit_template(excel):
    _mixed(excel)
    _, data = exports.reporting_template(user=excel["office"], period=excel["period"])
    book = open_xlsx(data)
    units = period_units(user=excel["office"], period=excel["period"])
    assert len(book.worksheets) == len(units)
    for unit, ws in zip(units, book.worksheets, strict=True):
        one = open_xlsx(exports.reporting_template(user=excel["office"], period=excel["period"], unit=unit)[1])
        assert ws["I1"].value == f"unit:{unit.code}"
        assert _sheet(ws) == _sheet(one.worksheets[0])
        assert ws.data_validations.dataValidation  # every input cell is checked by Excel


def test_queries_do_not_grow_with_the_units(excel):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            exports.reporting_template(user=excel["office"], period=excel["period"])
        return len(queries.captured_queries)

    count()  # the gate keeps the user's grants once read
    before = count()
    street = Unit.objects.get(code="jingyu")
    for n in range(5):
        unit_create(actor=None, code=f"extra{n}", name=f"新增街道{n}", kind=street.kind, parent=street.parent,
                    category=street.category)
    assert count() == before


def test_a_unit_outside_the_scope_is_refused(excel):
    import pytest
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises((Http404, PermissionDenied)):
        reporting_rows_many(user=excel["reporter_a"], period=excel["period"], units=[excel["a"], excel["b"]])
