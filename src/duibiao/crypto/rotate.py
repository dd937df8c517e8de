"""Seal again under the current SM4 key (DUIBIAO_SM4_KEY) what older keys sealed, and as bound
envelopes (version 2) what was sealed before the binding: the TOTP device keys and the uploaded
files; optionally seal plain files too. Run by `duibiao crypto rotate` after a key change (and
once after the upgrade that brought the binding); afterwards the old keys can leave
DUIBIAO_SM4_OLD_KEYS."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files.storage import Storage
from django.db import transaction

from duibiao.crypto.keys import keyring
from duibiao.crypto.models import SealedTOTPDevice
from duibiao.crypto.sm4 import VERSION, envelope_version, is_sealed, open_sealed, seal, sealed_with
from duibiao.crypto.storage import SealedStorage, file_binding
from duibiao.crypto.text import device_binding, envelope_of, seal_text


@dataclass
class Rotated:
    keys: int = 0  # TOTP device keys sealed again
    files: int = 0  # sealed files sealed again under the current key
    sealed_plain: int = 0  # plain files sealed (with seal_plain)


def _current(envelope: bytes, current_id: bytes) -> bool:
    """Sealed with the current key, and bound (nothing to do)."""
    return sealed_with(envelope) == current_id and envelope_version(envelope) == VERSION


def reseal_totp_keys() -> int:
    current, count = keyring().current_id, 0
    with transaction.atomic():
        for device in SealedTOTPDevice.objects.select_for_update().order_by("pk"):
            if not _current(envelope_of(device.key), current):
                # opened with the old key (or unbound), sealed with the new, bound to its user
                device.key = seal_text(device.bin_key, bound_to=device_binding(device.user_id))
                device.save(update_fields=["key"])
                count += 1
    return count


def _files(storage: Storage, folder: str = "") -> list[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # no upload yet: no files folder
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += _files(storage, f"{folder}/{sub}" if folder else sub)
    return names


def reseal_files(storage: Storage, *, seal_plain: bool = False) -> tuple[int, int]:
    """Files of a file-system storage, each replaced atomically (written beside, then renamed),
    so a crash leaves every file whole, under the old key or the new."""
    inner = storage.inner if isinstance(storage, SealedStorage) else storage
    ring, resealed, plain = keyring(), 0, 0
    for name in _files(inner):
        path = Path(inner.path(name))
        data = path.read_bytes()
        if is_sealed(data):
            if _current(data, ring.current_id):
                continue
            data, resealed = open_sealed(ring, data, bound_to=file_binding(name)), resealed + 1
        elif seal_plain:
            plain += 1
        else:
            continue
        replace_keeping_owner(path, seal(ring, data, bound_to=file_binding(name)))
    return resealed, plain


def replace_keeping_owner(path: Path, data: bytes) -> None:
    """Replace the file at `path` with `data` atomically, keeping its mode and owner.

    The new bytes go to a temporary file in the same folder (same file system: the rename is
    atomic), flushed to disk before the rename, which is flushed too: a crash leaves the old
    file or the new one, whole. The temporary file takes the old one's mode and owner first —
    `duibiao crypto rotate` run as root would otherwise leave root-owned 0600 files the
    application (another user) cannot read. The owner can only be given where permitted (as
    root, or the same owner); elsewhere the file is already the runner's, as the old one was."""
    before = os.stat(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".reseal-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            if (before.st_uid, before.st_gid) != (os.geteuid(), os.getegid()):
                # Not root: the file stays the runner's (who could read the old one).
                with contextlib.suppress(PermissionError):
                    os.fchown(out.fileno(), before.st_uid, before.st_gid)
            os.fchmod(out.fileno(), stat.S_IMODE(before.st_mode))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself on disk
    finally:
        os.close(folder)


def rotate(storage: Storage, *, seal_plain: bool = False) -> Rotated:
    keys = reseal_totp_keys()
    files, plain = reseal_files(storage, seal_plain=seal_plain)
    return Rotated(keys=keys, files=files, sealed_plain=plain)
