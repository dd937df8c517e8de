"""The backup file: one gzip-compressed tar holding

    database.sqlite3 | database.pgdump   the database (SQLite's online backup / pg_dump -Fc)
    media/<path>                         every uploaded file, as stored under MEDIA_ROOT
    manifest.json                        what the file holds and the SHA-256 of every member above
    manifest.sha256                      the SHA-256 of manifest.json
    manifest.hmac                        HMAC-SHA256 of manifest.json under the backup key

Checksums find damage, not an attacker: whoever swaps a member can recompute them. The manifest
is signed with a key the attacker does not have (DUIBIAO_BACKUP_KEY, else derived from
SECRET_KEY), and restore refuses a file whose signature is missing or does not verify — there
is no switch to skip it.

Reading trusts nothing in the file: `archive_read` writes each member itself to a path it built
(never tarfile.extractall), accepts regular files under the names above only (no symlink, hard
link, device or directory member, no absolute path or `..`), stops at the size cap, and compares
every checksum with the manifest before the caller touches the database or the files.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tarfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "duibiao-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
MANIFEST_SIGNATURE = "manifest.hmac"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"
# Restore stages its files in a hidden folder of the media root (same file system, so the
# files are moved into place, not copied); a backup never includes such a folder.
STAGING_PREFIX = ".duibiao-restore-"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
# A backup this system wrote never holds such a member: the file was changed or is damaged
# (a damaged gzip stream can decode into a nonsense name before its checksum is reached).
FOREIGN = "（本系统写出的备份不会有这样的成员：文件被改动过或已损坏）"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed; the message is the reason, in Chinese."""


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


class _HashingReader:
    """Reads at most `size` bytes of a file, hashing what it hands to tarfile."""

    def __init__(self, stream: IO[bytes], size: int) -> None:
        self.stream, self.left = stream, size
        self.digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.stream.read(n)
        self.left -= len(data)
        self.digest.update(data)
        return data


def media_files(media_root: Path) -> list[tuple[Path, str]]:
    """Every regular file under the media root as (path, member name), sorted; symbolic links
    and restore's staging folders are left out (a link could point anywhere on the host)."""
    found: list[tuple[Path, str]] = []
    if not media_root.is_dir():
        return found
    for folder, dirs, files in os.walk(media_root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(STAGING_PREFIX) and not (here / d).is_symlink())
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            found.append((path, MEDIA_PREFIX + path.relative_to(media_root).as_posix()))
    return found


def manifest_signature(key: bytes, data: bytes) -> str:
    return hmac.new(key, b"duibiao backup manifest\n" + data, hashlib.sha256).hexdigest()


def archive_write(path: Path, *, database_file: Path, database_member: str, media_root: Path,
                  manifest: dict[str, Any], key: bytes) -> dict[str, Any]:
    """Writes the backup to `path` (a temporary file renamed at the end, so a failed backup
    leaves no half file under the name) and returns the manifest it holds."""
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    members: list[Member] = []
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
            members.append(_add_file(tar, database_file, database_member))
            for file, name in media_files(media_root):
                try:
                    members.append(_add_file(tar, file, name))
                except FileNotFoundError:
                    continue  # deleted since it was listed: it is no longer part of the data
            written = {**manifest, "members": [asdict(m) for m in members]}
            data = json.dumps(written, ensure_ascii=False, indent=1, sort_keys=True).encode()
            _add_bytes(tar, MANIFEST, data)
            _add_bytes(tar, MANIFEST_SUM, (hashlib.sha256(data).hexdigest() + "\n").encode())
            _add_bytes(tar, MANIFEST_SIGNATURE, (manifest_signature(key, data) + "\n").encode())
        partial.chmod(0o600)  # it holds every account's password hash and every upload
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return written


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> Member:
    with path.open("rb") as stream:
        # The size when opened: a file still growing is taken up to there (the tar stays whole).
        size = os.fstat(stream.fileno()).st_size
        info = _info(name, size)
        info.mtime = int(path.stat().st_mtime)
        reader = _HashingReader(stream, size)
        tar.addfile(info, reader)  # tarfile only calls read()
    return Member(name, size, reader.digest.hexdigest())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    tar.addfile(_info(name, len(data)), io.BytesIO(data))


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.type = size, 0o600, tarfile.REGTYPE
    return info


def _member_name_problem(name: str) -> str | None:
    """Why a member name is not one a backup holds, or None when it is."""
    if name in (MANIFEST, MANIFEST_SUM, MANIFEST_SIGNATURE) or name in DATABASE_MEMBERS.values():
        return None
    if not name.startswith(MEDIA_PREFIX):
        return "不是备份文件应有的成员"
    if "\\" in name or "\x00" in name or name.startswith("/"):
        return "路径含有绝对路径、反斜杠或空字符"
    parts = PurePosixPath(name).parts
    if len(parts) < 2 or any(part in ("", ".", "..") for part in name.split("/")):
        return "路径含有“..”或空的路径段，会写到恢复目录之外"
    if parts[1].startswith(STAGING_PREFIX):
        return "不是备份文件应有的成员"
    return None


def _kind(info: tarfile.TarInfo) -> str:
    if info.issym():
        return f"符号链接，指向 {info.linkname}"
    if info.islnk():
        return f"硬链接，指向 {info.linkname}"
    if info.isdir():
        return "目录"
    return "设备或特殊文件"


def archive_read(path: Path, staging: Path, *, max_bytes: int, max_members: int, key: bytes) -> dict[str, Any]:
    """Reads the backup at `path` into the empty folder `staging` and returns its manifest,
    once every member is a regular file with an expected name, within the caps, and equal to
    its checksum, and the manifest's signature verifies under `key`. Raises BackupError with
    the reason otherwise (the caller removes `staging`)."""
    seen = _extract(path, staging, max_bytes=max_bytes, max_members=max_members)
    return _checked_manifest(staging, seen, key)


def _extract(path: Path, staging: Path, *, max_bytes: int, max_members: int) -> dict[str, Member]:
    try:
        tar = tarfile.open(path, "r:gz")  # noqa: SIM115 (closed by the with below)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到备份文件 {path}") from exc
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"{path} 不是 duibiao 备份文件，或已损坏（无法作为 gzip 压缩的 tar 文件读取：{exc}）") from exc
    seen: dict[str, Member] = {}
    total = 0
    root = staging.resolve()
    try:
        with tar:
            for info in tar:  # streamed: one member at a time, never all names first
                name = info.name
                problem = _member_name_problem(name)
                if problem:
                    raise BackupError(f"备份中的成员 {name!r} {problem}，拒绝恢复{FOREIGN}")
                if not info.isreg():
                    raise BackupError(f"备份中的成员 {name!r} 是{_kind(info)}，不是普通文件，拒绝恢复{FOREIGN}")
                if name in seen:
                    raise BackupError(f"备份中的成员 {name!r} 出现了两次，拒绝恢复{FOREIGN}")
                if len(seen) >= max_members:
                    raise BackupError(f"备份中的成员超过 {max_members} 个，超出上限，拒绝恢复")
                total += info.size
                if total > max_bytes:
                    raise BackupError(
                        f"备份解开后超过 {max_bytes // (1024 * 1024)} MB（上限 DUIBIAO_BACKUP_MAX_MB，"
                        "或恢复目录所在磁盘的剩余空间），拒绝恢复")
                if name == MANIFEST and info.size > MANIFEST_MAX_BYTES:
                    raise BackupError("清单 manifest.json 大得不合理，拒绝恢复")
                target = (root / name).resolve()
                if root not in target.parents:  # belt and braces after the name check
                    raise BackupError(f"备份中的成员 {name!r} 会写到恢复目录之外，拒绝恢复")
                seen[name] = _copy_member(tar, info, target)
            # Read to the end of the compressed stream, so that gzip checks its own CRC and
            # length too (tarfile stops at the end-of-archive blocks, before the trailer).
            while tar.fileobj is not None and tar.fileobj.read(CHUNK):
                pass
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"备份文件已损坏（{exc}），未做任何改动") from exc
    except OSError as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError | NotADirectoryError):
            raise BackupError(f"无法写出恢复用的临时文件（{exc}）") from exc
        raise BackupError(f"备份文件已损坏或无法读取（{exc}），未做任何改动") from exc
    return seen


def _copy_member(tar: tarfile.TarFile, info: tarfile.TarInfo, target: Path) -> Member:
    source = tar.extractfile(info)
    if source is None:
        raise BackupError(f"备份中的成员 {info.name!r} 无法读取")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, written = hashlib.sha256(), 0
    with target.open("xb") as out:  # "x": never over a file written before
        while chunk := source.read(CHUNK):
            written += len(chunk)
            digest.update(chunk)
            out.write(chunk)
    if written != info.size:
        raise BackupError(f"备份中的成员 {info.name!r} 不完整（应有 {info.size} 字节，只读到 {written}）：备份文件已损坏")
    return Member(info.name, written, digest.hexdigest())


def _checked_manifest(staging: Path, seen: dict[str, Member], key: bytes) -> dict[str, Any]:
    if MANIFEST not in seen or MANIFEST_SUM not in seen:
        raise BackupError("备份中没有清单（manifest.json 及其校验值）：不是 duibiao 备份文件，或已损坏")
    data = (staging / MANIFEST).read_bytes()
    expected = (staging / MANIFEST_SUM).read_text(encoding="ascii", errors="replace").strip()
    if hashlib.sha256(data).hexdigest() != expected:
        raise BackupError("清单 manifest.json 的 SHA-256 校验值不符：备份文件已损坏或被改动")
    _check_signature(staging, seen, key, data)
    try:
        manifest = json.loads(data)
        if manifest.get("format") != FORMAT:
            raise BackupError("清单不是 duibiao 备份的清单：这不是本系统的备份文件")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"备份格式版本为 {manifest.get('format_version')!r}，本程序只能恢复第 {FORMAT_VERSION} 版")
        listed = {str(m["name"]): Member(str(m["name"]), int(m["size"]), str(m["sha256"]))
                  for m in manifest["members"]}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"清单 manifest.json 格式不对（{exc}）：备份文件已损坏") from exc
    missing = sorted(set(listed) - set(seen))
    if missing:
        raise BackupError(f"备份缺少清单中列出的 {len(missing)} 个成员（如 {missing[0]}）：备份文件不完整")
    extra = sorted(set(seen) - set(listed) - {MANIFEST, MANIFEST_SUM, MANIFEST_SIGNATURE})
    if extra:
        raise BackupError(f"备份中有清单未列出的成员 {extra[0]}：备份文件被改动过或已损坏")
    for name, member in listed.items():
        if seen[name] != member:
            raise BackupError(f"成员 {name} 的 SHA-256 校验值或大小与清单不符：备份文件已损坏或被改动")
    return dict(manifest)


SIGNATURE_KEY_HINT = ("备份密钥为 DUIBIAO_BACKUP_KEY（未设置时由 DUIBIAO_SECRET_KEY 派生）；"
                      "确是本系统写出的备份时，请在设置了写出它时的同一密钥的环境中恢复")


def _check_signature(staging: Path, seen: dict[str, Member], key: bytes, data: bytes) -> None:
    # Before the manifest is parsed or believed: everything it says (members, checksums,
    # migrations) is an attacker's until the signature says otherwise.
    if MANIFEST_SIGNATURE not in seen:
        raise BackupError(f"备份没有签名（{MANIFEST_SIGNATURE}），拒绝恢复：无法确认它是本系统写出、未被调换的备份。"
                          f"{SIGNATURE_KEY_HINT}")
    signature = (staging / MANIFEST_SIGNATURE).read_text(encoding="ascii", errors="replace").strip()
    if not hmac.compare_digest(signature.encode(), manifest_signature(key, data).encode()):
        raise BackupError("备份清单的签名不符，拒绝恢复：备份被调换或改动过（校验值可以重算，签名不能），"
                          f"或写出它时用的是另一个备份密钥。{SIGNATURE_KEY_HINT}")
