"""SM4-GCM envelopes for data at rest: the TOTP device keys and, by setting, uploaded files.

One envelope format for both (`seal` / `open_sealed`)::

    magic b"\\x89S4" | version 2 | key id (4 bytes) | nonce (12) | ciphertext | tag (16)

The GCM's associated data is the first eight bytes and what the envelope is bound to
(`bound_to`: the TOTP device's user, the file's storage name), so a changed version or key id
fails the tag like a changed byte of the ciphertext, and so does an envelope copied onto another
user's device row or renamed onto another file's name: the binding is not stored, the reader
supplies it from where the envelope lies. Version 1 envelopes (written before the binding) carry
only the header as associated data; they still open, unbound, until `duibiao crypto rotate`
seals them again as version 2. A version 2 envelope whose byte is changed to 1 fails the tag.
The key id is the first four bytes of
SM3("duibiao sm4 key id" || key): the operator names no ids, and a rotated key is found by
the id its envelopes carry. GCM rather than SM4-CTR + HMAC-SM3: one key, one standard
construction (GB/T 36624-2018; RFC 8998 for TLS), one pass, nothing of ours in between.

Keys: DUIBIAO_SM4_KEY (32 hex digits) seals; DUIBIAO_SM4_OLD_KEYS (comma-separated) only
open what they sealed, until `duibiao crypto rotate` has sealed everything again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MAGIC = b"\x89S4"
VERSION = 2  # bound: the associated data is the header and `bound_to`
UNBOUND_VERSION = 1  # before the binding: the header alone; opened, never written
HEADER_LEN = len(MAGIC) + 1 + 4  # magic, version, key id: the associated data (with bound_to)
NONCE_LEN = 12
TAG_LEN = 16
OVERHEAD = HEADER_LEN + NONCE_LEN + TAG_LEN


class SealError(ValueError):
    """An envelope that does not open: damaged, changed, or sealed with a key not configured."""


class KeyConfigError(ValueError):
    """A key setting that is not 16 bytes of hex."""


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def key_id(key: bytes) -> bytes:
    return sm3(b"duibiao sm4 key id" + key)[:4]


def parse_key(text: str, *, name: str = "DUIBIAO_SM4_KEY") -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != 16:
        raise KeyConfigError(f"{name} 须为 32 位十六进制数（16 字节的 SM4 密钥）/ {name} must be 32 hex digits")
    return key


@dataclass(frozen=True)
class Keyring:
    """The sealing key and every key that may still open an envelope, by key id."""

    current: bytes
    by_id: dict[bytes, bytes]

    @classmethod
    def from_hex(cls, current: str, old: list[str] | tuple[str, ...] = ()) -> Keyring:
        key = parse_key(current)
        keys = [key] + [parse_key(text, name="DUIBIAO_SM4_OLD_KEYS") for text in old if text.strip()]
        return cls(current=key, by_id={key_id(k): k for k in reversed(keys)} | {key_id(key): key})

    @property
    def current_id(self) -> bytes:
        return key_id(self.current)


def is_sealed(data: bytes) -> bool:
    return data[: len(MAGIC)] == MAGIC


def sealed_with(data: bytes) -> bytes | None:
    """The key id an envelope names, or None for data that is not an envelope."""
    return data[len(MAGIC) + 1: HEADER_LEN] if is_sealed(data) and len(data) >= HEADER_LEN else None


def envelope_version(data: bytes) -> int | None:
    """The format version an envelope names (1 unbound, 2 bound), or None for other data."""
    return data[len(MAGIC)] if is_sealed(data) and len(data) > len(MAGIC) else None


def seal(keyring: Keyring, plaintext: bytes, *, bound_to: bytes) -> bytes:
    """An envelope that opens only with the same `bound_to` (what it belongs to: a device's
    user, a file's name; each caller prefixes its own kind, so no two kinds' bindings meet)."""
    header = MAGIC + bytes([VERSION]) + keyring.current_id
    nonce = os.urandom(NONCE_LEN)  # 96 random bits a message: no reuse in 2^32 envelopes a key
    encryptor = Cipher(algorithms.SM4(keyring.current), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(header + bound_to)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return header + nonce + body + encryptor.tag


def open_sealed(keyring: Keyring, envelope: bytes, *, bound_to: bytes) -> bytes:
    if len(envelope) < OVERHEAD or not is_sealed(envelope):
        raise SealError("不是完整的 SM4 密文 / not a whole SM4 envelope")
    version = envelope[len(MAGIC)]
    if version not in (VERSION, UNBOUND_VERSION):
        raise SealError(f"未知的密文版本 {envelope[len(MAGIC)]} / unknown envelope version")
    header, kid = envelope[:HEADER_LEN], envelope[len(MAGIC) + 1: HEADER_LEN]
    key = keyring.by_id.get(kid)
    if key is None:
        raise SealError(
            f"密文的密钥编号 {kid.hex()} 不在 DUIBIAO_SM4_KEY / DUIBIAO_SM4_OLD_KEYS 中 / key {kid.hex()} not configured"
        )
    nonce, body, tag = envelope[HEADER_LEN: HEADER_LEN + NONCE_LEN], envelope[HEADER_LEN + NONCE_LEN: -TAG_LEN], envelope[-TAG_LEN:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(header + (bound_to if version == VERSION else b""))
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise SealError(
            "SM4 密文校验失败：已被改动、损坏，或不属于此处（从别的记录或文件复制而来） / "
            "the envelope was changed, damaged, or belongs elsewhere") from None
