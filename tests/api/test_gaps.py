"""What the API gained beside the pages: 通报 read through the pages' selectors, and the
unit head's sign-off (签发)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from duibiao.assessment.models import UnitSignoff


@pytest.fixture
def bulletins(world):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.documents.bulletin_services import bulletin_draft_create, bulletin_issue
    from tests.conftest import PASSWORD

    office, day = world["office"], date(2026, 10, 16)
    draft = bulletin_draft_create(actor=office, kind="inspections", day=day)
    issued = bulletin_draft_create(actor=office, kind="inspections", day=day)
    issued = bulletin_issue(actor=office, doc=issued, version=issued.version)
    other = user_create(actor=None, username="khb_ng", password=PASSWORD)
    role_grant(actor=None, user=other, role=Role.OFFICE, units=[world["other_district"]])
    return {**world, "draft": draft, "issued": issued, "office_nangang": other}


def _ids(client, url="/api/documents/bulletins"):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [b["id"] for b in response.json()["items"]]


def test_bulletins_are_read_as_on_the_pages(bulletins, client_for):
    w = bulletins
    assert set(_ids(client_for(w["office"]))) == {w["draft"].pk, w["issued"].pk}
    assert _ids(client_for(w["office"]), "/api/documents/bulletins?status=issued") == [w["issued"].pk]
    assert _ids(client_for(w["leader"])) == [w["issued"].pk]  # a leader reads issued ones only
    assert _ids(client_for(w["reporter_a"])) == []
    assert _ids(client_for(w["office_nangang"])) == []  # another district's office
    detail = client_for(w["leader"]).get(f"/api/documents/bulletins/{w['issued'].pk}").json()
    assert detail["number"] == str(w["issued"].number) and detail["status"] == "issued"
    assert isinstance(detail["figures"], dict) and detail["figures"]
    refused = client_for(w["leader"]).get(f"/api/documents/bulletins/{w['draft'].pk}")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"


def test_the_unit_head_signs_off_over_the_api(approved, client_for):
    w = approved
    url = f"/api/assessment/periods/{w['period'].pk}/units/jingyu/signoff"
    refused = client_for(w["reporter_a"]).post(url)
    assert refused.status_code == 403 and "签" in refused.json()["detail"]
    assert not UnitSignoff.objects.exists()
    signed = client_for(w["head_a"]).post(url)
    assert signed.status_code == 201, signed.content
    assert signed.json()["unit"] == "jingyu" and signed.json()["by"] == w["head_a"].username
    again = client_for(w["head_a"]).post(url)
    assert again.status_code == 422 and again.json()["detail"] == "本单位本期数据已签发"
    other = client_for(w["head_a"]).post(f"/api/assessment/periods/{w['period'].pk}/units/taigu/signoff")
    assert other.status_code == 404
    assert UnitSignoff.objects.get().unit == w["a"]


def test_the_auditor_reads_the_log_over_the_api_and_nobody_else_does(world, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from duibiao.accounts.tokens import token_create
    from duibiao.audit.models import AuditEntry

    token_create(actor=world["office"], name="对接", actions=["org.tree.view"], units=[],
                 expires_on=timezone.localdate() + timedelta(days=5))
    auditor = client_for(world["auditor"])
    found = auditor.get("/api/audit/entries?action=accounts.token&username=khb").json()
    assert found["count"] == 1 and found["items"][0]["action"] == "accounts.token.create"
    detail = auditor.get(f"/api/audit/entries/{found['items'][0]['id']}").json()
    assert detail["after"]["name"] == "对接" and len(detail["hash"]) == 64
    backwards = auditor.get("/api/audit/entries?date_from=2026-10-09&date_to=2026-10-01")
    assert backwards.status_code == 422 and set(backwards.json()["errors"]) == {"date_to"}
    for who in ("office", "sysadmin", "secadmin", "leader"):
        refused = client_for(world[who]).get("/api/audit/entries")
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", who
    assert client_for(world["office"]).get(f"/api/audit/entries/{detail['id']}").status_code == 403
    # The auditor's own token, for the log only, reads it too; nothing else.
    _t, secret = token_create(actor=world["auditor"], name="日志归集", actions=["audit.log.view"], units=[],
                              expires_on=timezone.localdate() + timedelta(days=5))
    collector = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert collector.get("/api/audit/entries?size=1").json()["count"] == AuditEntry.objects.count()
    assert collector.get("/api/org/units").json()["items"] == []
