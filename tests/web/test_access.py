"""What the gate lets a user see, page by page: the own unit's content, the lists cut to the
user's scope, the own unit's redirect, admin changes audited. That every route refuses the
anonymous visitor, other units and roles without the action is the access sweep's
(tests/web/test_access_sweep.py)."""

from __future__ import annotations

from django.urls import reverse


def test_reporter_reaches_own_unit_page(client_for, world):
    response = client_for(world["reporter_a"]).get(reverse("org:unit_detail", args=["jingyu"]))
    assert response.status_code == 200
    assert "靖宇街道" in response.content.decode()


def test_unit_list_shows_only_visible_units(client_for, world):
    text = client_for(world["reporter_a"]).get(reverse("org:unit_list")).content.decode()
    assert "靖宇街道" in text and "太古街道" not in text
    office_text = client_for(world["office"]).get(reverse("org:unit_list")).content.decode()
    assert "太古街道" in office_text and "南岗区" not in office_text


def test_my_unit_redirects_to_own_unit(client_for, world):
    response = client_for(world["reporter_b"]).get(reverse("org:my_unit"))
    assert response.url == reverse("org:unit_detail", args=["taigu"])


def test_api_units_keep_to_the_scope(client_for, world):
    client = client_for(world["reporter_a"])
    assert client.get("/api/org/units/jingyu").json()["name"] == "靖宇街道"
    assert client.get("/api/org/units/taigu").status_code == 404
    assert [u["code"] for u in client.get("/api/org/units").json()["items"]] == ["jingyu"]


def test_api_me(client_for, world):
    me = client_for(world["taskforce"]).get("/api/accounts/me").json()
    assert me == {"username": "zb1", "full_name": "", "unit": None, "roles": ["taskforce"]}


def test_admin_changes_are_audited(client_for, world):
    from duibiao.audit.models import AuditEntry

    client = client_for(world["sysadmin"])
    url = f"/admin/org/unit/{world['a'].pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    response = client.post(url, {"name": "靖宇街道办事处", "kind": "street", "category": world["a"].category_id,
                                 "tier": world["a"].tier_id, "order": 0, "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:500]
    world["a"].refresh_from_db()
    assert world["a"].name == "靖宇街道办事处"
    assert AuditEntry.objects.filter(action="admin.change", username="admin", object_id=str(world["a"].pk)).exists()
