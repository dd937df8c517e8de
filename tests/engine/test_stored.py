"""engine.stored: a Result packed to bytes and read back is the same Result — every array
equal in dtype, shape and value (NaN where NaN), every other field equal, and every unit's
trace equal to the original's — on each example and on the synthetic case that exercises
what the examples leave out (AHP, combined and objective weights, outlier treatment,
ballots, events, vetoes, screening)."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from duibiao import engine, scoring_cli
from duibiao.engine import stored

from .conftest import EXAMPLES
from .test_fingerprint import score_synthetic, synthetic_document, tier_document


def _capture(monkeypatch: pytest.MonkeyPatch) -> list[engine.Result]:
    """Every Result engine.score returns while the caller scores, in order."""
    seen: list[engine.Result] = []
    real = engine.score

    def keep(*args: Any, **kwargs: Any) -> engine.Result:
        seen.append(real(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(engine, "score", keep)
    return seen


def _example(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> engine.Result:
    seen = _capture(monkeypatch)
    folder = EXAMPLES / name
    argv = [str(folder / "scheme.yaml"), str(folder / "data.csv"), "--units", str(folder / "units.csv"),
            "--out", str(tmp_path / "out.csv"), "--quiet"]
    assert scoring_cli.main(argv) == 0
    assert seen, "duibiao score did not call engine.score"
    return seen[-1]


def _synthetic(document: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> engine.Result:
    seen = _capture(monkeypatch)
    score_synthetic(document)
    return seen[-1]


def assert_same(a: Any, b: Any, where: str) -> None:
    """Equal, recursively: arrays by dtype, shape and value (NaN equal to NaN), numpy scalars
    by dtype and value, containers by type and content."""
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), where
        assert (a.dtype, a.shape) == (b.dtype, b.shape), where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), where
    elif isinstance(a, np.generic):
        assert type(a) is type(b), where
        assert a == b or (np.isnan(a) and np.isnan(b)), where
    elif isinstance(a, dict):
        assert type(b) is dict and list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert type(a) is type(b) and a == b, where


def check_round_trip(result: engine.Result) -> None:
    back = stored.unpack(result.scheme, stored.pack(result))
    assert back.scheme is result.scheme
    assert back.units == result.units
    for name in result.__dataclass_fields__:
        if name != "scheme":
            assert_same(getattr(result, name), getattr(back, name), name)
    for code in result.units.codes:
        assert back.trace(code) == result.trace(code), code
        # the JSON a reader sends is byte for byte the same
        assert json.dumps(back.trace(code), ensure_ascii=False) == json.dumps(result.trace(code), ensure_ascii=False)
    assert back.table() == result.table()
    assert back.grades == result.grades


@pytest.mark.parametrize("name", sorted(p.parent.name for p in EXAMPLES.glob("*/scheme.yaml")))
def test_every_example_round_trips(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_round_trip(_example(name, tmp_path, monkeypatch))


@pytest.mark.parametrize("document", [synthetic_document, tier_document], ids=["synthetic", "tier"])
def test_the_synthetic_case_round_trips(document: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _synthetic(document(), monkeypatch)
    # what the examples leave out is really there to be stored
    assert result.treatment and result.ballots and result.events is not None
    assert {w["method"] for w in result.weights.values()} >= {"ahp", "combine", "entropy"}
    check_round_trip(result)


def test_unit_gap_rebuilt_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _synthetic(synthetic_document(), monkeypatch)
    back = stored.unpack(result.scheme, stored.pack(result))
    a, b = result.units.codes[:2]
    assert back.gap(a, b) == result.gap(a, b)


def test_the_large_arrays_are_stored_once(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _synthetic(synthetic_document(), monkeypatch)
    data = stored.pack(result)
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        fields = json.loads(npz[stored.MANIFEST].tobytes())["fields"]
        members = npz.files
    # node scores and peer groups are a matrix each, not a member per code
    for name in ("node_scores", "scope_codes"):
        assert list(fields[name]) == ["$c"], name
    assert len(members) < len(result.node_scores) + len(result.scope_codes)
    # what the Result derives when read (shares, contributions, …) is derived again, not stored
    derived = [f.name for f in dataclasses.fields(engine.Result) if stored._derived(f.name)]
    assert all(name not in fields for name in derived)
    # every indicator of a peer scope shares its scope's codes: stored once per scope
    codes, matrix, columns = fields["scope_codes"]["$c"]
    assert len(set(columns)) == len({id(v) for v in result.scope_codes.values()}) < len(codes)
    # smaller than the JSON traces a run stored before
    traces = json.dumps([result.trace(u) for u in result.units.codes], ensure_ascii=False).encode()
    assert len(data) < len(traces) / 2


def test_another_scheme_or_other_units_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _synthetic(synthetic_document(), monkeypatch)
    data = stored.pack(result)
    other = dict(synthetic_document(), version="2")
    with pytest.raises(ValueError, match="another scheme"):
        stored.unpack(engine.build_scheme(other), data)
    units = engine.Units(codes=tuple(reversed(result.units.codes)), categories=result.units.categories)
    with pytest.raises(ValueError, match="other units"):
        stored.unpack(result.scheme, data, units=units)


def test_bytes_that_are_not_a_packed_result_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    scheme = _synthetic(synthetic_document(), monkeypatch).scheme
    with pytest.raises(ValueError, match="not a packed result"):
        stored.unpack(scheme, b"not a zip at all")
    buffer = io.BytesIO()
    np.savez(buffer, a0=np.zeros(3))
    with pytest.raises(ValueError, match="no manifest"):
        stored.unpack(scheme, buffer.getvalue())


class _Boom:
    def __reduce__(self) -> tuple[Any, ...]:
        return (pytest.fail, ("unpickled: code ran",))


def test_a_pickled_object_in_the_bytes_is_never_unpickled(monkeypatch: pytest.MonkeyPatch) -> None:
    """An attacker who can write the stored bytes puts a pickle in a member: reading refuses
    it instead of running it."""
    result = _synthetic(synthetic_document(), monkeypatch)
    with np.load(io.BytesIO(stored.pack(result)), allow_pickle=False) as npz:
        members = {name: npz[name] for name in npz.files}
    first = next(name for name in members if name != stored.MANIFEST)
    members[first] = np.array([_Boom()], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **members)  # allow_pickle defaults to True when writing
    assert b"unpickled: code ran" in buffer.getvalue()  # the pickle is in there
    with pytest.raises(ValueError, match="not a packed result"):
        stored.unpack(result.scheme, buffer.getvalue())


def test_what_cannot_be_stored_is_refused_when_packing(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _synthetic(synthetic_document(), monkeypatch)
    result.treatment = {"x": {"odd": object()}}
    with pytest.raises(TypeError, match="cannot store"):
        stored.pack(result)


def test_a_field_the_result_no_longer_has_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytes stored by an engine whose Result had one more field (one now derived on demand)
    still read; bytes lacking a field the Result needs are refused, not guessed."""
    result = _synthetic(synthetic_document(), monkeypatch)
    with np.load(io.BytesIO(stored.pack(result)), allow_pickle=False) as npz:
        members = {name: npz[name] for name in npz.files}
    manifest = json.loads(members[stored.MANIFEST].tobytes())

    def repacked(fields: dict[str, Any]) -> bytes:
        text = json.dumps({**manifest, "fields": fields}, ensure_ascii=False)
        buffer = io.BytesIO()
        np.savez(buffer, **{**members, stored.MANIFEST: np.frombuffer(text.encode(), dtype=np.uint8)})
        return buffer.getvalue()

    older = repacked({**manifest["fields"], "retired_field": {"$i": ["<f8", [2], [1.0, 2.0]]}})
    back = stored.unpack(result.scheme, older)
    assert back.trace(result.units.codes[0]) == result.trace(result.units.codes[0])
    lacking = repacked({k: v for k, v in manifest["fields"].items() if k != "raw"})
    with pytest.raises(ValueError, match="another engine"):
        stored.unpack(result.scheme, lacking)
