"""Indicator sources (DESIGN §5): an app registers a source when it starts; a scheme indicator
that names it (`value_from`) takes its value at the run's snapshot, with the records behind it
in the trace; nobody reports or scores it by hand; an unknown name is refused on save."""

from __future__ import annotations

import csv
import io
import math
import sys
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from duibiao.assessment import sources
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Period, RunResult, SchemeVersion, ScoringRun, Submission
from duibiao.assessment.scheme_checks import scheme_findings
from duibiao.assessment.selectors.traces import result_trace
from duibiao.assessment.services.runs import run_start
from duibiao.assessment.services.schemes import scheme_version_save
from duibiao.assessment.services.submissions import ValueInput, score_record, submission_save
from duibiao.schemes import SchemeDocumentError
from duibiao.scoring_cli import main as score_cli

NAME = "projects.test_completion_rate"
NL02 = "{code: nl02, name: 督查问题整改率,"  # a percent indicator of the example scheme
NL02_PATH = "tree.children[0].children[1].value_from"
VALUES = {"jingyu": 87.5, "taigu": 42.25, "fagai": 100.0}
CALLS: list[tuple[Period, list[str]]] = []


def completion_rate(period, units):
    """What projects would compute: one value per unit, named by the projects it read."""
    CALLS.append((period, [u.code for u in units]))
    return {
        u.code: sources.SourceValue(VALUES[u.code], (f"项目 XM-{u.code}-1 道外产业园", f"项目 XM-{u.code}-2"))
        for u in units if u.code in VALUES
    }


class SourcesAppConfig(AppConfig):
    """How a domain app registers its sources: in ready(), so assessment never imports it."""

    name = "tests.assessment.test_sources"
    label = "test_sources"

    def ready(self) -> None:
        sources.register_source(NAME, completion_rate, label="投资完成率（测试）", unit_of_measure="%")


@pytest.fixture
def registered():
    SourcesAppConfig("tests.assessment.test_sources", sys.modules[__name__]).ready()
    CALLS.clear()
    yield
    sources.unregister_source(NAME)


def _fed_document(document: str, name: str = NAME) -> str:
    assert document.count(NL02) == 1
    return document.replace(NL02, NL02 + f" value_from: {name},")


@pytest.fixture
def fed(approved, registered):
    """A second version of the example scheme whose nl02 comes from the test source, and an
    open period on it holding the same approved values (nl02's stored ones included)."""
    old = approved["period"]
    version = scheme_version_save(actor=approved["office"], scheme=approved["scheme"],
                                  document=_fed_document(approved["version"].document), note="数据源")
    period = Period.objects.create(
        version=version, kind=Period.Kind.QUARTER, year=2027, number=1, name="2027年第一季度",
        opens_on=date(2027, 1, 8), deadline_workdays=10, deadline=date(2027, 1, 22),
        status=Period.Status.OPEN,
    )
    indicators = {i.code: i for i in version.indicators.all()}
    Submission.objects.bulk_create(
        Submission(period=period, unit=s.unit, indicator=indicators[s.indicator.code], value=s.value,
                   ballots=s.ballots, status=Submission.Status.APPROVED)
        for s in Submission.objects.filter(period=old).select_related("indicator", "unit")
    )
    assert Submission.objects.filter(period=period, indicator__code="nl02").count() == 3
    return {**approved, "version": version, "period": period, "ind": indicators}


def _nl02(trace: dict) -> dict:
    return next(entry for entry in trace["indicators"] if entry["code"] == "nl02")


# --- the run takes the source's values ---------------------------------------------------

def test_the_run_takes_the_sources_value_at_its_snapshot_with_provenance(fed):
    run = run_start(actor=fed["office"], period=fed["period"])
    assert run.status == ScoringRun.Status.DONE, run.error
    data = {(u, c): v for u, c, v in run.inputs["data"]}
    # The source's value, not the 3 approved ones stored for nl02.
    assert {u: data[(u, "nl02")] for u in VALUES} == VALUES
    assert [(p.pk, sorted(codes)) for p, codes in CALLS] == [(fed["period"].pk, ["fagai", "jingyu", "taigu"])]
    record = run.inputs["sources"]["nl02"]
    assert record["name"] == NAME and record["label"] == "投资完成率（测试）"
    assert record["units"]["taigu"] == ["项目 XM-taigu-1 道外产业园", "项目 XM-taigu-2"]
    for code, value in VALUES.items():
        entry = _nl02(result_trace(RunResult.objects.get(run=run, unit__code=code), run))
        assert entry["raw"] == value
        assert entry["source"]["name"] == NAME
        assert entry["source"]["provenance"] == [f"项目 XM-{code}-1 道外产业园", f"项目 XM-{code}-2"]
    # Other indicators are untouched and carry no source.
    other = next(e for e in result_trace(RunResult.objects.get(run=run, unit__code="jingyu"), run)["indicators"]
                 if e["code"] == "nl03")
    assert "source" not in other


def test_a_scheme_without_sources_keeps_its_snapshot_as_before(approved, registered):
    run = run_start(actor=approved["office"], period=approved["period"])
    assert "sources" not in run.inputs and CALLS == []


def test_the_unit_page_says_where_the_value_came_from(client_for, fed):
    run = run_start(actor=fed["office"], period=fed["period"])
    html = client_for(fed["office"]).get(reverse("assessment:unit_result", args=[run.pk, "jingyu"])).content.decode()
    start = html.index('data-testid="source-nl02"')
    line = html[start:html.index("</div>", start)]
    assert "投资完成率（测试）" in line and "项目 XM-jingyu-1 道外产业园" in line and "依据 2 项" in line


def test_the_scheme_page_says_the_indicator_is_fed_not_reported(client_for, fed):
    html = client_for(fed["office"]).get(
        reverse("assessment:scheme_detail", args=[fed["scheme"].code])).content.decode()
    start = html.index('data-testid="value-from-nl02"')
    assert f"取自数据源 {NAME}（不填报）" in html[start:html.index("</div>", start)]
    assert 'data-testid="value-from-nl03"' not in html


def test_exported_inputs_score_the_same_on_the_command_line(client_for, fed, tmp_path):
    """The fed values are in data.csv like any other: `duibiao score` needs no registry."""
    run = run_start(actor=fed["office"], period=fed["period"])
    archive = client_for(fed["office"]).get(reverse("assessment:run_inputs", args=[run.pk]))
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path)
    assert score_cli([str(tmp_path / "scheme.yaml"), str(tmp_path / "data.csv"), "--units",
                      str(tmp_path / "units.csv"), "--out", str(tmp_path / "out.csv"), "--quiet"]) == 0
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        cli = {row["unit"]: float(row["score"]) for row in csv.DictReader(handle)}
    for result in RunResult.objects.filter(run=run).select_related("unit"):
        assert cli[result.unit.code] == pytest.approx(result.score, abs=1e-6)


# --- what a source may return --------------------------------------------------------------

@pytest.mark.parametrize("answer, message", [
    ({"jingyu": sources.SourceValue(math.nan)}, "不是有效数字"),
    ({"jingyu": sources.SourceValue("87")}, "不是有效数字"),
    ({"jingyu": sources.SourceValue(True)}, "不是有效数字"),
    ({"nangang": sources.SourceValue(50.0)}, "未参与考核的单位“nangang”"),
    ({"jingyu": 87.5}, "返回值格式不对"),
    ([87.5], "没有按单位返回取值"),
    ({"jingyu": sources.SourceValue(5000.0)}, "百分比超出合理范围"),  # the scheme's value rules
])
def test_a_source_that_returns_what_no_unit_could_report_refuses_the_run(fed, monkeypatch, answer, message):
    monkeypatch.setitem(
        sources._REGISTRY, NAME, sources.Source(NAME, lambda period, units: answer, "投资完成率（测试）", "%"))
    with pytest.raises(AssessmentError, match=message):
        run_start(actor=fed["office"], period=fed["period"])
    assert not ScoringRun.objects.filter(period=fed["period"]).exists()


def test_a_source_that_fails_refuses_the_run_and_names_itself(fed, monkeypatch):
    def broken(period, units):
        raise RuntimeError("database of projects unreachable")

    monkeypatch.setitem(sources._REGISTRY, NAME, sources.Source(NAME, broken, "投资完成率（测试）", "%"))
    with pytest.raises(AssessmentError, match="数据源“投资完成率（测试）”取值失败：RuntimeError"):
        run_start(actor=fed["office"], period=fed["period"])
    assert not ScoringRun.objects.filter(period=fed["period"]).exists()


def test_values_are_kept_to_six_decimals_and_provenance_is_bounded(fed, monkeypatch):
    many = tuple(f"项目 {i}" for i in range(sources.PROVENANCE_LIMIT + 5))
    monkeypatch.setitem(sources._REGISTRY, NAME, sources.Source(
        NAME, lambda period, units: {"jingyu": sources.SourceValue(1 / 3, many)}, "率", "%"))
    got = sources.source_values(NAME, fed["period"], [fed["a"]])["jingyu"]
    assert got.value == 0.333333
    assert len(got.provenance) == sources.PROVENANCE_LIMIT + 1 and got.provenance[-1] == "……另 5 项"
    assert Decimal(str(got.value)).as_tuple().exponent >= -6


def test_a_missing_value_is_scored_as_missing_and_keeps_its_provenance(fed, monkeypatch):
    monkeypatch.setitem(sources._REGISTRY, NAME, sources.Source(
        NAME, lambda period, units: {"jingyu": sources.SourceValue(None, ("无在库项目",))}, "率", "%"))
    run = run_start(actor=fed["office"], period=fed["period"])
    assert run.status == ScoringRun.Status.DONE, run.error
    assert not [row for row in run.inputs["data"] if row[1] == "nl02"]
    entry = _nl02(result_trace(RunResult.objects.get(run=run, unit__code="jingyu"), run))
    assert entry["raw"] is None and entry["source"]["provenance"] == ["无在库项目"]


# --- nobody reports or scores a fed indicator by hand --------------------------------------

def test_a_unit_cannot_report_a_fed_indicator(fed):
    nl02 = fed["ind"]["nl02"]
    assert not nl02.entered_by_units
    Submission.objects.filter(period=fed["period"], indicator=nl02).delete()
    with pytest.raises(AssessmentError, match="取自数据源"):
        submission_save(actor=fed["reporter_a"], period=fed["period"], unit=fed["a"],
                        item=ValueInput(nl02, "100", expected_version=0))
    assert not Submission.objects.filter(period=fed["period"], indicator=nl02).exists()


def test_the_task_force_cannot_override_a_fed_value(fed):
    nl02 = fed["ind"]["nl02"]
    before = list(Submission.objects.filter(period=fed["period"], indicator=nl02).values_list("value", "version"))
    with pytest.raises(AssessmentError, match="取自数据源"):
        score_record(actor=fed["office"], period=fed["period"], unit=fed["a"],
                     item=ValueInput(nl02, "100", expected_version=1), justification="手工改分")
    after = list(Submission.objects.filter(period=fed["period"], indicator=nl02).values_list("value", "version"))
    assert after == before


def test_the_fed_indicator_is_not_on_the_review_pages(client_for, fed):
    client = client_for(fed["taskforce"])
    home = client.get(reverse("assessment:review_home", args=[fed["period"].pk])).content.decode()
    assert "督查问题整改率" not in home and "12345热线办结率" in home
    page = client.get(reverse("assessment:review_indicator", args=[fed["period"].pk, "nl02"]))
    assert page.status_code == 404


def test_the_reporting_page_does_not_ask_for_it(client_for, fed):
    page = client_for(fed["reporter_a"]).get(
        reverse("assessment:report_unit", args=[fed["period"].pk, "jingyu"])
    ).content.decode()
    assert "督查问题整改率" not in page and "12345热线办结率" in page


@pytest.mark.parametrize("htmx", [True, False])
def test_a_hand_made_post_of_a_fed_value_is_refused_in_chinese(client_for, fed, htmx):
    """The attack: post a value for the fed indicator to the reporting row's address."""
    nl02 = fed["ind"]["nl02"]
    Submission.objects.filter(period=fed["period"], indicator=nl02).delete()
    headers = {"HX-Request": "true"} if htmx else {}
    response = client_for(fed["reporter_a"]).post(
        reverse("assessment:value_save", args=[fed["period"].pk, "jingyu", "nl02"]),
        {"value": "100", "version": "0"}, headers=headers,
    )
    assert response.status_code == 422
    assert "取自数据源 projects.test_completion_rate" in response.content.decode()
    assert (response.headers.get("HX-Retarget") == "#page-alerts") is htmx
    assert not Submission.objects.filter(period=fed["period"], indicator=nl02).exists()


# --- the scheme names only sources that exist ----------------------------------------------

def test_an_unknown_source_is_refused_when_the_scheme_is_saved(assessed, registered):
    versions = SchemeVersion.objects.filter(scheme=assessed["scheme"]).count()
    document = _fed_document(assessed["version"].document, "projects.no_such_rate")
    with pytest.raises(SchemeDocumentError) as refused:
        scheme_version_save(actor=assessed["office"], scheme=assessed["scheme"], document=document)
    (path, message), = refused.value.errors
    assert path == NL02_PATH
    assert "未登记的数据源“projects.no_such_rate”" in message and NAME in message
    assert SchemeVersion.objects.filter(scheme=assessed["scheme"]).count() == versions


def test_the_editor_shows_the_unknown_source_next_to_its_indicator(client_for, assessed, registered):
    document = _fed_document(assessed["version"].document, "projects.no_such_rate")
    url = reverse("assessment:scheme_edit", args=[assessed["scheme"].code])
    response = client_for(assessed["office"]).post(url, {"document": document, "based_on": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{NL02_PATH}: 未登记的数据源“projects.no_such_rate”" in html
    assert SchemeVersion.objects.filter(scheme=assessed["scheme"]).count() == 1
    findings = scheme_findings(document)
    assert [(f.level, f.where) for f in findings if "未登记" in f.message] == [("error", NL02_PATH)]


def test_a_registered_source_passes_the_live_checks(assessed, registered):
    findings = scheme_findings(_fed_document(assessed["version"].document))
    assert not [f for f in findings if f.level == "error"]


@pytest.mark.parametrize("line, extra", [
    ("{code: nl02, name: 督查问题整改率,", "same_as: nl03,"),  # another indicator's value
    ("{code: nl01, name: 理论学习和党风廉政建设,", ""),  # nl01 is the task force's manual score
    ("{code: nl05, name: 干部民主测评,", ""),  # nl05 is a ballot
])
def test_a_fed_indicator_has_one_origin(assessed, registered, line, extra):
    """A value from a source and another origin (another indicator's value, the task force's
    score, the votes) could disagree: the document is refused, at the field."""
    document = assessed["version"].document
    assert document.count(line) == 1
    document = document.replace(line, f"{line} value_from: {NAME}, {extra}")
    with pytest.raises(SchemeDocumentError) as refused:
        scheme_version_save(actor=assessed["office"], scheme=assessed["scheme"], document=document)
    (path, message), = refused.value.errors
    assert path.endswith(".value_from") and message == "cannot be combined with same_as, ballot or manual"


# --- the registry itself -----------------------------------------------------------------------

def test_registration_is_idempotent_and_never_replaces_another_function(registered):
    SourcesAppConfig("tests.assessment.test_sources", sys.modules[__name__]).ready()  # ready() again
    assert sources.source_get(NAME).fn is completion_rate
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        sources.register_source(NAME, lambda period, units: {}, label="别的", unit_of_measure="%")
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        sources.register_source(NAME, completion_rate, label="改了名称", unit_of_measure="%")
    assert sources.source_get(NAME).fn is completion_rate and sources.source_get(NAME).label == "投资完成率（测试）"
    assert NAME in [s.name for s in sources.registered_sources()]


@pytest.mark.parametrize("name", ["rate", "Projects.rate", "projects.", "projects.rate.x", "项目.完成率", ""])
def test_a_source_name_says_which_app_owns_it(name):
    with pytest.raises(ImproperlyConfigured, match="must look like 'app.name'"):
        sources.register_source(name, completion_rate, label="x", unit_of_measure="")
    assert sources.source_get(name) is None


def test_an_unregistered_name_gives_no_values(assessed):
    with pytest.raises(sources.SourceError, match="未登记的数据源“projects.gone”"):
        sources.source_values("projects.gone", assessed["period"], [assessed["a"]])
