"""计分说明: a unit's explanation trace, rebuilt from its run's stored arrays.

A run stores what it computed once (`RunArrays`, `engine.stored.pack`); a trace is built for
the unit a page asks about, exactly as the run would have built it (`Result.trace`, JSON-safe,
with the indicator sources' provenance from the run's snapshot). A finished run never changes,
so the unpacked arrays are kept per process, a few runs at most, keyed by the run's id and its
`finished_at`: a run computed again (`run_restart`) has a new `finished_at`, and an id reused
by another run (a test database rolled back) another one too. Runs computed before the arrays
were stored keep their traces as JSON (`RunResult.legacy_trace`) and are read from there.

Stored bytes that do not unpack (a damaged row, a restore gone wrong) are not a 500: the run
is reported damaged (`run_recovery.run_arrays_damaged`: logged, audited, a draft run marked
failed so its page offers 重新计算) and `RunDamaged` carries the Chinese message to the page
and the API. Nothing damaged is kept.

Not gated: callers pass a result they got through the results selectors.
"""

from __future__ import annotations

import threading
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from duibiao.assessment.errors import RunDamaged
from duibiao.assessment.models import RunArrays, ScoringRun
from duibiao.assessment.scoring import clean_json, scheme_of
from duibiao.assessment.sources import source_trace
from duibiao.engine import stored

if TYPE_CHECKING:
    from duibiao import engine
    from duibiao.assessment.models import RunResult

RUNS_KEPT = 4  # unpacked runs per process: ~10 MB each at 600 units × 200 indicators
# What unpacking (numpy's npz reader, zipfile's CRC check, the JSON manifest) or rebuilding a
# trace from damaged bytes raises: never a reason to answer 500.
DAMAGE = (ValueError, KeyError, IndexError, TypeError, EOFError, OSError, zipfile.BadZipFile, zlib.error)


@dataclass(frozen=True)
class StoredRun:
    """A finished run's Result as it computed it, and the provenance of its fed values."""

    result: engine.Result
    sources: dict[str, Any] | None


_kept: OrderedDict[tuple[int, datetime | None], StoredRun] = OrderedDict()
_lock = threading.Lock()


def stored_run(run: ScoringRun) -> StoredRun | None:
    """The run's stored Result (unpacked once per process), or None for a run without arrays
    (computed before they were stored, or not finished)."""
    key = (run.pk, run.finished_at)
    with _lock:
        hit = _kept.get(key)
        if hit is not None:
            _kept.move_to_end(key)
            return hit
    data = RunArrays.objects.filter(run_id=run.pk).values_list("data", flat=True).first()
    if data is None:
        return None
    # Only the provenance, not the whole snapshot (~3 MB of JSON for a city run).
    sources = ScoringRun.objects.filter(pk=run.pk).values_list("inputs__sources", flat=True).first()
    try:
        kept = StoredRun(stored.unpack(scheme_of(run.document), bytes(data)), sources or None)
    except DAMAGE as exc:
        raise _damaged(run, exc) from exc
    with _lock:
        _kept[key] = kept
        while len(_kept) > RUNS_KEPT:
            _kept.popitem(last=False)
    return kept


def result_trace(result: RunResult, run: ScoringRun) -> dict[str, Any]:
    """The explanation trace of one result of `run` (its `unit` loaded)."""
    kept = stored_run(run)
    if kept is None:
        return result.legacy_trace
    code = result.unit.code
    try:
        trace = kept.result.trace(code)
    except DAMAGE as exc:  # arrays that unpacked but do not fit the run (a unit missing, a shape)
        raise _damaged(run, exc) from exc
    return source_trace(clean_json(trace), kept.sources, code)


def _damaged(run: ScoringRun, exc: Exception) -> RunDamaged:
    from duibiao.assessment.services.run_recovery import run_arrays_damaged

    with _lock:  # a run that unpacked but whose traces fail is not kept either
        _kept.pop((run.pk, run.finished_at), None)
    return run_arrays_damaged(run=run, problem=f"{type(exc).__name__}: {exc}")


def forget_runs() -> None:
    """Empty the per-process store (tests that change a run behind the selectors' back)."""
    with _lock:
        _kept.clear()
