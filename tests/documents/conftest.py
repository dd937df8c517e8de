"""Fixtures for the Excel tests: the 道外 2023 scheme over `world`, an open quarter, and
helpers to build, edit and upload workbooks in memory."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
DAOWAI = ROOT / "examples" / "daowai-2023" / "scheme.yaml"


@pytest.fixture
def excel(world):
    """`world` + scheme daowai-2023 (task forces zb1–zb4) + period 2023 Q1, open."""
    from duibiao.assessment.models import Period
    from duibiao.assessment.services.schemes import scheme_create
    from duibiao.org.models import TaskForce

    for code, name in (("zb2", "营商环境专班"), ("zb3", "高质量发展专班"), ("zb4", "项目攻坚专班")):
        TaskForce.objects.create(code=code, name=name, district=world["district"])
    scheme = scheme_create(actor=None, code="daowai-2023", name="道外区2023年度对标晋位考核评价方案",
                           year=2023, district=world["district"], document=DAOWAI.read_text("utf-8"))
    version = scheme.versions.get()
    period = Period.objects.create(
        version=version, kind=Period.Kind.QUARTER, year=2023, number=1, name="2023年第一季度",
        opens_on=date(2023, 4, 3), deadline_workdays=10, deadline=date(2023, 4, 17),
        status=Period.Status.OPEN,
    )
    return {**world, "scheme": scheme, "version": version, "period": period,
            "ind": {i.code: i for i in version.indicators.all()}}


def upload(data: bytes, name: str = "填报.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def open_xlsx(data: bytes, **kw):
    return load_workbook(io.BytesIO(data), **kw)


def to_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(ws, code: str) -> int:
    """The row whose 指标代码 cell is `code`."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == code:
            return row[0].row
    raise AssertionError(f"{code} not in sheet {ws.title}")


def padded(wb, kb: int = 300) -> bytes:
    """The workbook with a hidden helper sheet of incompressible text (as WPS or a macro may
    add), so the file is over the default background-import threshold; imports skip hidden
    sheets, so it reports as the workbook alone would."""
    import secrets

    helper = wb.create_sheet("辅助")
    helper.sheet_state = "hidden"
    for row in range(1, kb * 1024 // 48 + 1):  # 48 random bytes a row, as text
        helper.cell(row, 1).value = secrets.token_urlsafe(24)
        helper.cell(row, 2).value = secrets.token_urlsafe(24)
    data = to_bytes(wb)
    assert len(data) >= kb * 1024
    return data
