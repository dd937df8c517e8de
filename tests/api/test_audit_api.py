"""The audit chain and the Excel export over the API: the same check as the auditor's page and
`duibiao audit verify`, the same search and row cap as the page's export, for the audit
administrator only; a log collector's token (only `audit.log.view`) reads the chain's state
but can neither run the check nor export."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from duibiao.accounts.tokens import token_create
from duibiao.audit.models import AuditEntry, ChainCheck
from duibiao.files.uploads import XLSX
from tests.documents.conftest import open_xlsx


def _collector(world) -> tuple[object, Client]:
    token, secret = token_create(actor=world["auditor"], name="日志归集", actions=["audit.log.view"], units=[],
                                 expires_on=timezone.localdate() + timedelta(days=5))
    return token, Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_auditor_checks_the_chain_and_reads_its_state(world, client_for):
    auditor = client_for(world["auditor"])
    before = auditor.get("/api/audit/chain")
    assert before.status_code == 200 and before.json()["last_check"] is None
    assert before.json()["last_id"] == AuditEntry.objects.order_by("-id").first().pk

    checked = auditor.post("/api/audit/chain/verify")
    assert checked.status_code == 200, checked.content
    body = checked.json()
    assert body["whole"] is True and body["broken_id"] is None and body["by"] == world["auditor"].username
    assert body["rows"] >= 1 and body["head_hash"] == ChainCheck.objects.get().head_hash
    row = AuditEntry.objects.filter(action="audit.chain.verify").get()
    assert row.user == world["auditor"] and row.after["whole"] is True

    after = auditor.get("/api/audit/chain").json()
    assert after["last_check"] == body and after["rows_now"] == AuditEntry.objects.count()


def test_a_collectors_token_reads_the_state_but_neither_checks_nor_exports(world):
    token, collector = _collector(world)
    assert collector.get("/api/audit/chain").status_code == 200
    for method, url in (("post", "/api/audit/chain/verify"), ("get", "/api/audit/export")):
        refused = getattr(collector, method)(url)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", url
        assert "审计" in refused.json()["detail"], refused.json()
    assert not ChainCheck.objects.exists()


@pytest.mark.parametrize("who", ["office", "sysadmin", "secadmin", "leader", "reporter_a"])
def test_nobody_but_the_auditor_reaches_the_chain_or_the_export(world, client_for, who):
    client = client_for(world[who])
    for method, url in (("get", "/api/audit/chain"), ("post", "/api/audit/chain/verify"),
                        ("get", "/api/audit/export")):
        refused = getattr(client, method)(url)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", (who, url)
    assert not ChainCheck.objects.exists()


def test_the_auditor_exports_a_search_as_the_page_does(world, client_for, settings):
    auditor = client_for(world["auditor"])
    got = auditor.get("/api/audit/export?action=org.unit")
    assert got.status_code == 200 and got["Content-Type"] == XLSX and got["Content-Disposition"].startswith("attachment")
    sheet = open_xlsx(got.content).active
    # The file leaving the system is itself logged, as the page's export is.
    assert AuditEntry.objects.filter(action="download", user=world["auditor"], detail__contains="/api/audit/export").exists()
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("org.unit" in c or "单位" in c for c in cells)
    page = client_for(world["auditor"]).get("/audit/export/?action=org.unit")
    assert page.status_code == 200 and open_xlsx(page.content).active.max_row == sheet.max_row

    backwards = auditor.get("/api/audit/export?date_from=2026-10-09&date_to=2026-10-01")
    assert backwards.status_code == 422 and set(backwards.json()["errors"]) == {"date_to"}
    settings.DUIBIAO_AUDIT_EXPORT_MAX_ROWS = 1
    too_many = auditor.get("/api/audit/export")
    assert too_many.status_code == 422 and "超过 1 条" in too_many.json()["errors"]["export"][0]
