"""Backups are signed: the manifest carries an HMAC under the backup key (DUIBIAO_BACKUP_KEY,
else derived from SECRET_KEY). Checksums find damage, not an attacker — whoever swaps a member
can recompute them — so restore refuses a file whose signature is missing or does not verify,
before it believes anything the manifest says; there is no switch to skip the check."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from duibiao.backup.archive import BackupError, archive_read
from duibiao.backup.operations import backup_key
from tests.backup.test_restore_refuses import good_members, refused, write
from tests.backup.test_restore_refuses import media as media  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


def _read(path, tmp_path):
    staging = tmp_path / "staging"
    staging.mkdir(parents=True)
    return archive_read(path, staging, max_bytes=10**6, max_members=10, key=backup_key())


def test_a_swapped_database_with_every_checksum_recomputed_is_refused(world, media, tmp_path):
    genuine = good_members()
    write(tmp_path / "genuine.tar.gz", genuine)
    # The attacker replaces the database with one of their own (an administrator they know the
    # password of) and rewrites the manifest, its checksum and every member's checksum to
    # match — everything but the signature, made with a key they do not have.
    swapped = {**genuine, next(iter(genuine)): b"the attacker's database"}
    for key in (b"", b"a key the attacker made up"):
        path = write(tmp_path / "swapped.tar.gz", swapped, key=key)
        reason = refused(path, media, force=True)
        assert "拒绝恢复" in reason and ("签名不符" in reason if key else "没有签名" in reason), reason
        assert "DUIBIAO_BACKUP_KEY" in reason


def test_a_signature_copied_from_the_genuine_backup_does_not_cover_a_changed_manifest(world, media, tmp_path):
    import io
    import json
    import tarfile

    genuine = write(tmp_path / "genuine.tar.gz", good_members())
    with tarfile.open(genuine, "r:gz") as tar:
        contents = {m.name: tar.extractfile(m).read() for m in tar}
    manifest = json.loads(contents["manifest.json"])
    manifest["created_at"] = "2030-01-01T00:00:00+00:00"
    contents["manifest.json"] = json.dumps(manifest).encode()
    contents["manifest.sha256"] = hashlib.sha256(contents["manifest.json"]).hexdigest().encode()
    path = tmp_path / "changed.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, content in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    assert "签名不符" in refused(path, media, force=True)


def test_a_backup_signed_under_another_backup_key_is_refused_and_opens_with_its_own(world, tmp_path, settings):
    settings.DUIBIAO_BACKUP_KEY = "the office's backup key, kept apart from the data"
    path = write(tmp_path / "b.tar.gz", good_members())
    assert {m["name"] for m in _read(path, tmp_path)["members"]} == set(good_members())
    settings.DUIBIAO_BACKUP_KEY = "another installation's key"
    with pytest.raises(BackupError, match="签名不符"):
        _read(path, tmp_path / "again")


def test_the_derived_key_follows_secret_key_and_differs_from_it(settings):
    settings.DUIBIAO_BACKUP_KEY = ""
    first = backup_key()
    assert first != settings.SECRET_KEY.encode() and len(first) == 32
    settings.SECRET_KEY = settings.SECRET_KEY + "-changed"
    assert backup_key() != first


def test_restore_offers_no_way_to_skip_the_check(world, tmp_path):
    path = write(tmp_path / "unsigned.tar.gz", good_members(), key=b"")
    for option in ("--no-verify", "--skip-signature", "--insecure"):
        with pytest.raises((CommandError, SystemExit)):
            call_command("restore", str(path), option)
