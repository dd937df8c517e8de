"""The audit log's hash chain: each row carries the SHA-256 of its own fields and of the row
before it, so a row changed, deleted or slipped in directly in the database is found by
`duibiao audit verify` (`chain_verify`).

The canonical form is what both databases give back for the same row, byte for byte:
- JSON with sorted keys, no spaces, UTF-8 (not \\u escapes);
- times in UTC, ISO 8601 with microseconds and a `Z`;
- numbers inside before / after as their shortest decimal (PostgreSQL's `jsonb` keeps numbers
  as `numeric` and gives `1e+300` back as `1000…0` and `-0.0` as `0.0`; SQLite gives back the
  text Python wrote), so 1, 1.0 and 1e0 are one value;
- addresses as `ipaddress` writes them (PostgreSQL's `inet` and Django's own cleaning agree on
  it).

Appends are serialised on the one chain-head row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite
transactions here are IMMEDIATE, so a writer holds the database's write lock from its first
statement): two writers never link to the same previous row, so the chain cannot fork. The
head row also carries the hash of the last row, so deleting the newest rows is found too, and
the anchor left by a purge (the last removed row), from which the kept rows are checked.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from json.encoder import encode_basestring as _string
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from duibiao.audit.models import AuditEntry, ChainHead

GENESIS = "0" * 64

# The fields of a row in the canonical form (the names are the database columns').
HASHED_FIELDS = (
    "id", "at", "user_id", "username", "action", "success", "object_type", "object_id",
    "object_repr", "unit_id", "ip", "user_agent", "before", "after", "detail", "prev_hash",
)


def _number(value: int | float) -> str:
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        return json.dumps(str(value))  # never stored by PostgreSQL; kept distinct from numbers
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if number == 0:
        return "0"
    return str(number.normalize())


def canonical_json(value: Any) -> str:
    """One text for one JSON value, whichever database it went through."""
    # Strings first and through the C encoder: verify re-hashes every row, and a row is mostly
    # strings (json.dumps builds an encoder per call, ten times slower; same output).
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, dict):
        return "{" + ",".join(
            f"{_string(key)}:{canonical_json(value[key])}" for key in sorted(value)
        ) + "}" if all(isinstance(key, str) for key in value) else canonical_json(
            {str(key): item for key, item in value.items()})
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    # Anything else never reaches the database as JSON: say so rather than hash a repr.
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@lru_cache(maxsize=4096)  # a log holds few distinct addresses, each parsed once
def _address(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ip


# The row's keys in canonical (sorted) order, each already written as JSON.
_ROW_KEYS = tuple((name, _string(name)) for name in sorted(HASHED_FIELDS))


def canonical_row(values: dict[str, Any]) -> bytes:
    """The bytes hashed for one row: its fields (HASHED_FIELDS) in the canonical form — the
    canonical JSON of {field: value}, written out directly (verify does this a million times)."""
    parts = {**values, "at": _time(values["at"]), "ip": _address(values["ip"])}
    return ("{" + ",".join(f"{key}:{canonical_json(parts[name])}" for name, key in _ROW_KEYS)
            + "}").encode("utf-8")


def row_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_row(values)).hexdigest()


def _stored_json(value: Any) -> Any:
    # What JSONField writes and reads back (tuples become lists, keys strings): hash that.
    return None if value is None else json.loads(json.dumps(value))


def _values(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.pk, "at": entry.at, "user_id": entry.user_id, "username": entry.username,
        "action": entry.action, "success": entry.success, "object_type": entry.object_type,
        "object_id": entry.object_id, "object_repr": entry.object_repr, "unit_id": entry.unit_id,
        "ip": entry.ip, "user_agent": entry.user_agent, "before": entry.before,
        "after": entry.after, "detail": entry.detail, "prev_hash": entry.prev_hash,
    }


def head_for_update() -> ChainHead:
    """The chain's head, locked until the transaction ends (created on first use)."""
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1, defaults={"last_id": _max_id(), "last_hash": GENESIS})
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def _max_id() -> int:
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def chain_append(entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """Number, link, hash and insert unsaved rows, in order, in the caller's transaction."""
    if not entries:
        return []
    with transaction.atomic():
        head = head_for_update()
        previous, last_id = head.last_hash, head.last_id
        now = timezone.now()
        for entry in entries:
            last_id += 1
            entry.pk = last_id
            entry.at = entry.at or now
            entry.before, entry.after = _stored_json(entry.before), _stored_json(entry.after)
            entry.ip = _address(entry.ip)
            entry.prev_hash = previous
            entry.hash = previous = row_hash(_values(entry))
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        ChainHead.objects.filter(pk=1).update(last_id=last_id, last_hash=previous)
    return list(entries)


@dataclass
class Verdict:
    """What `chain_verify` found: whole, or the first broken row and why."""

    rows: int = 0
    whole: bool = True
    broken_id: int | None = None
    reason: str = ""
    head_hash: str = GENESIS
    seconds: float = 0.0
    checked_at: datetime = field(default_factory=timezone.now)


_COLUMNS = (*HASHED_FIELDS, "hash")


def _rows(chunk: int, after: int = -1) -> Iterator[tuple[Any, ...]]:
    # Keyset pages by id: streaming on both databases without a server-side cursor, and
    # memory stays one page whatever the table's size.
    while True:
        page = list(
            AuditEntry.objects.filter(id__gt=after).order_by("id").values_list(*_COLUMNS)[:chunk]
        )
        if not page:
            return
        yield from page
        after = page[-1][0]


CATCH_UP_ROUNDS = 10  # walks of the rows appended meanwhile before the head is compared as it is


ANCHOR_RETRIES = 3  # walks begun again because a purge moved the anchor under the walk


def chain_verify(*, chunk: int = 5000) -> Verdict:
    """Walk the chain in id order from the purge anchor; the first row that does not hash to
    its stored hash or does not link to the row before it breaks it.

        verdict = chain_verify();  verdict.whole, verdict.broken_id, verdict.reason

    A purge committing while the walk runs moves the anchor and deletes the rows up to it: a
    walk that read the old anchor and then the rows after the purge would report a break that
    is not one. On PostgreSQL the walk reads one snapshot (a REPEATABLE READ, read-only
    transaction: the anchor and every row as of one moment; the purge waits for nothing). Where
    there is no snapshot to be had (SQLite, whose transactions here take the write lock; or a
    caller's transaction already open) a break found after the anchor moved is walked again
    from the new anchor; a break that stays is reported.
    """
    started = time.perf_counter()
    verdict = Verdict()
    for _attempt in range(ANCHOR_RETRIES):
        with _snapshot():
            verdict, anchor_id = _walk(chunk, started)
        if verdict.whole or _anchor_id() == anchor_id:
            return verdict
    return verdict


@contextmanager
def _snapshot() -> Iterator[None]:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _anchor_id() -> int:
    anchor = ChainHead.objects.filter(pk=1).values_list("anchor_id", flat=True).first()
    return anchor or 0


def _walk(chunk: int, started: float) -> tuple[Verdict, int]:
    """One walk: the verdict, and the anchor it started from."""
    head = ChainHead.objects.filter(pk=1).first()
    anchor_id, previous = (head.anchor_id, head.anchor_hash) if head else (0, GENESIS)
    verdict = Verdict(head_hash=previous)
    rows, last = _rows(chunk), -1
    for _round in range(CATCH_UP_ROUNDS):
        for row in rows:
            values = dict(zip(_COLUMNS, row, strict=True))
            verdict.rows += 1
            problem = _problem(values, anchor_id, previous)
            if problem:
                return _broken(verdict, values["id"], problem, started), anchor_id
            previous, last = values["hash"], values["id"]
        # Rows appended while the walk ran (the system keeps writing) moved the head on: walk
        # them too before comparing with it, or every check of a busy log would cry "broken".
        head = ChainHead.objects.filter(pk=1).first()
        if head is None or head.last_id <= last:
            break
        rows = _rows(chunk, after=last)
    verdict.head_hash = previous
    if head is not None and head.last_hash != previous:
        return _broken(verdict, head.last_id,
                       "链头记录的最后一条哈希与实际不符（最新的记录被删除或链头被改动）", started), anchor_id
    if anchor_id and not _anchor_audited(anchor_id, head.anchor_hash if head else ""):
        return _broken(verdict, anchor_id, "清理锚点没有对应的清理审计记录（锚点被改动）", started), anchor_id
    verdict.seconds = time.perf_counter() - started
    return verdict, anchor_id


def _anchor_audited(anchor_id: int, anchor_hash: str) -> bool:
    # A purge writes the anchor into its own (chained) row: moving the anchor by hand to hide
    # deleted rows leaves the newest purge row naming another.
    purge = AuditEntry.objects.filter(action="audit.purge").order_by("-id").values_list(
        "after", flat=True).first()
    return isinstance(purge, dict) and purge.get("through_id") == anchor_id and \
        purge.get("anchor_hash") == anchor_hash


def _problem(values: dict[str, Any], anchor_id: int, previous: str) -> str:
    if values["id"] <= anchor_id:
        return "编号不大于清理锚点，本应已被清理"
    if values["prev_hash"] != previous:
        return "与前一条记录不相接（前一条被删除、插入或改动）"
    if row_hash(values) != values["hash"]:
        return "记录内容与其哈希不符（被改动）"
    return ""


def _broken(verdict: Verdict, row_id: int | None, reason: str, started: float) -> Verdict:
    verdict.whole, verdict.broken_id, verdict.reason = False, row_id, reason
    verdict.seconds = time.perf_counter() - started
    return verdict


def rechain(entry_model: Any, head_model: Any) -> None:
    """Chain rows written before the chain existed, in id order (the migration's step; the
    models are the migration's historical ones)."""
    previous, last_id = GENESIS, 0
    for entry in entry_model.objects.order_by("id").iterator(chunk_size=2000):
        entry.prev_hash = previous
        entry.hash = previous = row_hash(_values(entry))
        entry_model.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=entry.hash)
        last_id = entry.pk
    head_model.objects.update_or_create(pk=1, defaults={"last_id": last_id, "last_hash": previous})
