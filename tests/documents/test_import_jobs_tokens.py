"""An integration token's reach holds in the worker too: the worker imports (and exports) as the job's owner
with the grants he holds, not the token's narrower scope, so a token call is imported in the
request, where the gate narrows it, and is never queued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from duibiao.accounts import gate
from duibiao.accounts.tokens import token_create
from duibiao.assessment.models import Submission
from duibiao.documents import exports
from duibiao.documents.export_jobs import export_job_create
from duibiao.documents.import_jobs import import_job_create
from duibiao.documents.models import ExportJob, ImportJob
from tests.documents.conftest import open_xlsx, padded, row_of, upload

ACTIONS = ["assessment.scheme.view", "assessment.report.view", "assessment.submission.report"]


def _all_units_template(excel) -> bytes:
    """The office's all-units template with a value on every unit's sheet."""
    wb = open_xlsx(exports.reporting_template(user=excel["office"], period=excel["period"])[1])
    for ws in wb.worksheets:
        ws.cell(row_of(ws, "nl02"), 6).value = 95
    assert len(wb.worksheets) >= 2  # 靖宇街道 and 太古街道 at least
    return padded(wb)


def test_a_unit_scoped_token_cannot_reach_other_units_through_a_background_import(excel):
    held = [a for a in ACTIONS if a in gate.actions(excel["office"])]
    _token, secret = token_create(actor=excel["office"], name="靖宇对接", actions=held, units=["jingyu"],
                                  expires_on=timezone.localdate() + timedelta(days=30))
    data = _all_units_template(excel)  # over the background threshold
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        f"/api/documents/periods/{excel['period'].pk}/template", {"file": upload(data)})
    # Imported in the request, as the token: never queued for a worker acting as the office.
    assert not ImportJob.objects.exists()
    assert response.status_code in (200, 400), response.content
    assert set(Submission.objects.values_list("unit__code", flat=True)) <= {"jingyu"}


def test_the_queue_refuses_a_token_call(excel):
    office = excel["office"]
    gate.narrow(office, gate.Narrowing(actions=frozenset(gate.actions(office)), unit_paths=(excel["a"].path,)))
    with pytest.raises(PermissionDenied, match="接口令牌"):
        import_job_create(actor=office, upload=upload(b"x" * 10), period=excel["period"])
    assert not ImportJob.objects.exists()


def test_the_export_queue_refuses_a_token_call(excel):
    office = excel["office"]
    gate.narrow(office, gate.Narrowing(actions=frozenset(gate.actions(office)), unit_paths=(excel["a"].path,)))
    with pytest.raises(PermissionDenied, match="接口令牌"):
        export_job_create(actor=office, kind=ExportJob.Kind.PROGRESS, params={"period": excel["period"].pk, "query": {}},
                          title="填报进度", unit=excel["district"])
    assert not ExportJob.objects.exists()
