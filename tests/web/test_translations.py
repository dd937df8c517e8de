"""The English catalogue is complete and safe, and the main pages render in English.

The UI's source strings are Simplified Chinese; English comes from
src/duibiao/locale/en/LC_MESSAGES/django.po (compiled to django.mo at set-up).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

PO = Path(__file__).resolve().parents[2] / "src" / "duibiao" / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([^)]+\)[sd]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _entries():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    return catalog, [m for m in catalog if m.id]


def _pairs(message):
    """(source, translation) for each form: msgid ↔ msgstr[0], msgid_plural ↔ msgstr[1:]."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [(ids[min(i, len(ids) - 1)], s) for i, s in enumerate(strings)]


def test_catalogue_is_complete_and_keeps_placeholders():
    catalog, entries = _entries()
    assert entries and not catalog.fuzzy
    problems = []
    for message in entries:
        label = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            problems.append(f"fuzzy: {label}")
        for source, text in _pairs(message):
            if not text or not text.strip():
                problems.append(f"empty: {label}")
                continue
            if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(text)):
                problems.append(f"placeholders differ: {source!r} → {text!r}")
            if message.python_format and source.count("%%") != text.count("%%"):
                problems.append(f"'%%' differs: {source!r} → {text!r}")
            if sorted(TAG.findall(source)) != sorted(TAG.findall(text)):
                problems.append(f"HTML tags differ: {source!r} → {text!r}")
    assert not problems, "\n".join(problems)


def test_catalogue_python_format_entries_format():
    """Every python-format translation formats with its msgid's names (no stray '%')."""
    _, entries = _entries()
    for message in entries:
        if not message.python_format:
            continue
        for source, text in _pairs(message):
            values = {name: 1 for name in re.findall(r"%\(([^)]+)\)[sd]", source)}
            text % values  # raises on a stray '%' or an unknown name


def _data_names() -> list[str]:
    """Names that come from data (units, task forces, schemes, periods...) and may stay Chinese."""
    from duibiao.assessment.models import Period, Scheme
    from duibiao.org.models import Category, TaskForce, Tier, Unit

    names = [*Unit.objects.values_list("name", flat=True), *TaskForce.objects.values_list("name", flat=True),
             *Scheme.objects.values_list("name", flat=True), *Period.objects.values_list("name", flat=True),
             *Category.objects.values_list("name", flat=True), *Tier.objects.values_list("name", flat=True)]
    return sorted(set(names), key=len, reverse=True)


def _nav_text(nav: str, data_names: list[str]) -> str:
    """A <nav>'s text without the signed-in user's name and unit, and without data names."""
    nav = re.sub(r'<span data-testid="current-user">.*?</span>', "", nav, flags=re.S)
    for name in data_names:
        nav = nav.replace(name, "")
    return nav


# role → nav labels it must see; page → (English text of its <h1> or None where the heading is data,
# English text elsewhere on the page or None)
NAV_LABELS = {
    "reporter_a": ("My unit", "Assessment schemes", "Reporting", "Excel import and export"),
    "office": ("Units", "Review and scoring", "Assessment periods", "Reporting progress", "Scores and rankings"),
    "taskforce": ("Units", "Review and scoring", "Reporting progress"),
}
PAGES = {
    "/": ("Hello, ", None),
    "/assessment/report/": ("Reporting", None),
    "/assessment/review/": ("Review and scoring", None),
    "/assessment/runs/": ("Scores and rankings", None),
    "/assessment/periods/": ("Assessment periods", None),
    "/assessment/schemes/daowai-2023/": (None, "First-level indicator"),
}
# A reporter of one unit is taken straight to that unit's report, headed by unit and period names.
REPORTER_PAGES = {**PAGES, "/assessment/report/": (None, "Submit for review")}


@pytest.mark.parametrize("who", list(NAV_LABELS))
def test_pages_render_in_english(who, assessed, client_for):
    client = client_for(assessed[who])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data_names = _data_names()

    for url, (heading, body) in (REPORTER_PAGES if who == "reporter_a" else PAGES).items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert '<html lang="en">' in text, url
        navs = re.findall(r"<nav\b.*?</nav>", text, flags=re.S)
        assert navs, url
        main_nav = navs[0]
        assert "Sign out" in main_nav and "Duibiao" in main_nav, url
        for label in NAV_LABELS[who]:
            assert f">{label}<" in main_nav, (url, label)
        for nav in navs:
            leftover = HAN.findall(_nav_text(nav, data_names))
            assert not leftover, (url, "".join(leftover), nav)
        h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", text, flags=re.S)
        assert h1, url
        if heading is not None:
            assert heading in h1.group(1), (url, h1.group(1))
        if body is not None:
            assert body in text, (url, body)
