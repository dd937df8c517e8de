"""The demo's open quarter, filled from the example data through the real services, so the
audit log, review trail and evidence look exactly as they would after real use."""

from __future__ import annotations

import csv
import zlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from duibiao.accounts.models import User
from duibiao.assessment.models import Indicator, Period, Scheme, SchemeVersion, Submission
from duibiao.assessment.selectors.schemes import scheme_latest_version
from duibiao.assessment.services.periods import period_create, period_set_status
from duibiao.assessment.services.runs import run_compute, run_publish, run_release, run_start
from duibiao.assessment.services.submissions import (
    ValueInput,
    evidence_attach,
    review_approve,
    review_return,
    score_record,
    submission_save,
    submission_submit,
)
from duibiao.audit.services import audit_record
from duibiao.org.models import Unit

# A minimal but valid one-page PDF: what an evidence upload looks like in the demo.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 72 760 Td (Evidence sample) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _example_values(path: Path) -> tuple[dict, dict]:
    values: dict[tuple[str, str], str] = {}
    ballots: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code, _, grade = row["indicator"].partition(":")
            if grade:
                ballots[(row["unit"], code)][grade] = row["value"]
            else:
                values[(row["unit"], code)] = row["value"]
    return values, ballots


def _version(scheme: Scheme) -> SchemeVersion:
    version = scheme_latest_version(scheme)
    if version is None:  # the demo saves the scheme's document before loading quarters
        raise RuntimeError(f"方案 {scheme.code} 还没有版本")
    return version


def load_published_quarter(scheme: Scheme, data_path: Path) -> Period | None:
    """Last quarter, closed and published: every value approved (seeded in bulk, as a
    historical import would be) and a published run, so rankings, 晋位 and trends show."""
    version = _version(scheme)
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    year, number = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    if Period.objects.filter(version__scheme=scheme, kind=Period.Kind.QUARTER, year=year, number=number).exists():
        return None
    office = User.objects.get(username="khb")
    period = period_create(
        actor=office, version=version, kind=Period.Kind.QUARTER, year=year, number=number,
        opens_on=date(year, 3 * number - 2, 1) + timedelta(days=95), deadline_workdays=10,
    )
    period_set_status(actor=office, period=period, status=Period.Status.OPEN)
    values, ballots = _example_values(data_path)
    indicators = {i.code: i for i in version.indicators.all()}
    units = {u.code: u for u in Unit.objects.filter(category__isnull=False)}
    rows = []
    for (unit, code), text in values.items():
        if code in indicators and unit in units and indicators[code].applies_to(units[unit]):
            if indicators[code].value_from:  # fed by its source at the run, never stored
                continue
            value = Decimal(text)
            if indicators[code].entered_by_units:
                value = _last_quarter(value, unit, code, indicators[code])
            rows.append(Submission(period=period, unit=units[unit], indicator=indicators[code], value=value,
                                   status=Submission.Status.APPROVED, approved_by=office))
    for (unit, code), counts in ballots.items():
        if code in indicators and unit in units:
            rows.append(Submission(period=period, unit=units[unit], indicator=indicators[code],
                                   ballots={g: int(float(n)) for g, n in counts.items()},
                                   status=Submission.Status.APPROVED, approved_by=office))
    Submission.objects.bulk_create(rows)
    audit_record(actor=office, action="submission.import", obj=period, after={"approved": len(rows)},
                 detail="演示：上季度已审核数据批量导入")
    run = run_start(actor=office, period=period, note="季度考核")
    run_compute(run.pk)  # now, rather than waiting for the server's task worker
    run.refresh_from_db()
    run_release(actor=office, run=run, appeal_workdays=5)
    # Last quarter's appeal window is counted from today in the demo: published at once, with
    # the reason shown on its ranking as it would be in real use.
    run_publish(actor=office, run=run, stage=run.stage, override_reason="演示数据：上季度结果直接公布")
    return period


def _last_quarter(value: Decimal, unit: str, code: str, indicator: Indicator) -> Decimal:
    """A deterministic ±10 % wobble, so last quarter ranks differently from this one."""
    wobble = (zlib.crc32(f"{unit}:{code}".encode()) % 2001 - 1000) / 10000
    moved = value * (1 + Decimal(str(wobble)))
    if indicator.kind == Indicator.Kind.PERCENT:
        moved = min(moved, Decimal(100))
    if indicator.kind in (Indicator.Kind.COUNT, Indicator.Kind.YES_NO):
        moved = value
    return moved.quantize(Decimal("0.01"))


def load_open_quarter(scheme: Scheme, data_path: Path) -> Period | None:
    version = _version(scheme)
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    if Period.objects.filter(version__scheme=scheme, kind=Period.Kind.QUARTER, year=today.year,
                             number=quarter).exists():
        return None
    office = User.objects.get(username="khb")
    period = period_create(
        actor=office, version=version, kind=Period.Kind.QUARTER, year=today.year, number=quarter,
        opens_on=today - timedelta(days=7), deadline_workdays=10,
    )
    period_set_status(actor=office, period=period, status=Period.Status.OPEN)
    values, ballots = _example_values(data_path)
    indicators = list(version.indicators.select_related("taskforce"))
    reviewers = {u.username: u for u in User.objects.filter(username__in=["zb1", "zb2", "zb3", "zb4"])}
    units = list(Unit.objects.filter(category__isnull=False).select_related("category").order_by("order"))
    for index, unit in enumerate(units):
        stage = index % 7  # 0–3 submitted, 4–5 draft, 6 not started
        reporter = User.objects.get(username=f"{unit.code}_tb")
        if stage == 6:
            continue
        mine = [i for i in indicators if i.entered_by_units and i.applies_to(unit)]
        for n, indicator in enumerate(mine):
            if stage in (4, 5) and n >= len(mine) // 2:
                break
            key = (unit.code, indicator.code)
            if key not in values and key not in ballots:
                continue
            sub = submission_save(
                actor=reporter, period=period, unit=unit,
                item=ValueInput(indicator=indicator, value=values.get(key), ballots=ballots.get(key, {}),
                                expected_version=0),  # a first entry
            )
            if n == 0 or indicator.evidence_required:
                evidence_attach(
                    actor=reporter, submission=sub,
                    upload=SimpleUploadedFile(f"{unit.name}-{indicator.name}-佐证.pdf", SAMPLE_PDF,
                                              content_type="application/pdf"),
                )
        if stage <= 3:
            submission_submit(actor=reporter, period=period, unit=unit, confirm=True)
            _review_some(unit, stage, period, reviewers)
    _record_scores(period, indicators, units, values, reviewers, office)
    return period


def _review_some(unit: Unit, stage: int, period: Period, reviewers: dict) -> None:
    """Task force 1 has reviewed its indicators for most units; one value went back."""
    subs = Submission.objects.filter(period=period, unit=unit, indicator__taskforce__code="zb1").select_related(
        "indicator", "indicator__taskforce"
    )
    for sub in subs:
        if stage == 3 and sub.indicator.code == "nl06":
            review_return(actor=reviewers["zb1"], submission=sub, expected_version=sub.version,
                          reason="培训完成率与组织部台账不一致，请核对后重新填报并附培训记录")
        elif stage in (0, 1):  # stage 2 waits for review
            review_approve(actor=reviewers["zb1"], submission=sub, expected_version=sub.version)


def _record_scores(period, indicators, units, values, reviewers, office) -> None:
    for indicator in indicators:
        if indicator.entered_by_units or indicator.value_from:  # a source's value is nobody's to record
            continue
        by_office = indicator.item_kind in (Indicator.ItemKind.BONUS, Indicator.ItemKind.PENALTY, Indicator.ItemKind.VETO)
        taskforce = indicator.taskforce.code if indicator.taskforce else ""
        actor = office if by_office else reviewers.get(taskforce, office)
        for unit in units:
            value = values.get((unit.code, indicator.code))
            if value is None or not indicator.applies_to(unit):
                continue
            reason = "专班综合评定" if indicator.method == "manual" else f"{indicator.name}（演示记录）"
            score_record(actor=actor, period=period, unit=unit,
                         item=ValueInput(indicator=indicator, value=value, expected_version=0), justification=reason)
