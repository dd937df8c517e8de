"""The project library's services: versions, ledger history, progress reports with photos,
problems; each refusal performed and shown to change nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from duibiao.audit.models import AuditEntry
from duibiao.projects.errors import ConflictError, PhotoRejected, ProjectInvalid
from duibiao.projects.models import LedgerChange, Problem, ProgressPhoto, ProgressReport, Project
from duibiao.projects.services.progress import problem_raise, problem_solve, progress_report
from duibiao.projects.services.projects import Binding, project_create, project_update
from tests.files import samples
from tests.projects.library import LEDGER, build_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def lib(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_library(world)


def _raw(project: Project, **over: object) -> dict:
    raw = {**LEDGER, "code": project.code, "name": project.name}
    raw.update(over)
    return raw


def test_create_records_history_and_audit(lib):
    project = lib["project_a"]
    assert project.version == 1 and project.owner_unit == lib["a"]
    assert project.planned_total == Decimal("12000.00") and project.actual_start == date(2025, 4, 10)
    assert list(project.ledger_changes.values_list("field", flat=True)) == ["created"]
    assert AuditEntry.objects.filter(action="projects.project.create", object_id=str(project.pk)).exists()


def test_update_at_its_version_keeps_each_change(lib):
    project = lib["project_a"]
    updated = project_update(actor=lib["office"], project=project, version=1,
                             raw=_raw(project, stage="新开工", planned_annual="5000"),
                             binding=Binding(lib["a"], lib["secretary"]))
    assert updated.version == 2 and updated.stage == "new"
    changes = {c.field: (c.old_value, c.new_value) for c in LedgerChange.objects.filter(project=project)}
    assert changes["stage"] == ("continuing", "new")
    assert changes["planned_annual"] == ("4800.00", "5000.00")
    assert LedgerChange.objects.filter(project=project).get(field="stage").changed_by == lib["office"]


def test_a_stale_version_overwrites_nothing(lib):
    project = lib["project_a"]
    project_update(actor=lib["office"], project=project, version=1, raw=_raw(project, name="新名称"),
                   binding=Binding(lib["a"], lib["secretary"]))
    with pytest.raises(ConflictError):
        project_update(actor=lib["office"], project=project, version=1, raw=_raw(project, name="旧页面"),
                       binding=Binding(lib["a"], lib["secretary"]))
    assert Project.objects.get(pk=project.pk).name == "新名称"


def test_each_bad_value_is_named_beside_its_field(lib):
    with pytest.raises(ProjectInvalid) as caught:
        project_create(actor=lib["office"], raw={**LEDGER, "code": "XM-001", "stage": "在建", "planned_total": "-5",
                                                 "actual_start": "2025-13-01", "planned_completion": "2025-01-01"},
                       binding=Binding(lib["a"], lib["reporter_a"]))
    errors = caught.value.errors
    assert errors["code"] == "项目编号已存在"
    assert "新开工（new）" in errors["stage"]
    assert errors["planned_total"] == "金额不能为负数"
    assert "日期" in errors["actual_start"]
    assert "不能早于计划开工日期" in errors["planned_completion"]
    assert errors["secretary"] == "所选用户不是项目服务秘书"
    assert Project.objects.count() == 3


def test_only_the_office_edits_the_ledger(lib):
    project = lib["project_a"]
    for who in ("reporter_a", "secretary", "leader"):
        with pytest.raises(PermissionDenied):
            project_update(actor=lib[who], project=project, version=1, raw=_raw(project, name="改名"),
                           binding=Binding(lib["a"], lib["secretary"]))
    # another district's office cannot even move a project into its district's unit
    with pytest.raises((PermissionDenied, Http404)):
        project_update(actor=lib["office"], project=project, version=1, raw=_raw(project),
                       binding=Binding(lib["other_district"], None))
    assert Project.objects.get(pk=project.pk).version == 1


def test_progress_report_with_photo(lib):
    project = lib["project_a"]
    photo = SimpleUploadedFile("现场.jpg", samples.image("JPEG"), content_type="image/jpeg")
    report = progress_report(actor=lib["secretary"], project=project, version=1, completed_ytd="1200",
                             funds_in_place="900", text="主体结构施工", photos=[photo],
                             problem_text="施工用电未接入", problem_unit=lib["fagai"])
    assert report.completed_ytd == Decimal("1200.00") and report.year == report.reported_on.year
    assert report.photos.get().content_type == "image/jpeg"
    assert Project.objects.get(pk=project.pk).version == 2
    assert Problem.objects.get(project=project).asked_unit == lib["fagai"]
    assert AuditEntry.objects.filter(action="projects.progress.report").count() == 1


def test_a_secretary_reports_only_on_the_projects_he_serves(lib):
    with pytest.raises(PermissionDenied) as caught:
        progress_report(actor=lib["secretary_2"], project=lib["project_a"], version=1, completed_ytd="1")
    assert "只有您服务的项目" in str(caught.value)
    with pytest.raises(Http404):  # 靖宇's reporter on 太古's project
        progress_report(actor=lib["reporter_a"], project=lib["project_b"], version=1, completed_ytd="1")
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("name,data", [
    ("照片.jpg", b"MZ\x90\x00\x03" + b"\x00" * 200),  # a renamed Windows executable
    ("照片.png", samples.ATTACK_HTML),  # a web page named as a photo
    ("文档.pdf", samples.PDF),  # a real file of a type that is not a photo
])
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_stored(lib, name, data):
    with pytest.raises(PhotoRejected) as caught:
        progress_report(actor=lib["secretary"], project=lib["project_a"], version=1, completed_ytd="10",
                        photos=[SimpleUploadedFile(name, data, content_type="image/jpeg")])
    assert name in str(caught.value)
    assert not ProgressReport.objects.exists() and not ProgressPhoto.objects.exists()
    assert Project.objects.get(pk=lib["project_a"].pk).version == 1


def test_an_oversized_photo_is_refused(lib, settings):
    settings.DUIBIAO_PROJECT_PHOTO_MAX_MB = 0  # every photo is over the cap
    with pytest.raises(PhotoRejected):
        progress_report(actor=lib["secretary"], project=lib["project_a"], version=1, completed_ytd="10",
                        photos=[SimpleUploadedFile("大.jpg", samples.image("JPEG"), content_type="image/jpeg")])
    assert not ProgressReport.objects.exists() and not ProgressPhoto.objects.exists()


def test_a_report_on_a_stale_page_is_refused(lib):
    progress_report(actor=lib["secretary"], project=lib["project_a"], version=1, completed_ytd="10")
    with pytest.raises(ConflictError):
        progress_report(actor=lib["reporter_a"], project=lib["project_a"], version=1, completed_ytd="20")
    assert ProgressReport.objects.count() == 1


def test_report_values_are_checked(lib):
    with pytest.raises(ProjectInvalid) as caught:
        progress_report(actor=lib["secretary"], project=lib["project_a"], version=1, completed_ytd="",
                        funds_in_place="abc", reported_on=date(2999, 1, 1))
    assert set(caught.value.errors) == {"completed_ytd", "funds_in_place", "reported_on"}


def test_problem_raise_and_solve_with_version(lib):
    problem = problem_raise(actor=lib["reporter_a"], project=lib["project_a"], text="征拆未完成",
                            asked_unit=lib["fagai"])
    with pytest.raises(PermissionDenied):  # the secretary of another project
        problem_solve(actor=lib["secretary_2"], problem=problem, version=1)
    solved = problem_solve(actor=lib["secretary"], problem=problem, version=1, solution="已协调")
    assert solved.status == Problem.Status.SOLVED and solved.solved_on is not None
    with pytest.raises(Exception, match="已标记为已解决"):
        problem_solve(actor=lib["office"], problem=solved, version=2)
