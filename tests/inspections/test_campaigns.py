"""Campaigns: the office creates and changes them over its units (page and API), with the
inspectors who may record there and the enterprises those units supervise; versions; who sees
them."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from duibiao.audit.models import AuditEntry
from duibiao.inspections.errors import InspectionError
from duibiao.inspections.models import Campaign, Enterprise
from duibiao.inspections.services.campaigns import CampaignInput, campaign_create

pytestmark = pytest.mark.django_db


def _form(w: dict, **over) -> dict:
    return {"name": "餐饮食品安全整治月", "kind": "food", "status": "active", "starts_on": "2026-10-01",
            "ends_on": "2026-10-31", "units": ["jingyu"], "inspectors": [str(w["inspector"].pk)], **over}


def test_the_office_creates_a_campaign_with_its_inspector_and_enterprise(insp, client_for):
    firm = Enterprise.objects.create(credit_code="91230104MA1B2C3D43", name="老鼎丰", unit=insp["a"])
    outside = Enterprise.objects.create(credit_code="91230104MA1B2C3D51", name="外区企业", unit=insp["other_district"])
    office = client_for(insp["office"])
    form = office.get(reverse("inspections:campaign_new")).content.decode()
    assert "老鼎丰" in form and "外区企业" not in form and "duzhao" in form
    response = office.post(reverse("inspections:campaign_new"), _form(insp, enterprises=[str(firm.pk), str(outside.pk)]))
    campaign = Campaign.objects.latest("pk")
    assert response.status_code == 302 and campaign.name == "餐饮食品安全整治月"
    assert list(campaign.units.values_list("code", flat=True)) == ["jingyu"]
    assert list(campaign.inspectors.all()) == [insp["inspector"]] and list(campaign.enterprises.all()) == [firm]
    assert AuditEntry.objects.filter(action="campaign.create").count() == 2  # the fixture's and this one
    stale = office.post(reverse("inspections:campaign_edit", args=[campaign.pk]),
                        _form(insp, name="改名", version=str(campaign.version - 1)))
    assert stale.status_code == 409 and 'data-testid="error-form">该检查活动已被他人修改' in stale.content.decode()
    ok = office.post(reverse("inspections:campaign_edit", args=[campaign.pk]),
                     _form(insp, name="改名", version=str(campaign.version)))
    campaign.refresh_from_db()
    assert ok.status_code == 302 and (campaign.name, campaign.version) == ("改名", 2)


def test_the_form_shows_what_is_wrong_beside_it(insp, client_for):
    response = client_for(insp["office"]).post(reverse("inspections:campaign_new"),
                                               _form(insp, units=[], ends_on="2026-09-01"))
    assert response.status_code == 422 and "请至少选择一个检查单位" in response.content.decode()
    response = client_for(insp["office"]).post(reverse("inspections:campaign_new"), _form(insp, ends_on="2026-09-01"))
    assert response.status_code == 422 and 'data-testid="error-ends_on">结束日期不能早于开始日期' in response.content.decode()
    assert Campaign.objects.count() == 1


def test_the_service_refuses_an_inspector_or_enterprise_outside_the_units(insp):
    data = dict(name="复查", kind="city", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31), units=[insp["a"]])
    with pytest.raises(InspectionError, match="不是这些单位的督导员") as caught:
        campaign_create(actor=insp["office"], data=CampaignInput(**data, inspectors=[insp["inspector_b"]]))
    assert caught.value.field == "inspectors"
    outside = Enterprise.objects.create(credit_code="91230104MA1B2C3D51", name="外区企业", unit=insp["other_district"])
    with pytest.raises(InspectionError, match="不属于您管理的单位"):
        campaign_create(actor=insp["office"], data=CampaignInput(**data, enterprises=[outside]))
    assert Campaign.objects.count() == 1


def test_who_sees_campaigns(insp, client_for):
    assert client_for(insp["reporter_a"]).get(reverse("inspections:campaigns")).status_code == 403
    assert client_for(insp["reporter_a"]).get(reverse("inspections:campaign", args=[insp["campaign"].pk])).status_code == 404
    leader = client_for(insp["leader"]).get(reverse("inspections:campaigns")).content.decode()
    assert insp["campaign"].name in leader and 'data-testid="campaign-new"' not in leader
    # B's inspector inspects the campaign (it covers B) and records in it; the API says the same.
    mine = json.loads(client_for(insp["inspector_b"]).get("/api/inspections/campaigns").content)["items"]
    assert [c["id"] for c in mine] == [insp["campaign"].pk]


def test_the_api_creates_and_changes_with_versions(insp, client_for):
    office = client_for(insp["office"])
    body = {"name": "春季绿化整治", "kind": "greening", "starts_on": "2026-04-01", "ends_on": "2026-05-31",
            "units": ["jingyu", "taigu"], "inspectors": ["duzhao"]}
    created = office.post("/api/inspections/campaigns", json.dumps(body), content_type="application/json")
    assert created.status_code == 201 and created.json()["units"] == ["jingyu", "taigu"]
    pk = created.json()["id"]
    missing = office.put(f"/api/inspections/campaigns/{pk}", json.dumps(body), content_type="application/json")
    assert missing.status_code == 422 and "缺少数据版本" in missing.json()["detail"]
    stale = office.put(f"/api/inspections/campaigns/{pk}", json.dumps({**body, "version": 0}),
                       content_type="application/json")
    assert stale.status_code == 409
    leader = client_for(insp["leader"]).put(f"/api/inspections/campaigns/{pk}", json.dumps({**body, "version": 1}),
                                            content_type="application/json")
    assert leader.status_code == 403 and Campaign.objects.get(pk=pk).name == "春季绿化整治"
