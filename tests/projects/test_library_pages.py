"""The library's pages: portfolio by role, the project page, the ledger form with errors
beside their fields, the one-screen progress update and the secretary's workspace; each
attack performed and shown refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duibiao.projects.models import ProgressPhoto, ProgressReport, Project
from tests.files import samples
from tests.projects.library import LEDGER, build_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def lib(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_library(world)


def test_portfolio_shows_each_role_its_projects_with_flag_words(lib, client_for):
    page = client_for(lib["office"]).get(reverse("projects:portfolio")).content.decode()
    assert "XM-001" in page and "XM-003" in page and "红灯" in page and "投资完成率" in page
    page = client_for(lib["reporter_b"]).get(reverse("projects:portfolio")).content.decode()
    assert "XM-003" in page and "XM-001" not in page
    page = client_for(lib["office"]).get(reverse("projects:portfolio"), {"type": "logistics"}).content.decode()
    assert "XM-002" in page and "XM-001" not in page


def test_a_malformed_filter_is_a_400_with_its_reason(lib, client_for):
    response = client_for(lib["office"]).get(reverse("projects:portfolio"), {"stage": "drop table"})
    assert response.status_code == 400 and "建设阶段" in response.content.decode()


def test_another_units_reporter_is_refused_the_project_page(lib, client_for):
    url = reverse("projects:project_detail", args=[lib["project_a"].pk])
    assert client_for(lib["reporter_b"]).get(url).status_code == 404
    assert client_for(lib["secretary_2"]).get(url).status_code == 404
    page = client_for(lib["reporter_a"]).get(url).content.decode()
    assert "靖宇街道老旧小区改造" in page and "台账变更记录" in page


def test_the_ledger_form_shows_each_error_beside_its_field(lib, client_for):
    client = client_for(lib["office"])
    response = client.post(reverse("projects:project_new"), {
        **LEDGER, "code": "XM-009", "planned_total": "很多", "stage": "x", "owner_unit": lib["a"].pk})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-error-for="planned_total"' in page and "应为金额" in page
    assert 'data-error-for="stage"' in page and not Project.objects.filter(code="XM-009").exists()
    response = client.post(reverse("projects:project_new"), {
        **LEDGER, "code": "XM-009", "owner_unit": lib["a"].pk, "secretary": lib["secretary"].pk})
    assert response.status_code == 302 and Project.objects.get(code="XM-009").secretary == lib["secretary"]


def test_edit_with_a_stale_version_is_refused_beside_the_button(lib, client_for):
    client = client_for(lib["office"])
    url = reverse("projects:project_edit", args=[lib["project_a"].pk])
    data = {**LEDGER, "owner_unit": lib["a"].pk, "secretary": lib["secretary"].pk}
    assert client.post(url, {**data, "name": "改一", "version": 1}).status_code == 302
    response = client.post(url, {**data, "name": "改二", "version": 1})
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
    assert Project.objects.get(pk=lib["project_a"].pk).name == "改一"


def test_only_the_office_reaches_the_ledger_form(lib, client_for):
    url = reverse("projects:project_edit", args=[lib["project_a"].pk])
    assert client_for(lib["reporter_a"]).get(url).status_code == 403
    assert client_for(lib["secretary"]).get(url).status_code == 403
    assert client_for(lib["reporter_a"]).get(reverse("projects:project_new")).status_code == 403


def test_progress_update_with_a_photo_and_the_photo_in_the_history(lib, client_for):
    client = client_for(lib["secretary"])
    url = reverse("projects:progress_new", args=[lib["project_a"].pk])
    form = client.get(url + "?next=mine").content.decode()
    assert 'capture="environment"' in form and 'accept="image/*"' in form
    photo = SimpleUploadedFile("现场.png", samples.image("PNG"), content_type="image/png")
    response = client.post(url, {"version": 1, "completed_ytd": "1500", "funds_in_place": "1000",
                                 "text": "主体施工", "photos": photo, "next": "mine"})
    assert response.status_code == 302 and response["Location"] == reverse("projects:workspace")
    detail = client.get(reverse("projects:project_detail", args=[lib["project_a"].pk])).content.decode()
    assert "1500.00" in detail and "现场.png" in detail
    again = client.get(url).content.decode()  # the next report starts from the figures given
    assert 'data-testid="last-report"' in again and "1500.00" in again
    photo_pk = ProgressPhoto.objects.get().pk
    raw = client.get(reverse("projects:photo_raw", args=[photo_pk]))
    assert raw.status_code == 200 and raw["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("projects:photo_view", args=[photo_pk])).status_code == 200
    # the photo is another unit's business: 太古's reporter does not get it
    assert client_for(lib["reporter_b"]).get(reverse("projects:photo_raw", args=[photo_pk])).status_code == 404


def test_a_renamed_executable_is_refused_beside_the_photo_field(lib, client_for):
    client = client_for(lib["secretary"])
    url = reverse("projects:progress_new", args=[lib["project_a"].pk])
    bad = SimpleUploadedFile("现场.jpg", b"MZ\x90\x00" + b"\x00" * 300, content_type="image/jpeg")
    response = client.post(url, {"version": 1, "completed_ytd": "1500", "photos": bad})
    page = response.content.decode()
    assert response.status_code == 400 and 'data-error-for="photos"' in page and "现场.jpg" in page
    assert not ProgressReport.objects.exists()


def test_another_secretary_cannot_report(lib, client_for):
    url = reverse("projects:progress_new", args=[lib["project_a"].pk])
    response = client_for(lib["secretary_2"]).post(url, {"version": 1, "completed_ytd": "1"})
    assert response.status_code == 404 and not ProgressReport.objects.exists()


def test_workspace_lists_my_projects_and_what_is_due(lib, client_for):
    page = client_for(lib["secretary"]).get(reverse("projects:workspace")).content.decode()
    assert "XM-001" in page and "XM-003" in page and "XM-002" not in page
    assert "本周待填报" in page


def test_problem_raise_and_solve_through_the_page(lib, client_for):
    client = client_for(lib["secretary"])
    project = lib["project_a"]
    client.post(reverse("projects:problem_new", args=[project.pk]),
                {"problem_text": "施工用电未接入", "problem_unit": lib["fagai"].pk})
    problem = project.problems.get()
    assert problem.asked_unit == lib["fagai"]
    client.post(reverse("projects:problem_solve", args=[problem.pk]), {"version": 1, "solution": "已接入"})
    problem.refresh_from_db()
    assert problem.status == "solved"
    # another unit's reporter cannot solve or even find it
    assert client_for(lib["reporter_b"]).post(reverse("projects:problem_solve", args=[problem.pk]),
                                              {"version": 2}).status_code == 404


def test_the_portfolio_is_reached_from_the_homes(lib, client_for):
    for who in ("office", "leader", "reporter_a", "head_a"):
        home = client_for(lib[who]).get(reverse("web:home")).content.decode()
        assert reverse("projects:portfolio") in home, who
    home = client_for(lib["secretary"]).get(reverse("web:home")).content.decode()
    assert reverse("projects:workspace") in home


def test_a_problem_without_its_unit_is_shown_beside_the_field(lib, client_for):
    response = client_for(lib["reporter_a"]).post(
        reverse("projects:problem_new", args=[lib["project_a"].pk]), {"problem_text": "用地未落实"})
    page = response.content.decode()
    assert response.status_code == 400 and 'data-error-for="problem_unit"' in page and "请选择协调解决单位" in page
    assert not lib["project_a"].problems.exists()


def test_roles_without_the_library_are_refused_the_portfolio(lib, client_for):
    for who in ("sysadmin", "auditor"):
        assert client_for(lib[who]).get(reverse("projects:portfolio")).status_code == 403


def test_milestones_saved_with_version_and_history(lib, client_for):
    client = client_for(lib["office"])
    project = lib["project_a"]
    url = reverse("projects:milestones_edit", args=[project.pk])
    response = client.post(url, {"version": 1, "approval_planned": "2025-01-10", "approval_actual": "2025-01-12",
                                 "start_planned": "2025-04-01", "start_actual": "不知道"})
    page = response.content.decode()
    assert response.status_code == 400 and 'data-error-for="start_actual"' in page and "应为日期" in page
    assert not project.milestones.exists()
    response = client.post(url, {"version": 1, "approval_planned": "2025-01-10", "approval_actual": "2025-01-12"})
    assert response.status_code == 302
    assert project.milestones.get(step="approval").actual_on.isoformat() == "2025-01-12"
    detail = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert "立项（实际）" in detail  # the ledger history names the milestone
    stale = client.post(url, {"version": 1, "approval_planned": "2025-02-01"})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    assert client_for(lib["secretary"]).post(url, {"version": 2}).status_code == 403


def test_the_secretarys_home_says_what_is_due(lib, client_for):
    home = client_for(lib["secretary"]).get(reverse("web:home")).content.decode()
    assert 'data-testid="home-served"' in home and "服务 2 个项目" in home
    assert 'data-testid="home-served"' not in client_for(lib["office"]).get(reverse("web:home")).content.decode()


def test_the_unit_asked_to_solve_a_problem_sees_and_answers_it(lib, client_for):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.projects.services.progress import problem_raise

    fagai = user_create(actor=None, username="tb_fg", password="Test@Pass2026", unit=lib["fagai"])
    role_grant(actor=None, user=fagai, role=Role.REPORTER, units=[lib["fagai"]], include_subtree=False)
    problem = problem_raise(actor=lib["secretary"], project=lib["project_a"], text="电力接入未批复",
                            asked_unit=lib["fagai"])
    client = client_for(fagai)
    assert "请本单位协调的难点堵点" in client.get(reverse("projects:portfolio")).content.decode()
    page = client.get(reverse("projects:problems_asked")).content.decode()
    assert "电力接入未批复" in page and "靖宇街道老旧小区改造" in page
    # 区发改局 does not see 靖宇's project itself, only the problem asked of it
    assert client.get(reverse("projects:project_detail", args=[lib["project_a"].pk])).status_code == 404
    response = client.post(reverse("projects:problem_solve", args=[problem.pk]),
                           {"version": 1, "solution": "已批复", "next": "asked"})
    assert response.status_code == 302 and response["Location"] == reverse("projects:problems_asked")
    problem.refresh_from_db()
    assert problem.status == "solved" and problem.solution == "已批复"
    # 太古's reporter is not asked: neither the list entry nor the answer
    other = client_for(lib["reporter_b"])
    assert "电力接入未批复" not in other.get(reverse("projects:problems_asked")).content.decode()
    assert other.post(reverse("projects:problem_solve", args=[problem.pk]), {"version": 2}).status_code == 404
    assert client_for(lib["leader"]).get(reverse("projects:problems_asked")).status_code == 403
