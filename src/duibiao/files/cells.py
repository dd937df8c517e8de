"""The formula-injection rule (OWASP "CSV injection") for every file the system writes that
a spreadsheet may open: a text starting with = + - @, a tab or a carriage return would be run
by Excel or WPS as a formula. Pure Python (no Django), so the offline commands' CSV writers,
the pages' CSV responses and documents' workbooks (documents.excel.workbook.safe) share it.

    writer.writerow([csv_cell(v) for v in row])   # "=HYPERLINK(…)" is written "'=HYPERLINK(…)"
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """A text a spreadsheet would take for a formula (numbers are never: -5 stays a number)."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: object) -> object:
    """A CSV field that opens as the text it is: a formula-like text gets a leading apostrophe,
    which Excel and WPS read as "this is text" (a CSV cell has no other way to say so)."""
    return f"'{value}" if formula_like(value) else value
