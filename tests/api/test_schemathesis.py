"""schemathesis against the served OpenAPI schema, short form: every operation called with
a few generated requests (valid and invalid) as the office's integration token over a filled
district; no answer may be a server error, and every answer must match the schema (the
documented status, and the body that status documents: the data, or the one error body).

The full run (more examples per operation) is the same test with DUIBIAO_SCHEMATHESIS_EXAMPLES
raised, e.g. 25."""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.conftest import build_approved, build_assessed, build_world

EXAMPLES = int(os.environ.get("DUIBIAO_SCHEMATHESIS_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def office_token(db):
    from duibiao.accounts import gate
    from duibiao.accounts.tokens import token_choices, token_create

    w = build_approved(build_assessed(build_world()))
    office = w["office"]
    actions = [code for code, _label in token_choices(user=office).actions]
    _token, secret = token_create(actor=office, name="schemathesis", actions=actions, units=[],
                                  expires_on=timezone.localdate() + timedelta(days=1))
    gate.forget(office)
    return w, secret


def _run(operation, headers: dict, failures: list[str], statuses: Counter) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def call(case) -> None:
        # Each request in its own savepoint: a generated write does not change what the next
        # request finds, so a failure is reproducible from its case alone.
        with transaction.atomic():
            try:
                response = case.call_and_validate(headers=headers, checks=CHECKS)
                statuses[response.status_code] += 1
            except Exception as exc:  # collected: one run reports every operation that fails
                failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:600]}")
                raise
            finally:
                transaction.set_rollback(True)

    with contextlib.suppress(Exception):  # already recorded above
        call()


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, keeping the test's database connection between requests
    (as the test client does: a real server closes it after each one)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_served_schema_holds_for_every_operation(office_token, wsgi_app):
    _w, secret = office_token
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app, headers=headers)
    started, failures, operations, statuses = time.monotonic(), [], 0, Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        _run(operation, headers, failures, statuses)
    took = time.monotonic() - started
    print(f"\nschemathesis: {operations} operations × {EXAMPLES} examples in {took:.0f} s: {dict(statuses)}")
    assert operations >= 100
    # The token got in: most operations answered with their data, not a refusal of the caller.
    assert sum(n for status, n in statuses.items() if status < 300) >= operations // 3, statuses
    assert statuses[401] == 0, statuses
    assert not failures, f"{len(failures)} operations fail:\n" + "\n\n".join(failures)
