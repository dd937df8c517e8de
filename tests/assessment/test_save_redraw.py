"""The 填报 page's save (htmx) answers with the saved row, read on its own: not every indicator
and value of the unit to pick one out, and the period, unit and indicator each read once (the
audit row names the submission by the objects in hand)."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duibiao.assessment.models import Submission
from duibiao.assessment.services.submissions import ValueInput, submission_save
from duibiao.audit.models import AuditEntry

HTMX = {"HTTP_HX_REQUEST": "true"}


def save_url(assessed, code: str) -> str:
    return reverse("assessment:value_save", args=[assessed["period"].pk, "jingyu", code])


def selects_from(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and re.search(rf'FROM "{table}"', q["sql"])]


def test_the_saved_row_is_redrawn_from_its_own_value_only(client_for, assessed):
    other = submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                            item=ValueInput(indicator=assessed["ind"]["nl03"], value="91", expected_version=0))
    client = client_for(assessed["reporter_a"])
    client.post(save_url(assessed, "nl02"), {"value": "95", "version": "0"}, **HTMX)  # warm: caches filled
    with CaptureQueriesContext(connection) as captured:
        response = client.post(save_url(assessed, "nl02"), {"value": "96", "note": "以台账为准", "version": "1"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="row-nl02"' in page and 'data-testid="row-saved"' in page and 'value="2"' in page
    assert 'data-testid="row-nl03"' not in page  # the row, not the page
    # Every read of the unit's values names this indicator: the other rows are not read.
    reads = selects_from(captured.captured_queries, "assessment_submission")
    nl02 = assessed["ind"]["nl02"].pk
    mine = (f'"assessment_submission"."indicator_id" = {nl02}', '"assessment_submission"."id" = ')
    assert reads and all(any(where in sql for where in mine) for sql in reads), reads
    # One row needs no ordering: not joined to the period, the unit and the indicator to sort it.
    assert not [sql for sql in reads if "JOIN" in sql], reads
    # The indicator is read once, by its code; the period and the unit once each.
    indicators = selects_from(captured.captured_queries, "assessment_indicator")
    assert len(indicators) == 1 and '"code" =' in indicators[0], indicators
    assert len(selects_from(captured.captured_queries, "assessment_period")) == 1
    one_unit = [sql for sql in selects_from(captured.captured_queries, "org_unit")
                if '"code" =' in sql or ('"id" = ' in sql and "LIMIT 21" in sql)]  # by code, or fetched by id
    assert len(one_unit) == 1, one_unit
    saved = Submission.objects.get(indicator__code="nl02")
    assert (saved.value, saved.note, saved.version) == (96, "以台账为准", 2)
    assert Submission.objects.get(pk=other.pk).version == 1  # untouched
    entry = AuditEntry.objects.filter(action="submission.save", object_id=str(saved.pk)).order_by("pk").last()
    assert entry.object_repr == str(saved)  # still named in full without reading them again


def test_a_refused_value_redraws_its_row_with_the_reason(client_for, assessed):
    client = client_for(assessed["reporter_a"])
    response = client.post(save_url(assessed, "nl02"), {"value": "一百", "version": "0"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 422
    assert 'data-testid="row-nl02"' in page and "不是数字" in page and 'data-cell="error"' in page
    assert not Submission.objects.exists()


def test_an_indicator_the_unit_does_not_report_has_no_row_to_redraw(client_for, assessed):
    """A hand-made request for the task force's manual indicator: refused in the page's alert
    area, with the reason, and nothing stored."""
    client = client_for(assessed["reporter_a"])
    response = client.post(save_url(assessed, "nl01"), {"value": "1", "version": "0"}, **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#page-alerts"
    assert "单位不填报" in response.content.decode()
    assert not Submission.objects.exists()
