"""Uploaded files sealed at rest: a storage around the real one (`inner`, any Django storage:
the file system, or django-storages' S3 when scaled out).

Writing: with DUIBIAO_ENCRYPT_UPLOADS on, the whole file is sealed in one SM4-GCM envelope
(`crypto.sm4`); off, it is passed through untouched. Reading: a file that starts with the
envelope's header is opened (its tag checked before one byte is returned; a changed file is
refused with SealError) and any other file is returned as stored, so files written before
the switch was turned on, or while it was off, stay readable, and so do sealed files after it
is turned off (as long as their key is configured). No upload can pass for an envelope: every
upload is typed by its content (files.uploads) and no accepted type starts with b"\\x89S4".

A sealed file is bound to its storage name (`file_binding`): renamed or copied onto another
file's name, it does not open (an attacker with write access to the files folder cannot swap
one unit's evidence for another's). The name is the one the inner storage saved under.

Files are opened into memory: uploads are capped (DUIBIAO_EVIDENCE_MAX_MB, 20 MB) and GCM
gives no plaintext before the tag is checked.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

from duibiao.crypto.keys import keyring
from duibiao.crypto.sm4 import MAGIC, OVERHEAD, SealError, open_sealed, seal

SAVE_ATTEMPTS = 5  # names the inner storage may pick instead of ours (a file of that name appeared)


def file_binding(name: str) -> bytes:
    """What a sealed file is bound to: its name in the storage (as the model's field keeps it)."""
    return b"file " + name.replace("\\", "/").encode()


class SealedFileRefused(SealError, SuspiciousFileOperation):
    """A stored file whose envelope does not open. A suspicious operation to Django: a page
    that opens it answers the site's 400 page (in Chinese), not a 500, and django.security
    logs it."""


@deconstructible(path="duibiao.crypto.storage.SealedStorage")
class SealedStorage(Storage):
    def __init__(self, inner: dict[str, Any] | None = None) -> None:
        inner = inner or {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        self.inner: Storage = import_string(inner["BACKEND"])(**inner.get("OPTIONS", {}))

    def _open(self, name: str, mode: str = "rb") -> File:
        handle = self.inner.open(name, "rb")
        if handle.read(len(MAGIC)) != MAGIC:
            handle.seek(0)
            return handle
        with handle:
            envelope = MAGIC + handle.read()
        try:
            return ContentFile(open_sealed(keyring(), envelope, bound_to=file_binding(name)), name=name)
        except SealError as exc:
            raise SealedFileRefused(f"{name}: {exc}") from None

    def _save(self, name: str, content: File) -> str:
        if not settings.DUIBIAO_ENCRYPT_UPLOADS:
            return self.inner._save(name, content)  # type: ignore[attr-defined]
        content.seek(0)
        data = content.read()
        plain = data if isinstance(data, bytes) else data.encode()
        for _attempt in range(SAVE_ATTEMPTS):
            saved: str = self.inner._save(name, ContentFile(seal(keyring(), plain, bound_to=file_binding(name))))  # type: ignore[attr-defined]
            if saved == name:
                return saved
            # The inner storage chose another name (a file of ours appeared meanwhile, or it
            # cleans names): the envelope names the one asked for, so seal again for the name
            # it got, in that place.
            self.inner.delete(saved)
            name = saved
        raise SealError(f"无法以稳定的文件名保存加密文件 {name} / the storage kept renaming the file")

    def size(self, name: str) -> int:
        with self.inner.open(name, "rb") as handle:
            sealed = handle.read(len(MAGIC)) == MAGIC
        return self.inner.size(name) - (OVERHEAD if sealed else 0)

    # Everything else is the inner storage's.
    def delete(self, name: str) -> None:
        self.inner.delete(name)

    def exists(self, name: str) -> bool:
        return self.inner.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.inner.listdir(path)

    def path(self, name: str) -> str:
        # The path of the stored (possibly sealed) bytes: for backups and housekeeping only;
        # readers go through open().
        return self.inner.path(name)

    def url(self, name: str | None) -> str:
        return self.inner.url(name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.inner.get_available_name(name, max_length=max_length)

    def get_valid_name(self, name: str) -> str:
        return self.inner.get_valid_name(name)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.inner.generate_filename(filename)

    def get_accessed_time(self, name: str) -> datetime:
        return self.inner.get_accessed_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.inner.get_created_time(name)

    def get_modified_time(self, name: str) -> datetime:
        return self.inner.get_modified_time(name)


def read_stored(storage: Storage, name: str) -> IO[bytes]:
    """The bytes as they lie in the storage (sealed or not): tests and `duibiao crypto rotate`."""
    inner = storage.inner if isinstance(storage, SealedStorage) else storage
    return inner.open(name, "rb")
