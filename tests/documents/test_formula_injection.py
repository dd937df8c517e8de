"""Formula injection (OWASP "CSV injection") over every workbook the system writes.

The attack: a name, note or reason typed as a formula — a unit, a period, a scheme or a
cadre named `=HYPERLINK("http://x","y")`, `+1+1`, `-2+3` or `@SUM(A1)`, or starting with a
tab — and downloaded by the office, whose Excel or WPS would run it. Each export is fetched
through its route (pages and API) and read back twice: with openpyxl (the cell is a string,
marked with the quote prefix, its text intact) and as XML (no <f> element anywhere).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse
from openpyxl import Workbook, load_workbook

from duibiao.documents.excel.workbook import (
    FORMULA_START,
    formula_like,
    safe,
    save_bytes,
    write_row,
)
from tests.cadres.conftest import YEAR, cadres  # noqa: F401 — fixture
from tests.cadres.test_cadres_lists import listed  # noqa: F401 — fixture

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
FORMULA_XML = re.compile(rb"<(?:\w+:)?f[ >/]")


def formula_cells(data: bytes) -> list[str]:
    """Every formula element in the package's sheets, as XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [name for name in z.namelist()
                if name.startswith("xl/worksheets/") and FORMULA_XML.search(z.read(name))]


def check_workbook(data: bytes, payload: str | None) -> None:
    assert not formula_cells(data), "a formula element was written"
    book = load_workbook(io.BytesIO(data))
    placed = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                if formula_like(cell.value):
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                if payload is not None and cell.value.startswith(payload):
                    placed += 1
    # The attack really reached the start of a cell (else the test would prove nothing).
    assert payload is None or placed, f"{payload!r} appears at the start of no cell"


# ---------------------------------------------------------------- the helper itself


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_keeps_the_text_and_writes_no_formula(payload):
    wb = Workbook()
    ws = wb.active
    write_row(ws, 1, [payload, 42, -3.5, None, "靖宇街道"])
    ws["A2"] = payload  # set directly, as older code does: save_bytes still neutralises it
    ws.append([payload])
    data = save_bytes(wb)
    check_workbook(data, payload)
    back = load_workbook(io.BytesIO(data)).active
    assert [back["A1"].value, back["A2"].value, back["A3"].value] == [payload] * 3
    assert (back["B1"].value, back["C1"].value, back["C1"].data_type) == (42, -3.5, "n")  # numbers stay numbers
    assert back["E1"].quotePrefix is False  # plain text is left alone


def test_the_prefixes_are_those_owasp_lists():
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}
    assert not formula_like("靖宇街道") and not formula_like(-2) and formula_like("-2")


def test_a_formula_element_would_be_caught():
    """The XML check is not vacuous: openpyxl left alone writes "=…" as <f>."""
    wb = Workbook()
    wb.active["A1"] = "=1+1"
    out = io.BytesIO()
    wb.save(out)
    assert formula_cells(out.getvalue())
    safe(wb.active["A1"], "=1+1")
    out = io.BytesIO()
    wb.save(out)
    assert not formula_cells(out.getvalue())


# ---------------------------------------------------------------- every export, by its route

# Route name → (reverse kwargs from the poisoned district, query). A route of the system
# ending in .xlsx and missing here fails test_every_xlsx_route_is_checked.
PAGE_EXPORTS = {
    "documents:scheme_download": (lambda w: {"pk": w["scheme"].pk}, ""),
    "documents:template_download": (lambda w: {"pk": w["period"].pk}, ""),
    "documents:unit_template_download": (lambda w: {"pk": w["period"].pk, "code": w["a"].code}, ""),
    "documents:progress_download": (lambda w: {"pk": w["period"].pk}, ""),
    "documents:ranking_download": (lambda w: {"pk": w["run"].pk}, ""),
}
API_EXPORTS = {
    "scheme": lambda w: f"/api/documents/schemes/{w['scheme'].pk}/workbook",
    "templates": lambda w: f"/api/documents/periods/{w['period'].pk}/template",
}
CADRE_EXPORTS = ("documents:cadre_list_download",)
# Workbooks whose data comes from another app's world, each checked with the payloads by
# that app's tests (both are written through save_bytes and safe()): the daily picture of
# inspections and the 项目台账.
ELSEWHERE = {"documents:inspections_daily", "documents:project_ledger_export"}


def xlsx_routes() -> set[str]:
    names = set()

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif str(p.pattern).endswith(".xlsx") and p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_xlsx_route_is_checked():
    missing = xlsx_routes() - set(PAGE_EXPORTS) - set(CADRE_EXPORTS) - ELSEWHERE
    assert not missing, f"add these exports to the injection test: {sorted(missing)}"
    assert set(PAGE_EXPORTS) <= xlsx_routes()


@pytest.fixture(params=PAYLOADS, ids=["hyperlink", "plus", "minus", "at", "tab", "cr"])
def poisoned(request, approved):
    """The example district with the payload at the start of every name an export shows."""
    from duibiao.assessment.models import Period, Scheme
    from duibiao.assessment.services.runs import run_start
    from duibiao.org.models import Unit

    payload = request.param
    w = approved
    Unit.objects.filter(pk=w["a"].pk).update(name=payload)
    Unit.objects.filter(pk=w["b"].pk).update(name=f"{payload}·2")
    Period.objects.filter(pk=w["period"].pk).update(name=payload)
    scheme = Scheme.objects.get(pk=w["period"].version.scheme_id)
    Scheme.objects.filter(pk=scheme.pk).update(name=payload)
    run = run_start(actor=w["office"], period=Period.objects.get(pk=w["period"].pk), note=payload)
    return {**w, "payload": payload, "scheme": scheme, "run": run}


@pytest.mark.parametrize("name", sorted(PAGE_EXPORTS))
def test_page_exports_write_names_as_text(client_for, poisoned, name):
    args, query = PAGE_EXPORTS[name]
    response = client_for(poisoned["office"]).get(reverse(name, kwargs=args(poisoned)) + query)
    assert response.status_code == 200, response.content[:300]
    check_workbook(response.content, poisoned["payload"])


@pytest.mark.parametrize("name", sorted(API_EXPORTS))
def test_api_exports_write_names_as_text(client_for, poisoned, name):
    response = client_for(poisoned["office"]).get(API_EXPORTS[name](poisoned))
    assert response.status_code == 200, response.content[:300]
    check_workbook(response.content, poisoned["payload"])


@pytest.mark.parametrize("payload", PAYLOADS, ids=["hyperlink", "plus", "minus", "at", "tab", "cr"])
def test_cadre_lists_write_names_as_text(client_for, listed, payload):  # noqa: F811 — fixture
    from duibiao.cadres.models import Cadre
    from duibiao.org.models import Unit

    zhang = listed["cadres_a"][2]  # 张志刚, on the 墩苗培养 list
    Cadre.objects.filter(pk=zhang.pk).update(name=payload, position=f"{payload}副主任")
    Unit.objects.filter(pk=listed["a"].pk).update(name=payload)
    client = client_for(listed["office"])
    page = client.get(f"{reverse('documents:cadre_list_download', args=['training'])}?year={YEAR}")
    api = client.get(f"/api/cadres/lists/training?year={YEAR}&format=xlsx")
    for response in (page, api):
        assert response.status_code == 200
        check_workbook(response.content, payload)
        row = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True))[0]
        assert row[1:4] == (payload, payload, f"{payload}副主任")  # the text itself, intact


def test_the_routes_checked_elsewhere_are_known_or_absent():
    """ELSEWHERE names a route that exists (or is not mounted yet): never a typo."""
    for name in ELSEWHERE:
        try:
            reverse(name)
        except NoReverseMatch:
            continue
        assert name in xlsx_routes()
