"""Verifying the chain while the system writes: rows appended while the walk runs move the head
on, and the walk follows them before it compares the head, so a busy log is no false alarm; a
row removed from the end, or one written beside the chain, is still found."""

from __future__ import annotations

import pytest

from duibiao.audit import chain
from duibiao.audit.chain import chain_verify
from duibiao.audit.models import AuditEntry
from duibiao.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_rows_appended_during_the_walk_do_not_break_it(monkeypatch):
    for n in range(5):
        audit_record(actor=None, action="test.before", detail=str(n))
    walk = chain._rows

    def rows_with_an_append_meanwhile(*args, **kwargs):
        for n, row in enumerate(walk(*args, **kwargs)):
            if n == 1:  # another request logs a row while the walk is under way
                audit_record(actor=None, action="test.during")
            yield row

    monkeypatch.setattr(chain, "_rows", rows_with_an_append_meanwhile)
    verdict = chain_verify(chunk=2)
    assert verdict.whole, verdict.reason
    assert verdict.rows == 6  # the row appended meanwhile is walked too
    monkeypatch.setattr(chain, "_rows", walk)
    again = chain_verify()
    assert again.whole and again.rows == AuditEntry.objects.count() == 6


def test_a_newest_row_deleted_is_still_found():
    for n in range(3):
        audit_record(actor=None, action="test.before", detail=str(n))
    from django.db import connection

    from duibiao.audit import triggers

    triggers.drop(connection)
    try:
        AuditEntry.objects.filter(pk=AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]).delete()
    finally:
        triggers.install(connection)
    assert not chain_verify().whole


def test_a_row_written_beside_the_chain_is_still_found():
    """A row inserted after the last one, well linked and hashed, but not through the chain
    (the head never moved): the walk follows it and the head does not end there."""
    from django.utils import timezone

    from duibiao.audit.chain import _values, row_hash
    from duibiao.audit.models import ChainHead
    from duibiao.audit.services import audit_entry

    for n in range(3):
        audit_record(actor=None, action="test.before", detail=str(n))
    head = ChainHead.objects.get(pk=1)
    forged = audit_entry(actor=None, action="test.forged", detail="不经审计链写入", ip="")
    forged.pk, forged.at, forged.prev_hash = head.last_id + 1, timezone.now(), head.last_hash
    forged.ip = None
    forged.hash = row_hash(_values(forged))
    AuditEntry.objects.bulk_create([forged])
    verdict = chain_verify()
    assert not verdict.whole and "链头" in verdict.reason
