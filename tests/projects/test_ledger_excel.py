"""项目台账 in Excel: the export read back with openpyxl, and the import — all of it or none,
every problem named by sheet, row and column; versions and the gate hold as on the pages."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from duibiao.projects.models import LedgerChange, Project
from tests.files import samples
from tests.projects.library import build_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def lib(world):
    return build_library(world)


def _export(client) -> bytes:
    response = client.get(reverse("documents:project_ledger_export"))
    assert response.status_code == 200
    return response.content


def _upload(client, data: bytes, name: str = "台账.xlsx"):
    return client.post(reverse("documents:project_ledger"),
                       {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")})


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _col(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def test_the_export_reads_back(lib, client_for):
    ws = _book(_export(client_for(lib["office"])))["项目台账"]
    codes = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert codes == ["XM-001", "XM-002", "XM-003"]
    assert ws.cell(2, _col(ws, "建设阶段")).value == "续建"
    assert ws.cell(2, _col(ws, "计划总投资（万元）")).value == 12000
    assert ws.cell(2, _col(ws, "实际开工日期")).value.date() == date(2025, 4, 10)
    assert ws.cell(2, _col(ws, "责任单位")).value == "靖宇街道"
    assert ws.cell(2, _col(ws, "版本")).value == 1
    # a unit's reporter exports only his unit's projects
    ws = _book(_export(client_for(lib["reporter_b"])))["项目台账"]
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == ["XM-003"]


def test_an_edited_export_imports_whole(lib, client_for):
    client = client_for(lib["office"])
    book = _book(_export(client))
    ws = book["项目台账"]
    ws.cell(2, _col(ws, "建设阶段")).value = "新开工"
    new = ws.max_row + 1
    for col in range(1, ws.max_column + 1):
        ws.cell(new, col).value = ws.cell(3, col).value
    ws.cell(new, 1).value = "XM-100"
    ws.cell(new, _col(ws, "版本")).value = None
    response = _upload(client, _save(book))
    assert response.status_code == 302
    assert Project.objects.get(code="XM-001").stage == "new"
    assert Project.objects.get(code="XM-100").owner_unit == lib["a"]
    change = LedgerChange.objects.get(project__code="XM-001", field="stage")
    assert (change.old_value, change.new_value, change.source) == ("continuing", "new", "import")


def test_one_bad_cell_imports_nothing_and_names_row_and_column(lib, client_for):
    client = client_for(lib["office"])
    book = _book(_export(client))
    ws = book["项目台账"]
    ws.cell(2, _col(ws, "项目名称")).value = "改名了"  # a good change, not to be saved
    ws.cell(3, _col(ws, "建设阶段")).value = "在建"
    ws.cell(4, _col(ws, "计划总投资（万元）")).value = -3
    ws.cell(4, _col(ws, "责任单位")).value = "南岗区"
    response = _upload(client, _save(book))
    page = response.content.decode()
    assert response.status_code == 400 and 'data-testid="import-report"' in page
    assert "新开工（new）" in page and "金额不能为负数" in page and "南岗区" in page
    assert f"{ws.cell(1, _col(ws, '建设阶段')).column_letter}（建设阶段）" in page
    assert Project.objects.get(code="XM-001").name == "靖宇街道老旧小区改造"


def test_a_stale_row_is_refused(lib, client_for):
    client = client_for(lib["office"])
    data = _export(client)
    Project.objects.filter(code="XM-001").update(version=5)  # someone saved since the export
    book = _book(data)
    ws = book["项目台账"]
    ws.cell(2, _col(ws, "项目名称")).value = "旧表的名称"
    response = _upload(client, _save(book))
    assert response.status_code == 400 and "已被他人修改" in response.content.decode()
    assert Project.objects.get(code="XM-001").name == "靖宇街道老旧小区改造"


def test_duplicate_codes_in_the_sheet(lib, client_for):
    client = client_for(lib["office"])
    book = _book(_export(client))
    ws = book["项目台账"]
    ws.cell(3, 1).value = "XM-001"
    response = _upload(client, _save(book))
    assert response.status_code == 400 and "本表中项目编号重复" in response.content.decode()


def test_a_file_that_is_not_a_workbook_is_refused(lib, client_for):
    response = _upload(client_for(lib["office"]), samples.PDF, name="台账.xlsx")
    assert response.status_code == 400 and "不是 Excel 工作簿" in response.content.decode()


def test_only_the_office_imports(lib, client_for):
    client = client_for(lib["reporter_a"])
    data = _export(client)
    assert _upload(client, data).status_code == 403
    page = client.get(reverse("documents:project_ledger")).content.decode()
    assert 'type="file"' not in page
