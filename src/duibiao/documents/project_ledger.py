"""项目台账 in Excel: the export of the projects a user sees, and the all-or-nothing import of
the same sheet (new codes become projects, known codes update theirs at the version exported).

Every value is validated by `projects.fields` (the one validation of each ledger value), and
the writes go through the projects services (the gate, the ledger history, the audit); the
whole workbook is checked first, every problem reported by sheet, row and column, and nothing
is written unless none is found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from openpyxl import Workbook

from duibiao.accounts import gate
from duibiao.audit.services import audit_record
from duibiao.documents.excel.problems import ImportReport
from duibiao.documents.excel.workbook import (
    BODY,
    BORDER,
    HEADER,
    HEADER_FILL,
    WRAP,
    CellValue,
    as_text,
    check_upload,
    fit_width,
    narrow,
    open_workbook,
    read_rows,
    safe,
    save_bytes,
    set_widths,
)
from duibiao.projects.errors import ProjectError
from duibiao.projects.fields import FIELDS, parse_project
from duibiao.projects.models import Project
from duibiao.projects.rates import project_flag
from duibiao.projects.selectors import ledger_rows, visible_projects
from duibiao.projects.selectors.forms import owner_units, secretaries
from duibiao.projects.services.projects import Binding, project_create, project_update

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.org.models import Unit

SHEET = "项目台账"
UNIT, SECRETARY, RHYTHM, VERSION = "责任单位", "项目服务秘书", "填报频次", "版本"
# Shown for reading, never imported: the figures come from the progress reports.
READ_ONLY = ("本年累计完成投资（万元）", "累计到位资金（万元）", "亮灯")
FLAG_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
RHYTHMS = {"": "", "每周": "weekly", "每半月": "half_monthly", "每月": "monthly",
           "weekly": "weekly", "half_monthly": "half_monthly", "monthly": "monthly"}
MONEY_OR_DATE = {"planned_total", "planned_annual", "funds_planned", "planned_start", "planned_completion",
                 "actual_start", "actual_completion", "in_stats_on"}
TEXT_FIELDS = tuple(f.name for f in FIELDS if f.name not in MONEY_OR_DATE)
HEADERS = (*[f.label for f in FIELDS], UNIT, SECRETARY, RHYTHM, VERSION, *READ_ONLY)


def _key(text: str) -> str:
    """A header as header_map keys it: no spaces, no trailing note in brackets."""
    return re.sub(r"[（(].*[)）]$", "", re.sub(r"\s+", "", text))


def ledger_workbook(*, user: User | AnonymousUser, as_of: date) -> tuple[str, bytes]:
    """The projects the user sees as a ledger workbook (the sheet the import reads back)."""
    projects = visible_projects(user=user).order_by("code")
    rows = ledger_rows(projects, as_of)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for col, text in enumerate(HEADERS, start=1):
        cell = safe(ws.cell(1, col), text)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER, HEADER_FILL, BORDER, WRAP
    rhythm_words = {v: k for k, v in RHYTHMS.items() if k and not k.isascii()}
    for r, (project, row) in enumerate(zip(projects, rows, strict=True), start=2):
        values: list[object] = [getattr(project, f.name) for f in FIELDS]
        for i, f in enumerate(FIELDS):  # vocabularies as their Chinese labels
            if f.name in ("level", "type", "stage", "source"):
                values[i] = getattr(project, f"get_{f.name}_display")()
        flag = project_flag(row, as_of).colour
        values += [project.owner_unit.name, project.secretary.username if project.secretary else "",
                   rhythm_words.get(project.rhythm, ""), project.version,
                   row.completed_ytd, row.funds_in_place, FLAG_WORDS.get(flag or "", "")]
        for col, value in enumerate(values, start=1):
            cell = safe(ws.cell(r, col), float(value) if isinstance(value, Decimal) else value)
            cell.font, cell.border = BODY, BORDER
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    set_widths(ws, {c: fit_width([h]) + 2 for c, h in enumerate(HEADERS, start=1)})
    ws.freeze_panes = "C2"
    return f"项目台账-{as_of.isoformat()}.xlsx", save_bytes(wb)


@dataclass
class _Row:
    number: int
    raw: dict[str, object]
    binding: Binding
    project: Project | None
    version: int | None


def _columns(header: list[CellValue], report: ImportReport) -> dict[str, int] | None:
    found = {_key(str(narrow(as_text(c.value)))): c.col for c in header}
    wanted = {_key(f.label): f.name for f in FIELDS} | {UNIT: "owner_unit", SECRETARY: "secretary",
                                                          RHYTHM: "rhythm", VERSION: "version"}
    missing = [label for label in (f.label for f in FIELDS[:6]) if _key(label) not in found] + (
        [UNIT] if UNIT not in found else [])
    if missing:
        report.add(SHEET, 1, "缺少列：" + "、".join(missing))
        return None
    return {name: found[key] for key, name in wanted.items() if key in found}


def _binding(cells: dict[str, object], units: dict[str, Unit], people: dict[str, User],
             fail: dict[str, str]) -> Binding | None:
    unit_text = as_text(cells.get("owner_unit"))
    unit = units.get(unit_text)
    if unit is None:
        fail["owner_unit"] = f"没有“{unit_text}”这个单位，或您不能维护该单位的项目" if unit_text else "必填"
    secretary_text = as_text(cells.get("secretary"))
    secretary = people.get(secretary_text) if secretary_text else None
    if secretary_text and secretary is None:
        fail["secretary"] = f"“{secretary_text}”不是项目服务秘书的账号"
    rhythm_text = as_text(cells.get("rhythm"))
    if rhythm_text not in RHYTHMS:
        fail["rhythm"] = "应为每周、每半月或每月（或留空，按全区统一设置）"
    return Binding(unit, secretary, RHYTHMS.get(rhythm_text, "")) if unit else None


def _check_rows(actor: User, rows: list[list[CellValue]], columns: dict[str, int],
                report: ImportReport) -> list[_Row]:
    units = {key: u for u in owner_units(user=actor) for key in (u.code, u.name)}
    people = {u.username: u for u in secretaries(user=actor)}
    existing = {p.code: p for p in Project.objects.select_related("owner_unit")}
    where = {name: col for name, col in columns.items()}
    labels = {f.name: f.label for f in FIELDS} | {"owner_unit": UNIT, "secretary": SECRETARY, "rhythm": RHYTHM,
                                                   "version": VERSION}
    seen: set[str] = set()
    out: list[_Row] = []
    for cells_of_row in rows:
        by_col = {c.col: c.value for c in cells_of_row}
        cells = {name: by_col.get(col) for name, col in columns.items()}
        number = cells_of_row[0].row
        raw = {f.name: cells.get(f.name) for f in FIELDS}
        for name in TEXT_FIELDS:  # a code typed as a number reads 123, not 123.0
            raw[name] = as_text(raw[name])
        for name in ("code", "level", "type", "stage", "source"):
            raw[name] = narrow(raw[name])
        values, fail = parse_project(raw)
        binding = _binding(cells, units, people, fail)
        code = str(values.get("code") or "")
        project = existing.get(code)
        version = cells.get("version")
        if code in seen:
            fail["code"] = "本表中项目编号重复"
        seen.add(code)
        if project is not None and not gate.allows(actor, "projects.project.edit", unit=project.owner_unit,
                                                   secretary=project.secretary_id):
            fail["code"] = "您不能修改该项目的台账"
        elif project is not None and version not in (None, "") and str(version).split(".")[0] != str(project.version):
            fail["version"] = f"该项目已被他人修改（现为第 {project.version} 版），请重新导出后再修改导入"
        for name, reason in fail.items():
            report.add(SHEET, number, reason, col=where.get(name), header=labels.get(name, name))
        if not fail and binding is not None:
            out.append(_Row(number, raw, binding, project, project.version if project else None))
    return out


def ledger_import(*, actor: User, upload: UploadedFile) -> ImportReport:
    """Import a ledger workbook: all of it or, when any value is wrong, none of it."""
    gate.require(actor, "projects.project.edit")
    report = ImportReport(filename=upload.name or "")
    if not check_upload(upload, upload.size or 0, max_mb=settings.DUIBIAO_IMPORT_MAX_MB, report=report):
        return report
    wb = open_workbook(upload, read_only=True, report=report)
    if wb is None:
        return report
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = read_rows(ws)
    if not rows:
        report.add(ws.title, None, "工作表是空的")
        return report
    columns = _columns(rows[0], report)
    if columns is None:
        return report
    checked = _check_rows(actor, rows[1:], columns, report)
    if not report.ok:
        return report
    try:
        _write(actor, checked, report)
    except ProjectError as exc:  # a change by someone else between the check and the write
        report.add(SHEET, None, str(exc))
    return report


@transaction.atomic
def _write(actor: User, rows: list[_Row], report: ImportReport) -> None:
    created = updated = 0
    for row in rows:
        if row.project is None:
            project_create(actor=actor, raw=row.raw, binding=row.binding, source="import")
            created += 1
        else:
            project_update(actor=actor, project=row.project, version=row.version or row.project.version,
                           raw=row.raw, binding=row.binding, source="import")
            updated += 1
    report.counts = {"新增": created, "更新": updated}
    report.saved = True
    audit_record(actor=actor, action="projects.ledger.import", detail=report.filename,
                 after={"created": created, "updated": updated})
