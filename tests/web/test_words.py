"""People see words, not codes (issue 10, item 8): scoring methods and audit events by their
Chinese names with the code as a hint, units by name in the scheme table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from duibiao.assessment.method_labels import METHOD_LABELS, method_label
from duibiao.assessment.models import ReviewEvent
from duibiao.audit.event_labels import EVENT_LABELS, event_label
from duibiao.audit.services import audit_record
from duibiao.engine.scheme import NORMALISATION_METHODS
from duibiao.org.models import Unit
from duibiao.org.services import unit_create
from duibiao.schemes import edits

SRC = Path(__file__).resolve().parents[2] / "src" / "duibiao"


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_every_engine_method_has_a_chinese_name():
    assert set(METHOD_LABELS) == set(NORMALISATION_METHODS)
    assert method_label("goalposts") == "功效系数法"
    assert method_label("rank_steps") == "名次赋分"
    assert method_label("frontier") == "对标前沿法"
    assert method_label("no_such_method") == "no_such_method"  # unknown: shown, not hidden
    assert method_label("") == "—"


def test_scheme_table_shows_method_names_with_code_and_unit_names(assessed, client_for):
    unit_create(actor=None, code="shijian", name="区市场监管局", kind=Unit.Kind.DEPARTMENT,
                parent=assessed["district"])
    html = client_for(assessed["office"]).get(
        reverse("assessment:scheme_detail", args=[assessed["scheme"].code])).content.decode()
    # ys01: frontier, applies to shijian (in the directory) and zhengshu (not in it)
    cell = re.search(r'data-testid="method-ys01">([^<]*)</span> <span class="text-secondary">([^<]*)<', html)
    assert cell and cell.groups() == ("对标前沿法", "frontier")
    assert 'data-testid="method-nl01">专班评分</span>' in html
    # a code appears only as the hint next to its name, never alone in the method column
    assert not re.search(r"<td class=\"small\">(goalposts|minmax|frontier|target|manual)\b", html)
    assert "功效系数法" in html and "极差标准化" in html
    assert '<span title="shijian">区市场监管局</span>' in html
    assert '<span title="zhengshu">zhengshu</span>' in html  # a code not in the directory stays visible
    assert "shijian、" not in html and ">shijian<" not in html


def test_editor_offers_methods_by_name_with_the_code(assessed, client_for):
    html = client_for(assessed["office"]).get(
        reverse("assessment:scheme_indicator_new", args=[assessed["scheme"].code])).content.decode()
    for code in edits.METHODS:
        assert f">{METHOD_LABELS[code]}（{code}）</option>" in html


def test_editor_keeps_a_method_it_has_no_fields_for_by_name(assessed):
    from duibiao.assessment.forms import IndicatorForm  # noqa: PLC0415

    assert "zscore" not in edits.METHODS
    node = {"code": "x1", "name": "某指标", "weight": 1, "normalise": {"method": "zscore", "center": 50}}
    form = IndicatorForm(None, doc={"tree": {"children": []}}, units=[], node=node, parent="")
    assert ("zscore", "z 分数（zscore）（保留原参数）") in list(form.fields["method"].choices)


def test_unit_result_trace_names_the_method(approved, client_for):
    from duibiao.assessment.services.runs import run_start  # noqa: PLC0415

    run = run_start(actor=approved["office"], period=approved["period"])
    run.refresh_from_db()
    html = client_for(approved["office"]).get(
        reverse("assessment:unit_result", args=[run.pk, "jingyu"])).content.decode()
    assert 'title="manual" data-testid="method-nl01">专班评分<' in html


def _actions_written_by_the_code() -> set[str]:
    """Every audit event name the sources write: `action="…"` (services, views, the
    middleware, helpers that pass it on), the default of `_complete_login`, both arms of a
    conditional, and `review.<ReviewEvent action>`."""
    found: set[str] = set()
    literal = re.compile(r'\baction(?::\s*str)?\s*=\s*"([a-z_.]+)"(?:\s+if\s+\w+\s+else\s+"([a-z_.]+)")?')
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in literal.finditer(text):
            found.update(g for g in match.groups() if g)
        if 'action=f"review.{action}"' in text:
            found.update(f"review.{a}" for a in ReviewEvent.Action.values)
    # argparse's actions and the gate's action names are not audit events
    from duibiao.accounts.actions import ACTIONS  # noqa: PLC0415

    return {a for a in found if a not in {"store_true", "store_false", "append", "count"} and a not in ACTIONS}


def test_every_audit_event_the_code_writes_has_a_chinese_name():
    written = _actions_written_by_the_code()
    assert {"submission.save", "access.denied", "login.otp.enrol", "review.approve", "login"} <= written
    missing = sorted(written - set(EVENT_LABELS))
    assert not missing, f"audit events without a name in audit/event_labels.py: {missing}"


def test_audit_log_shows_event_names_and_keeps_unknown_codes(world, client_for):
    audit_record(actor=world["reporter_a"], action="submission.save", unit=world["a"])
    audit_record(actor=world["reporter_a"], action="made.up_event", unit=world["a"])
    html = client_for(world["auditor"]).get(reverse("audit:list")).content.decode()
    events = re.findall(r'data-testid="event">(.*?)</td>', html)
    assert '保存填报值 <span class="small text-secondary">submission.save</span>' in events
    assert "made.up_event" in events
    assert event_label("made.up_event") == "made.up_event"


def test_scheme_editor_shows_the_document_with_chinese_comments(assessed, client_for):
    import html as html_lib  # noqa: PLC0415

    page = client_for(assessed["office"]).get(
        reverse("assessment:scheme_edit", args=[assessed["scheme"].code])).content.decode()
    document = html_lib.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))
    comments = [line.split("#", 1)[1] for line in document.splitlines() if re.match(r"^[^\"']*#", line)]
    assert len(comments) >= 4
    english = [c for c in comments if not re.search(r"[\u4e00-\u9fff]", c)]
    assert not english, english


def test_audit_log_is_searched_by_event_name_or_code(world, client_for):
    audit_record(actor=world["reporter_a"], action="submission.save", unit=world["a"])
    audit_record(actor=world["reporter_a"], action="evidence.attach", unit=world["a"])
    audit_record(actor=world["office"], action="run.publish", unit=world["district"])
    client = client_for(world["auditor"])

    def events(query):
        html = client.get(reverse("audit:list"), {"action": query}).content.decode()
        return {re.sub(r"<.*", "", e).strip() for e in re.findall(r'data-testid="event">(.*?)</td>', html)}

    assert events("填报值") == {"保存填报值"}
    assert events("佐证") == {"上传佐证材料"}
    assert events("submission") == {"保存填报值"}
    assert events("没有这个事件") == set()
