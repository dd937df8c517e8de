"""The templates keep to the Content-Security-Policy: no inline script, event handler or
style, so a page never depends on what the policy refuses (new apps included)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.conf import settings

from duibiao.assessment.selectors.progress import NA, STATUS_COLOURS, STATUS_MARKS, STATUSES

SRC = Path(__file__).resolve().parents[2] / "src" / "duibiao"
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "htmx hx-on (needs eval)": re.compile(r"\shx-on", re.I),
}


def test_no_template_has_inline_script_or_style():
    found = []
    for path in sorted(SRC.rglob("templates/**/*.html")):
        text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)
        for what, pattern in INLINE.items():
            found += [f"{path.relative_to(SRC)}: {what}: {m.group(0)!r}" for m in pattern.finditer(text)]
    assert not found, "\n".join(found)


def test_the_policy():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE


def test_progress_colours_in_css_match_the_excel_export():
    """The matrix's fills and marks live in a stylesheet now; they must stay those of
    STATUS_COLOURS / STATUS_MARKS, which the Excel export uses."""
    css = (SRC / "assessment" / "static" / "assessment" / "assessment.css").read_text(encoding="utf-8")
    for status in (*STATUSES, NA):
        assert f".pm td.pm-{status}, .pm-key-{status} {{ background: #{STATUS_COLOURS[status]}; }}" in css
        assert f'.pm td.pm-{status}::after {{ content: "{STATUS_MARKS[status]}"; }}' in css


def test_pages_carry_the_policy(client, world):
    client.force_login(world["office"])
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                 "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'", "img-src 'self' data:"):
        assert part in policy
    assert "unsafe" not in policy
    # htmx reads only the first htmx-config: there must be one, and it must keep htmx from
    # injecting the indicator <style> the policy would refuse.
    page = response.content.decode()
    (config,) = re.findall(r'<meta name="htmx-config" content=\'([^\']*)\'>', page)
    assert json.loads(config)["includeIndicatorStyles"] is False
