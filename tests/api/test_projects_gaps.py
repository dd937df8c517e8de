"""What the projects' pages did that the API did not: 四率 and its CSV (the page's selector and
the page's file), progress photos downloaded through the API (as attachments, within the
gate), a 难点堵点 raised with a progress report; and the attacks on each."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from duibiao.accounts.tokens import token_create
from duibiao.projects.models import Problem, ProgressPhoto, ProgressReport, Project
from tests.files import samples
from tests.projects.library import build_library

pytestmark = pytest.mark.django_db
API = "/api/projects"
AS_OF = "2026-06-30"


@pytest.fixture
def lib(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_library(world)


def _bearer(user, actions, units=()) -> Client:
    _token, secret = token_create(actor=user, name="对接", actions=actions, units=list(units),
                                  expires_on=timezone.localdate() + timedelta(days=30))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _photo(name="现场.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.image("JPEG"), content_type="image/jpeg")


def _report(client, project, **over):
    return client.post(f"{API}/library/{project.pk}/reports",
                       {"version": Project.objects.get(pk=project.pk).version, "completed_ytd": "100", **over})


# ---------------------------------------------------------------------------- 四率


def test_rates_are_the_pages_rates(lib, client_for):
    client = client_for(lib["office"])
    body = client.get(f"{API}/rates", {"as_of": AS_OF, "by": "type"}).json()
    page = client.get(reverse("projects:rates"), {"as_of": AS_OF, "by": "type"}).context["page"]
    assert body["by"] == "type" and body["last_year"] == "2025-06-30"
    assert [(r["group"], r["rates"], r["last_year"], r["counts"]["projects"]) for r in body["rows"]] == [
        (row.now.group, row.cells(), row.previous(), row.now.projects) for row in page.rows]
    assert body["rows"][-1]["total"] and body["rows"][-1]["counts"]["projects"] == 3
    assert set(body["charts"]) == set(page.charts)


def test_rates_follow_the_gate(lib, client_for):
    # Another unit's reporter: 太古街道's one project only.
    rows = client_for(lib["reporter_b"]).get(f"{API}/rates", {"as_of": AS_OF}).json()["rows"]
    assert rows[-1]["counts"]["projects"] == 1 and {r["group"] for r in rows} == {"太古街道", "全部"}
    refused = client_for(lib["auditor"]).get(f"{API}/rates")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    # A token without the projects' action: refused though its owner holds it.
    token = _bearer(lib["office"], ["inspections.stats.view"])
    assert token.get(f"{API}/rates").status_code == 403
    assert token.get(f"{API}/rates/export").status_code == 403
    # Held to 靖宇街道: that street's two projects.
    held = _bearer(lib["office"], ["projects.project.view"], units=["jingyu"]).get(f"{API}/rates", {"as_of": AS_OF})
    assert held.json()["rows"][-1]["counts"]["projects"] == 2


def test_a_grouping_nobody_knows_is_a_422_beside_by(lib, client_for):
    for url in (f"{API}/rates", f"{API}/rates/export"):
        response = client_for(lib["office"]).get(url, {"by": "colour"})
        body = response.json()
        assert response.status_code == 422 and body["code"] == "invalid" and "分组方式只能是" in body["errors"]["by"][0]


def test_the_csv_is_the_pages_file(lib, client_for):
    client = client_for(lib["office"])
    api = client.get(f"{API}/rates/export", {"as_of": AS_OF, "by": "unit"})
    page = client.get(reverse("projects:rates"), {"as_of": AS_OF, "by": "unit", "export": "csv"})
    assert api.status_code == 200 and api.content == page.content
    assert api["Content-Type"] == "text/csv; charset=utf-8" and api["X-Content-Type-Options"] == "nosniff"
    assert api["Content-Disposition"] == 'attachment; filename="project-rates-unit-2026-06-30.csv"'
    assert api.content.decode("utf-8-sig").splitlines()[0].startswith("group,projects,start_rate")


def test_a_unit_named_like_a_formula_is_text_in_the_csv(lib, client_for):
    lib["b"].name = "=HYPERLINK(\"http://x\")"
    lib["b"].save()
    text = client_for(lib["office"]).get(f"{API}/rates/export", {"as_of": AS_OF}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


# ---------------------------------------------------------------------------- photos


def test_a_reports_photos_download_through_the_api(lib, client_for):
    created = _report(client_for(lib["secretary"]), lib["project_a"], photos=[_photo()])
    assert created.status_code == 201, created.content
    [url] = created.json()["photos"]
    photo = ProgressPhoto.objects.get()
    assert url == f"{API}/photos/{photo.pk}"
    listed = client_for(lib["office"]).get(f"{API}/library/{lib['project_a'].pk}/reports").json()
    assert listed["items"][0]["photos"] == [url]
    # A token (no session) fetches it: the stored type, as an attachment, never sniffed or cached.
    response = _bearer(lib["office"], ["projects.project.view"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == photo.file.open("rb").read()


def test_another_units_photo_is_not_found(lib, client_for):
    _report(client_for(lib["secretary"]), lib["project_a"], photos=[_photo()])
    url = f"{API}/photos/{ProgressPhoto.objects.get().pk}"
    for who in ("reporter_b", "secretary_2"):  # 太古街道's reporter; the secretary of another project
        response = client_for(lib[who]).get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", who
    assert _bearer(lib["office"], ["projects.project.view"], units=["taigu"]).get(url).status_code == 404
    assert _bearer(lib["office"], ["inspections.stats.view"]).get(url).status_code == 404
    assert client_for(lib["auditor"]).get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_a_disguised_photo_is_refused_and_nothing_is_kept(lib, client_for):
    client = client_for(lib["secretary"])
    for name, data in (("现场.jpg", samples.ATTACK_HTML), ("现场.png", b"MZ" + b"\x00" * 200),
                       ("现场.jpg", samples.pdf_polyglot(b"<script>alert(1)</script>"))):
        response = _report(client, lib["project_a"], photos=[SimpleUploadedFile(name, data, content_type="image/jpeg")])
        body = response.json()
        assert response.status_code == 422 and "photos" in body["errors"] and "未接收" in body["detail"], name
    assert not ProgressReport.objects.exists() and not ProgressPhoto.objects.exists()
    assert Project.objects.get(pk=lib["project_a"].pk).version == lib["project_a"].version


def test_an_oversize_photo_is_refused(lib, client_for, settings):
    settings.DUIBIAO_PROJECT_PHOTO_MAX_MB = 1
    out = io.BytesIO()
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(out, "PNG")  # noise: ~1.5 MB
    assert len(out.getvalue()) > 1024 * 1024
    big = SimpleUploadedFile("大图.png", out.getvalue(), content_type="image/png")
    response = _report(client_for(lib["secretary"]), lib["project_a"], photos=[big])
    assert response.status_code == 422 and "超过 1 MB 上限" in response.json()["errors"]["photos"][0]
    assert not ProgressReport.objects.exists()


# ---------------------------------------------------------------------------- 难点堵点 with a report


def test_a_problem_raised_with_the_report(lib, client_for):
    client = client_for(lib["secretary"])
    response = _report(client, lib["project_a"], problem_text="用电未接入", problem_unit="fagai")
    assert response.status_code == 201, response.content
    problem = Problem.objects.get()
    assert (problem.text, problem.asked_unit.code, problem.project_id) == ("用电未接入", "fagai", lib["project_a"].pk)
    # Without the unit asked (or one it may not ask): 422 beside the field, and no report either.
    missing = _report(client, lib["project_a"], problem_text="用地", problem_unit="nangang")
    assert missing.status_code == 422 and "problem_unit" in missing.json()["errors"]
    assert ProgressReport.objects.count() == 1 and Problem.objects.count() == 1


# ---------------------------------------------------------------------------- 项目台账 import


def _ledger(user):
    from openpyxl import load_workbook

    from duibiao.documents.project_ledger import ledger_workbook

    _name, data = ledger_workbook(user=user, as_of=timezone.localdate())
    return load_workbook(io.BytesIO(data))


def _bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def _import(client, data: bytes, name: str = "台账.xlsx"):
    return client.post(f"{API}/ledger", {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")})


def test_the_office_imports_the_ledger_whole_or_not_at_all(lib, client_for):
    client = client_for(lib["office"])
    book = _ledger(lib["office"])
    ws = book["项目台账"]
    ws.cell(2, _column(ws, "项目名称")).value = "接口改名"
    done = _import(client, _bytes(book))
    assert done.status_code == 200 and done.json()["ok"] and done.json()["counts"]["更新"] >= 1
    assert Project.objects.get(code="XM-001").name == "接口改名"
    # One bad cell: nothing saved, the problem named by row and column (a fresh export: versions moved on).
    book = _ledger(lib["office"])
    ws = book["项目台账"]
    ws.cell(2, _column(ws, "项目名称")).value = "不该保存"
    ws.cell(3, _column(ws, "建设阶段")).value = "在建"
    bad = _import(client, _bytes(book))
    body = bad.json()
    assert bad.status_code == 400 and not body["ok"] and not body["saved"]
    assert any(p["row"] == 3 and p["header"] == "建设阶段" for p in body["problems"])
    assert Project.objects.get(code="XM-001").name == "接口改名"


def test_a_refused_ledger_import_says_why_in_its_detail(lib, client_for):
    """`detail` names the first problem (sheet, row, column, reason) and how many there are, as
    the page's report opens — not only a generic sentence with the reasons left in `problems`."""
    client = client_for(lib["office"])
    book = _ledger(lib["office"])
    ws = book["项目台账"]
    stage = _column(ws, "建设阶段")
    ws.cell(3, stage).value = "在建"
    ws.cell(4, _column(ws, "计划总投资（万元）")).value = -3
    bad = _import(client, _bytes(book))
    body = bad.json()
    assert bad.status_code == 400 and body["code"] == "bad_request" and not body["saved"]
    first = body["problems"][0]
    assert (first["row"], first["header"]) == (3, "建设阶段")
    letter = ws.cell(1, stage).column_letter
    assert body["detail"] == (f"导入失败：有 {len(body['problems'])} 处问题，未做任何修改。"
                              f"第一处：工作表“项目台账” 第 3 行 {letter}（建设阶段）列：{first['reason']}")
    assert len(body["problems"]) >= 2 and body["detail"] != "请求未能完成"
    # A file-level refusal (not a workbook) names its reason too, without a row or column.
    not_a_book = _import(client, samples.PDF).json()
    assert not_a_book["detail"] == (f"导入失败：有 1 处问题，未做任何修改。第一处：{not_a_book['problems'][0]['reason']}")
    # In English, for a client that asks for it.
    from django.conf import settings as django_settings

    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(f"{API}/ledger", {"file": SimpleUploadedFile("台账.xlsx", samples.PDF)}).json()
    assert english["detail"].startswith("Import failed: 1 problem, nothing was changed. The first: ")


def test_a_file_that_is_not_a_workbook_or_too_large_is_refused(lib, client_for, settings):
    client = client_for(lib["office"])
    before = list(Project.objects.values_list("code", "version"))
    for data in (samples.PDF, samples.ATTACK_HTML, b"PK\x03\x04" + b"\x00" * 64):
        response = _import(client, data)
        assert response.status_code == 400 and response.json()["problems"], data[:8]
    settings.DUIBIAO_IMPORT_MAX_MB = 0
    big = _import(client, _bytes(_ledger(lib["office"])))
    assert big.status_code == 400 and "MB" in str(big.json()["problems"])
    assert list(Project.objects.values_list("code", "version")) == before


def test_only_the_office_imports_the_ledger(lib, client_for):
    data = _bytes(_ledger(lib["office"]))
    for who in ("reporter_a", "secretary", "leader"):
        response = _import(client_for(lib[who]), data)
        assert response.status_code == 403 and response.json()["code"] == "forbidden", who
    assert _import(_bearer(lib["office"], ["projects.project.view"]), data).status_code == 403
    assert not Project.objects.filter(version__gt=1).exists()


# ---------------------------------------------------------------------------- the project page's card and history


def test_a_projects_card_is_the_pages(lib, client_for):
    _report(client_for(lib["secretary"]), lib["project_a"], completed_ytd="1200")
    pk = lib["project_a"].pk
    for who, may in (("office", {"edit"}), ("secretary", {"report"}), ("reporter_b", None)):
        client = client_for(lib[who])
        response = client.get(f"{API}/library/{pk}")
        if may is None:  # another unit's reporter: not found, as the page
            assert response.status_code == 404 and client.get(reverse("projects:project_detail", args=[pk])).status_code == 404
            continue
        body = response.json()
        page = client.get(reverse("projects:project_detail", args=[pk])).context["page"]
        assert (body["code"], body["owner_unit"], body["secretary"]) == ("XM-001", "jingyu", "mishu")
        assert body["completed_ytd"] == str(page.ledger.completed_ytd) and body["flag"] == page.flag.colour
        assert body["reasons"] == list(page.flag.reasons)
        assert may <= set(body["allowed"]) and ("edit" in body["allowed"]) == page.can_edit


def test_the_ledger_history_is_listed_newest_first(lib, client_for):
    from tests.projects.library import LEDGER

    client = client_for(lib["office"])
    pk = lib["project_a"].pk
    body = {**LEDGER, "name": "接口改名", "owner_unit": "jingyu", "secretary": "mishu", "version": 1}
    assert client.put(f"{API}/library/{pk}", body, content_type="application/json").status_code == 200
    changes = client.get(f"{API}/library/{pk}/changes").json()["items"]
    named = next(c for c in changes if c["field"] == "name")
    assert (named["old_value"], named["new_value"], named["changed_by"], named["source"]) == (
        "靖宇街道老旧小区改造", "接口改名", "khb", "api")
    assert client_for(lib["reporter_b"]).get(f"{API}/library/{pk}/changes").status_code == 404
    assert _bearer(lib["office"], ["projects.project.view"], units=["taigu"]).get(
        f"{API}/library/{pk}/changes").status_code == 404


def test_the_library_filters_by_responsible_unit_within_the_gate(lib, client_for):
    def codes(client, unit):
        response = client.get(f"{API}/library", {"unit": unit})
        assert response.status_code == 200
        return [r["project"]["code"] for r in response.json()["items"]]

    office = client_for(lib["office"])
    assert codes(office, "taigu") == ["XM-003"] and codes(office, "jingyu") == ["XM-001", "XM-002"]
    assert codes(office, "nosuch") == []
    # 太古街道's reporter asking for 靖宇街道's projects gets none of them.
    assert codes(client_for(lib["reporter_b"]), "jingyu") == []
