"""docs/api.md lists every operation the API serves, each once, and nothing it does not serve.

The operations tables were once written from memory and fell behind the code: an integrator
reading the doc could not find what existed, and found what had gone. The tables are now checked
against the served schema, so adding, moving or removing an operation fails here until the doc
says so.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from duibiao.api.app import api

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
# A row of an operations table: | GET | `/api/periods/{period_id}` | … |
ROW = re.compile(r"^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*`(/api/[^`\s]+)`\s*\|", re.MULTILINE)
METHODS = {"get", "post", "put", "patch", "delete"}


def _served() -> Counter[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return Counter((method.upper(), path) for path, item in schema["paths"].items()
                   for method in item if method in METHODS)


def _documented(text: str) -> Counter[tuple[str, str]]:
    return Counter((m.group(1), m.group(2)) for m in ROW.finditer(text))


def test_every_served_operation_is_in_the_doc_exactly_once():
    served = _served()
    documented = _documented(DOC.read_text(encoding="utf-8"))
    missing = sorted(op for op in served if op not in documented)
    twice = sorted(op for op, n in documented.items() if n > 1)
    gone = sorted(op for op in documented if op not in served)
    assert not missing, f"docs/api.md does not list: {missing}"
    assert not twice, f"docs/api.md lists more than once: {twice}"
    assert not gone, f"docs/api.md lists operations the API does not serve: {gone}"


def test_the_check_reads_the_table_rows_it_claims_to():
    # The parser itself: a row counts, a path merely mentioned in prose does not, and a
    # path served under another method is a different operation.
    text = ("| GET | `/api/periods` | 列表 | — |\n"
            "正文中提到 `/api/periods/{period_id}` 不算。\n"
            "| POST | `/api/periods` | 新建 | assessment.period.open |\n")
    assert _documented(text) == Counter({("GET", "/api/periods"): 1, ("POST", "/api/periods"): 1})
    assert len(_served()) > 100  # the schema really was read, with every router attached
