"""The library's API: list by role, create and update with version (422 without, 409 stale),
progress reports with photos, problems; another unit's users refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from duibiao.projects.models import ProgressReport, Project
from tests.files import samples
from tests.projects.library import LEDGER, build_library

pytestmark = pytest.mark.django_db
API = "/api/projects"


@pytest.fixture
def lib(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_library(world)


def _body(**over) -> dict:
    return {**LEDGER, "owner_unit": "jingyu", "secretary": "mishu", **over}


def test_the_list_follows_the_gate(lib, client_for):
    codes = [r["project"]["code"] for r in client_for(lib["secretary"]).get(f"{API}/library").json()["items"]]
    assert codes == ["XM-001", "XM-003"]
    codes = [r["project"]["code"] for r in client_for(lib["reporter_b"]).get(f"{API}/library").json()["items"]]
    assert codes == ["XM-003"]
    assert client_for(lib["auditor"]).get(f"{API}/library").status_code == 403


def test_another_units_reporter_is_refused(lib, client_for):
    client = client_for(lib["reporter_b"])
    pk = lib["project_a"].pk
    assert client.get(f"{API}/library/{pk}").status_code == 404
    response = client.post(f"{API}/library/{pk}/reports", {"version": 1, "completed_ytd": "5"})
    assert response.status_code == 404 and not ProgressReport.objects.exists()


def test_create_and_update_with_version(lib, client_for):
    client = client_for(lib["office"])
    response = client.post(f"{API}/library", _body(code="XM-API"), content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secretary"] == "mishu" and created["version"] == 1
    url = f"{API}/library/{created['id']}"
    missing = client.put(url, _body(code="XM-API", name="无版本"), content_type="application/json")
    assert missing.status_code == 422 and "version" in missing.json()["detail"]
    ok = client.put(url, {**_body(code="XM-API", name="新名称"), "version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.put(url, {**_body(code="XM-API", name="旧页面"), "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    assert Project.objects.get(code="XM-API").name == "新名称"


def test_bad_values_are_named_by_field(lib, client_for):
    response = client_for(lib["office"]).post(
        f"{API}/library", _body(code="XM-BAD", stage="在建", planned_total="-1"), content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"stage", "planned_total"}


def test_a_reporter_cannot_create(lib, client_for):
    response = client_for(lib["reporter_a"]).post(f"{API}/library", _body(code="XM-R"),
                                                  content_type="application/json")
    assert response.status_code == 403 and not Project.objects.filter(code="XM-R").exists()


def test_report_with_photo_and_attack(lib, client_for):
    client = client_for(lib["secretary"])
    url = f"{API}/library/{lib['project_a'].pk}/reports"
    photo = SimpleUploadedFile("现场.jpg", samples.image("JPEG"), content_type="image/jpeg")
    response = client.post(url, {"version": 1, "completed_ytd": "100", "photos": [photo]})
    assert response.status_code == 201, response.content
    assert len(response.json()["photos"]) == 1
    bad = SimpleUploadedFile("现场2.jpg", b"MZ" + b"\x00" * 100, content_type="image/jpeg")
    response = client.post(url, {"version": 2, "completed_ytd": "200", "photos": [bad]})
    assert response.status_code == 422 and "photos" in response.json()["errors"]
    assert ProgressReport.objects.count() == 1
    assert client_for(lib["secretary_2"]).post(url, {"version": 2, "completed_ytd": "1"}).status_code == 404


def test_problems(lib, client_for):
    client = client_for(lib["reporter_a"])
    url = f"{API}/library/{lib['project_a'].pk}/problems"
    response = client.post(url, {"text": "用地未落实", "asked_unit": "fagai"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["asked_unit"] == "fagai"
    problem = response.json()
    solve = client_for(lib["secretary"]).post(f"{API}/problems/{problem['id']}/solve", {"version": 1},
                                              content_type="application/json")
    assert solve.status_code == 200 and solve.json()["status"] == "solved"
    assert client.get(url).json()["items"][0]["status"] == "solved"


def test_milestones_with_version(lib, client_for):
    client = client_for(lib["office"])
    url = f"{API}/library/{lib['project_a'].pk}/milestones"
    body = {"version": 1, "milestones": {"approval": {"planned": "2025-01-10", "actual": "2025-01-12"}}}
    response = client.put(url, body, content_type="application/json")
    assert response.status_code == 200
    assert {m["step"]: m["actual"] for m in response.json()}["approval"] == "2025-01-12"
    assert client.put(url, body, content_type="application/json").status_code == 409
    bad = client.put(url, {"version": 2, "milestones": {"moon": {}, "start": {"actual": "x"}}},
                     content_type="application/json")
    assert bad.status_code == 422 and "moon" in bad.json()["errors"]
    assert client_for(lib["reporter_a"]).put(url, {**body, "version": 2},
                                             content_type="application/json").status_code == 403
    assert client_for(lib["reporter_b"]).get(url).status_code == 404


def test_the_asked_unit_answers_over_the_api(lib, client_for):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.projects.services.progress import problem_raise

    fagai = user_create(actor=None, username="tb_fg", password="Test@Pass2026", unit=lib["fagai"])
    role_grant(actor=None, user=fagai, role=Role.REPORTER, units=[lib["fagai"]], include_subtree=False)
    problem = problem_raise(actor=lib["secretary"], project=lib["project_a"], text="用电", asked_unit=lib["fagai"])
    client = client_for(fagai)
    assert [p["id"] for p in client.get(f"{API}/problems/asked").json()["items"]] == [problem.pk]
    assert client_for(lib["reporter_b"]).get(f"{API}/problems/asked").json()["items"] == []
    assert client_for(lib["reporter_b"]).post(f"{API}/problems/{problem.pk}/solve", {"version": 1},
                                              content_type="application/json").status_code == 404
    solved = client.post(f"{API}/problems/{problem.pk}/solve", {"version": 1, "solution": "已接入"},
                         content_type="application/json")
    assert solved.status_code == 200 and solved.json()["status"] == "solved"
