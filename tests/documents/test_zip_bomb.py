"""An xlsx decompression bomb (security review, hole 5): ~200 MB of sheet XML in a small
file is refused from the zip's directory, before openpyxl reads a byte of it, and the site
keeps answering meanwhile."""

from __future__ import annotations

import threading
import time
import urllib.request
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from playwright.sync_api import expect

from duibiao.assessment.models import Submission
from duibiao.documents.services import reporting_workbook_import
from tests.conftest import sign_in
from tests.files import samples

MB = 1024 * 1024
ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'


@pytest.fixture(autouse=True)
def chinese():
    """Reasons are checked in Chinese, whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> bytes:
    """A workbook whose one sheet unpacks to 200 MB, written in chunks (never all in memory)."""
    path = tmp_path_factory.mktemp("bomb") / "填报模板.xlsx"
    chunk = ROW * (MB // len(ROW))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _ in range(200):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    data = path.read_bytes()
    assert len(data) < 2 * MB
    return data


def problems(report) -> list[str]:
    return [p.reason for p in report.problems]


def test_the_bomb_is_refused_from_its_directory(excel, bomb):
    started = time.monotonic()
    report = reporting_workbook_import(actor=excel["reporter_a"], period=excel["period"],
                                       upload=SimpleUploadedFile("填报模板.xlsx", bomb))
    assert time.monotonic() - started < 5
    (reason,) = problems(report)
    assert "疑似压缩炸弹" in reason and "xl/worksheets/sheet1.xml" in reason
    assert not report.saved and not Submission.objects.exists()


def test_sizes_that_lie_are_caught_before_openpyxl(excel):
    xml = b"<worksheet><sheetData>" + ROW * 2000 + b"</sheetData></worksheet>"
    data = samples.zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                           "xl/worksheets/sheet1.xml": xml})
    raw = bytearray(data)
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24:central + 28] = (1000).to_bytes(4, "little")  # claims 1 000 bytes
    report = reporting_workbook_import(actor=excel["reporter_a"], period=excel["period"],
                                       upload=SimpleUploadedFile("填报模板.xlsx", bytes(raw)))
    (reason,) = problems(report)
    assert reason.startswith("文件已损坏") and "sheet1.xml" in reason


def test_the_unzipped_cap_is_a_setting(excel, settings):
    settings.DUIBIAO_IMPORT_UNZIPPED_MAX_MB = 1
    xml = b"<worksheet><sheetData>" + bytes(range(256)) * (6 * 1024) + b"</sheetData></worksheet>"  # ~1.5 MB, poorly compressible
    data = samples.zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                           "xl/worksheets/sheet1.xml": xml})
    report = reporting_workbook_import(actor=excel["reporter_a"], period=excel["period"],
                                       upload=SimpleUploadedFile("填报模板.xlsx", data))
    assert any("上限" in r or "压缩炸弹" in r for r in problems(report))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_bomb_is_refused_in_the_page_while_the_site_keeps_answering(page, live_server, excel, bomb, tmp_path):
    base = live_server.url
    sign_in(page, base, "tb_a")
    page.goto(f"{base}/documents/periods/{excel['period'].pk}/")
    path = tmp_path / "填报模板.xlsx"
    path.write_bytes(bomb)

    probes: list[tuple[int, float]] = []
    stop = threading.Event()

    def probe():
        while not stop.is_set():
            started = time.monotonic()
            with urllib.request.urlopen(f"{base}/login/", timeout=10) as response:
                probes.append((response.status, time.monotonic() - started))
            time.sleep(0.1)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    try:
        started = time.monotonic()
        page.set_input_files("#file", str(path))
        page.get_by_role("button", name="导入", exact=True).click()
        report = page.get_by_test_id("import-report")
        report.wait_for(timeout=5000)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        prober.join(timeout=15)
    expect(report).to_contain_text("疑似压缩炸弹")
    assert elapsed < 5
    assert probes and all(status == 200 and took < 2 for status, took in probes), probes
    assert not Submission.objects.exists()
