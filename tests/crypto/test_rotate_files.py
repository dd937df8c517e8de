"""`duibiao crypto rotate` rewrites uploaded files; each keeps its mode and (where the rotation
may give it) its owner, so a rotation run as root leaves files the application can still read;
each is replaced whole (a failed write leaves the old file and no temporary one)."""

from __future__ import annotations

import os
import stat

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from duibiao.crypto import rotate as rotate_module
from duibiao.crypto.rotate import replace_keeping_owner
from duibiao.crypto.sm4 import key_id, sealed_with
from tests.files import samples

OLD_KEY, NEW_KEY = "00112233445566778899aabbccddeeff", "ff" * 16
APP_UID, APP_GID = 4321, 4322  # the application's user, not the one running the rotation


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DUIBIAO_SM4_KEY = OLD_KEY
    settings.DUIBIAO_ENCRYPT_UPLOADS = True
    return tmp_path


def _rotate(settings) -> None:
    settings.DUIBIAO_SM4_KEY, settings.DUIBIAO_SM4_OLD_KEYS = NEW_KEY, [OLD_KEY]
    call_command("crypto", "rotate", "--seal-plain")


def test_a_rotated_file_keeps_its_mode(world, media, settings):
    sealed = default_storage.save("evidence/old.pdf", ContentFile(samples.PDF))
    settings.DUIBIAO_ENCRYPT_UPLOADS = False
    plain = default_storage.save("evidence/plain.pdf", ContentFile(samples.PDF))
    os.chmod(media / sealed, 0o640)
    os.chmod(media / plain, 0o644)
    _rotate(settings)
    assert sealed_with((media / sealed).read_bytes()) == key_id(bytes.fromhex(NEW_KEY))
    assert sealed_with((media / plain).read_bytes()) == key_id(bytes.fromhex(NEW_KEY))
    assert stat.S_IMODE(os.stat(media / sealed).st_mode) == 0o640
    assert stat.S_IMODE(os.stat(media / plain).st_mode) == 0o644
    assert not [p for p in (media / "evidence").iterdir() if p.name.startswith(".reseal-")]


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_rotation_run_as_root_keeps_the_applications_ownership(world, media, settings):
    sealed = default_storage.save("evidence/old.pdf", ContentFile(samples.PDF))
    os.chown(media / sealed, APP_UID, APP_GID)
    os.chmod(media / sealed, 0o600)  # readable by the application's user alone
    _rotate(settings)
    after = os.stat(media / sealed)
    assert (after.st_uid, after.st_gid) == (APP_UID, APP_GID)
    assert stat.S_IMODE(after.st_mode) == 0o600
    assert sealed_with((media / sealed).read_bytes()) == key_id(bytes.fromhex(NEW_KEY))


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "evidence.pdf"
    path.write_bytes(b"old bytes")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rotate_module.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        replace_keeping_owner(path, b"new bytes")
    assert path.read_bytes() == b"old bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["evidence.pdf"]


def test_a_rotation_without_a_files_folder_is_no_error(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "never-created"
    settings.DUIBIAO_SM4_KEY = NEW_KEY
    call_command("crypto", "rotate")
    assert not (tmp_path / "never-created").exists()
