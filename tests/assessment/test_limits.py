"""Values within bounds everywhere (security review, hole 4).

The attack: one out-of-range number (`1e15`) saved through the API was stored by SQLite and
then broke the unit's reporting page, its rows API, its template, submit, every attempt to
fix it, the office's all-units template and the task force's review page (500s); PostgreSQL
failed the write itself. Here every write path refuses it with a message, a value already in
the database is shown flagged on every page instead of breaking it, and texts are held to the
same length on both databases.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from duibiao import engine
from duibiao.assessment.errors import AssessmentError, InvalidValue
from duibiao.assessment.limits import ValueRules, value_clean, value_rules
from duibiao.assessment.models import Appeal, Period, ReviewEvent, Submission
from duibiao.assessment.services.appeals import appeal_decide, appeal_file
from duibiao.assessment.services.runs import run_release, run_start
from duibiao.assessment.services.submissions import (
    ValueInput,
    score_record,
    submission_bulk_save,
    submission_save,
    submission_submit,
)
from duibiao.documents import exports
from duibiao.documents import services as imports
from tests.documents.conftest import open_xlsx, row_of, to_bytes, upload

BIG = "1e15"  # the value of the attack: 16 integer digits, 14 fit Decimal(20, 6)


@pytest.fixture(autouse=True)
def _chinese():
    """Messages are checked in Chinese, whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield


def api_put(client, ctx, code, payload):
    url = f"/api/assessment/periods/{ctx['period'].pk}/units/jingyu/values/{code}"
    return client.put(url, payload, content_type="application/json")


def stored_out_of_bounds() -> Decimal:
    """A value the checks refuse, written as an old or hand-edited row would be. SQLite keeps
    1e15 (the attack); PostgreSQL's numeric(20, 6) column cannot hold it, so there the
    stored value is one that fits the column but not the indicator (a rate of 5000 %)."""
    return Decimal(BIG) if connection.vendor == "sqlite" else Decimal("5000")


# ---------------------------------------------------------------- the one function


@pytest.mark.parametrize(("code", "raw", "message"), [
    ("gz07", "1e15", "整数部分最多 14 位"),
    ("gz07", "-1e14", "整数部分最多 14 位"),
    ("gz07", "99999999999999.9999999", "小数最多 6 位"),
    ("gz07", "0.0000001", "小数最多 6 位"),
    ("gz07", "NaN", "不是有效数字"),
    ("gz07", "Infinity", "不是有效数字"),
    ("gz07", "-inf", "不是有效数字"),
    ("gz07", "1" * 60, "过长"),
    ("gz07", "12,3a", "不是数字"),
    ("nl02", "1000.5", "百分比超出合理范围"),
    ("ys10", "-1", "非负整数"),
    ("ys10", "2.5", "非负整数"),
    ("nl10", "2", "是"),
    ("nl10", "maybe", "是"),
    ("nl01", "100.5", "0–100"),
    ("nl01", "-1", "0–100"),
])
def test_one_function_refuses_what_does_not_fit(assessed, code, raw, message):
    with pytest.raises(InvalidValue, match=message):
        value_clean(assessed["ind"][code], raw)


def test_values_that_fit_are_kept_exactly(assessed):
    ind = assessed["ind"]
    assert value_clean(ind["gz07"], "99999999999999.999999") == Decimal("99999999999999.999999")
    assert value_clean(ind["gz07"], "1,234.5") == Decimal("1234.5")
    assert value_clean(ind["nl02"], "95.5%") == Decimal("95.5")
    assert value_clean(ind["nl10"], "是") == 1
    assert value_clean(ind["nl01"], "100") == 100
    assert value_clean(ind["gz07"], "") is None


def rules_of(*indicators: dict) -> ValueRules:
    """The value rules of a small scheme with these indicators."""
    scheme = engine.build_scheme({"code": "t", "name": "t", "version": "1",
                                  "tree": {"code": "T", "children": list(indicators)}})
    return ValueRules({i.code: i for i in scheme.indicators})


def test_the_manual_range_comes_from_the_scheme(assessed):
    """A manual score is out of the scheme's 满分值 (`full`), not a fixed 100."""
    rules = rules_of({"code": "nl01", "normalise": {"method": "manual", "full": 10}})
    with pytest.raises(InvalidValue, match="0–10 "):
        rules.clean(assessed["ind"]["nl01"], "11")
    assert rules.clean(assessed["ind"]["nl01"], "9.5") == Decimal("9.5")
    assert value_rules(assessed["version"]).ranges(assessed["ind"]["nl01"])[0].upper == 100


# ---------------------------------------------------------------- the scheme's value rules


@pytest.mark.parametrize(("code", "raw", "message"), [
    ("nl02", "150", "应在 0–100 之间（单位：%）"),  # a rate: 0–100 by default
    ("nl02", "-0.5", "应在 0–100 之间"),
    ("gz01", "-100.5", "不能小于 -100（单位：%）"),  # a growth rate: min -100, max lifted
    ("gz04", "250", "应在 0–200 之间"),  # 资金到位率 may pass 100 %, up to the scheme's 200
    ("ys04", "2.5", "应为非负整数（单位：件）"),  # a count: a whole number ≥ 0
    ("ys04", "-3", "应为非负整数"),
    ("ys01", "-1", "不能小于 0（单位：小时）"),  # a time is never negative
    ("ys02", "-2", "不能小于 0"),  # a lower-is-better target scores T/x: x ≥ 0
    ("gz07", "12,5", "千分位分隔符位置不对"),  # not 125
    ("gz07", "1,23", "千分位分隔符位置不对"),
    ("gz07", "1,2345", "千分位分隔符位置不对"),
    ("gz07", "1，23", "千分位分隔符位置不对"),
])
def test_the_schemes_rules_refuse_with_a_message(assessed, code, raw, message):
    with pytest.raises(InvalidValue, match=message):
        value_clean(assessed["ind"][code], raw)


def test_values_inside_the_schemes_rules_are_kept(assessed):
    ind = assessed["ind"]
    assert value_clean(ind["nl02"], "100") == 100 and value_clean(ind["nl02"], "0") == 0
    assert value_clean(ind["gz01"], "-5.5") == Decimal("-5.5")  # a fall is a growth rate too
    assert value_clean(ind["gz01"], "150") == 150  # max: null lifts the percent default
    assert value_clean(ind["gz04"], "110") == 110
    assert value_clean(ind["ys04"], "1,234") == 1234
    assert value_clean(ind["gz07"], "1,234,567.25") == Decimal("1234567.25")
    assert value_clean(ind["gz07"], "-1,234") == -1234
    assert value_clean(ind["ys02"], "0") == 0


def test_min_max_and_integer_written_in_the_scheme(assessed):
    """A scheme's own min, max and integer replace the defaults of the indicator's kind."""
    rules = rules_of(
        {"code": "nl02", "kind": "percent", "min": 10, "max": 20, "integer": True},
        {"code": "ys04", "kind": "count", "integer": False},
        {"code": "gz07", "max": 5, "unit_of_measure": "亿元"},
    )
    ind = assessed["ind"]
    with pytest.raises(InvalidValue, match="应为 10–20 之间的整数"):
        rules.clean(ind["nl02"], "15.5")
    with pytest.raises(InvalidValue, match="应为 10–20 之间的整数"):
        rules.clean(ind["nl02"], "9")
    assert rules.clean(ind["nl02"], "20") == 20
    assert rules.clean(ind["ys04"], "2.5") == Decimal("2.5")  # averaged counts allowed
    with pytest.raises(InvalidValue, match="不能小于 0"):  # …but still not negative
        rules.clean(ind["ys04"], "-1")
    with pytest.raises(InvalidValue, match=r"不能大于 5（单位：亿元）"):
        rules.clean(ind["gz07"], "5.01")
    assert rules.clean(ind["gz07"], "-7") == -7


def test_without_a_loadable_document_the_kinds_defaults_still_apply(assessed):
    rules = ValueRules({})
    with pytest.raises(InvalidValue, match="应在 0–100 之间"):
        rules.clean(assessed["ind"]["nl02"], "150")
    with pytest.raises(InvalidValue, match="应为非负整数"):
        rules.clean(assessed["ind"]["ys04"], "1.5")


def test_a_rate_of_150_is_refused_by_the_api_the_form_and_the_excel_import(client_for, assessed):
    client = client_for(assessed["reporter_a"])
    response = api_put(client, assessed, "nl02", {"value": "150", "version": 0})
    assert response.status_code == 422 and "应在 0–100 之间" in response.json()["detail"]
    url = reverse("assessment:value_save", args=[assessed["period"].pk, "jingyu", "nl02"])
    form = client.post(url, {"value": "150", "version": "0"})
    assert form.status_code == 422 and "应在 0–100 之间" in form.content.decode()
    form = client.post(url.replace("nl02", "gz07"), {"value": "12,5", "version": "0"})
    assert form.status_code == 422 and "千分位分隔符位置不对" in form.content.decode()
    wb = open_xlsx(exports.reporting_template(user=assessed["reporter_a"], period=assessed["period"],
                                                unit=assessed["a"])[1])
    ws = wb.active
    ws.cell(row_of(ws, "nl02"), 6).value = 150
    report = imports.reporting_workbook_import(actor=assessed["reporter_a"], period=assessed["period"],
                                               upload=upload(to_bytes(wb)))
    (problem,) = report.problems
    assert problem.column == "F" and "应在 0–100 之间" in problem.reason
    assert not Submission.objects.exists()


def test_a_run_is_refused_when_a_stored_rate_breaks_the_schemes_rule(assessed):
    submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                    item=ValueInput(indicator=assessed["ind"]["nl02"], value="90", expected_version=0))
    Submission.objects.update(value=Decimal("150"), status=Submission.Status.APPROVED)
    with pytest.raises(AssessmentError, match="jingyu nl02：应在 0–100 之间"):
        run_start(actor=assessed["office"], period=assessed["period"])


# ---------------------------------------------------------------- every write path refuses


def test_api_refuses_the_attack_and_stores_nothing(client_for, assessed):
    client = client_for(assessed["reporter_a"])
    for value in (BIG, 1e15, "NaN", 1e-7):
        response = api_put(client, assessed, "gz07", {"value": value, "version": 0})
        assert response.status_code == 422, value
        assert "数" in response.json()["detail"], value
    assert not Submission.objects.exists()


def test_form_refuses_the_attack_next_to_the_field(client_for, assessed):
    client = client_for(assessed["reporter_a"])
    url = reverse("assessment:value_save", args=[assessed["period"].pk, "jingyu", "gz07"])
    response = client.post(url, {"value": BIG, "version": "0"})
    assert response.status_code == 422
    assert "整数部分最多 14 位" in response.content.decode()
    assert 'data-testid="row-gz07"' in response.content.decode()  # the row, with its error
    assert not Submission.objects.exists()


def test_excel_import_refuses_the_attack_and_changes_nothing(assessed):
    data = exports.reporting_template(user=assessed["reporter_a"], period=assessed["period"],
                                        unit=assessed["a"])[1]
    wb = open_xlsx(data)
    ws = wb.active
    ws.cell(row_of(ws, "gz07"), 6).value = 1e15
    ws.cell(row_of(ws, "nl03"), 6).value = 91
    report = imports.reporting_workbook_import(actor=assessed["reporter_a"], period=assessed["period"],
                                               upload=upload(to_bytes(wb)))
    assert not report.ok and not report.saved
    (problem,) = report.problems
    assert problem.column == "F" and "整数部分最多 14 位" in problem.reason
    assert not Submission.objects.exists()


def test_excel_rounds_a_formulas_binary_float_to_the_columns_decimals(assessed):
    wb = open_xlsx(exports.reporting_template(user=assessed["reporter_a"], period=assessed["period"],
                                                unit=assessed["a"])[1])
    ws = wb.active
    ws.cell(row_of(ws, "nl03"), 6).value = 100 / 3  # what =A1/3 leaves in the cell
    report = imports.reporting_workbook_import(actor=assessed["reporter_a"], period=assessed["period"],
                                               upload=upload(to_bytes(wb)))
    assert report.saved, report.problems
    assert Submission.objects.get(indicator__code="nl03").value == Decimal("33.333333")


def test_bulk_save_and_manual_score_refuse_it_too(assessed):
    item = ValueInput(indicator=assessed["ind"]["gz07"], value=BIG, expected_version=0)
    with pytest.raises(InvalidValue):
        submission_bulk_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                             items=[item])
    with pytest.raises(InvalidValue, match="整数部分"):
        score_record(actor=assessed["taskforce"], period=assessed["period"], unit=assessed["a"],
                     item=ValueInput(indicator=assessed["ind"]["nl01"], value=BIG, expected_version=0),
                     justification="专班评定")
    with pytest.raises(InvalidValue, match="0–100"):
        score_record(actor=assessed["taskforce"], period=assessed["period"], unit=assessed["a"],
                     item=ValueInput(indicator=assessed["ind"]["nl01"], value="101", expected_version=0),
                     justification="专班评定")
    with pytest.raises(InvalidValue, match="票数过大"):
        submission_bulk_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                             items=[ValueInput(indicator=assessed["ind"]["nl05"], ballots={"优秀": "9" * 20},
                                               expected_version=0)])
    assert not Submission.objects.exists()


# ---------------------------------------------------------------- texts: the same on both databases


def test_a_600_character_note_answers_422_with_a_message(client_for, assessed):
    client = client_for(assessed["reporter_a"])
    response = api_put(client, assessed, "nl02", {"value": "90", "note": "说" * 600, "version": 0})
    assert response.status_code == 422
    assert "最多 500 字，现有 600 字" in response.json()["detail"]
    form = client.post(reverse("assessment:value_save", args=[assessed["period"].pk, "jingyu", "nl02"]),
                       {"value": "90", "note": "说" * 600, "version": "0"})
    assert form.status_code == 422 and "最多 500 字" in form.content.decode()
    assert api_put(client, assessed, "nl02", {"value": "90", "note": "说" * 500, "version": 0}).status_code == 200


def test_reasons_are_held_to_their_limits(client_for, assessed):
    period = assessed["period"]
    submission_save(actor=assessed["reporter_a"], period=period, unit=assessed["a"],
                    item=ValueInput(indicator=assessed["ind"]["nl02"], value="90", expected_version=0))
    submission_submit(actor=assessed["reporter_a"], period=period, unit=assessed["a"], confirm=True)
    sub = Submission.objects.get()
    reviewer = client_for(assessed["taskforce"])
    response = reviewer.post(f"/api/assessment/submissions/{sub.pk}/return",
                             {"version": sub.version, "reason": "理" * 501}, content_type="application/json")
    assert response.status_code == 422 and "退回原因" in response.json()["detail"]
    page = reviewer.post(reverse("assessment:return", args=[sub.pk]), {"version": sub.version, "reason": "理" * 501})
    assert page.status_code == 422 and "最多 500 字" in page.content.decode()
    score = reviewer.put(f"/api/assessment/periods/{period.pk}/units/jingyu/scores/nl01",
                         {"value": "90", "justification": "由" * 501, "version": 0}, content_type="application/json")
    assert score.status_code == 422 and "评分理由" in score.json()["detail"]
    assert Submission.objects.get().status == "submitted" and not ReviewEvent.objects.filter(action="return").exists()
    office = client_for(assessed["office"])
    run = office.post(reverse("assessment:run_start", args=[period.pk]), {"note": "注" * 201}, follow=True)
    assert run.status_code == 200 and "最多 200 字" in run.content.decode()


def test_appeal_texts_have_a_documented_limit(approved):
    run = run_start(actor=approved["office"], period=approved["period"])
    run_release(actor=approved["office"], run=run)
    with pytest.raises(InvalidValue, match="最多 2000 字"):
        appeal_file(actor=approved["head_a"], run=run, unit=approved["a"], indicator=approved["ind"]["nl03"],
                    reason="申" * 2001)
    appeal = appeal_file(actor=approved["head_a"], run=run, unit=approved["a"], indicator=approved["ind"]["nl03"],
                         reason="申" * 2000)
    with pytest.raises(InvalidValue, match="最多 2000 字"):
        appeal_decide(actor=approved["taskforce"], appeal=appeal, accept=False, decision="复" * 2001)
    assert Appeal.objects.get().status == Appeal.Status.PENDING


def test_period_and_scheme_texts_and_years(client_for, assessed):
    office = client_for(assessed["office"])
    long_name = office.post("/api/periods", {"scheme": "daowai-2023", "kind": "quarter", "year": 2027, "number": 1,
                                             "opens_on": "2027-01-04", "name": "期" * 61},
                            content_type="application/json")
    assert long_name.status_code == 422 and "最多 60 字" in long_name.json()["detail"]
    far = office.post("/api/periods", {"scheme": "daowai-2023", "kind": "quarter", "year": 10**12, "number": 1,
                                       "opens_on": "2027-01-04"}, content_type="application/json")
    assert far.status_code == 422 and "年度应在 2000–2100 之间" in far.json()["detail"]
    note = office.post("/api/assessment/schemes/daowai-2023/versions",
                       {"document": assessed["version"].document, "based_on": 1, "note": "修" * 201},
                       content_type="application/json")
    assert note.status_code == 422 and "最多 200 字" in note.json()["detail"]
    assert Period.objects.count() == 1 and assessed["scheme"].versions.count() == 1


# ---------------------------------------------------------------- pages survive a stored bad value


@pytest.fixture
def poisoned(client_for, assessed):
    """nl02 of 靖宇街道 saved, then changed in the database past every rule."""
    submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                    item=ValueInput(indicator=assessed["ind"]["nl02"], value="90", expected_version=0))
    submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                    item=ValueInput(indicator=assessed["ind"]["nl03"], value="92", expected_version=0))
    Submission.objects.filter(indicator__code="nl02").update(value=stored_out_of_bounds())
    return assessed


def test_reporting_page_rows_api_and_templates_show_the_value_flagged(client_for, poisoned):
    ctx, pid = poisoned, poisoned["period"].pk
    reporter = client_for(ctx["reporter_a"])
    page = reporter.get(reverse("assessment:report_unit", args=[pid, "jingyu"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="value-problem"' in text and "请更正后保存" in text
    rows = reporter.get(f"/api/assessment/periods/{pid}/units/jingyu/rows")
    assert rows.status_code == 200
    flagged = {r["indicator"]["code"]: r["submission"]["problem"] for r in rows.json()["items"] if r["submission"]}
    assert flagged["nl02"] and flagged["nl03"] is None
    for name, args in (("unit_template_download", [pid, "jingyu"]), ("template_download", [pid])):
        who = reporter if name == "unit_template_download" else client_for(ctx["office"])
        response = who.get(reverse(f"documents:{name}", args=args))
        assert response.status_code == 200, name
        ws = open_xlsx(response.content).active
        assert "数值有误" in ws.cell(row_of(ws, "nl02"), 8).value  # 状态 column says why


def test_submit_refuses_with_a_message_and_a_fix_is_accepted(client_for, poisoned):
    ctx, pid = poisoned, poisoned["period"].pk
    reporter = client_for(ctx["reporter_a"])
    submitted = reporter.post(reverse("assessment:report_submit", args=[pid, "jingyu"]), {"confirm": "1"}, follow=True)
    assert submitted.status_code == 200 and "数值有误" in submitted.content.decode()
    assert not Submission.objects.filter(status="submitted").exists()
    sub = Submission.objects.get(indicator__code="nl02")
    fixed = reporter.post(reverse("assessment:value_save", args=[pid, "jingyu", "nl02"]),
                          {"value": "95", "version": str(sub.version)})
    assert fixed.status_code == 200 and 'data-testid="row-saved"' in fixed.content.decode()
    assert 'data-testid="value-problem"' not in fixed.content.decode()
    assert Submission.objects.get(pk=sub.pk).value == 95
    assert reporter.post(reverse("assessment:report_submit", args=[pid, "jingyu"]), {"confirm": "1"}).status_code == 302
    assert Submission.objects.filter(status="submitted").count() == 2


def test_review_page_flags_it_and_approval_is_refused(client_for, poisoned):
    ctx, pid = poisoned, poisoned["period"].pk
    Submission.objects.update(status=Submission.Status.SUBMITTED)  # as if submitted before the checks
    reviewer = client_for(ctx["taskforce"])
    page = reviewer.get(reverse("assessment:review_indicator", args=[pid, "nl02"]))
    assert page.status_code == 200 and 'data-testid="value-problem"' in page.content.decode()
    api = reviewer.get(f"/api/assessment/periods/{pid}/review/nl02")
    assert api.status_code == 200 and api.json()["items"][0]["problem"]
    sub = Submission.objects.get(indicator__code="nl02")
    approve = reviewer.post(reverse("assessment:approve", args=[sub.pk]), {"version": sub.version})
    assert approve.status_code == 422 and "不能通过" in approve.content.decode()
    returned = reviewer.post(reverse("assessment:return", args=[sub.pk]), {"version": sub.version, "reason": "数值有误"})
    assert returned.status_code == 200
    assert Submission.objects.get(pk=sub.pk).status == "returned"


def test_a_run_is_refused_with_the_values_named(poisoned):
    Submission.objects.update(status=Submission.Status.APPROVED)
    with pytest.raises(AssessmentError, match="jingyu nl02") as refused:
        run_start(actor=poisoned["office"], period=poisoned["period"])
    assert "check_values" in str(refused.value)


def test_an_old_template_with_the_bad_value_locked_still_imports(poisoned):
    """A submitted row shows its stored value in a locked cell: it must not fail the import."""
    data = exports.reporting_template(user=poisoned["reporter_a"], period=poisoned["period"],
                                        unit=poisoned["a"])[1]
    Submission.objects.filter(indicator__code="nl02").update(status=Submission.Status.SUBMITTED)
    wb = open_xlsx(data)
    ws = wb.active
    ws.cell(row_of(ws, "nl04"), 6).value = 88
    report = imports.reporting_workbook_import(actor=poisoned["reporter_a"], period=poisoned["period"],
                                               upload=upload(to_bytes(wb)))
    assert report.saved, report.problems


# ---------------------------------------------------------------- duibiao check_values


def test_check_values_finds_and_reports_stored_values_that_no_longer_validate(poisoned):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("check_values", stdout=out, stderr=io.StringIO())
    assert exit_code.value.code == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("单位")
    (line,) = [x for x in lines[1:] if "nl02" in x]
    unit, period, indicator, value, reason = line.split("\t")
    assert unit == "jingyu 靖宇街道" and period == "2026年第四季度" and indicator.startswith("nl02 ")
    assert Decimal(value) == stored_out_of_bounds() and reason


def test_check_values_reports_long_texts_and_passes_a_clean_database(assessed):
    out = io.StringIO()
    call_command("check_values", stdout=out)
    assert "均符合" in out.getvalue()
    submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                    item=ValueInput(indicator=assessed["ind"]["nl02"], value="90", expected_version=0))
    if connection.vendor == "sqlite":  # PostgreSQL cannot hold the long note at all
        Submission.objects.update(note="说" * 600)
        out = io.StringIO()
        with pytest.raises(SystemExit):
            call_command("check_values", "--period", str(assessed["period"].pk), stdout=out, stderr=io.StringIO())
        assert "填报说明超过 500 字" in out.getvalue()


def test_the_database_either_reads_back_a_value_too_large_or_never_holds_it(poisoned):
    """SQLite: Django's reader quantized to the column's 20 digits and raised on 1e15 (the
    500s of the attack); the value now reads back as stored, for the checks to flag.
    PostgreSQL: numeric(20, 6) cannot hold it at all, so only rule-breaking values that fit
    the column can be stored there (the fixture's 5000 %)."""
    query = Submission.objects.filter(indicator__code="nl02")
    if connection.vendor == "sqlite":
        assert query.get().value == Decimal(BIG)
        assert list(query.values_list("value", flat=True)) == [Decimal(BIG)]
    else:
        from django.db import DataError, transaction

        with pytest.raises(DataError), transaction.atomic():
            query.update(value=Decimal(BIG))
        assert query.get().value == Decimal("5000")
