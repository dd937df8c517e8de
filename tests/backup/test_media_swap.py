"""Restoring the uploaded files: the old files are moved aside, not deleted, so a move that
fails half-way (a full or read-only disk) puts every old file back and says what happened."""

from __future__ import annotations

from pathlib import Path

import pytest

from duibiao.backup.operations import BackupError, _media_swap


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def folders(tmp_path):
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "old.pdf").write_bytes(b"old pdf")
    (media / "exports").mkdir()
    (media / "exports" / "old.xlsx").write_bytes(b"old xlsx")
    staging = media / ".duibiao-restore-test"
    (staging / "media" / "evidence").mkdir(parents=True)
    (staging / "media" / "evidence" / "new.pdf").write_bytes(b"new pdf")
    (staging / "media" / "photos").mkdir()
    (staging / "media" / "photos" / "new.jpg").write_bytes(b"new jpg")
    return media, staging


def test_the_restored_files_take_the_place_of_the_old(folders):
    media, staging = folders
    _media_swap(staging / "media", media, staging)
    assert {k: v for k, v in tree(media).items() if not k.startswith(".duibiao")} == {
        "evidence/new.pdf": b"new pdf", "photos/new.jpg": b"new jpg"}


def test_a_move_that_fails_half_way_puts_the_old_files_back(folders, monkeypatch):
    media, staging = folders
    before = {k: v for k, v in tree(media).items() if not k.startswith(".duibiao")}
    plain_rename = Path.rename

    def rename(self, target):
        if self.name == "photos":  # the second restored folder: the disk is full
            raise OSError(28, "No space left on device")
        return plain_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(BackupError, match="原有文件已保留不变"):
        _media_swap(staging / "media", media, staging)
    assert {k: v for k, v in tree(media).items() if not k.startswith(".duibiao")} == before
