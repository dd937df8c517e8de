"""Excel imports: validate the whole workbook first, then write everything in one
transaction or nothing at all. Each import leaves one audit row, success or not."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.http import Http404

from duibiao.accounts import gate
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.limits import ValueRules, ballots_clean, text_limit, value_rules
from duibiao.assessment.models import Indicator, Period, Scheme, SchemeVersion, Submission
from duibiao.assessment.selectors.reporting import unit_indicators
from duibiao.assessment.selectors.schemes import scheme_latest_version
from duibiao.assessment.services.schemes import scheme_version_save
from duibiao.assessment.services.submissions import ValueInput, submission_bulk_save
from duibiao.audit.services import audit_record
from duibiao.documents.excel import workbook as wbk
from duibiao.documents.excel.problems import ImportReport
from duibiao.documents.excel.reporting_workbook import (
    LOCKED,
    SheetIn,
    cell_raw,
    parse_reporting_workbook,
    period_key,
)
from duibiao.documents.excel.scheme_workbook import (
    apply_scheme_rows,
    dump_document,
    parse_scheme_workbook,
)
from duibiao.documents.selectors import reportable_units
from duibiao.org.models import Unit
from duibiao.schemes import SchemeDocumentError

if TYPE_CHECKING:
    from typing import IO

    from django.core.files.base import File
    from openpyxl import Workbook

    from duibiao.accounts.models import User
    from duibiao.documents.excel.reporting_workbook import RowIn

    # A file to import: an upload (in the request, or the stored one a background import
    # reads) or any binary file object (the benchmarks).
    Upload = File | IO[bytes]

NOTE_MAX = text_limit(Submission, "note")


def upload_check(upload: Upload, report: ImportReport) -> bool:
    """Whether an upload is an xlsx within the size and zip caps; the reason in the report if
    not. Every import, in the request or in the background, is checked here before parsing."""
    report.filename = getattr(upload, "name", "") or ""
    handle = getattr(upload, "file", upload)
    size = getattr(upload, "size", None)
    if size is None:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
    handle.seek(0)
    return wbk.check_upload(handle, size, max_mb=settings.DUIBIAO_IMPORT_MAX_MB, report=report,
                            unzipped_max_mb=settings.DUIBIAO_IMPORT_UNZIPPED_MAX_MB)


def _open(upload: Upload, report: ImportReport, *, read_only: bool) -> Workbook | None:
    """The workbook of an upload, or None with the reason in the report."""
    if not upload_check(upload, report):
        return None
    return wbk.open_workbook(getattr(upload, "file", upload), read_only=read_only, report=report)


def import_refused_audit(*, actor: User, action: str, obj: Model | None, unit: Unit, report: ImportReport) -> None:
    """The audit row of an import that changed nothing (the first problems in its detail)."""
    audit_record(
        actor=actor, action=action, obj=obj, unit=unit, success=False,
        after={"file": report.filename, "problems": len(report.problems)},
        detail="; ".join(f"{p.sheet}!{p.column}{p.row or ''} {p.reason}" for p in report.problems[:5]),
    )


# ---------------------------------------------------------------------------------------
# 考核细则


@dataclass
class SchemeImportOutcome:
    report: ImportReport
    version: SchemeVersion | None = None


def scheme_import_require(*, actor: User, scheme: Scheme) -> None:
    """Only the office of the scheme's own unit may import its 考核细则: a district's office
    sees the city's scheme too (scheme_list looks upwards) but may not change it."""
    gate.require(actor, "documents.workbook.import")
    if not gate.allows(actor, "documents.workbook.import", unit=scheme.district):
        raise PermissionDenied("仅该方案所属单位的考核办可以导入考核细则")


def scheme_workbook_import(*, actor: User, scheme: Scheme, upload: Upload) -> SchemeImportOutcome:
    """Apply a 考核细则 workbook to the scheme's latest version and save the result as the
    next version (the office only). Nothing is saved when the report has any problem."""
    scheme_import_require(actor=actor, scheme=scheme)
    report = ImportReport()
    latest = scheme_latest_version(scheme)
    if latest is None:
        raise AssessmentError("该方案还没有任何版本，请先创建方案")
    wb = _open(upload, report, read_only=False)  # merged cells need the full reader
    if wb is not None:
        sheet, heads, rows = parse_scheme_workbook(wb, report)
        if report.ok:
            result = apply_scheme_rows(yaml.safe_load(latest.document), sheet, heads, rows, report)
            report.counts, report.notes = result.counts, result.notes if report.ok else []
    report.sort()
    if not report.ok:
        import_refused_audit(actor=actor, action="documents.scheme_import", obj=scheme,
                             unit=scheme.district, report=report)
        return SchemeImportOutcome(report)
    if not result.changed:
        report.notes = [f"工作簿与第 {latest.number} 版一致，未生成新版本"]
        return SchemeImportOutcome(report)
    text = dump_document(result.document, header=f"由考核细则工作簿 {report.filename} 导入，基于第 {latest.number} 版")
    try:
        with transaction.atomic():
            version = scheme_version_save(
                actor=actor, scheme=scheme, document=text, based_on=latest.number,
                note=f"导入考核细则 {report.filename}"[:200],
            )
            audit_record(actor=actor, action="documents.scheme_import", obj=scheme, unit=scheme.district,
                         after={"file": report.filename, "version": version.number, **report.counts})
    except SchemeDocumentError as exc:
        for path, why in exc.errors:
            report.file_problem(f"导入后的方案无效：{path} {why}".strip())
    except AssessmentError as exc:  # another version was saved meanwhile
        report.file_problem(str(exc))
    if not report.ok:
        import_refused_audit(actor=actor, action="documents.scheme_import", obj=scheme,
                             unit=scheme.district, report=report)
        return SchemeImportOutcome(report)
    report.saved = True
    return SchemeImportOutcome(report, version)


# ---------------------------------------------------------------------------------------
# 数据填报模板


def _same(sub: Submission, value: Decimal | None, ballots: dict, note: str) -> bool:
    return sub.value == value and (sub.ballots or {}) == ballots and sub.note == note


def _shows(sub: Submission, raw: object) -> bool:
    """Whether a cell holds the submission's stored value (as the template wrote it)."""
    try:
        return sub.value is not None and Decimal(str(raw)) == sub.value
    except (ArithmeticError, ValueError):
        return False


def _vote_count(raw: object) -> int | None:
    """A vote count: a whole number not below 0, or its digits; None for anything else."""
    if isinstance(raw, int | Decimal) and raw >= 0 and raw == int(raw):
        return int(raw)
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    return None


def _ballot_items(sheet: SheetIn, ind: Indicator, rows: list[RowIn], report: ImportReport) -> dict[str, int] | None:
    """The ballots of one indicator from its grade rows, or None if any cell is bad or all
    are blank."""
    c_value = sheet.heads["填报值"]
    counts: dict[str, object] = {}
    bad = False
    for row in rows:
        if row.value is None:
            continue
        raw, why = cell_raw(ind, row.value)
        count = _vote_count(raw) if why is None else None
        if count is not None and row.grade is not None:  # (grade rows always name their grade)
            counts[row.grade] = count
        else:
            report.add(sheet.title, row.row, why or f"“{row.grade}”票数应为不小于 0 的整数", col=c_value,
                       header="填报值")
            bad = True
    if bad or not counts:
        return None
    try:
        return ballots_clean(ind, counts)
    except AssessmentError as exc:
        report.add(sheet.title, rows[0].row, str(exc), col=c_value, header="填报值")
        return None


def _sheet_items(*, period: Period, unit: Unit, sheet: SheetIn, report: ImportReport,
                 every: dict[str, Indicator], rules: ValueRules) -> list[ValueInput]:
    """Every row of one unit's sheet checked; the values that change something."""
    applicable = {i.code: i for i in unit_indicators(period, unit)}
    subs = {s.indicator_id: s for s in Submission.objects.filter(period=period, unit=unit)}
    c_code, c_value = sheet.heads["指标代码"], sheet.heads["填报值"]
    c_note = sheet.heads.get("填报说明")
    seen: dict[tuple[str, str | None], int] = {}
    plan: list[tuple[Indicator, list]] = []  # indicator, its rows (one, or one per grade)
    by_code: dict[str, list] = {}
    for row in sheet.rows:
        ind = applicable.get(row.code)
        if ind is None:
            other = every.get(row.code)
            if other is None:
                reason = f"未知的指标代码“{row.code}”"
            elif not other.entered_by_units:
                reason = f"“{other.name}”由专班或考核办评定，单位不填报"
            else:
                reason = f"“{other.name}”不适用于{unit.name}"
            report.add(sheet.title, row.row, reason, col=c_code, header="指标代码")
            continue
        key = (row.code, row.grade)
        if key in seen:
            report.add(sheet.title, row.row, f"重复的行：与第 {seen[key]} 行是同一指标", col=c_code,
                       header="指标代码")
            continue
        seen[key] = row.row
        if (ind.kind == Indicator.Kind.BALLOT) != (row.grade is not None) or (
                row.grade is not None and row.grade not in ind.grade_names):
            reason = (f"测评等次“{row.grade}”不在该指标的等次（{'、'.join(ind.grade_names)}）中"
                      if ind.kind == Indicator.Kind.BALLOT and row.grade else "指标代码与测评等次不匹配")
            report.add(sheet.title, row.row, reason, col=c_code, header="指标代码")
            continue
        if row.code not in by_code:
            by_code[row.code] = []
            plan.append((ind, by_code[row.code]))
        by_code[row.code].append(row)

    items: list[ValueInput] = []
    for ind, rows in plan:
        note = next((r.note for r in rows if r.note), "")
        if len(note) > NOTE_MAX:
            report.add(sheet.title, rows[0].row, f"填报说明超过 {NOTE_MAX} 字", col=c_note, header="填报说明")
            continue
        if ind.kind == Indicator.Kind.BALLOT:
            ballots, value = _ballot_items(sheet, ind, rows, report), None
            if ballots is None:
                continue
        else:
            row, ballots = rows[0], {}
            if row.value is None:
                continue  # a blank cell keeps what is saved
            raw, why = cell_raw(ind, row.value)
            try:
                if why:
                    raise AssessmentError(why)
                value = rules.clean(ind, raw)
            except AssessmentError as exc:
                sub = subs.get(ind.pk)
                if sub is not None and sub.status in LOCKED and _shows(sub, raw):
                    # A locked row shows the stored value, which may predate today's checks:
                    # the unit cannot change it, so it must not fail the whole import.
                    continue
                report.add(sheet.title, row.row, str(exc), col=c_value, header="填报值")
                continue
        sub = subs.get(ind.pk)
        first = rows[0]
        if sub is not None:
            if _same(sub, value, ballots, note):
                continue  # unchanged: no new version, no audit noise
            if sub.status in LOCKED:
                extra = "（已审核的数据须由考核办解锁）" if sub.status == Submission.Status.APPROVED else ""
                report.add(sheet.title, first.row, f"“{ind.name}”{sub.get_status_display()}，不能修改{extra}",
                           col=c_value, header="填报值")
                continue
            if first.version is not None and first.version != sub.version:
                report.add(sheet.title, first.row, f"下载模板后“{ind.name}”已被他人修改，为免覆盖，"
                           "请重新下载模板后再填写", col=c_value, header="填报值")
                continue
        # The version read here (0: not saved yet) is checked again under the lock when the
        # plan is written, so a change made between the two halves is not overwritten.
        items.append(ValueInput(ind, value=value, ballots=ballots, note=note,
                                expected_version=sub.version if sub else 0))
    return items


class _Rollback(Exception):
    pass


@dataclass
class ReportingPlan:
    """What a checked workbook would write: per unit, its sheet and the changed values."""

    report: ImportReport
    units: list[tuple[Unit, SheetIn, list[ValueInput]]]


def reporting_import_check(*, actor: User, period: Period, upload: Upload, unit: Unit | None = None) -> ReportingPlan:
    """Read and check a filled-in template without writing anything (the first half of
    `reporting_workbook_import`; the benchmark times the halves separately)."""
    report = ImportReport()
    plan: list[tuple[Unit, SheetIn, list[ValueInput]]] = []
    if period.status != Period.Status.OPEN:
        report.file_problem(f"{period.name}当前为“{period.get_status_display()}”，不能导入填报数据")
    wb = _open(upload, report, read_only=True) if report.ok else None
    if wb is None:
        return ReportingPlan(report, plan)
    sheets = parse_reporting_workbook(wb, report)
    wb.close()
    allowed = reportable_units(user=actor, period=period)
    by_code = {u.code: u for u in allowed}
    by_name = {u.name: u for u in allowed}
    every = {i.code: i for i in Indicator.objects.filter(version=period.version)}
    rules = value_rules(period.version)
    key = period_key(period)
    taken: dict[int, str] = {}  # unit id → the sheet that named it first
    for sheet in sheets:
        if sheet.header_row is None or not {"指标代码", "填报值"} <= set(sheet.heads):
            continue  # already reported
        # The hidden unit code decides; the sheet name is only a fallback for hand-made sheets.
        target = by_code.get(sheet.unit_code) if sheet.unit_code else by_name.get(sheet.title)
        if target is None:
            report.add(sheet.title, None, f"单位“{sheet.unit_code or sheet.title}”不存在或不在您的填报范围内")
            continue
        if unit is not None and target.pk != unit.pk:
            report.add(sheet.title, None, f"该工作表是“{target.name}”的模板，与所选单位“{unit.name}”不符")
            continue
        if target.pk in taken:
            report.add(sheet.title, None, f"与工作表“{taken[target.pk]}”是同一单位（{target.name}）")
            continue
        taken[target.pk] = sheet.title
        if sheet.period_key and sheet.period_key != key:
            report.add(sheet.title, None, f"该工作表是其他考核周期的模板（{sheet.period_key}），请下载{period.name}的模板")
            continue
        items = _sheet_items(period=period, unit=target, sheet=sheet, report=report, every=every, rules=rules)
        plan.append((target, sheet, items))
    if report.ok and not plan:
        report.file_problem("工作簿中没有可导入的单位工作表")
    report.sort()
    return ReportingPlan(report, plan)


def reporting_import_save(*, actor: User, period: Period, plan: ReportingPlan, unit: Unit | None = None) -> ImportReport:
    """Write a checked plan: every unit's values in one transaction, or none of them."""
    report = plan.report
    scope_unit = unit if unit is not None else period.version.scheme.district
    if report.ok:
        try:
            with transaction.atomic():
                for target, sheet, items in plan.units:
                    if not items:
                        continue  # nothing new for this unit: no write, no audit row
                    try:
                        saved = submission_bulk_save(actor=actor, period=period, unit=target, items=items)
                    except (AssessmentError, PermissionDenied, Http404) as exc:
                        report.add(sheet.title, None, str(exc) or "无权填报该单位")
                        raise _Rollback from exc
                    report.counts[target.name] = len(saved)
                audit_record(actor=actor, action="documents.reporting_import", obj=period, unit=scope_unit,
                             after={"file": report.filename, "counts": report.counts})
        except _Rollback:
            report.counts.clear()
    if not report.ok:
        import_refused_audit(actor=actor, action="documents.reporting_import", obj=period,
                             unit=scope_unit, report=report)
        return report
    report.saved = True
    return report


def reporting_workbook_import(*, actor: User, period: Period, upload: Upload, unit: Unit | None = None) -> ImportReport:
    """Import a filled-in 填报模板: every sheet and cell is checked first; if anything is
    wrong nothing changes and the report says where. `unit` limits the import to one unit."""
    plan = reporting_import_check(actor=actor, period=period, upload=upload, unit=unit)
    return reporting_import_save(actor=actor, period=period, plan=plan, unit=unit)
