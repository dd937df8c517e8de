"""A Result stored as bytes and read back: the arrays of a scoring run kept once, each unit's
trace rebuilt from them on demand (:func:`explain.trace` reads only the Result's fields).

The bytes are numpy's own ``.npz`` (a zip of ``.npy`` arrays, stored uncompressed, read with ``allow_pickle=False``:
whoever can write the stored bytes still cannot make the reader run code) holding every large
array once, plus a JSON manifest for the rest: the units, the small arrays (a category's
bounds), the numpy scalars with their dtype, and the weights' and treatments' plain values.
The scheme is not stored: a run keeps its scheme document, and ``unpack`` is given the scheme
parsed from it (the manifest names the scheme and its indicators, and a mismatch is refused).

Usage::

    data = stored.pack(result)                 # bytes, for a BinaryField or a file
    again = stored.unpack(result.scheme, data)  # equal arrays, equal traces
    again.trace("jingyu") == result.trace("jingyu")
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from typing import Any

import numpy as np

from .result import Result, Units
from .scheme import Scheme

__all__ = ["FORMAT", "pack", "unpack"]

FORMAT = "duibiao-result/1"
MANIFEST = "manifest"
INLINE = 64  # arrays up to this many values go into the manifest: a member each would cost more
_NOT_STORED = ("scheme", "units")  # the scheme comes from the run's document; units are the manifest's
_TAGS = ("$a", "$i", "$g", "$t", "$d", "$c")


class _Packer:
    """Walks a field's value: arrays become members (or inline lists), the rest JSON."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def member(self, array: np.ndarray) -> str:
        name = f"a{len(self.arrays)}"
        self.arrays[name] = array
        return name

    def encode(self, value: Any) -> Any:
        if value is None or type(value) in (bool, int, float, str):
            return value
        if isinstance(value, np.ndarray):
            return self.array(value)
        if isinstance(value, np.generic):
            return {"$g": [value.dtype.str, value.item()]}
        if isinstance(value, tuple):
            return {"$t": [self.encode(v) for v in value]}
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, dict):
            return self.mapping(value)
        raise TypeError(f"cannot store a {type(value).__name__} in a packed result")

    def array(self, value: np.ndarray) -> dict[str, Any]:
        if value.dtype.hasobject:
            raise TypeError("cannot store an object array in a packed result")
        if value.size <= INLINE and value.dtype.kind in "biuf":
            return {"$i": [value.dtype.str, list(value.shape), value.ravel().tolist()]}
        return {"$a": self.member(np.ascontiguousarray(value))}

    def mapping(self, value: dict[Any, Any]) -> dict[str, Any]:
        plain_keys = all(type(k) is str and not k.startswith("$") for k in value)
        if plain_keys and len(value) > 1 and _same_columns(value.values()):
            # node_scores, scope_codes: hundreds of (n,) arrays, stored as one matrix, each
            # array once (every indicator of a peer scope shares that scope's codes)
            position: dict[int, int] = {}
            columns = [position.setdefault(id(v), len(position)) for v in value.values()]
            unique = list({id(v): v for v in value.values()}.values())
            return {"$c": [list(value), self.array(np.column_stack(unique)), columns]}
        if plain_keys:
            return {k: self.encode(v) for k, v in value.items()}
        return {"$d": [[self.encode(k), self.encode(v)] for k, v in value.items()]}


def _same_columns(values: Any) -> bool:
    values = list(values)
    first = values[0]
    return all(
        isinstance(v, np.ndarray) and v.ndim == 1 and v.dtype.kind in "biuf"
        and v.shape == first.shape and v.dtype == first.dtype
        for v in values
    )


def _derived(name: str) -> bool:
    """A field the Result derives from its other fields when first read (a data descriptor on
    the class: the children's shares and contributions, the contributions to the total): not
    stored, derived again when read, bit for bit the same."""
    attribute = vars(Result).get(name)
    return hasattr(type(attribute), "__get__") and hasattr(type(attribute), "__set__")


def pack(result: Result) -> bytes:
    """The result's arrays and values as ``.npz`` bytes. Usage: ``pack(result)``."""
    packer = _Packer()
    units = result.units
    manifest = {
        "format": FORMAT,
        "scheme": {"code": result.scheme.code, "version": result.scheme.version},
        "indicator_codes": list(result.indicator_codes),
        "units": {
            "codes": list(units.codes), "categories": list(units.categories),
            "groups": {g: list(v) for g, v in units.groups.items()}, "names": list(units.names),
        },
        "fields": {
            f.name: packer.encode(getattr(result, f.name))
            for f in dataclasses.fields(Result) if f.name not in _NOT_STORED and not _derived(f.name)
        },
    }
    text = json.dumps(manifest, ensure_ascii=False, allow_nan=True, separators=(",", ":"))
    members = {MANIFEST: np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **packer.arrays}
    return _npz(members)


def _npz(members: dict[str, np.ndarray]) -> bytes:
    """``np.savez``: the members as they are. Deflating them (``savez_compressed``) took a city
    run (600 × 200) 0.13 s of CPU even at zlib's fastest level to save a third of ~6 MB; the
    traces this replaces were ~60 MB of JSON per run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, array in members.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as out:
                np.lib.format.write_array(out, array, allow_pickle=False)
    return buffer.getvalue()


class _Unpacker:
    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

    def decode(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1 and next(iter(value)) in _TAGS:
            ((tag, body),) = value.items()
            return self.tagged(tag, body)
        return {k: self.decode(v) for k, v in value.items()}

    def tagged(self, tag: str, body: Any) -> Any:
        if tag == "$a":
            return self.arrays[body]
        if tag == "$i":
            dtype, shape, flat = body
            return np.array(flat, dtype=np.dtype(dtype)).reshape(shape)
        if tag == "$g":
            dtype, item = body
            return np.dtype(dtype).type(item)
        if tag == "$t":
            return tuple(self.decode(v) for v in body)
        if tag == "$d":
            return {self.decode(k): self.decode(v) for k, v in body}
        keys, matrix, columns = body  # "$c": one matrix, a column (maybe shared) per key
        unique = self.decode(matrix)
        return {k: unique[:, j] for k, j in zip(keys, columns, strict=True)}


def unpack(scheme: Scheme, data: bytes, *, units: Units | None = None) -> Result:
    """The Result ``pack`` stored, on ``scheme`` (the one it was scored on: its code, version
    and indicators must match). ``units``, when given, must be the stored units.

    Usage: ``result = unpack(scheme_of(run.document), run_arrays.data)``.
    """
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"not a packed result: {exc}") from None
    if MANIFEST not in arrays:
        raise ValueError("not a packed result: no manifest")
    manifest = json.loads(arrays.pop(MANIFEST).tobytes().decode("utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValueError(f"packed result format {manifest.get('format')!r}, expected {FORMAT!r}")
    stored_scheme = manifest["scheme"]
    if (stored_scheme["code"], stored_scheme["version"]) != (scheme.code, scheme.version) or tuple(
        manifest["indicator_codes"]
    ) != tuple(scheme.indicator_codes):
        raise ValueError("the packed result was scored on another scheme")
    u = manifest["units"]
    stored_units = Units(
        codes=tuple(u["codes"]), categories=tuple(u["categories"]),
        groups={g: tuple(v) for g, v in u["groups"].items()}, names=tuple(u["names"]),
    )
    if units is not None and tuple(units.codes) != stored_units.codes:
        raise ValueError("the packed result has other units")
    unpacker = _Unpacker(arrays)
    # A field Result no longer has (now derived on demand, say) is left out; one it gained
    # without a default cannot be made up.
    known = {f.name for f in dataclasses.fields(Result)}
    values = {name: unpacker.decode(v) for name, v in manifest["fields"].items() if name in known}
    try:
        return Result(scheme=scheme, units=units or stored_units, **values)
    except TypeError as exc:
        raise ValueError(f"packed by another engine: {exc}") from None
