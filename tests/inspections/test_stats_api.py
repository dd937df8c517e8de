"""The same statistics, files and work over the API: the gate, one validation per value (422
naming the field), versions (422 without, 409 stale)."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_enterprises import VALID
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_the_daily_picture_and_rates_over_the_api(findings, client_for):  # noqa: F811
    w = findings
    day = client_for(w["office"]).get("/api/inspections/daily", {"day": D.isoformat()}).json()
    assert [f["id"] for f in day["overdue"]] == [w["f"]["f2"].pk]
    assert [(r["name"], r["disposal_rate"], r["avg_days"]) for r in day["ranking"]] == [
        ("靖宇街道", "60.00", "8.67"), ("太古街道", "50.00", "19.00"), ("全部", "57.14", "11.25")]
    own = client_for(w["reporter_b"]).get("/api/inspections/rates", {"as_of": D.isoformat()}).json()["items"]
    assert [r["name"] for r in own] == ["太古街道", "全部"]
    assert client_for(w["auditor"]).get("/api/inspections/daily").status_code == 403


def test_enterprise_writes_check_the_code_and_the_version(insp, client_for):  # noqa: F811
    w = insp
    client = client_for(w["inspector"])
    bad = _post(client, "/api/inspections/enterprises",
                {"credit_code": "91230104MA1B2C3D44", "name": "某店", "unit": "jingyu"})
    assert bad.status_code == 422 and bad.json()["errors"] == {"credit_code": [bad.json()["detail"]]}
    assert "第18位校验码应为3" in bad.json()["detail"]
    made = _post(client, "/api/inspections/enterprises", {"credit_code": VALID, "name": "某店", "unit": "jingyu"})
    assert made.status_code == 201
    pk = made.json()["id"]
    body = {"credit_code": VALID, "name": "新名", "unit": "jingyu"}
    assert _post(client, f"/api/inspections/enterprises/{pk}", body, "put").status_code == 422  # no version
    assert _post(client, f"/api/inspections/enterprises/{pk}", {**body, "version": 1}, "put").status_code == 200
    assert _post(client, f"/api/inspections/enterprises/{pk}", {**body, "version": 1}, "put").status_code == 409
    # Unit B's inspector neither reads nor writes unit A's file.
    other = client_for(w["inspector_b"])
    assert other.get(f"/api/inspections/enterprises/{pk}").status_code == 404
    assert _post(other, f"/api/inspections/enterprises/{pk}", {**body, "version": 2}, "put").status_code == 404


def test_work_logs_over_the_api(insp, client_for):  # noqa: F811
    from duibiao.inspections.services.worklogs import worktype_save

    w = insp
    trash = worktype_save(actor=w["office"], name="清运垃圾", unit_of_measure="吨")
    client = client_for(w["reporter_a"])
    body = {"unit": "jingyu", "work_type": trash.pk, "quantity": "-3", "done_on": "2026-10-09"}
    refused = _post(client, "/api/inspections/work/logs", body)
    assert refused.status_code == 422 and refused.json()["errors"] == {"quantity": ["数量不能为负数"]}
    assert _post(client, "/api/inspections/work/logs", {**body, "unit": "taigu", "quantity": "3"}).status_code == 422
    assert _post(client, "/api/inspections/work/logs", {**body, "quantity": "737"}).status_code == 201
    totals = client.get("/api/inspections/work/totals").json()
    assert totals["sentence"] == "截至目前，共清运垃圾 737 吨。"
    assert list(totals["units"]) == ["jingyu"] and Decimal(totals["units"]["jingyu"]["清运垃圾"]) == 737
    assert client_for(w["reporter_b"]).get("/api/inspections/work/totals").json()["units"] == {}
