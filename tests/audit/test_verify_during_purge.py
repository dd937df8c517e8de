"""`duibiao audit verify` while `duibiao audit purge` runs: the purge moves the anchor and deletes
the rows up to it; a walk that read the old anchor and then the rows after the purge must not
report a break that is not one.

On PostgreSQL two connections (threads) overlap for real: the walk reads the anchor, the purge
commits, the walk reads the rows — from one snapshot, so it sees the chain as it was when it
began. Elsewhere (SQLite, or inside a caller's transaction) the walk that meets the moved anchor
is walked again from it. A real break is still reported either way."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from duibiao.audit import chain
from duibiao.audit.chain import chain_verify
from duibiao.audit.models import AuditEntry, ChainHead
from duibiao.audit.services import audit_purge, audit_record

RETENTION = 180


def _old_and_young_rows() -> timezone.datetime:
    """Four rows, then the moment that will be the cutoff, then four more."""
    for n in range(4):
        audit_record(actor=None, action="test.old", detail=str(n))
    cutoff = timezone.now()
    for n in range(4):
        audit_record(actor=None, action="test.young", detail=str(n))
    return cutoff + timedelta(days=RETENTION)  # the purge's "now": the first four are past retention


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_verify_overlapping_a_purge_on_two_connections_reports_the_chain_whole(settings, monkeypatch):
    settings.DUIBIAO_AUDIT_RETENTION_DAYS = RETENTION
    purge_now = _old_and_young_rows()
    walk_started, purged = threading.Event(), threading.Event()
    rows = chain._rows
    verifier: dict[str, object] = {}

    def rows_pausing_in_the_verify_thread(*args, **kwargs):
        if threading.current_thread().name == "verify" and not walk_started.is_set():
            walk_started.set()  # the anchor is read; the rows are not yet
            assert purged.wait(30), "the purge never committed"
        yield from rows(*args, **kwargs)

    monkeypatch.setattr(chain, "_rows", rows_pausing_in_the_verify_thread)

    def verify() -> None:
        try:
            verifier["verdict"] = chain_verify(chunk=3)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            verifier["error"] = error
        finally:
            connections.close_all()

    def purge() -> None:
        try:
            assert walk_started.wait(30), "the walk never started"
            verifier["purged"] = audit_purge(now=purge_now)
        except Exception as error:  # noqa: BLE001
            verifier["error"] = error
        finally:
            purged.set()
            connections.close_all()

    threads = [threading.Thread(target=verify, name="verify"), threading.Thread(target=purge, name="purge")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert "error" not in verifier, verifier.get("error")
    assert verifier["purged"].rows == 4 and ChainHead.objects.get(pk=1).anchor_id > 0
    verdict = verifier["verdict"]
    assert verdict.whole, verdict.reason
    assert verdict.rows == 8  # one walk over the chain as it was when it began (the snapshot)
    after = chain_verify()  # and the purged chain verifies from its new anchor
    assert after.whole and after.rows == 5


@pytest.mark.django_db
def test_where_there_is_no_snapshot_a_walk_that_meets_a_moved_anchor_walks_again(settings, monkeypatch):
    settings.DUIBIAO_AUDIT_RETENTION_DAYS = RETENTION
    purge_now = _old_and_young_rows()
    rows, walks = chain._rows, []

    def rows_with_a_purge_first(*args, **kwargs):
        walks.append(1)
        if len(walks) == 1:  # the walk has read the anchor; a purge commits before the rows
            monkeypatch.setattr(chain, "_rows", rows)
            audit_purge(now=purge_now)
            monkeypatch.setattr(chain, "_rows", rows_with_a_purge_first)
        yield from rows(*args, **kwargs)

    monkeypatch.setattr(chain, "_rows", rows_with_a_purge_first)
    verdict = chain_verify()
    assert verdict.whole, verdict.reason
    assert len(walks) == 2 and verdict.rows == 5  # walked again from the new anchor


@pytest.mark.django_db
def test_a_real_break_is_still_reported_whatever_the_anchor_does(settings):
    from duibiao.audit import triggers

    for n in range(4):
        audit_record(actor=None, action="test.row", detail=str(n))
    victim = AuditEntry.objects.order_by("id").values_list("id", flat=True)[1]
    triggers.drop(connection)
    try:
        AuditEntry.objects.filter(pk=victim).delete()
    finally:
        triggers.install(connection)
    verdict = chain_verify()
    assert not verdict.whole and verdict.broken_id == victim + 1
