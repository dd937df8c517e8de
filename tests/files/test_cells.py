"""The formula-injection rule shared by workbooks and CSV writers (files.cells)."""

from __future__ import annotations

import csv
import io

import pytest

from duibiao.files.cells import FORMULA_START, csv_cell, formula_like

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_like_text_is_written_as_text_in_csv(payload):
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(payload), csv_cell("靖宇街道"), csv_cell(-2), csv_cell(None)])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert row == [f"'{payload}", "靖宇街道", "-2", ""]
    assert not formula_like(row[0])  # what Excel reads first is the apostrophe


def test_the_rule():
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}
    assert formula_like("-2") and not formula_like(-2) and not formula_like("2-1") and not formula_like("")


def test_the_rule_needs_no_django():
    """The offline commands (`duibiao project-rates`, `disposal-rates`) may use it."""
    import subprocess
    import sys

    code = ("import sys; import duibiao.files.cells; "
            "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
